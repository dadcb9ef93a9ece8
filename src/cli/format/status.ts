import { Instance, Snapshot, Verdict } from '../../core/base/model';
import { terminalSafeDeep } from '../../core/base/terminalSafe';
import { serverDownOf, serverIdleOf } from '../../core/processes/guarded';
import { costSentence, instanceCost, McpCost, mcpCost, memoryText } from '../../core/report/cost';
import { toViewInput, VmSnapshot } from '../../core/report/input';
import { guardPending } from '../../core/configEdit/guardPending';
import { sharedElsewhereText } from '../../core/report/sharedElsewhere';
import { problemsByPosition } from '../../core/report/state';
import { idleWords, sameDataWords } from '../../core/report/evidence';
import { cliWord, verdictLabel as verdictName } from '../../core/report/causes';
import {
  formatStaleEvidence,
  formatUpdates,
  installedCell,
  restartRiskLabel,
  runningCell,
  runtimeLabel,
  versionVerdictLabel,
} from './versions';

/**
 * The human-readable `status`: a table of servers, then diagnostics. Every string of the snapshot
 * (names, arguments, command lines, messages) is shown with control and bidi characters escaped.
 */
export function formatStatus(given: Snapshot): string {
  const snapshot = terminalSafeDeep(given);
  const lines: string[] = [];
  if (snapshot.servers.length === 0) {
    lines.push('No MCP servers are configured for this user and workspace.');
  } else {
    const withInstalled = snapshot.servers.some((s) => s.installed);
    const rows = snapshot.servers.map((s) => [
      s.name,
      s.source.label,
      s.transport,
      ...(withInstalled ? [installedCell(s.installed)] : []),
      s.transport === 'stdio' ? [s.command ?? '', ...s.args].join(' ') : (s.url ?? ''),
    ]);
    lines.push(
      ...table(['SERVER', 'SOURCE', 'TRANSPORT', ...(withInstalled ? ['INSTALLED'] : []), 'COMMAND / URL'], rows),
    );
  }
  lines.push(...formatInstances(snapshot));
  lines.push(...formatStaleEvidence(snapshot), ...formatUpdates(snapshot.servers));
  if (snapshot.launchGroups.length > 0) {
    const byId = new Map(snapshot.servers.map((s) => [s.id, s]));
    lines.push('', 'Same server configured in several places:');
    for (const g of snapshot.launchGroups) {
      lines.push(
        `  ${g.serverIds
          .map((id) => byId.get(id))
          .map((s) => (s ? `${s.name} in ${s.source.label}` : '?'))
          .join(', ')}`,
      );
    }
  }
  // One place, one problem, as the extension counts them.
  const problems = problemsByPosition(snapshot.diagnostics);
  if (problems.length > 0) {
    lines.push('', `Problems (${problems.length}):`);
    for (const d of problems) {
      const where = d.line !== undefined ? `${d.file}:${d.line}:${d.column ?? 1}` : d.file;
      lines.push(`  ${d.severity}: ${where}: ${d.message}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** The cost sentence, and the servers whose copies cost the most. */
function costLines(cost: McpCost): string[] {
  const said = costSentence(cost);
  if (!said) return [];
  const copies = cost.servers
    .filter((s) => s.copiesBytes > 0)
    .sort((a, b) => b.copiesBytes - a.copiesBytes)
    .slice(0, 3)
    .map((s) => `${s.name} runs ${s.instances} times (${memoryText(s.copiesBytes)} in copies)`);
  return ['', said, ...(copies.length ? [`  ${copies.join('; ')}.`] : [])];
}

/** Left-aligned columns separated by two spaces; the last column is not padded. */
export function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const fmt = (r: string[]) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [fmt(header), ...rows.map(fmt)];
}

/** Running instances under each server (pid, client, uptime, memory, verdicts), then the "not configured" group. */
export function formatInstances(snapshot: Snapshot): string[] {
  const lines: string[] = [];
  if (snapshot.processes.state === 'unavailable') {
    return ['', `Running instances: unknown (${snapshot.processes.reason})`];
  }
  const now = Date.parse(snapshot.takenAt);
  // Version columns only when versions were resolved (a snapshot taken with `versions: false` has none).
  const withVersions = [...snapshot.servers.flatMap((s) => s.instances), ...snapshot.notConfigured].some(
    (i) => i.versions,
  );
  const row = (server: string, i: Instance) => [
    server,
    String(i.pid),
    clientLabel(i),
    uptime(now, i.startTime),
    // The instance's own process and the ones it started, PSS where the OS gives it.
    memory(instanceCost(i, i.children).bytes),
    // A guard whose server is down runs nothing: no version to show.
    ...(withVersions
      ? serverDownOf(i) || serverIdleOf(i)
        ? ['-', '-']
        : [runningCell(i), installedCell(i.versions?.installed)]
      : []),
    verdictCell([versionVerdictLabel(i), restartRiskLabel(i), runtimeLabel(i), ...i.verdicts.map(verdictLabel)]),
  ];
  const versionHeads = withVersions ? ['RUNNING', 'INSTALLED'] : [];
  const rows: string[][] = [];
  let count = 0;
  const seen = new Set<string>();
  for (const s of snapshot.servers) {
    for (const i of s.instances) {
      // An instance shared by entries configured in several places is listed once per server.
      const key = `${s.identityKey}#${i.pid}`;
      if (seen.has(key)) continue;
      seen.add(key);
      count++;
      rows.push(row(s.name, i));
      // The processes it started, under it: each its own pid, memory and, where judged, versions.
      for (const c of i.children ?? [])
        rows.push([
          `  └ ${shorten(c.commandLine.replace(/^\S*[\\/]/, ''), 48)}`,
          String(c.pid),
          `child of ${c.ppid}`,
          uptime(now, c.startTime),
          memory(c.pssBytes ?? c.memoryBytes),
          ...(withVersions ? [c.versions ? runningCell(c) : '-', installedCell(c.versions?.installed)] : []),
          [versionVerdictLabel(c), runtimeLabel(c)].filter(Boolean).join('; ') || (c.versions ? 'ok' : ''),
        ]);
    }
  }
  lines.push('');
  const vm = toViewInput(snapshot);
  if (rows.length === 0) lines.push('No configured server is running.');
  else
    lines.push(
      `Running instances (${count}):`,
      ...table(['SERVER', 'PID', 'CLIENT', 'UPTIME', 'MEMORY', ...versionHeads, 'VERDICTS'], rows).map((l) => `  ${l}`),
      ...costLines(mcpCost(vm)),
      ...pendingLines(vm),
    );
  // Entries whose share host runs for other clients, their own client not attached: not "not running".
  const notAttached = snapshot.servers.filter((s) => s.sharedElsewhere);
  if (notAttached.length > 0)
    lines.push(
      '',
      `Shared, not attached (${notAttached.length}):`,
      ...notAttached.map((s) => `  ${s.name} (${s.source.label}): ${sharedElsewhereText(s)}`),
    );
  if (snapshot.notConfigured.length > 0) {
    const nc = snapshot.notConfigured.map((i) => row(shorten(i.commandLine, 60), i));
    lines.push(
      '',
      `Not configured (${nc.length}): MCP-looking processes no configuration explains; never acted on automatically.`,
    );
    lines.push(
      ...table(['COMMAND', 'PID', 'CLIENT', 'UPTIME', 'MEMORY', ...versionHeads, 'VERDICTS'], nc).map((l) => `  ${l}`),
    );
  }
  return lines;
}

/**
 * Wrapped or unwrapped entries whose client still runs the process as it started it before the
 * edit: each one still counted and judged above, and the client's next step that runs it as the
 * entry says now.
 */
function pendingLines(vm: VmSnapshot): string[] {
  const pending = guardPendingList(vm);
  const group = (guarded: boolean, head: string) => {
    const rows = pending.filter((p) => p.guarded === guarded);
    return rows.length === 0
      ? []
      : [
          '',
          `${head} (${rows.length}): the client runs what it started before the entry was rewritten, until it starts the server again.`,
          ...rows.map((p) => `  ${p.server} (pid ${p.pid}): ${p.nextStep}`),
        ];
  };
  return [...group(false, 'Wrapped, not guarded yet'), ...group(true, 'Unwrapped, still guarded')];
}

/**
 * Every instance whose guard its entry no longer agrees with (a wrapped entry's that runs without
 * its guard, an unwrapped entry's still under it), with its client's next step (also in `status --json`).
 */
export function guardPendingList(
  vm: VmSnapshot,
): Array<{ server: string; id: string; pid: number; client: string; guarded: boolean; nextStep: string }> {
  return vm.servers.flatMap((s) =>
    s.instances.flatMap((i) => {
      const p = guardPending(s, i);
      return p
        ? [{ server: s.name, id: s.id, pid: i.pid, client: p.client.name, guarded: p.guarded, nextStep: p.nextStep }]
        : [];
    }),
  );
}

/** `shared by 3 clients (Claude Code, Cursor, ?)`: a shared server's clients as the engine names them (`?` for none). */
export function sharedByClients(names: ReadonlyArray<string | undefined>): string {
  const n = names.length;
  return `shared by ${n} client${n === 1 ? '' : 's'}${n > 0 ? ` (${names.map((x) => x ?? '?').join(', ')})` : ''}`;
}

function clientLabel(i: Instance): string {
  if (i.verdicts.some((v) => v.kind === 'orphan')) return 'gone';
  // A shared server (`run --on-conflict share`): its clients are the relays its lock record lists.
  if (i.lock?.attached) return sharedByClients(i.lock.attached.map((a) => a.clientName));
  return i.client.pid !== undefined ? `${i.client.name} (${i.client.pid})` : i.client.name;
}

/** One short label per verdict, headed by its name (core/report/causes.ts `cliWord`); the evidence is in `status --json`. */
export function verdictLabel(v: Verdict): string {
  switch (v.kind) {
    case 'duplicate':
      return `${cliWord('duplicate')}: ${v.instances.length} under one client, newest ${v.keep.pid} stays`;
    case 'sameData':
      return `${cliWord('duplicate')} on one data store: ${v.instances.length} processes; ${sameDataWords(v)}`;
    case 'orphan':
      return `${cliWord('orphan')}: ${v.reason}`;
    case 'superseded':
      return `${cliWord('superseded')}: ${v.reason}`;
    case 'down':
      return `${cliWord('down')}: ${v.reason}`;
    case 'idle':
      return `${cliWord('idle')}: ${idleWords(v)}`;
    case 'shared':
      // Counted a duplicate (state.ts `instanceFlags`) only for a single-writer server.
      return v.singleWriter
        ? `${cliWord('duplicate')}: shared by ${v.instances.length} instances of a single-writer server`
        : '';
    case 'unknown':
      // Only an undecided owner is a verdict of its own; an undecided duplicate or orphan is said as such.
      return `${v.question === 'owner' ? cliWord('owner-undecided') : `unknown ${v.question}`}: ${v.reason}`;
  }
}

function shorten(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}

function uptime(now: number, start: number | undefined): string {
  if (start === undefined || !Number.isFinite(now)) return '?';
  const s = Math.max(0, Math.round((now - start) / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86400) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  return `${Math.floor(s / 86400)}d${Math.floor((s % 86400) / 3600)}h`;
}

function memory(bytes: number | undefined): string {
  return bytes === undefined ? '?' : memoryText(bytes);
}

/** `status --json`: the snapshot, and what its servers cost (derived from it; docs/status-json.md). */
export function statusJson(snapshot: Snapshot, indent?: number): string {
  const vm = toViewInput(snapshot);
  const pending = guardPendingList(vm);
  return JSON.stringify(
    Object.assign({}, snapshot, { cost: mcpCost(vm) }, pending.length ? { guardPending: pending } : {}),
    null,
    indent,
  );
}

/**
 * The VERDICTS cell: each label, worst first; `ok` when there is none. "ok as far as can be read"
 * stands in for `ok` only: beside another verdict it would read as a contradiction.
 */
function verdictCell(labels: ReadonlyArray<string | undefined>): string {
  const said = labels.filter((l): l is string => !!l);
  const partly = verdictName('partly-known');
  const shown = said.length > 1 ? said.filter((l) => l !== partly) : said;
  return shown.join('; ') || 'ok';
}
