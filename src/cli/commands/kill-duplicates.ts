import { killDuplicates, killDuplicatesPlan, planReason, SkippedItem } from '../../core/actions/killDuplicates';
import { defaultStopDeps, stopSucceeded } from '../../core/actions/stop';
import { terminalSafe } from '../../core/base/terminalSafe';
import { currentHostEnv } from '../../core/machine/live';
import { CliIo, UsageError } from '../io';
import { CommandSpec, parseOptions } from '../options';
import { ACTION_OPTIONS, formatStopResult, snapshotFor } from './stop';

function skippedLines(skipped: readonly SkippedItem[]): string[] {
  return skipped.map((s) => terminalSafe(`  ${s.serverName}: ${s.message}`));
}

export const KILL_DUPLICATES_COMMAND = {
  name: 'kill-duplicates',
  operands: '[SERVER]',
  summary: [
    'Stop older duplicates (the newest per client stays) and orphans;',
    'without --yes only prints the plan. Instances whose entry is',
    'ambiguous are left alone, each with why',
  ],
  options: {
    ...ACTION_OPTIONS,
    yes: { type: 'boolean', description: 'Stop them; without it only the plan is printed' },
  },
} as const satisfies CommandSpec;

/** `mcp-lifeguard kill-duplicates [SERVER] [--yes] [--grace SECONDS] [--from FILE] [--json] [--trust-workspace]` */
export async function killDuplicatesCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseOptions(args, KILL_DUPLICATES_COMMAND.options, { positionals: true });
  if (positionals.length > 1) throw new UsageError('kill-duplicates takes at most one SERVER name');
  const snapshot = await snapshotFor(values, io);
  const server = positionals[0];
  if (server !== undefined && !snapshot.servers.some((s) => s.name === server || s.id === server)) {
    io.stderr(`mcp-lifeguard kill-duplicates: no configured server is named '${terminalSafe(server)}'\n`);
    return 1;
  }
  const {
    items: plan,
    skipped,
    shareHints,
  } = killDuplicatesPlan(snapshot, server, {
    trustWorkspace: values['trust-workspace'],
    home: currentHostEnv(io.env).home,
  });
  const skippedText = [
    ...(skipped.length > 0 ? [`Left alone (${skipped.length}):`, ...skippedLines(skipped)] : []),
    // Copies several clients each run are no duplicates; sharing one is what would have avoided them.
    ...shareHints.map((h) => terminalSafe(h.message)),
  ];
  if (!values.yes) {
    if (values.json) io.stdout(`${JSON.stringify({ dryRun: true, plan, skipped, shareHints }, null, 2)}\n`);
    else if (plan.length === 0)
      io.stdout(`${['No duplicate or orphaned instances to stop.', ...skippedText].join('\n')}\n`);
    else {
      const lines = [`Would stop ${plan.length} instance${plan.length === 1 ? '' : 's'}:`];
      for (const p of plan)
        lines.push(terminalSafe(`  ${p.serverName}: pid ${p.pid} (${planReason(p)}) ${p.instance.commandLine}`));
      lines.push(...skippedText);
      lines.push('Nothing was signalled. Run again with --yes to stop them.');
      io.stdout(`${lines.join('\n')}\n`);
    }
    return 0;
  }
  const results = await killDuplicates(plan, defaultStopDeps(), { graceMs: values.grace });
  if (values.json) io.stdout(`${JSON.stringify({ dryRun: false, results, skipped, shareHints }, null, 2)}\n`);
  else if (results.length === 0)
    io.stdout(`${['No duplicate or orphaned instances to stop.', ...skippedText].join('\n')}\n`);
  else
    io.stdout(
      `${[...results.flatMap(({ item, result }) => [terminalSafe(`${item.serverName}:`), ...formatStopResult(result, '  ')]), ...skippedText].join('\n')}\n`,
    );
  return results.every(({ result }) => stopSucceeded(result)) ? 0 : 1;
}
