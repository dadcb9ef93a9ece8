import { killDuplicates, killDuplicatesPlan, planReason, shareHintMessage } from '../core/actions/killDuplicates';
import { notRestartedText, restartTarget, RestartTargetOutcome, sessionsKept } from '../core/actions/restart';
import { StopDeps, StopResult, stopSucceeded } from '../core/actions/stop';
import { stopPidIn } from '../core/actions/stopChecked';
import type { Snapshot } from '../core/base/model';
import { quoted } from '../core/base/modelText';
import type { ActionOutcome, ActionReport } from './schemas';
import { applyInstall, serverNamed } from '../core/actions/applyInstall';
import { InstallCommand, installedOf, InstallFacts } from '../core/actions/installCommand';
import { rollbackPlan, keptText } from '../core/actions/rollback';
import { upgradePlan } from '../core/actions/upgrade';
import { lastUpgradeOf, recordUpgrade } from '../core/actions/upgradeHistory';
import { installRefusal } from '../core/actions/workspaceTrust';
import type { InstallerExit } from '../core/actions/runInstaller';
import type { LifeguardPaths } from '../core/base/paths';

export type { ActionOutcome, ActionReport } from './schemas';

/**
 * The destructive tools, each through the same core action the CLI uses and refusing what it
 * refuses: a workspace-only entry's process unless the face was started trusting the workspace,
 * and any process the stop ladder cannot re-identify exactly. Results are plain data (the tools'
 * ACTION_OUTPUT) with one sentence a model can relay. In those sentences every value from a file,
 * a process or a server (a server's name, a guard's error) is quoted, as is every message of the
 * engine that embeds them (a refusal naming entries and files, why an instance is left alone).
 */

export interface ActionContext {
  snapshot(): Promise<Snapshot>;
  locksDir: string;
  home: string;
  /** Started with --trust-workspace: workspace-only entries' processes may be signalled. */
  trustWorkspace: boolean;
  graceMs: number;
  restartTimeoutMs: number;
  stopDeps: StopDeps;
  /**
   * Upgrade and roll back: what the install planner reads of the machine, how an installer runs
   * (no shell; its exit code and the end of its output), and where upgrades are recorded. Without
   * them the face refuses to install.
   */
  installs?: {
    facts: InstallFacts;
    run(command: InstallCommand): Promise<InstallerExit>;
    paths: LifeguardPaths;
  };
}

/** A stop's outcome as the agent reports it: stopped (or already gone), refused, or failed. */
const stopKind = (s: StopResult): 'stopped' | 'refused' | 'failed' =>
  stopSucceeded(s) ? 'stopped' : s.outcome === 'refused' ? 'refused' : 'failed';

function fromRestart(o: RestartTargetOutcome): ActionOutcome {
  switch (o.kind) {
    case 'restarted':
      return {
        kind: 'restarted',
        serverName: o.serverName,
        pid: o.childPid,
        message: `restarted ${quoted(o.serverName)} through its guard (guard pid ${o.guardPid}): new server pid ${o.childPid}, restart #${o.restarts}; ${sessionsKept(o, quoted)}`,
      };
    case 'failed':
      return {
        kind: 'failed',
        serverName: o.serverName,
        pid: o.guardPid,
        message: `the guard of ${quoted(o.serverName)} (pid ${o.guardPid}) did not restart it: ${quoted(o.message)}`,
      };
    case 'refused':
      return { kind: 'refused', message: `not restarted: ${quoted(o.message)}` };
    case 'stopped':
      return {
        kind: stopKind(o.stop),
        ...(o.serverName ? { serverName: o.serverName } : {}),
        pid: o.stop.pid,
        message: stopSucceeded(o.stop) ? notRestartedText(o.stop.pid, o.client) : stopText(o.stop),
        stop: o.stop,
      };
  }
}

/** A stop's outcome in words: the stop ladder's own (pids, times, signals); a refusal's reason quoted (it may name entries and files). */
function stopText(stop: StopResult): string {
  return stop.outcome === 'refused' ? `not stopped: ${quoted(stop.message)}` : stop.message;
}

function summarize(outcomes: ActionOutcome[], okKinds: ReadonlyArray<ActionOutcome['kind']>): ActionReport {
  const ok = outcomes.length > 0 && outcomes.every((o) => okKinds.includes(o.kind));
  return { ok, message: outcomes.map((o) => o.message).join('\n') || 'nothing to do', outcomes };
}

/** A restart as this face asks for it (`tool`: which call asked, as the guard logs it). */
function restartVia(
  c: ActionContext,
  tool: string,
  force = false,
): (target: string) => Promise<RestartTargetOutcome[]> {
  return (target) =>
    restartTarget(target, {
      locksDir: c.locksDir,
      snapshot: c.snapshot,
      trustWorkspace: c.trustWorkspace,
      home: c.home,
      graceMs: c.graceMs,
      timeoutMs: c.restartTimeoutMs,
      requestedBy: `mcp-lifeguard mcp: ${tool}`,
      stopDeps: c.stopDeps,
      force,
    });
}

export async function restartServer(target: string, c: ActionContext, force = false): Promise<ActionReport> {
  const outcomes = await restartVia(c, `restart_server ${target}`, force)(target);
  return summarize(outcomes.map(fromRestart), ['restarted', 'stopped']);
}

export async function stopPid(pid: number, c: ActionContext): Promise<ActionReport> {
  const snapshot = await c.snapshot();
  const r = await stopPidIn(snapshot, pid, {
    trustWorkspace: c.trustWorkspace,
    home: c.home,
    graceMs: c.graceMs,
    deps: c.stopDeps,
  });
  if (r.kind === 'refused')
    return summarize([{ kind: 'refused', pid, message: `not stopped: ${quoted(r.message)}` }], []);
  const owner = snapshot.servers.find((s) => s.instances.some((i) => i.pid === pid));
  const kind = stopKind(r.stop);
  return summarize(
    [{ kind, ...(owner ? { serverName: owner.name } : {}), pid, message: stopText(r.stop), stop: r.stop }],
    ['stopped'],
  );
}

export async function killDuplicateInstances(
  server: string | undefined,
  dryRun: boolean,
  c: ActionContext,
): Promise<ActionReport> {
  const snapshot = await c.snapshot();
  if (server !== undefined && !snapshot.servers.some((s) => s.name === server || s.id === server)) {
    return summarize([{ kind: 'refused', message: `no configured server is named ${quoted(server)}` }], []);
  }
  const { items, skipped, shareHints } = killDuplicatesPlan(snapshot, server, {
    trustWorkspace: c.trustWorkspace,
    home: c.home,
  });
  const hints = shareHints.map((h) => shareHintMessage(h, quoted));
  const left = skipped.map((s): ActionOutcome => ({
    kind: 'refused',
    serverName: s.serverName,
    pid: s.pid,
    message: `pid ${s.pid} of ${quoted(s.serverName)} left alone: ${quoted(s.message)}`,
  }));
  if (dryRun) {
    const planned = items.map((p): ActionOutcome => ({
      kind: 'planned',
      serverName: p.serverName,
      pid: p.pid,
      message: `would stop pid ${p.pid} of ${quoted(p.serverName)} (${planReason(p, quoted)})`,
    }));
    const message = items.length
      ? `Would stop ${items.length} instance${items.length === 1 ? '' : 's'}; nothing was signalled. Call again with dryRun false to stop them.`
      : 'No duplicate or orphaned instances to stop.';
    return {
      ok: true,
      dryRun: true,
      message: [message, ...planned.map((o) => o.message), ...left.map((o) => o.message), ...hints].join('\n'),
      outcomes: [...planned, ...left],
    };
  }
  const results = await killDuplicates(items, c.stopDeps, { graceMs: c.graceMs });
  const outcomes = results.map(({ item, result }): ActionOutcome => ({
    kind: stopKind(result),
    serverName: item.serverName,
    pid: item.pid,
    message: stopText(result),
    stop: result,
  }));
  const ok = outcomes.every((o) => o.kind === 'stopped');
  const message = outcomes.length
    ? outcomes.map((o) => `${quoted(o.serverName ?? '')}: ${o.message}`).join('\n')
    : 'No duplicate or orphaned instances to stop.';
  return {
    ok,
    dryRun: false,
    message: [message, ...left.map((o) => o.message), ...hints].join('\n'),
    outcomes: [...outcomes, ...left],
  };
}

/**
 * upgrade_server and rollback_server: the plan (dryRun, the default) or its run, through the same
 * core plans and applyInstall the CLI uses; only the guards whose server runs other code than is
 * then installed restart. An npx/uvx entry's pin is a config file's change, which a face that shows
 * its diff makes (the CLI, the extension): refused here.
 */
export async function changeVersion(
  verb: 'upgrade' | 'rollback',
  name: string,
  version: string | undefined,
  dryRun: boolean,
  c: ActionContext,
): Promise<ActionReport> {
  const refuse = (message: string) => summarize([{ kind: 'refused', serverName: name, message }], []);
  const installs = c.installs;
  if (!installs) return refuse('this face was started without installs');
  const snapshot = await c.snapshot();
  const server = serverNamed(snapshot, name);
  if (!server) return refuse(`no configured server is named ${quoted(name)}`);
  const untrusted = installRefusal(snapshot, server, c.trustWorkspace, c.home);
  if (untrusted) return refuse(`not changed: ${quoted(untrusted)}`);
  const installed = installedOf(server);
  const plan =
    verb === 'upgrade'
      ? upgradePlan(server, version, installs.facts)
      : rollbackPlan(server, installs.facts, await lastUpgradeOf(installs.paths, server.name).catch(() => undefined));
  if (plan.kind === 'refused') return refuse(`not changed: ${quoted(plan.message)}`);
  if (plan.kind === 'pin')
    return refuse(
      `${quoted(plan.package)} is fetched by ${plan.runner}: its version is the one its entries pin, a change to config files made where their diff is shown (mcp-lifeguard ${verb} ${quoted(name)}, or the VS Code extension)`,
    );
  const what =
    plan.kind === 'install'
      ? `${quoted(plan.package)} ${quoted(plan.from)} -> ${quoted(plan.to)}`
      : `back to ${plan.from}: ${plan.pins.map((p) => `${quoted(p.name)} ${quoted(p.now ?? '(absent)')} -> ${quoted(p.version)}`).join(', ')}${plan.kept.length ? `; ${keptText(plan.kept.map(quoted))}` : ''}`;
  const line = `${verb} ${quoted(name)}: ${what} (${quoted(plan.where)}): ${quoted(plan.shown)}`;
  if (dryRun)
    return {
      ok: true,
      dryRun: true,
      message: `Would run, then restart each guard whose server runs other code: ${line}. Nothing was run. Call again with dryRun false to do it.`,
      outcomes: [{ kind: 'planned', serverName: name, message: line }],
    };
  const done = await applyInstall(
    server.name,
    plan.command,
    {
      run: (command) => installs.run(command),
      look: c.snapshot,
      restart: (pid) => restartVia(c, `${verb}_server ${name}`)(String(pid)),
    },
    {
      alsoRestart: plan.kind === 'plan' ? plan.restart.map((r) => r.guardPid) : [],
      ...(installed ? { before: installed } : {}),
    },
  );
  if (done.kind === 'failed')
    return summarize(
      [
        {
          kind: 'failed',
          serverName: name,
          // The installer's own error line, masked, as every face says it; its whole output is in this face's log.
          message: done.reason
            ? `${line} exited with ${done.exitCode} (${quoted(done.reason)}); nothing was restarted`
            : `${line} exited with ${done.exitCode}; nothing was restarted. Its output is in this face's log`,
        },
      ],
      [],
    );
  if (done.kind === 'unchanged')
    return summarize(
      [
        {
          kind: 'failed',
          serverName: name,
          message: `${line} ran and changed nothing (${quoted(installed?.name ?? name)} ${quoted(done.installed ?? '?')} is still installed); nothing was restarted`,
        },
      ],
      [],
    );
  if (plan.kind === 'install')
    await recordUpgrade(installs.paths, {
      server: server.name,
      package: plan.package,
      from: plan.from,
      to: done.installed ?? plan.to,
      at: new Date().toISOString(),
    }).catch(() => undefined);
  const outcomes: ActionOutcome[] = [
    {
      kind: 'installed',
      serverName: name,
      message: `ran ${quoted(plan.shown)}: ${quoted(installed?.name ?? name)} ${quoted(done.installed ?? '?')} is installed`,
    },
    ...done.restarts.map(fromRestart),
    ...done.left.map((l): ActionOutcome => ({
      kind: 'left',
      serverName: name,
      pid: l.pid,
      message: `pid ${l.pid} (${quoted(l.client)}) still runs other code: ${quoted(l.why)}`,
    })),
  ];
  return summarize(outcomes, ['installed', 'restarted', 'left']);
}
