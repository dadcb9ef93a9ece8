import type { Instance, ServerStatus, Snapshot } from '../../core/base/model';
import { describeMove } from '../../core/versions/fingerprint';
import { registryNotice } from '../../core/report/evidence';
import { causeWords, cliWord, verdictLabel } from '../../core/report/causes';
import { runtimeVerdict, versionVerdict } from '../../core/report/input';
import { RestartVerdict, unknownVersionVerdict } from '../../core/report/state';
import { assertNever } from '../../core/base/assertNever';
import type { Installed, MovedDependency } from '../../core/base/versionTypes';
import { isKnownVersion, versionMove, versionWord } from '../../core/report/versionWords';

/** The installed side in a cell: a version, `missing`, or `?` when it could not be told. */
export function installedCell(installed: Installed | undefined): string {
  if (!installed) return '-';
  switch (installed.state) {
    case 'installed':
      return installed.ecosystem === 'docker' ? shortImageId(installed.version) : installed.version;
    case 'missing':
      return 'missing';
    case 'unversioned':
      return 'no version';
    case 'unknown':
      return '?';
  }
}

/** The running side in a cell; `?` when not known (never a guess). */
export function runningCell(i: Pick<Instance, 'versions'>): string {
  const r = i.versions?.running;
  if (!r || r.state !== 'known') return '?';
  return i.versions?.installed.state === 'installed' && i.versions.installed.ecosystem === 'docker'
    ? shortImageId(r.version)
    : r.version;
}

/**
 * The label in the VERDICTS column: what needs a restart first, as the engine's verdict says it
 * (core/report/input.ts `versionVerdict`), headed by its cause's word in capitals (`cliWord`), so the
 * eye finds it. An unknown version is said (`version ?`), so that a row reads `ok` only when something says so.
 */
export function versionVerdictLabel(i: Pick<Instance, 'versions'>): string | undefined {
  const v = i.versions && versionVerdict(i.versions);
  switch (v?.kind) {
    case undefined:
      return undefined;
    case 'restart':
      return restartLabel(v, headlineMove(i));
    case 'unknown':
      return cliWord(unknownVersionVerdict(v));
    case 'partly-read':
      // No restart need: in the row's own lower case, as `ok` is.
      return verdictLabel('partly-known');
  }
}

/** The move a row names first: a package the script imports itself (what its author knows), else the first by name. */
function headlineMove(i: Pick<Instance, 'versions'>): MovedDependency | undefined {
  const v = i.versions;
  if (v?.verdict.state !== 'stale') return undefined;
  const own = v.installed.state === 'installed' ? (v.installed.nodeProject?.imports ?? []) : [];
  const moves = v.verdict.movedDependencies;
  return moves.find((m) => own.includes(m.name)) ?? moves[0];
}

/** A restart need's cell: its cause's word, then what a restart would change. */
function restartLabel(v: RestartVerdict, firstMove?: MovedDependency): string {
  const head = cliWord(causeWords(v.cause).verdict);
  switch (v.cause) {
    case 'version': {
      const n = v.movedDependencies ?? 0;
      // The same label on both sides (a script's, or a package whose version held): what moved is the news, named.
      if (n && firstMove && v.running === v.installed)
        return `${head}: runs ${versionWord(v.running)}, its dependencies moved: ${describeMove(firstMove)}${n > 1 ? ` and ${n - 1} more` : ''}`;
      const moved = n ? ` (${n} dependenc${n === 1 ? 'y' : 'ies'} moved)` : '';
      const runs = isKnownVersion(v.running) ? v.running : 'a version not known';
      const installed = v.installed === 'missing' ? 'no longer installed' : `installed ${versionWord(v.installed)}`;
      return `${head}: runs ${runs}, ${installed}${moved}${v.inferred ? ' (inferred)' : ''}`;
    }
    case 'changed':
      return `${head}: restart to load what is installed`;
    case 'config':
      return `${head}: started with ${v.running}, configured ${v.installed}`;
    case 'runtime':
      return `${head}: ${v.package} ${versionMove(v.running, v.installed, '->')}`;
    default:
      return assertNever(v.cause);
  }
}

/** The warning in the VERDICTS column when what is installed will probably not start: a restart would take the server down. */
export function restartRiskLabel(i: Pick<Instance, 'versions'>): string | undefined {
  const inst = i.versions?.installed;
  const first = inst?.state === 'installed' ? inst.startRisks?.[0] : undefined;
  return first ? `RESTART WILL PROBABLY FAIL: ${first.summary}` : undefined;
}

/** The runtime's label in the VERDICTS column, beside the package's: `RUNTIME REPLACED: node 22.11.0 -> 22.12.0`. */
export function runtimeLabel(i: Pick<Instance, 'versions'>): string | undefined {
  const r = i.versions && runtimeVerdict(i.versions);
  return r ? restartLabel(r) : undefined;
}

function shortImageId(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 12);
}

/** The evidence of every instance that needs a restart, one block each: what moved or changed, and how each side was learned. */
export function formatStaleEvidence(snapshot: Snapshot): string[] {
  const blocks: string[] = [];
  const seen = new Set<number>();
  const unknown: string[] = [];
  for (const s of snapshot.servers) {
    // The processes an instance started are judged on their own: each says whose child it is.
    const judged = s.instances.flatMap((i) => [
      { i: i as Pick<Instance, 'pid' | 'versions'>, who: `${s.name} (pid ${i.pid})` },
      ...(i.children ?? []).map((c) => ({ i: c, who: `${s.name} (pid ${c.pid}, child of pid ${i.pid})` })),
    ]);
    for (const { i, who } of judged) {
      const v = i.versions?.verdict;
      if (!v || seen.has(i.pid)) continue;
      const rt = i.versions?.runtime;
      if (rt) {
        // A replaced runtime is its own restart need, beside whatever the package's verdict says.
        seen.add(i.pid);
        blocks.push(`  ${who}: ${rt.summary}`);
        blocks.push(`    runtime:   ${rt.runtime} ${versionWord(rt.running)}, ${rt.runningHow}`);
        blocks.push(`    installed: ${versionWord(rt.installed)}, from ${rt.installedHow}`);
        for (const f of rt.libraries) blocks.push(`    replaced:  ${f} (still mapped by the process)`);
        if (v.state === 'current') continue;
      }
      if (v.state === 'unknown') {
        unknown.push(`  ${who}: ${v.reason}`);
        continue;
      }
      if (v.state === 'changed') {
        seen.add(i.pid);
        blocks.push(`  ${who}: ${v.summary}`);
        blocks.push(`    started:   ${v.processStart}`);
        for (const f of v.changedFiles) blocks.push(`    changed:   ${f.path} (${f.at})`);
        for (const f of v.identicalFiles) blocks.push(`    identical: ${f} (replaced by the same content)`);
        blocks.push(
          `    installed: ${versionWord(v.installed)}${v.dev && !v.changedMembers?.length ? ' (a development package: judged by its own files)' : ''}`,
        );
        for (const m of v.changedMembers ?? [])
          blocks.push(`    rebuilt:   ${m} (a package under development it depends on: judged by its own files)`);
        continue;
      }
      if (v.state === 'config-changed') {
        seen.add(i.pid);
        blocks.push(`  ${who}: ${v.summary}`);
        continue;
      }
      if (v.state !== 'stale') continue;
      seen.add(i.pid);
      blocks.push(`  ${who}: ${v.summary}`);
      blocks.push(`    running:   ${versionWord(v.running)}, learned from ${v.runningHow}`);
      blocks.push(`    installed: ${versionWord(v.installed)}, from ${v.installedHow}`);
      for (const m of v.movedDependencies) blocks.push(`    moved:     ${describeMove(m)}`);
      const installed = i.versions?.installed;
      for (const r of installed?.state === 'installed' ? (installed.startRisks ?? []) : [])
        blocks.push(`    restart:   will probably fail: ${r.summary}; not restarted unless forced (--force)`);
      for (const f of v.replacedFiles) blocks.push(`    replaced:  ${f} (still mapped by the process)`);
      if (v.since) blocks.push(`    since:     ${v.since}`);
    }
  }
  const out: string[] = [];
  if (blocks.length)
    out.push(
      '',
      `Needs a restart (${seen.size}): these processes do not run what is installed or configured now.`,
      ...blocks,
    );
  if (unknown.length)
    out.push('', `Version unknown (${unknown.length}): nothing says what these processes loaded.`, ...unknown);
  return out;
}

/**
 * Newer releases in the registries (a cached, at most daily check). A server configured in several
 * places says the same once, naming the places: four identical lines read as four updates.
 */
export function formatUpdates(servers: readonly ServerStatus[]): string[] {
  const lines = oncePerSaying(
    servers.flatMap((s) =>
      s.updateAvailable
        ? [
            {
              server: s,
              said: `${s.updateAvailable.package} ${s.updateAvailable.latest} is available (installed: ${s.updateAvailable.current})`,
            },
          ]
        : [],
    ),
  );
  const notices = oncePerSaying(
    servers.flatMap((s) => {
      const said = registryNotice(s);
      return said ? [{ server: s, said: `${said} (${s.registryStatus!.registry})` }] : [];
    }),
  );
  return [
    ...(lines.length ? ['', `Updates available (${lines.length}):`, ...lines] : []),
    ...(notices.length ? ['', `The MCP Registry says (${notices.length}):`, ...notices] : []),
  ];
}

/** `  name: said`, one line per server name and saying; several places of it named: `  name (Cursor, Codex): said`. */
function oncePerSaying(items: ReadonlyArray<{ server: ServerStatus; said: string }>): string[] {
  const groups = new Map<string, { name: string; said: string; places: string[] }>();
  for (const { server, said } of items) {
    const key = `${server.name}\0${said}`;
    const group = groups.get(key) ?? { name: server.name, said, places: [] };
    if (!group.places.includes(server.source.label)) group.places.push(server.source.label);
    groups.set(key, group);
  }
  return [...groups.values()].map((g) =>
    g.places.length > 1 ? `  ${g.name} (${g.places.join(', ')}): ${g.said}` : `  ${g.name}: ${g.said}`,
  );
}
