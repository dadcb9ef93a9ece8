import * as fs from 'node:fs';
import * as path from 'node:path';
import { isWorkspaceDefined, TRUST_WORKSPACE_FLAG } from '../../core/actions/workspaceTrust';
import { liveMachine, currentHostEnv } from '../../core/machine/live';
import { ClientId, ServerConfig } from '../../core/base/model';
import { lifeguardPaths } from '../../core/base/paths';
import { redactArgs } from '../../core/base/redact';
import { terminalSafe } from '../../core/base/terminalSafe';
import { guardHomeFor, isWrappedCommand, wrappedName } from '../../core/configEdit/guardCommand';
import { CLI_BUNDLES, installGuard, launcherPath } from '../../core/configEdit/guardInstall';
import { ConfigFileRead, readConfigForEdit, writeConfigFile } from '../../core/configEdit/configWriter';
import { decodeConfig, displayConfig, encodeConfig } from '../../core/configEdit/configText';
import { configLineRedactor, redactConfigText } from '../../core/configEdit/redactConfigText';
import { nextSteps, NextStep } from '../../core/configEdit/nextSteps';
import { sharePlan } from '../../core/configEdit/sharePlan';
import { resourceOption } from '../../core/configEdit/resourceKey';
import { english, Translate } from '../../core/configEdit/translate';
import { diffWindows, unifiedDiff } from '../../core/configEdit/unifiedDiff';
import { EntryChange, editEntries, entryFormatFor, unwrapChange, wrapChange } from '../../core/configEdit/wrapEdit';
import { scanSources } from '../../core/sources/scan';
import { CliIo, UsageError } from '../io';
import { CommandSpec, parseOptions } from '../options';
import { ACTION_OPTIONS } from './stop';

/**
 * `wrap SERVER [--share]` and `unwrap SERVER`: the CLI's Wrap with Guard, Share One Instance and
 * Unwrap. Every client's entry of the server is rewritten with the editors the extension uses
 * (src/core/configEdit), each file's change shown first as a diff with its secrets redacted, and
 * written only with `--yes`.
 */

const COMMON_OPTIONS = {
  yes: { type: 'boolean', description: 'Write the files; without it only the diffs are printed' },
  json: { type: 'boolean', description: 'Print the plan (or what was written) as JSON' },
  workspace: ACTION_OPTIONS.workspace,
  'trust-workspace': {
    type: 'boolean',
    description: 'Also rewrite entries that only workspace files (.vscode/mcp.json, .mcp.json, ...) define',
  },
} as const;

export const WRAP_COMMAND = {
  name: 'wrap',
  operands: 'SERVER',
  summary: [
    "Make every client's entry of SERVER start it through the guard",
    '(`run --name SERVER --resource=DATA -- ...`, DATA the file or folder the',
    'entry names, else its identity; --share: `run --on-conflict share`, one',
    'server process for every client); without --yes only prints the diffs',
  ],
  options: {
    share: { type: 'boolean', description: 'Wrap with `run --on-conflict share`: the clients use one server process' },
    'idle-stop': {
      type: 'seconds',
      positive: true,
      description:
        'Wrap with `run --idle-stop SECONDS`: the guard stops the server after that long without a client message and starts it again on the next',
    },
    ...COMMON_OPTIONS,
    'install-guard': {
      type: 'boolean',
      description: 'Install this CLI as the guard the entries launch (<root>/bin), as the VS Code extension does',
    },
  },
} as const satisfies CommandSpec;

export const UNWRAP_COMMAND = {
  name: 'unwrap',
  operands: 'SERVER',
  summary: [
    "Give every client's entry of SERVER back the command the guard ran;",
    'without --yes only prints the diffs',
  ],
  options: COMMON_OPTIONS,
} as const satisfies CommandSpec;

/** The editors' messages as a terminal user reads them: VS Code's Problems panel is `status` here. */
const CLI_WORDS: Readonly<Record<string, string>> = {
  'the file has syntax errors (see Problems); fix them first':
    'the file has syntax errors (`mcp-lifeguard status` lists them); fix them first',
};
export const cliWords: Translate = (message, ...args) => english(CLI_WORDS[message] ?? message, ...args);

/** An entry that is left as it is, and why. */
export interface LeftAlone {
  name: string;
  file: string;
  label: string;
  reason: string;
}

/** One file's change: its text before and after every entry of it was rewritten. */
export interface FileEdit {
  file: string;
  label: string;
  /** The client that reads the file (what the user does next depends on it). */
  client: ClientId;
  /** The entries rewritten in it. */
  entries: string[];
  /** The file as read (its bytes and which file held them) and the bytes to write. */
  read: ConfigFileRead;
  afterBytes: Buffer;
  /** Both as a person reads them (for the diff): UTF-8, bytes that are not shown as U+FFFD. */
  before: string;
  after: string;
}

export interface ConfigEditPlan {
  verb: 'wrap' | 'unwrap';
  /** The `--name` the wrapped entries run under (wrap), or the server asked for (unwrap). */
  name: string;
  /** wrap: the `--resource` the wrapped entries' guards lock on (the data they name, else the server's identity). */
  resource?: string;
  share: boolean;
  /** `--idle-stop` written into the wrapped entries, in seconds (absent: none). */
  idleStopSeconds?: number;
  files: FileEdit[];
  left: LeftAlone[];
  /** Left alone because only workspace files define them: `--trust-workspace` would rewrite them. */
  refusedByTrust: number;
}

export interface PlanInput {
  verb: 'wrap' | 'unwrap';
  target: string;
  share: boolean;
  idleStopSeconds?: number;
  servers: readonly ServerConfig[];
  /** The guard's launcher, as the wrapped entries name it. */
  launcher: string;
  /** `--home DIR` written into the wrapped entries: this CLI's root when it is not the default (guardHomeFor). */
  home?: string;
  /** A file as read (its bytes; a string is taken as UTF-8), or why it cannot be read. */
  read: (file: string) => ConfigFileRead | Buffer | string | Error;
  /** Why an entry may not be rewritten (workspace trust), or undefined. */
  refusal: (s: ServerConfig) => string | undefined;
}

/** The env keys an entry sets, never their values: what tells two entries of one command apart. */
function envNote(s: ServerConfig): string {
  return s.envKeys.length > 0 ? ` (env ${s.envKeys.join(', ')})` : '';
}

/**
 * What `wrap` or `unwrap` would change, file by file, computed on the files' own text (so variables
 * stay as written) and without writing anything. `wrap`: every entry of the same server (one
 * identity: the same command and env) as the entries named SERVER (the server configured in each
 * client's file), as Share One Instance picks them; entries of the command with other env are left
 * alone, with which key differs. `unwrap`: the entries named SERVER, or wrapped under `--name SERVER`.
 */
export function planConfigEdits(input: PlanInput): ConfigEditPlan | { error: string } {
  const { verb, target, servers } = input;
  const named = servers.filter((s) => s.name === target || s.id === target);
  const left: LeftAlone[] = [];
  let refusedByTrust = 0;
  const leave = (s: ServerConfig, reason: string) =>
    left.push({ name: s.name, file: s.source.file, label: s.source.label, reason });
  const rewrite: ServerConfig[] = [];
  let name = target;
  let resource: string | undefined;
  if (verb === 'wrap') {
    if (named.length === 0) return { error: `no configured server is named '${target}'` };
    const identities = [...new Set(named.filter((s) => s.transport === 'stdio').map((s) => s.identityKey))];
    // Entries of one name but other command or env are other servers: one guard name for them would
    // make one's launch refused while the other runs (or, shared, serve both from one data store).
    if (identities.length > 1)
      return {
        error: `the entries named '${target}' are ${identities.length} different servers (${named
          // A command string may carry a flag's token (`srv --api-key=X`): masked as an argv is.
          .map((s) => `${s.source.label}: ${redactArgs([s.command ?? s.url ?? '', ...s.args]).join(' ')}${envNote(s)}`)
          .join('; ')}); ${
          input.share
            ? 'one server can be shared only by entries of the same command and env'
            : 'each is wrapped on its own'
        }: name one by its id (status --json)`,
      };
    const chosen = named.find((s) => s.transport === 'stdio') ?? named[0];
    const plan = sharePlan(servers, chosen, input.refusal, cliWords);
    name = plan.name;
    resource = plan.resource;
    for (const step of plan.steps) {
      if (step.rewrite) rewrite.push(step.server);
      else {
        if (input.refusal(step.server) === step.reason) refusedByTrust++;
        leave(step.server, step.reason);
      }
    }
  } else {
    const mine = servers.filter((s) => s.name === target || s.id === target || wrappedName(s) === target);
    if (mine.length === 0)
      return { error: `no configured server is named '${target}' or runs under --name '${target}'` };
    for (const s of mine) {
      if (!isWrappedCommand(s.command, s.args)) {
        leave(s, 'it does not start through the guard');
        continue;
      }
      const refused = input.refusal(s);
      if (refused !== undefined) {
        refusedByTrust++;
        leave(s, refused);
        continue;
      }
      rewrite.push(s);
    }
  }
  const change =
    verb === 'wrap'
      ? wrapChange(
          name,
          { command: input.launcher, ...(input.home !== undefined ? { home: input.home } : {}) },
          { share: input.share, idleStopSeconds: input.idleStopSeconds, resource },
        )
      : unwrapChange;
  const files = editConfigFiles(rewrite, change, input.read, leave);
  return {
    verb,
    name,
    ...(resource !== undefined ? { resource } : {}),
    share: input.share,
    ...(input.idleStopSeconds ? { idleStopSeconds: input.idleStopSeconds } : {}),
    files,
    left,
    refusedByTrust,
  };
}

/**
 * Rewrites each entry through `change` with the editors of core/configEdit, one pass per file
 * (each file parsed once, however many of its entries are rewritten); an entry that stays as it is
 * goes to `leave` with why.
 */
export function editConfigFiles(
  rewrite: readonly ServerConfig[],
  change: EntryChange,
  readFile: PlanInput['read'],
  leave: (s: ServerConfig, reason: string) => void,
): FileEdit[] {
  // One pass per file: each file is parsed once, however many of its entries the plan rewrites.
  const files: FileEdit[] = [];
  const byFile = new Map<string, ServerConfig[]>();
  for (const s of rewrite) {
    const list = byFile.get(s.source.file);
    if (list) list.push(s);
    else byFile.set(s.source.file, [s]);
  }
  for (const [file, entries] of byFile) {
    const got = readFile(file);
    if (got instanceof Error) {
      for (const s of entries) leave(s, `cannot read ${file}: ${got.message}`);
      continue;
    }
    const read: ConfigFileRead =
      typeof got === 'string'
        ? { file, bytes: Buffer.from(got, 'utf8') }
        : Buffer.isBuffer(got)
          ? { file, bytes: got }
          : got;
    const decoded = decodeConfig(read.bytes);
    const r = editEntries(
      decoded.text,
      entryFormatFor(file),
      entries.map((s) => ({ keyPath: s.keyPath, change })),
      { encoding: decoded.encoding, t: cliWords },
    );
    if (r.kind === 'error') {
      for (const s of entries) leave(s, r.reason);
      continue;
    }
    const done: string[] = [];
    entries.forEach((s, i) => {
      const reason = r.reasons[i];
      if (reason === undefined) done.push(s.name);
      else leave(s, reason);
    });
    if (r.text === undefined || done.length === 0) continue;
    const afterBytes = encodeConfig({ ...decoded, text: r.text });
    files.push({
      file,
      label: entries[0].source.label,
      client: entries[0].source.client,
      entries: done,
      read,
      afterBytes,
      before: displayConfig(read.bytes),
      after: displayConfig(afterBytes),
    });
  }
  return files;
}

/** Each entry's args as written in a file's text (before and after), for redacting flags' values in its diff. */
function argsIn(text: string, file: string, servers: readonly ServerConfig[]): string[][] {
  const doc = entryFormatFor(file).open(text, 'utf8', english);
  if (typeof doc === 'string') return [];
  return servers
    .filter((s) => s.source.file === file && s.keyPath.length > 0)
    .flatMap((s) => {
      const e = doc.read(s.keyPath);
      return typeof e === 'string' ? [] : [[e.command, ...e.args]];
    });
}

/**
 * A file's diff as it may be shown: the diff of the two texts with every value that holds a secret
 * masked whole, found by its decoded value in whatever spelling (redactConfigText: env and header
 * values, flags' values, URL credentials, tokens), line breaks kept so the line numbers are the
 * file's; then every shown line once more (comments, what no parse reached).
 */
export function redactedDiff(edit: FileEdit, secrets: ReadonlySet<string>, servers: readonly ServerConfig[]): string {
  const args = [...argsIn(edit.before, edit.file, servers), ...argsIn(edit.after, edit.file, servers)];
  const shown = diffWindows(edit.before, edit.after);
  const diff = unifiedDiff(
    redactConfigText(edit.before, edit.file, secrets, shown.before),
    redactConfigText(edit.after, edit.file, secrets, shown.after),
    edit.file,
    `${edit.file} (${edit.entries.join(', ')} rewritten)`,
  );
  const redact = configLineRedactor(secrets, args);
  return diff
    .split('\n')
    .map((line) => (line.length > 0 ? line[0] + redact(line.slice(1)) : line))
    .join('\n');
}

export interface GuardLauncherState {
  launcher: string;
  installed: boolean;
}

/** The files of the plan that were written (all of them in a dry run: what would be). */
function writtenFiles(plan: ConfigEditPlan, written?: ReadonlyMap<string, string | undefined>): FileEdit[] {
  return plan.files.filter((f) => written?.get(f.file) === undefined);
}

/** Each client's next step once its files were written (core/configEdit/nextSteps.ts, as the extension says it). */
export function planNextSteps(plan: ConfigEditPlan, written: ReadonlyMap<string, string | undefined>): NextStep[] {
  return nextSteps(
    writtenFiles(plan, written).flatMap((f) => f.entries.map((name) => ({ name, source: { client: f.client } }))),
    cliWords,
  );
}

/** A share named as one: the entries it puts (or would put) behind one instance, each with its client. */
function shareLine(plan: ConfigEditPlan, dryRun: boolean, written?: ReadonlyMap<string, string | undefined>): string {
  const files = writtenFiles(plan, written);
  const entries = files.flatMap((f) => f.entries.map((name) => `${name} (${f.label})`));
  return `${dryRun ? 'Would share' : 'Shared'} ${plan.name}: ${entries.length} ${entries.length === 1 ? 'entry' : 'entries'} behind one instance (run --on-conflict share --name ${plan.name}${plan.resource !== undefined ? ` ${resourceOption(plan.resource)}` : ''}): ${entries.join(', ')}`;
}

/** What the plan printed (or the JSON of it) says; `written` after `--yes`. */
export function formatPlan(
  plan: ConfigEditPlan,
  diffs: readonly string[],
  opts: { dryRun: boolean; guard?: GuardLauncherState; written?: ReadonlyMap<string, string | undefined> },
): string {
  const lines: string[] = [];
  const verb = plan.verb === 'wrap' ? (plan.share ? 'share' : 'wrap') : 'unwrap';
  if (plan.files.length === 0) lines.push(`Nothing to ${verb}: no entry of ${plan.name} can be rewritten.`);
  const shared = plan.verb === 'wrap' && plan.share && writtenFiles(plan, opts.written).length > 0;
  if (shared) lines.push(shareLine(plan, opts.dryRun, opts.written));
  plan.files.forEach((f, i) => {
    const outcome = opts.written?.get(f.file);
    const head = opts.dryRun
      ? `Would rewrite ${f.entries.join(', ')} in ${f.file} (${f.label}):`
      : outcome === undefined
        ? `Rewrote ${f.entries.join(', ')} in ${f.file} (${f.label}):`
        : `NOT WRITTEN ${f.file} (${f.label}): ${outcome}`;
    lines.push(head);
    if (opts.dryRun || outcome === undefined) lines.push(diffs[i].replace(/\n$/, ''));
  });
  if (plan.left.length > 0) {
    lines.push(`Left as they are (${plan.left.length}):`);
    for (const l of plan.left) lines.push(`  ${l.name} in ${l.file} (${l.label}): ${l.reason}`);
  }
  // One name, one instance: without sharing, the guard refuses a second client's launch while the first runs.
  if (plan.verb === 'wrap' && !plan.share && plan.files.reduce((n, f) => n + f.entries.length, 0) > 1)
    lines.push(
      `These entries run ${plan.name} under one --name: while one client's guard runs it, another client's launch is refused (one instance per server). With --share every client is served by that one instance.`,
    );
  if (plan.refusedByTrust > 0)
    lines.push(`If you trust the workspace files named above, run again with ${TRUST_WORKSPACE_FLAG}.`);
  if (plan.verb === 'wrap' && opts.guard && !opts.guard.installed && plan.files.length > 0)
    lines.push(
      `The guard is not installed at ${opts.guard.launcher}, which the entries launch: run again with --install-guard to install this mcp-lifeguard there (the VS Code extension installs it there when it starts).`,
    );
  if (opts.dryRun && plan.files.length > 0)
    lines.push('Nothing was written. Run again with --yes to write these files.');
  else if (!opts.dryRun && opts.written) {
    // A client reads its entry when it starts the server: what to do in each, as the extension says it.
    const steps = planNextSteps(plan, opts.written);
    if (steps.length > 0) {
      lines.push('Next, in each client:');
      for (const step of steps) lines.push(`  ${step.text}`);
    }
  }
  return `${lines.map((l) => l.split('\n').map(terminalSafe).join('\n')).join('\n')}\n`;
}

/** The guard the entries launch: the launcher at `<root>/bin`, and whether it is there. */
export function guardState(
  bin: string,
  platform: NodeJS.Platform,
  exists: (p: string) => boolean = fs.existsSync,
): GuardLauncherState {
  const launcher = launcherPath(bin, platform);
  return { launcher, installed: exists(launcher) && exists(path.join(bin, 'mcp-lifeguard.js')) };
}

/** `mcp-lifeguard wrap SERVER [--share] [--yes] [--json] [--install-guard]` and `unwrap SERVER [--yes] [--json]` */
export async function configEditCommand(verb: 'wrap' | 'unwrap', args: string[], io: CliIo): Promise<number> {
  const spec = verb === 'wrap' ? WRAP_COMMAND : UNWRAP_COMMAND;
  const { values, positionals } = parseOptions(args, spec.options, { positionals: true });
  if (positionals.length !== 1) throw new UsageError(`${verb} takes one SERVER name`);
  const v = values as typeof values & { share?: boolean; 'install-guard'?: boolean; 'idle-stop'?: number };
  const host = currentHostEnv(io.env);
  const workspaceFolders = (values.workspace.length ? values.workspace : [io.cwd]).map((w) => path.resolve(io.cwd, w));
  const scan = await scanSources({ host, fs: liveMachine(host).fs, workspaceFolders });
  const paths = lifeguardPaths(host);
  const home = guardHomeFor(host);
  let guard = guardState(paths.bin, host.platform);
  const trust = values['trust-workspace'];
  const refusal = (s: ServerConfig) =>
    !trust && isWorkspaceDefined(s.source, workspaceFolders, host.home)
      ? `only a workspace file defines it, and workspace files are not trusted to choose what the guard runs`
      : undefined;
  const plan = planConfigEdits({
    verb,
    target: positionals[0],
    share: v.share === true,
    ...(v['idle-stop'] ? { idleStopSeconds: v['idle-stop'] / 1000 } : {}),
    servers: scan.servers,
    launcher: guard.launcher,
    ...(home !== undefined ? { home } : {}),
    read: readConfigForEdit,
    refusal,
  });
  if ('error' in plan) {
    io.stderr(`mcp-lifeguard ${verb}: ${plan.error}\n`);
    if (values.json) io.stdout(`${JSON.stringify({ error: plan.error }, null, 2)}\n`);
    return 1;
  }
  const diffs = plan.files.map((f) => redactedDiff(f, scan.secrets, scan.servers));
  const json = (written?: Map<string, string | undefined>, guardError?: string) =>
    `${JSON.stringify(
      {
        dryRun: written === undefined,
        verb,
        name: plan.name,
        ...(plan.resource !== undefined ? { resource: plan.resource } : {}),
        share: plan.share,
        ...(plan.idleStopSeconds ? { idleStopSeconds: plan.idleStopSeconds } : {}),
        ...(verb === 'wrap' ? { guard: { ...guard, ...(guardError ? { error: guardError } : {}) } } : {}),
        ...(written ? { nextSteps: planNextSteps(plan, written) } : {}),
        files: plan.files.map((f, i) => ({
          file: f.file,
          label: f.label,
          entries: f.entries,
          diff: diffs[i],
          ...(written
            ? {
                written: written.get(f.file) === undefined,
                ...(written.get(f.file) ? { error: written.get(f.file) } : {}),
              }
            : {}),
        })),
        left: plan.left,
      },
      null,
      2,
    )}\n`;
  if (!values.yes) {
    io.stdout(values.json ? json() : formatPlan(plan, diffs, { dryRun: true, guard }));
    return 0;
  }
  if (verb === 'wrap' && plan.files.length > 0 && !guard.installed) {
    const why = v['install-guard'] ? installThisCli(paths.bin, paths.root, host.platform) : undefined;
    guard = guardState(paths.bin, host.platform);
    if (!guard.installed) {
      const message = v['install-guard']
        ? `the guard could not be installed at ${guard.launcher}: ${why ?? 'unknown reason'}; nothing was written`
        : `the guard is not installed at ${guard.launcher}, which the entries would launch; nothing was written. Run again with --install-guard to install this mcp-lifeguard there (the VS Code extension installs it there when it starts)`;
      io.stderr(`mcp-lifeguard ${verb}: ${message}\n`);
      if (values.json) io.stdout(json(new Map(plan.files.map((f) => [f.file, 'not written: no guard'])), message));
      return 1;
    }
    io.stderr(`mcp-lifeguard ${verb}: installed the guard at ${guard.launcher}\n`);
  }
  // One writer for every face (core/configEdit/configWriter.ts): a file is written only if it still
  // holds what the plan was computed on, and nobody else's save is ever lost.
  const written = new Map<string, string | undefined>();
  for (const f of plan.files)
    written.set(f.file, await writeConfigFile(f.read, f.afterBytes, { t: cliWords, platform: process.platform }));
  io.stdout(values.json ? json(written) : formatPlan(plan, diffs, { dryRun: false, guard, written }));
  return [...written.values()].every((w) => w === undefined) && plan.refusedByTrust === 0 && plan.files.length > 0
    ? 0
    : 1;
}

/**
 * Installs the running CLI (the folder of `process.argv[1]`, with its bundles) as the guard, run by
 * the Node.js that runs it now: the same copy at the same place the extension installs its own.
 */
function installThisCli(bin: string, root: string, platform: NodeJS.Platform): string | undefined {
  let cliSource: string;
  try {
    cliSource = fs.realpathSync(process.argv[1] ?? '');
  } catch (err) {
    return `cannot find this CLI's own file: ${(err as Error).message}`;
  }
  const missing = CLI_BUNDLES.filter((b) => !fs.existsSync(path.join(path.dirname(cliSource), b)));
  if (missing.length > 0)
    return `${cliSource} is not a built mcp-lifeguard (no ${missing.join(', ')} beside it): run --install-guard from a built one (npm run build, then node dist/cli.js)`;
  const r = installGuard({ binDir: bin, root, cliSource, platform, runtime: { kind: 'node', path: process.execPath } });
  return r.state === 'failed' ? r.reason : undefined;
}
