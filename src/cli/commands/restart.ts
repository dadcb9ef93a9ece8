import { notRestartedText, restartTarget, RestartTargetOutcome, sessionsKept } from '../../core/actions/restart';
import { stopSucceeded } from '../../core/actions/stop';
import { currentHostEnv } from '../../core/machine/live';
import { lifeguardPaths } from '../../core/base/paths';
import { terminalSafe } from '../../core/base/terminalSafe';
import { CliIo, UsageError } from '../io';
import { CommandSpec, parseOptions } from '../options';
import { ACTION_OPTIONS, formatStopResult, snapshotFor } from './stop';

export const RESTART_COMMAND = {
  name: 'restart',
  operands: 'SERVER|PID',
  summary: [
    'Restart a guarded server through its guard (the client keeps its',
    'session); an unguarded one is only stopped: its client must restart it',
  ],
  options: {
    timeout: {
      type: 'seconds',
      default: 120,
      positive: true,
      description: 'Seconds to wait for the guard to report the restart',
    },
    grace: ACTION_OPTIONS.grace,
    from: ACTION_OPTIONS.from,
    workspace: ACTION_OPTIONS.workspace,
    'trust-workspace': ACTION_OPTIONS['trust-workspace'],
    force: {
      type: 'boolean',
      description: 'Restart even when the installed code will probably not start (refused otherwise)',
    },
    'restart-check': {
      type: 'string',
      choices: ['probe', 'none'],
      description:
        "none: even a guard whose entry declares --restart-check probe restarts without starting the installed server beside the serving one first (probe: the guard's own check)",
    },
    json: { type: 'boolean', description: 'Print the outcomes as JSON (docs/status-json.md)' },
  },
} as const satisfies CommandSpec;

/**
 * `mcp-lifeguard restart SERVER|PID`: restarts a guarded server through its guard's control
 * endpoint, so the client's session survives. SERVER is a server name; PID is the guard's pid or
 * its server's pid. An unguarded instance can only be stopped (re-identified, TERM, then KILL):
 * its client must start it again, and the output says so.
 */
export async function restartCommand(args: string[], io: CliIo): Promise<number> {
  const parsed = parseOptions(args, RESTART_COMMAND.options, { positionals: true });
  if (parsed.positionals.length !== 1) throw new UsageError('restart takes one SERVER name or PID');
  const target = parsed.positionals[0];
  const host = currentHostEnv(io.env);
  const outcomes = await restartTarget(target, {
    locksDir: lifeguardPaths(host).locks,
    snapshot: () => snapshotFor(parsed.values, io),
    trustWorkspace: parsed.values['trust-workspace'],
    home: host.home,
    graceMs: parsed.values.grace,
    timeoutMs: parsed.values.timeout,
    requestedBy: `mcp-lifeguard restart ${target}`,
    force: parsed.values.force,
    ...(parsed.values['restart-check'] === 'none' ? { check: 'none' as const } : {}),
  });
  let failures = 0;
  for (const o of outcomes) {
    const said = restartOutcomeText(o);
    if (!said.report) io.stderr(`${said.lines.map((l) => `mcp-lifeguard restart: ${l}`).join('\n')}\n`);
    else if (!parsed.values.json) io.stdout(`${said.lines.join('\n')}\n`);
    if (!said.ok) failures++;
  }
  if (parsed.values.json) io.stdout(`${JSON.stringify(restartJson(target, outcomes), null, 2)}\n`);
  return failures === 0 ? 0 : 1;
}

/** `restart --json`: each outcome as core reports it, with whether it counts as done and, for a stop, who must start it again. */
export function restartJson(target: string, outcomes: readonly RestartTargetOutcome[]) {
  const items = outcomes.map((o) => {
    const ok = restartOutcomeText(o).ok;
    return o.kind === 'stopped' && ok
      ? { ...o, ok, restartedBy: 'client' as const, message: notRestartedText(o.stop.pid, o.client) }
      : { ...o, ok };
  });
  return { target, ok: items.every((o) => o.ok), outcomes: items };
}

/** A restart's outcome in the CLI's words: a report of what was done (stdout) or why nothing was (stderr). */
export function restartOutcomeText(o: RestartTargetOutcome): { ok: boolean; report: boolean; lines: string[] } {
  switch (o.kind) {
    case 'restarted':
      return {
        ok: true,
        report: true,
        lines: [
          terminalSafe(
            `restarted ${o.serverName} (guard pid ${o.guardPid}): server pid ${o.childPid}, restart #${o.restarts}; ${sessionsKept(o)}`,
          ),
        ],
      };
    case 'failed':
      return {
        ok: false,
        report: false,
        lines: [terminalSafe(`${o.serverName} (guard pid ${o.guardPid}): ${o.message}`)],
      };
    case 'refused':
      return { ok: false, report: false, lines: [terminalSafe(o.message)] };
    case 'stopped': {
      const lines = formatStopResult(o.stop);
      const done = stopSucceeded(o.stop);
      if (done) lines.push(terminalSafe(notRestartedText(o.stop.pid, o.client)));
      return { ok: done, report: true, lines };
    }
  }
}
