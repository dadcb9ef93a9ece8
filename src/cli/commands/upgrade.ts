import * as path from 'node:path';
import { liveInstallFacts } from '../../core/actions/applyInstall';
import { upgradePlan, upgradeText } from '../../core/actions/upgrade';
import { isWorkspaceDefined } from '../../core/actions/workspaceTrust';
import { liveMachine, currentHostEnv } from '../../core/machine/live';
import type { Instance, ServerConfig } from '../../core/base/model';
import { lifeguardPaths } from '../../core/base/paths';
import { recordUpgrade } from '../../core/actions/upgradeHistory';
import { readConfigForEdit, writeConfigFile } from '../../core/configEdit/configWriter';
import { pinChange } from '../../core/configEdit/pinEdit';
import { pinIn } from '../../core/launch/pin';
import { scanSources } from '../../core/sources/scan';
import type { CliIo } from '../io';
import type { CommandSpec } from '../options';
import {
  installAndRestart,
  installOptions,
  lookFor,
  oneLineEach,
  planAnswer,
  PlanAnswer,
  printable,
  sayRestarts,
  serverToChange,
  notInstalled,
  serverCommandArgs,
} from './installRun';
import { installedOf, PinPlan } from '../../core/actions/installCommand';
import { installServes } from '../../core/actions/installServes';
import { runsPinnedVersion } from '../../core/actions/pinPlan';
import { cliWords, editConfigFiles, LeftAlone, redactedDiff } from './wrap';

export const UPGRADE_COMMAND = {
  name: 'upgrade',
  operands: 'SERVER',
  summary: [
    'Install the newer version of its package the way it was installed (or',
    "rewrite an npx/uvx entry's pin), then restart each guarded instance",
    'that still runs the old code; shows what it would do, runs it with --yes',
  ],
  options: {
    to: {
      type: 'string',
      value: 'VERSION',
      description: 'The version to install (default: the newest the registries said)',
    },
    ...installOptions('upgrade'),
  },
} as const satisfies CommandSpec;

/**
 * `mcp-lifeguard upgrade SERVER [--to VERSION] [--yes]`: the plan of core/actions/upgrade.ts shown
 * (the dry run), then with `--yes` run: the installer (no shell, its output passed on), a fresh look,
 * and a restart of each guard whose server still runs the old code (ranOld); what no guard runs is
 * named with what to do. A runner's pin is rewritten in every entry that has it, each file's diff
 * shown first, through the one config writer. Never for a workspace's entries unless trusted.
 */
export async function upgradeCommand(args: string[], io: CliIo): Promise<number> {
  const { name, values } = serverCommandArgs('upgrade', UPGRADE_COMMAND.options, args);
  const json = values.json === true;
  const look = lookFor(values, io);
  const first = await look();
  let snapshot = first.snapshot;
  let server = serverToChange('upgrade', snapshot, name, values['trust-workspace'], io);
  if (!server) return 1;
  // The first look only reads the registries' cached answers: without them, ask once and look again.
  if (!values.to && !server.updateAvailable) {
    await first.checks;
    ({ snapshot } = await look());
    server = serverToChange('upgrade', snapshot, name, values['trust-workspace'], io);
    if (!server) return 1;
  }
  const plan = upgradePlan(server, values.to, liveInstallFacts(io.env, process.platform));
  const before = installedOf(server);
  const serves = plan.kind === 'install' && before ? installServes(snapshot.servers, before) : [];
  const answer = planAnswer(io, name, plan.kind === 'install' ? { ...plan, serves } : plan, {
    values,
    json,
    snapshot,
  });
  const { report, say } = answer;
  if (plan.kind !== 'install' || !values.yes)
    return notRun('upgrade', plan, answer, {
      refused: oneLineEach(upgradeText(plan)),
      dryRun: oneLineEach([...upgradeText(plan, serves), 'Nothing was run. Run again with --yes to do it.']),
    });
  if (!json) io.stdout(oneLineEach(upgradeText(plan, serves).slice(0, -1)));
  const done = await installAndRestart('upgrade', plan.serverName, plan.command, {
    io,
    json,
    look,
    trustWorkspace: values['trust-workspace'],
    timeoutMs: values.timeout,
    before,
  });
  if (done.kind !== 'done') return notInstalled('upgrade', name, done, before, { io, json, report });
  await recordUpgrade(lifeguardPaths(currentHostEnv(io.env)), {
    server: name,
    package: plan.package,
    from: plan.from,
    to: done.installed ?? plan.to,
    at: new Date().toISOString(),
  }).catch((err: Error) =>
    io.stderr(`mcp-lifeguard upgrade: the upgrade was not recorded (rollback cannot undo it): ${err.message}\n`),
  );
  const { restarts, failures } = sayRestarts(done.restarts, io, json);
  if (json)
    report({
      ok: failures === 0,
      ran: true,
      exitCode: 0,
      installed: done.installed ?? null,
      restarts,
      left: done.left,
    });
  else
    say([
      `${name}: ${plan.package} ${done.installed ?? '(not found after the install)'} is installed${done.installed && done.installed !== plan.to ? ` (not ${plan.to}: the installer chose it)` : ''}.`,
      ...(done.restarts.length === 0 && done.left.length === 0 ? ['No running instance runs the old code.'] : []),
      ...done.left.map((l) => `  pid ${l.pid} (${l.client}) still runs the old code: ${l.why}`),
    ]);
  return failures === 0 ? 0 : 1;
}

/**
 * The answer of `upgrade` or `rollback` when no installer runs: a refusal (1), a runner's pin
 * (upgradePins), or the dry run of an install without `--yes` (0). `refused` and `dryRun` are the
 * plan in words, ready to print.
 */
export async function notRun(
  verb: 'upgrade' | 'rollback',
  plan: { kind: 'refused' } | PinPlan | { kind: 'install' | 'plan' },
  o: PlanAnswer,
  words: { refused: string; dryRun: string },
): Promise<number> {
  switch (plan.kind) {
    case 'refused':
      if (o.json) o.report({ ok: false, ran: false });
      else o.io.stderr(`mcp-lifeguard ${verb}: ${words.refused}`);
      return 1;
    case 'pin':
      return changePins(verb, plan, o);
    case 'install':
    case 'plan':
      if (o.json) o.report({ ok: true, ran: false });
      else o.io.stdout(words.dryRun);
      return 0;
  }
}

/**
 * A runner's pin: every entry (of any name, in every client's file) that pins the package gets the
 * new version, each file's diff shown first; with `--yes` written by the one config writer, then
 * the instances that do not run that version are named: their clients start it. An upgrade is
 * recorded (so a roll back can put the pin back); a roll back is not, as an install's is not.
 */
async function changePins(verb: 'upgrade' | 'rollback', plan: PinPlan, o: PlanAnswer): Promise<number> {
  const host = currentHostEnv(o.io.env);
  const workspaceFolders = (o.values.workspace.length ? o.values.workspace : [o.io.cwd]).map((w) =>
    path.resolve(o.io.cwd, w),
  );
  const scan = await scanSources({ host, fs: liveMachine(host).fs, workspaceFolders });
  const left: LeftAlone[] = [];
  let refusedByTrust = 0;
  const leave = (s: ServerConfig, reason: string) =>
    left.push({ name: s.name, file: s.source.file, label: s.source.label, reason });
  const pinned = scan.servers.filter((s) => {
    if (s.transport !== 'stdio' || !pinIn(s.args, plan.package, plan.ecosystem)) return false;
    if (!o.values['trust-workspace'] && isWorkspaceDefined(s.source, workspaceFolders, host.home)) {
      refusedByTrust++;
      leave(s, 'only a workspace file defines it, and workspace files are not trusted to choose what runs');
      return false;
    }
    return true;
  });
  const files = editConfigFiles(pinned, pinChange(plan.package, plan.ecosystem, plan.to), readConfigForEdit, leave);
  const diffs = files.map((f) => redactedDiff(f, scan.secrets, scan.servers));
  const doc = (written?: Map<string, string | undefined>) => ({
    files: files.map((f, i) => ({
      file: f.file,
      label: f.label,
      entries: f.entries,
      diff: diffs[i],
      ...(written
        ? { written: written.get(f.file) === undefined, ...(written.get(f.file) ? { error: written.get(f.file) } : {}) }
        : {}),
    })),
    left,
  });
  const head = upgradeText(plan);
  const leftLines = left.map((l) => `  ${l.name} in ${l.file} (${l.label}): ${l.reason}`);
  if (files.length === 0) {
    if (o.json) o.report({ ok: false, ran: false, ...doc() });
    else o.io.stderr(`mcp-lifeguard ${verb}: ${printable([...head, '  no entry can be rewritten', ...leftLines])}`);
    return 1;
  }
  const shown = (written?: Map<string, string | undefined>) => [
    ...head,
    ...files.flatMap((f, i) => {
      const outcome = written?.get(f.file);
      return [
        written === undefined
          ? `Would rewrite ${f.entries.join(', ')} in ${f.file} (${f.label}):`
          : outcome === undefined
            ? `Rewrote ${f.entries.join(', ')} in ${f.file} (${f.label}):`
            : `NOT WRITTEN ${f.file} (${f.label}): ${outcome}`,
        ...(outcome === undefined ? [diffs[i].replace(/\n$/, '')] : []),
      ];
    }),
    ...(left.length ? [`Left as they are (${left.length}):`, ...leftLines] : []),
  ];
  if (!o.values.yes) {
    if (o.json) o.report({ ok: true, ran: false, ...doc() });
    else o.say([...shown(), 'Nothing was written. Run again with --yes to write these files.']);
    return 0;
  }
  const written = new Map<string, string | undefined>();
  for (const f of files)
    written.set(f.file, await writeConfigFile(f.read, f.afterBytes, { t: cliWords, platform: process.platform }));
  if (verb === 'upgrade' && [...written.values()].some((w) => w === undefined))
    await recordUpgrade(lifeguardPaths(host), {
      server: o.name,
      package: plan.package,
      from: plan.from,
      to: plan.to,
      at: new Date().toISOString(),
    }).catch((err: Error) => o.io.stderr(`mcp-lifeguard: the change was not recorded: ${err.message}\n`));
  // The instances started from the old pin: known from the look the plan was made on (once the
  // entries are rewritten, their command lines no longer read as those entries'). One that already
  // runs the version now pinned (a roll back while its client still runs it) needs nothing.
  const old = o.snapshot.servers
    .filter((s) => pinIn(s.args, plan.package, plan.ecosystem))
    .flatMap((s) =>
      s.instances
        .filter((i) => !runsPinnedVersion(runningVersion(i), plan))
        .map((i) => ({
          pid: i.pid,
          runs: runningVersion(i) ?? plan.from,
          client: i.client.name,
          why: i.lock
            ? `its guard would start the old entry again: restart ${o.name} in ${i.client.name}`
            : `restart ${o.name} in ${i.client.name}`,
        })),
    );
  const ok = [...written.values()].every((w) => w === undefined) && refusedByTrust === 0;
  if (o.json) o.report({ ok, ran: true, ...doc(written), left: old });
  else
    o.say([
      ...shown(written),
      ...(old.length
        ? old.map((l) => `  pid ${l.pid} (${l.client}) runs ${plan.package} ${l.runs}: ${l.why}`)
        : [`Each client starts ${plan.package} ${plan.to} the next time it starts ${o.name}.`]),
    ]);
  return ok ? 0 : 1;
}

/** The version an instance is known to run, if known. */
function runningVersion(i: Instance): string | undefined {
  return i.versions?.running.state === 'known' ? i.versions.running.version : undefined;
}
