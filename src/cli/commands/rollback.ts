import { installedOf } from '../../core/actions/installCommand';
import { rollbackPlan, RollbackPlan, rollbackText } from '../../core/actions/rollback';
import { liveInstallFacts } from '../../core/actions/applyInstall';
import { lastUpgradeTo } from '../../core/actions/upgradeHistory';
import { lifeguardPaths } from '../../core/base/paths';
import { currentHostEnv } from '../../core/base/hostEnv';
import { terminalSafe } from '../../core/base/terminalSafe';
import { CliIo, UsageError } from '../io';
import { CommandSpec, parseOptions } from '../options';
import { upgradePins } from './upgrade';
import {
  installAndRestart,
  installOptions,
  lookFor,
  printable,
  sayRestarts,
  serverToChange,
  unchangedText,
} from './installRun';

export const ROLLBACK_COMMAND = {
  name: 'rollback',
  operands: 'SERVER',
  summary: [
    'Install again the versions its processes started with (or what the last',
    'upgrade replaced), the way it was installed (pip, pipx, uv, npm; an npx/uvx',
    "entry's pin), then restart the guards; shows the command, runs it with --yes",
  ],
  options: {
    ...installOptions('roll back'),
  },
} as const satisfies CommandSpec;

/**
 * `mcp-lifeguard rollback SERVER`: the versions its processes started with (else what the last
 * `upgrade` replaced, upgradeHistory.ts), installed again the way it was installed
 * (core/actions/rollback.ts), or an npx/uvx entry's pin set back. Without `--yes` it only shows the
 * plan; with it, it runs the command (no shell, its output passed on), then restarts each guard
 * whose server is down or runs other code than is now installed. Never for a server only a
 * workspace defines unless `--trust-workspace`.
 */
export async function rollbackCommand(args: string[], io: CliIo): Promise<number> {
  const parsed = parseOptions(args, ROLLBACK_COMMAND.options, { positionals: true });
  if (parsed.positionals.length !== 1) throw new UsageError('rollback takes one SERVER name');
  const name = parsed.positionals[0];
  const values = parsed.values;
  const look = lookFor(values, io);
  const snapshot = (await look()).snapshot;
  const server = serverToChange('rollback', snapshot, name, values['trust-workspace'], io);
  if (!server) return 1;
  const host = currentHostEnv(io.env);
  const installed = installedOf(server);
  const upgraded = installed
    ? await lastUpgradeTo(lifeguardPaths(host), name, installed.name, installed.version).catch(() => undefined)
    : undefined;
  const plan: RollbackPlan = rollbackPlan(server, liveInstallFacts(io.env), upgraded);
  const json = values.json === true;
  const text = rollbackText(plan).map((l) => terminalSafe(l));
  const report = (doc: Record<string, unknown>) =>
    io.stdout(`${JSON.stringify({ server: name, plan, ...doc }, null, 2)}\n`);
  const say = (lines: string[]) => io.stdout(printable(lines));
  switch (plan.kind) {
    case 'refused':
      if (json) report({ ok: false, ran: false });
      else io.stderr(`mcp-lifeguard rollback: ${text.join('\n')}\n`);
      return 1;
    case 'pin':
      return upgradePins(plan, { io, values, json, say, report, snapshot, name });
    case 'plan':
      break;
  }
  if (!values.yes) {
    if (json) report({ ok: true, ran: false });
    else io.stdout(`${[...text, 'Nothing was run. Run again with --yes to do it.'].join('\n')}\n`);
    return 0;
  }
  if (!json) io.stdout(`${text.join('\n')}\n`);
  // Guards whose server is down, then every guard whose server runs other code than is now installed.
  const done = await installAndRestart(
    'rollback',
    plan.serverName,
    plan.command,
    { io, json, look, trustWorkspace: values['trust-workspace'], timeoutMs: values.timeout, before: installed },
    plan.restart.map((r) => r.guardPid),
  );
  if (done.kind === 'failed') {
    if (json) report({ ok: false, ran: true, exitCode: done.exitCode, restarts: [], left: [] });
    else
      io.stderr(`mcp-lifeguard rollback: ${name}: the command exited with ${done.exitCode}; nothing was restarted\n`);
    return 1;
  }
  if (done.kind === 'unchanged') {
    if (json) report({ ok: false, ran: true, exitCode: 0, changed: false, restarts: [], left: [] });
    else io.stderr(printable([`mcp-lifeguard rollback: ${unchangedText(name, installed, done.installed)}`]));
    return 1;
  }
  const { restarts, failures } = sayRestarts(done.restarts, io, json);
  if (json) report({ ok: failures === 0, ran: true, exitCode: 0, restarts, left: done.left });
  else
    say([
      `${name}: rolled back to ${plan.from}.`,
      ...done.left.map((l) => `  pid ${l.pid} (${l.client}) still runs other code than is installed: ${l.why}`),
    ]);
  return failures === 0 ? 0 : 1;
}
