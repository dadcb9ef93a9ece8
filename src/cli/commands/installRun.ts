import type { InstallCommand, InstalledPackage } from '../../core/actions/installCommand';
import { InstallerExit, outputLines, runInstaller } from '../../core/actions/runInstaller';
import { restartTarget, RestartTargetOutcome } from '../../core/actions/restart';
import { currentHostEnv } from '../../core/machine/live';
import { lifeguardPaths } from '../../core/base/paths';
import * as path from 'node:path';
import type { ServerStatus, Snapshot } from '../../core/base/model';
import type { Machine } from '../../core/machine/types';
import { applyInstall, ApplyResult, serverNamed } from '../../core/actions/applyInstall';
import { installRefusal } from '../../core/actions/workspaceTrust';
import { takeSnapshot } from '../../core/snapshot/engine';
import { takeSettled } from '../../core/snapshot/settle';
import { terminalSafe } from '../../core/base/terminalSafe';
import { CliIo, UsageError } from '../io';
import { OptionSpecs, OptionValues, parseOptions } from '../options';
import { ACTION_OPTIONS } from './stop';
import { restartOutcomeText } from './restart';

/** What `rollback` and `upgrade` run and restart: the machine's facts, the installer, the guards after it. */

/** Runs the installer, its output passed on to ours; resolves with its exit code and, failed, its reason. */
export function runVisible(c: InstallCommand, io: CliIo): Promise<InstallerExit> {
  return runInstaller(c, {
    cwd: io.cwd,
    env: io.env,
    onOutput: (text, stream) => (stream === 'stdout' ? io.stdout : io.stderr)(text),
  });
}

/** The look an action plans on, and the registry checks it started (awaited when the cache had no answer). */
export function lookFor(
  values: { workspace: string[]; 'trust-workspace'?: boolean },
  io: CliIo,
  machine?: Machine,
): () => Promise<{ snapshot: Snapshot; checks: Promise<void> }> {
  const workspaceFolders = (values.workspace.length ? values.workspace : [io.cwd]).map((w) => path.resolve(io.cwd, w));
  return async () => {
    let checks: Promise<void> = Promise.resolve();
    const snapshot = await takeSnapshot({
      host: currentHostEnv(io.env),
      ...(machine ? { machine } : {}),
      workspaceFolders,
      workspaceTrusted: values['trust-workspace'],
      engine: { onBackground: (c) => (checks = c) },
    });
    return { snapshot, checks };
  };
}

/** Lines (a diff among them holds several) as the terminal may show them: each line made safe on its own. */
export function printable(lines: readonly string[]): string {
  return oneLineEach(lines.flatMap((l) => l.split('\n')));
}

/**
 * Lines whose values came from outside (versions, names, paths), none of which holds a line of its
 * own: each made safe as one line, a line break in a value shown as `\n`, never a new line.
 */
export function oneLineEach(lines: readonly string[]): string {
  return `${lines.map((l) => terminalSafe(l)).join('\n')}\n`;
}

/** The options `upgrade` and `rollback` share (`verb`: what a workspace's server needs trust for). */
export function installOptions(verb: string) {
  return {
    yes: { type: 'boolean', description: 'Run the command (or write the files) shown; without it nothing changes' },
    workspace: ACTION_OPTIONS.workspace,
    'trust-workspace': {
      type: 'boolean',
      description: `Trust workspace files: also ${verb} a server only their entries list, and ask their URLs`,
    },
    timeout: { type: 'seconds', default: 120, positive: true, description: 'Seconds a restart of a guard may take' },
    json: {
      type: 'boolean',
      description: "Print the plan and what was done as JSON (the command's own output goes to stderr)",
    },
  } as const;
}

/**
 * Runs the installer for a face whose stdout is not the user's (the agent face's is its MCP
 * stream): each line of its output goes to `log`.
 */
export function runCaptured(
  c: InstallCommand,
  cwd: string,
  env: NodeJS.ProcessEnv,
  log: (line: string) => void,
): Promise<InstallerExit> {
  return runInstaller(c, { cwd, env, onOutput: (text) => outputLines(text).forEach(log) });
}

/** A restart as `upgrade` and `rollback` ask for it: through the instance's guard, named by its pid. */
export function restartFor(
  io: CliIo,
  o: { snapshot: () => Promise<Snapshot>; trustWorkspace: boolean; timeoutMs: number; requestedBy: string },
): (pid: number) => Promise<RestartTargetOutcome[]> {
  const host = currentHostEnv(io.env);
  return (pid) =>
    restartTarget(String(pid), {
      locksDir: lifeguardPaths(host).locks,
      snapshot: o.snapshot,
      trustWorkspace: o.trustWorkspace,
      home: host.home,
      graceMs: ACTION_OPTIONS.grace.default * 1000,
      timeoutMs: o.timeoutMs,
      requestedBy: o.requestedBy,
    });
}

/** Each restart worded as `restart` words it (unless `json`); the outcomes with `ok`, and how many failed. */
export function sayRestarts(
  outcomes: readonly RestartTargetOutcome[],
  io: CliIo,
  json: boolean,
): { restarts: unknown[]; failures: number } {
  const restarts: unknown[] = [];
  let failures = 0;
  for (const outcome of outcomes) {
    const said = restartOutcomeText(outcome);
    restarts.push({ ...outcome, ok: said.ok });
    if (!json) (said.report ? io.stdout : io.stderr)(`${said.lines.join('\n')}\n`);
    if (!said.ok) failures++;
  }
  return { restarts, failures };
}

/**
 * The server `upgrade`/`rollback` acts on, or undefined once why not is said: no entry of that name,
 * or one only an untrusted workspace defines.
 */
export function serverToChange(
  verb: 'upgrade' | 'rollback',
  snapshot: Snapshot,
  name: string,
  trustWorkspace: boolean,
  io: CliIo,
): ServerStatus | undefined {
  const server = serverNamed(snapshot, name);
  if (!server) {
    io.stderr(`mcp-lifeguard ${verb}: no configured server is named '${terminalSafe(name)}'\n`);
    return undefined;
  }
  const untrusted = installRefusal(snapshot, server, trustWorkspace, currentHostEnv(io.env).home);
  if (untrusted) {
    io.stderr(`mcp-lifeguard ${verb}: ${name}: ${terminalSafe(untrusted)}\n`);
    return undefined;
  }
  return server;
}

/**
 * applyInstall with the CLI's hands: the installer's output passed on (to stderr under --json),
 * restarts through the guards. `before`: what was installed when the plan was made.
 */
export function installAndRestart(
  verb: 'upgrade' | 'rollback',
  name: string,
  command: InstallCommand,
  o: {
    io: CliIo;
    json: boolean;
    look: () => Promise<{ snapshot: Snapshot }>;
    trustWorkspace: boolean;
    timeoutMs: number;
    before: InstalledPackage | undefined;
  },
  alsoRestart: readonly number[] = [],
): Promise<ApplyResult> {
  const snapshot = async () => (await o.look()).snapshot;
  return applyInstall(
    name,
    command,
    {
      // With --json, stdout holds the one document: the command's own output goes to stderr.
      run: (c) => runVisible(c, o.json ? { ...o.io, stdout: o.io.stderr } : o.io),
      look: () => takeSettled(snapshot),
      restart: restartFor(o.io, {
        snapshot,
        trustWorkspace: o.trustWorkspace,
        timeoutMs: o.timeoutMs,
        requestedBy: `mcp-lifeguard ${verb} ${name}`,
      }),
    },
    { alsoRestart, ...(o.before ? { before: o.before } : {}) },
  );
}

/** What `upgrade` and `rollback` answer with: `report` the one JSON document, `say` lines in words; and what they were given. */
export interface PlanAnswer {
  io: CliIo;
  values: { workspace: string[]; yes?: boolean; 'trust-workspace': boolean };
  json: boolean;
  name: string;
  say: (lines: string[]) => void;
  report: (doc: Record<string, unknown>) => void;
  snapshot: Snapshot;
}

/** The answer of a command about `plan`, for the server `name`. */
export function planAnswer(
  io: CliIo,
  name: string,
  plan: unknown,
  given: Pick<PlanAnswer, 'values' | 'json' | 'snapshot'>,
): PlanAnswer {
  return Object.assign({}, given, {
    io,
    name,
    report: (doc: Record<string, unknown>) => io.stdout(`${JSON.stringify({ server: name, plan, ...doc }, null, 2)}\n`),
    say: (lines: string[]) => io.stdout(printable(lines)),
  });
}

/** The options of `upgrade` or `rollback`, and its one SERVER operand; a usage error otherwise. */
export function serverCommandArgs<O extends OptionSpecs>(
  verb: 'upgrade' | 'rollback',
  options: O,
  args: string[],
): { name: string; values: OptionValues<O> } {
  const parsed = parseOptions(args, options, { positionals: true });
  if (parsed.positionals.length !== 1) throw new UsageError(`${verb} takes one SERVER name`);
  return { name: parsed.positionals[0], values: parsed.values };
}

/**
 * An install that did not change what runs, said (as JSON or in words): the installer failed, or
 * it exited 0 and changed nothing. Its exit status: 1.
 */
export function notInstalled(
  verb: 'upgrade' | 'rollback',
  name: string,
  done: Exclude<ApplyResult, { kind: 'done' }>,
  before: InstalledPackage | undefined,
  o: { io: CliIo; json: boolean; report: (doc: Record<string, unknown>) => void },
): number {
  switch (done.kind) {
    case 'failed':
      if (o.json)
        o.report({
          ok: false,
          ran: true,
          exitCode: done.exitCode,
          ...(done.reason ? { reason: done.reason } : {}),
          restarts: [],
          left: [],
        });
      else o.io.stderr(printable([`mcp-lifeguard ${verb}: ${failedText(name, done.exitCode, done.reason)}`]));
      return 1;
    case 'unchanged':
      if (o.json) o.report({ ok: false, ran: true, exitCode: 0, changed: false, restarts: [], left: [] });
      else o.io.stderr(printable([`mcp-lifeguard ${verb}: ${unchangedText(name, before, done.installed)}`]));
      return 1;
  }
}

/** A failed installer, in words: its exit code and the reason it said (the line the extension's toast says too). */
function failedText(name: string, exitCode: number, reason: string | undefined): string {
  return reason
    ? `${name}: the command exited with ${exitCode} (${reason}); nothing was restarted`
    : `${name}: the command exited with ${exitCode}; nothing was restarted`;
}

/** An installer that exited 0 and changed nothing, in words: nothing was rolled back or upgraded, and nothing restarted. */
function unchangedText(name: string, before: InstalledPackage | undefined, installed: string | undefined): string {
  const what = before ? `${before.name} ${installed ?? before.version}` : 'what it runs';
  return `${name}: the command ran and changed nothing (${what} is still installed, as before); nothing was restarted`;
}
