import { HostEnv, pathFor } from '../base/hostEnv';
import type { MachineFs } from '../machine/types';
import { Diagnostic, LaunchGroup, ScannedFile, ServerConfig } from '../base/model';
import { MAX_DIAGNOSTICS_PER_FILE, MAX_SERVERS_PER_FILE } from './caps';
import { limitConcurrency } from './limit';
import { ParseCache } from './parseCache';
import { normalizeEntry } from './normalize';
import { dataPathsOf } from './dataPaths';
import { readConfigFile, ReadOutcome } from './readConfigFile';
import { SOURCES } from './table';
import { AdaptResult, Companion, ListDir, SourceFile, SourceSide, SourceSpec } from './types';

export interface ScanContext {
  host: HostEnv;
  workspaceFolders: string[];
  /** `.code-workspace` files named explicitly; their `folders` should be in workspaceFolders too. */
  workspaceFiles?: string[];
  /** The source table; tests may pass their own. */
  sources?: SourceSpec[];
  /** Where the files are read: a Machine's (a replay reads its record). */
  fs: MachineFs;
  /** Lists a folder; defaults to `fs`'s (tests inject failures). */
  listDir?: ListDir;
  /** Reads a config file; defaults to readConfigFile through `fs` (tests inject failures). */
  readFile?: (file: string) => Promise<ReadOutcome>;
  /** Results of earlier scans by file content (an Engine keeps one); absent or `false`: every file is parsed. */
  cache?: ParseCache<FileScan> | false;
}

/** What one file adds to a scan: its servers, problems, launches and secrets. */
export interface FileScan {
  servers: ServerConfig[];
  diagnostics: Diagnostic[];
  launches: Map<string, Launch>;
  secrets: Set<string>;
}

/** The resolved, unredacted launch of a stdio server: what its process's command line will show. */
export interface Launch {
  command: string;
  args: string[];
  cwd?: string;
  /** The env values the entry sets, resolved (matching only: values are never shown or kept). */
  env?: Record<string, string>;
}

export interface ScanResult {
  servers: ServerConfig[];
  launchGroups: LaunchGroup[];
  files: ScannedFile[];
  diagnostics: Diagnostic[];
  /** Internal to the engine, never serialised: resolved launches by server id, for process matching. */
  launches: Map<string, Launch>;
  /** Internal, never serialised: every secret value seen, so other output (command lines) can be redacted. */
  secrets: Set<string>;
  /** Internal, never serialised: by server id, where an entry runs when not on the machine whose file holds it (SourceSpec.runsOn). */
  runsOn: Map<string, SourceSide>;
}

/** A folder's names through a Machine's files; a missing folder fails as readdir does (ENOENT). */
function listDirOf(fs: MachineFs): ListDir {
  return async (dir) => {
    const names = await fs.readdir(dir);
    if (!names)
      throw Object.assign(new Error(`ENOENT: no such file or directory, scandir '${dir}'`), { code: 'ENOENT' });
    return names;
  };
}

/** Config files read at once: enough to overlap the disk's latency, far below any descriptor limit. */
export const READ_CONCURRENCY = 16;

/**
 * The most files one source row reads (Continue reads every file of its `mcpServers` folder; a
 * workspace row one file per folder). No client is configured with more; past it the scan would
 * spend its time on one source, so the rest are left out with a warning naming the folder.
 */
export const MAX_FILES_PER_SOURCE = 5000;

export { MAX_DIAGNOSTICS_PER_FILE, MAX_SERVERS_PER_FILE } from './caps';

/**
 * Reads every configuration source on the host. Each file is read once (several sources may share
 * it), READ_CONCURRENCY at a time; a file that fails becomes a diagnostic and the scan of every
 * other file goes on. The snapshot waits for every file, so the first scan of a big file adds its
 * parse to all: the caps (caps.ts) and the size limits (readConfigFile, the YAML and TOML adapters)
 * bound that cost. Later scans of the unchanged file take its result from the parse cache.
 */
export async function scanSources(ctx: ScanContext): Promise<ScanResult> {
  const sources = ctx.sources ?? SOURCES;
  const fs = ctx.fs;
  const listDir = ctx.listDir ?? listDirOf(fs);
  const read = ctx.readFile ?? ((file: string) => readConfigFile(file, fs));
  const cache = ctx.cache ?? false;
  const result: ScanResult = {
    servers: [],
    launchGroups: [],
    files: [],
    diagnostics: [],
    launches: new Map(),
    secrets: new Set(),
    runsOn: new Map(),
  };
  const limit = limitConcurrency(READ_CONCURRENCY);
  const reads = new Map<string, Promise<ReadOutcome>>();
  const readOnce = (file: string) => {
    let r = reads.get(file);
    if (!r) reads.set(file, (r = limit(() => read(file))));
    return r;
  };

  const located = await Promise.all(
    sources.map(async (spec, row) => {
      // A source that reads a client's records to find its files reads them as every config file is
      // read; each is listed among the files looked at (so a change to it is seen).
      const records = new Set<string>();
      const readText = async (file: string) => {
        records.add(file);
        const outcome = await readOnce(file);
        return outcome.state === 'read' ? outcome.text : undefined;
      };
      const files = await spec.files(ctx, listDir, readText);
      if (files.length <= MAX_FILES_PER_SOURCE) return { spec, row, files, records };
      const folder = pathFor(ctx.host).dirname(files[MAX_FILES_PER_SOURCE].file);
      result.diagnostics.push({
        file: folder,
        client: spec.client,
        severity: 'warning',
        message: `${files.length} ${spec.label} config files found; only the first ${MAX_FILES_PER_SOURCE} are read, the other ${files.length - MAX_FILES_PER_SOURCE} are left out`,
      });
      return { spec, row, files: files.slice(0, MAX_FILES_PER_SOURCE), records };
    }),
  );

  dropUserFilesAsWorkspace(located);

  const reported = new Set<string>();
  const perFile = await Promise.all(
    located.flatMap(({ spec, row, files }) =>
      files.map(async (f) => {
        const [outcome, ...companions] = await Promise.all([f.file, ...(f.companions ?? [])].map(readOnce));
        return {
          spec,
          row,
          f,
          outcome,
          companions: (f.companions ?? []).map((file, i) => ({ file, outcome: companions[i] })),
        };
      }),
    ),
  );
  const listed = new Set<string>();
  for (const { spec, row, f, outcome, companions } of perFile) {
    if (outcome.state === 'missing') {
      result.files.push({ file: f.file, client: spec.client, scope: spec.scope, state: 'missing', servers: 0 });
      continue;
    }
    if (outcome.state === 'unreadable') {
      result.files.push({ file: f.file, client: spec.client, scope: spec.scope, state: 'unreadable', servers: 0 });
      // Several sources may share a file: report its read failure once.
      if (!reported.has(f.file)) result.diagnostics.push({ file: f.file, client: spec.client, ...outcome.diagnostic });
      reported.add(f.file);
      continue;
    }
    const { text, diagnostics: readDiagnostics } = outcome;
    const scanned = scanFileCached(cache, row, { spec, f, text, readDiagnostics, host: ctx.host, companions });
    for (const s of scanned.servers) {
      result.servers.push(s);
      if (spec.runsOn) result.runsOn.set(s.id, spec.runsOn);
    }
    for (const d of scanned.diagnostics) result.diagnostics.push(d);
    for (const [id, launch] of scanned.launches) result.launches.set(id, launch);
    for (const secret of scanned.secrets) result.secrets.add(secret);
    result.files.push({
      file: f.file,
      client: spec.client,
      scope: spec.scope,
      state: 'read',
      servers: scanned.servers.length,
      ...(spec.adapter.serversAt ? { serversAt: [...spec.adapter.serversAt] } : {}),
    });
    // A companion (an extension's settings file) is listed among the files looked at, with its state;
    // its read failure is reported once, and only when the file it goes with was read.
    for (const c of companions) {
      if (listed.has(c.file)) continue;
      listed.add(c.file);
      result.files.push({ file: c.file, client: spec.client, scope: spec.scope, state: c.outcome.state, servers: 0 });
      if (c.outcome.state === 'unreadable' && !reported.has(c.file)) {
        reported.add(c.file);
        result.diagnostics.push({ file: c.file, client: spec.client, ...c.outcome.diagnostic });
      }
    }
  }
  await listRecords(located, result, readOnce, reported);
  result.servers = withDataPaths(result.servers, result.launches, ctx.host.platform, fs);
  result.launchGroups = groupLaunches(result.servers);
  return result;
}

/**
 * The records a source read to find its files (Claude Code's installed_plugins.json and settings),
 * each that exists listed once among the files looked at, with no servers, unless it is one of the
 * config files already listed (a missing record is nothing to report: no such client or plugin);
 * its read failure reported once.
 */
async function listRecords(
  located: ReadonlyArray<{ spec: SourceSpec; records: ReadonlySet<string> }>,
  result: ScanResult,
  readOnce: (file: string) => Promise<ReadOutcome>,
  reported: Set<string>,
): Promise<void> {
  const listed = new Set(result.files.map((f) => f.file));
  for (const { spec, records } of located) {
    for (const file of records) {
      if (listed.has(file)) continue;
      listed.add(file);
      const outcome = await readOnce(file);
      if (outcome.state === 'missing') continue;
      result.files.push({ file, client: spec.client, scope: spec.scope, state: outcome.state, servers: 0 });
      if (outcome.state === 'unreadable' && !reported.has(file)) {
        reported.add(file);
        result.diagnostics.push({ file, client: spec.client, ...outcome.diagnostic });
      }
    }
  }
}

/**
 * Each stdio entry with the data its launch names (dataPaths.ts), asked of the files as they are now:
 * after the parse cache, since a store comes and goes without its config file changing.
 */
function withDataPaths(
  servers: readonly ServerConfig[],
  launches: ReadonlyMap<string, Launch>,
  platform: NodeJS.Platform,
  fs: MachineFs,
): ServerConfig[] {
  const exists = (p: string): boolean => {
    try {
      return fs.statSync(p) !== undefined;
    } catch {
      return false; // unreadable (EACCES, ELOOP): not shown to be there
    }
  };
  return servers.map((s) => {
    const launch = s.transport === 'stdio' ? launches.get(s.id) : undefined;
    const found = launch ? dataPathsOf(launch, platform, exists, (v) => fs.dataKeyOfStandIn?.(v)) : [];
    return found.length > 0 ? Object.assign({}, s, { dataPaths: found }) : s;
  });
}

/**
 * A workspace folder that is the home (a window opened on it) makes a client's workspace file the
 * file it reads as its user config (`~/.cursor/mcp.json`, `~/.gemini/settings.json`): one file, one
 * set of servers, read as the user's. Read as both, each entry would be two, and its process listed
 * and counted under each.
 */
function dropUserFilesAsWorkspace(located: Array<{ spec: SourceSpec; files: SourceFile[] }>): void {
  const userFiles = new Set(
    located.flatMap(({ spec, files }) =>
      files.filter((f) => f.workspaceFolder === undefined).map((f) => `${spec.client}\0${f.file}`),
    ),
  );
  for (const row of located)
    row.files = row.files.filter(
      (f) => f.workspaceFolder === undefined || !userFiles.has(`${row.spec.client}\0${f.file}`),
    );
}

/** One config file's text to scan, with what its row of the table says of it. */
interface FileToScan {
  spec: SourceSpec;
  f: SourceFile;
  text: string;
  readDiagnostics: AdaptResult['diagnostics'];
  host: HostEnv;
  companions: Companion[];
}

/**
 * scanFile through the cache. The first scan of a file still waits for its parse (bounded by the
 * size limits and caps); later scans of the same text cost a read and a hash.
 */
function scanFileCached(
  cache: ParseCache<FileScan> | false,
  /** The row's place in the table: the same file read by two rows is two results. */
  row: number,
  input: FileToScan,
): FileScan {
  if (!cache) return scanFile(input);
  const { spec, f, text, readDiagnostics, host, companions } = input;
  const key = ParseCache.key([
    `${row}:${spec.client}:${spec.scope}:${spec.label}`,
    f.file,
    f.workspaceFolder ?? '',
    f.profile ?? '',
    JSON.stringify(f.addOn ?? null),
    JSON.stringify(host),
    JSON.stringify(readDiagnostics),
    text,
    ...companions.flatMap((c) => [c.file, JSON.stringify(c.outcome)]),
  ]);
  const hit = cache.get(key);
  if (hit) return hit;
  const scanned = scanFile(input);
  cache.set(
    key,
    scanned,
    companions.reduce((n, c) => n + (c.outcome.state === 'read' ? c.outcome.text.length : 0), text.length),
  );
  return scanned;
}

function scanFile({ spec, f, text, readDiagnostics, host, companions }: FileToScan): FileScan {
  const result: FileScan = { servers: [], diagnostics: [], launches: new Map(), secrets: new Set() };
  let adapted: AdaptResult;
  try {
    adapted = spec.adapter(text, f.file, { host, companions, ...(f.addOn ? { addOn: f.addOn } : {}) });
  } catch (err) {
    // Adapters are written not to throw; if one does, this file is reported and the scan goes on.
    adapted = {
      entries: [],
      diagnostics: [
        { severity: 'error', message: `could not be read as a ${spec.label} config: ${(err as Error).message}` },
      ],
    };
  }
  // The file's problems, up to MAX_DIAGNOSTICS_PER_FILE of them; the count of the rest is added at the end.
  let problems = 0;
  const report = (d: AdaptResult['diagnostics'][number]) => {
    if (problems++ >= MAX_DIAGNOSTICS_PER_FILE) return;
    // A problem in a companion file (an extension's settings) names that file.
    const { file, ...rest } = d;
    result.diagnostics.push({ file: file ?? f.file, client: spec.client, ...rest });
  };
  for (const d of readDiagnostics) report(d);
  for (const d of adapted.diagnostics) report(d);
  // Problems the adapter counted but did not write out (it stops at the same limit).
  problems += adapted.omitted ?? 0;
  let entries = adapted.entries;
  const total = adapted.total ?? entries.length;
  if (total > MAX_SERVERS_PER_FILE) {
    const first = entries[MAX_SERVERS_PER_FILE];
    // Pushed past the limit on problems: this one must always show.
    result.diagnostics.push({
      file: f.file,
      client: spec.client,
      severity: 'warning',
      ...(first.position ?? {}),
      message: `${total} servers defined; only the first ${MAX_SERVERS_PER_FILE} are listed, the other ${total - MAX_SERVERS_PER_FILE} (from server "${first.name}" on) are left out`,
    });
    entries = entries.slice(0, MAX_SERVERS_PER_FILE);
  }
  for (const entry of entries) {
    const source = {
      client: spec.client,
      scope: entry.scope ?? spec.scope,
      label: spec.label,
      file: f.file,
      ...(f.workspaceFolder ? { workspaceFolder: f.workspaceFolder } : {}),
      ...(f.profile ? { profile: f.profile } : {}),
    };
    const n = normalizeEntry(entry, {
      host,
      source,
      variables: spec.variables,
      urlTransport: spec.urlTransport ?? 'http',
      ...(spec.types ? { types: spec.types } : {}),
      ...(spec.rules ? { rules: spec.rules } : {}),
    });
    n.secrets.forEach((s) => result.secrets.add(s));
    for (const d of n.diagnostics) report(d);
    if (n.server) {
      result.servers.push(n.server);
      if (n.launch) result.launches.set(n.server.id, n.launch);
    }
  }
  if (problems > MAX_DIAGNOSTICS_PER_FILE) {
    result.diagnostics.push({
      file: f.file,
      client: spec.client,
      severity: 'warning',
      message: `${problems - MAX_DIAGNOSTICS_PER_FILE} more problems in this file are not listed`,
    });
  }
  return result;
}

/** Entries that are the same server (one identity), configured in more than one place. */
export function groupLaunches(servers: ServerConfig[]): LaunchGroup[] {
  const byKey = new Map<string, ServerConfig[]>();
  for (const s of servers) {
    const list = byKey.get(s.identityKey) ?? [];
    list.push(s);
    byKey.set(s.identityKey, list);
  }
  return [...byKey]
    .filter(([, list]) => list.length > 1)
    .map(([identityKey, list]) => ({ launchKey: list[0].launchKey, identityKey, serverIds: list.map((s) => s.id) }));
}
