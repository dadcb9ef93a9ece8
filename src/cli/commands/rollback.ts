import { installedOf } from '../../core/actions/installCommand';
import { installServes } from '../../core/actions/installServes';
import { rollbackPlan, RollbackPlan, rollbackText } from '../../core/actions/rollback';
import { liveInstallFacts } from '../../core/actions/applyInstall';
import { lastUpgradeOf } from '../../core/actions/upgradeHistory';
import { lifeguardPaths } from '../../core/base/paths';
import { currentHostEnv } from '../../core/machine/live';
import { terminalSafe } from '../../core/base/terminalSafe';
import type { CliIo } from '../io';
import type { CommandSpec } from '../options';
import { notRun } from './upgrade';
import {
  installAndRestart,
  installOptions,
  lookFor,
  planAnswer,
  sayRestarts,
  serverToChange,
  notInstalled,
  serverCommandArgs,
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
  const { name, values } = serverCommandArgs('rollback', ROLLBACK_COMMAND.options, args);
  const look = lookFor(values, io);
  const snapshot = (await look()).snapshot;
  const server = serverToChange('rollback', snapshot, name, values['trust-workspace'], io);
  if (!server) return 1;
  const host = currentHostEnv(io.env);
  const installed = installedOf(server);
  const upgraded = await lastUpgradeOf(lifeguardPaths(host), name).catch(() => undefined);
  const plan: RollbackPlan = rollbackPlan(server, liveInstallFacts(io.env, process.platform), upgraded);
  const json = values.json === true;
  const serves = plan.kind === 'plan' && installed ? installServes(snapshot.servers, installed) : [];
  const text = rollbackText(plan, serves).map((l) => terminalSafe(l));
  const answer = planAnswer(io, name, plan.kind === 'plan' ? { ...plan, serves } : plan, { values, json, snapshot });
  const { report, say } = answer;
  if (plan.kind !== 'plan' || !values.yes)
    return notRun('rollback', plan, answer, {
      refused: `${text.join('\n')}\n`,
      dryRun: `${[...text, 'Nothing was run. Run again with --yes to do it.'].join('\n')}\n`,
    });
  if (!json) io.stdout(`${text.join('\n')}\n`);
  // Guards whose server is down, then every guard whose server runs other code than is now installed.
  const done = await installAndRestart(
    'rollback',
    plan.serverName,
    plan.command,
    { io, json, look, trustWorkspace: values['trust-workspace'], timeoutMs: values.timeout, before: installed },
    plan.restart.map((r) => r.guardPid),
  );
  if (done.kind !== 'done') return notInstalled('rollback', name, done, installed, { io, json, report });
  const { restarts, failures } = sayRestarts(done.restarts, io, json);
  if (json) report({ ok: failures === 0, ran: true, exitCode: 0, restarts, left: done.left });
  else
    say([
      `${name}: rolled back to ${plan.from}.`,
      ...done.left.map((l) => `  pid ${l.pid} (${l.client}) still runs other code than is installed: ${l.why}`),
    ]);
  return failures === 0 ? 0 : 1;
}
