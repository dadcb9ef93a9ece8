import type { InferredSource, StartRisk } from '../base/versionTypes';
import { restartRiskText } from '../versions/startRisk';
import { assertNever } from '../base/assertNever';
import { causeWords, evidenceHead } from './causes';
import { cpuText } from './cost';
import { VmVerdict } from './input';
import { unknownVersionVerdict } from './state';
import { isKnownVersion } from './versionWords';

/** How copies spread over an agent host's sessions: one per session, unless the session processes say otherwise. */
function perSession(copies: number, host: { sessions?: number }): string {
  if (host.sessions === undefined || host.sessions === copies) return 'one per agent session';
  return `in ${host.sessions} agent session${host.sessions === 1 ? '' : 's'}`;
}

/** The history a running version was inferred from, in words. */
export function inferredWords(source: InferredSource | undefined): string {
  return source === 'uv-cache' ? "uv's cache" : source === 'pipx-log' ? "pipx's log" : "npm's cache";
}

/**
 * How a value read from a file, a process or a server is written into a sentence: as it is for a
 * person (the tree, the CLI), quoted and escaped for a model (src/agent/modelText.ts `quoted`), so
 * that a version reading `1.0.0 installed. SYSTEM: ...` stays data and never reads as our words.
 */
export type Show = (value: string) => string;

const asIs: Show = (value) => value;

/**
 * One line per verdict, in words: the evidence the tooltips and the notification quote. `show`
 * writes each value from outside (package, versions, the engine's summary and reason, which
 * embed names, versions and paths).
 */
/**
 * What the MCP Registry says of a server that needs saying (deprecated or deleted there), in the
 * words every face uses: `Deprecated in the MCP Registry (io.github.x/y): use z instead`.
 */
export function registryNotice(
  s: { registryStatus?: { name: string; status: string; message?: string } },
  show: Show = asIs,
): string | undefined {
  const r = s.registryStatus;
  if (!r || (r.status !== 'deprecated' && r.status !== 'deleted')) return undefined;
  const word = r.status === 'deprecated' ? 'Deprecated' : 'Deleted';
  return `${word} in the MCP Registry (${show(r.name)})${r.message ? `: ${show(r.message)}` : ''}`;
}

export function describeVerdict(v: VmVerdict, show: Show = asIs): string {
  switch (v.kind) {
    case 'restart': {
      // What is installed will probably not start: said with the verdict, wherever it is read.
      const risk = restartRiskText(startRisksOf(v), show);
      return risk ? `${restartWords(v, show)}. ${risk}` : restartWords(v, show);
    }
    case 'duplicate':
      if (v.agentHost)
        return `${evidenceHead('duplicate')}: ${v.client.name} runs ${v.instances.length} instances of this launch, ${perSession(v.instances.length, v.agentHost)} of its ${v.agentHost.name} (pid ${v.agentHost.pid}): each session talks to its own copy, the newest (pid ${v.keep.pid}) is the latest session's`;
      return `${evidenceHead('duplicate')}: ${v.client.name} runs ${v.instances.length} instances of this launch; it talks to the newest (pid ${v.keep.pid}), the older ones are leftovers`;
    case 'shared': {
      // Clients, not instances: one client with a leftover duplicate is still one client (two windows are two).
      const clients = new Set(v.instances.map((i) => `${i.client.id}:${i.client.pid ?? ''}`)).size;
      return `Shared: ${clients} clients each run their own instance${v.singleWriter ? ' of a single-writer server: they may corrupt its data' : ''}`;
    }
    case 'sameData':
      return `${evidenceHead('duplicate')} on one data store: ${v.instances.length} processes run on it; ${sameDataWords(v, show)}`;
    case 'orphan':
      return `${evidenceHead('orphan')}: ${show(v.reason)}`;
    case 'superseded':
      return `${evidenceHead('superseded')}: ${show(v.reason)}`;
    case 'down':
      return `${evidenceHead('down')}: its server is not running (since ${show(v.since)}): ${show(v.reason)}`;
    case 'idle':
      return `${evidenceHead('idle')}: ${idleWords(v, show)}`;
    case 'unknown':
      if (v.question === 'stale') return `${evidenceHead(unknownVersionVerdict(v))}: ${show(v.reason)}`;
      if (v.question === 'owner') return `${evidenceHead('owner-undecided')}: ${show(v.reason)}`;
      // An undecided duplicate or orphan is no verdict of its own (state.ts `instanceVerdicts`).
      return `Not decided (${v.question}): ${show(v.reason)}`;
    case 'partly-read':
      return `${evidenceHead('partly-known')}: ${show(v.reason)}`;
    default:
      return assertNever(v);
  }
}

/**
 * The entries that name one data store, by how they name it, never the path (an env value is a
 * secret): "env MEMORY_FILE_PATH of memory (Claude Code) and notes (Cursor) names one data path".
 */
export function sameDataWords(v: Extract<VmVerdict, { kind: 'sameData' }>, show: Show = asIs): string {
  const byFrom = new Map<string, string[]>();
  for (const e of v.entries) {
    const named = `${show(e.name)} (${show(e.label)})`;
    const list = byFrom.get(e.from);
    if (list) list.push(named);
    else byFrom.set(e.from, [named]);
  }
  const groups = [...byFrom].map(([from, entries]) => `${show(from)} of ${andList(entries)}`);
  return `${groups.join(', ')} ${groups.length === 1 ? 'names' : 'name'} one data path`;
}

/** "a", "a and b", "a, b and c". */
function andList(items: readonly string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** A server its guard stopped for idleness, in words: "its server was stopped at ... after 10 min 0 s without a request; ...". */
export function idleWords(v: Extract<VmVerdict, { kind: 'idle' }>, show: Show = asIs): string {
  if (v.afterMs === undefined)
    return `its server is started by the first request (run --lazy-start); none came since ${show(v.since)}`;
  // What its last server started with, as its guard recorded it: what ran, not what runs.
  const ran = v.ran ? `; its last server ran ${show(v.ran.name)} ${show(v.ran.version)}` : '';
  return `its server was stopped at ${show(v.since)} after ${cpuText(v.afterMs)} without a request${ran}; the next request starts it again`;
}

/** A restart need in words, headed by its cause's (core/report/causes.ts): `Stale: runs pkg 1.0.0, but 2.0.0 is installed`. */
function restartWords(v: Extract<VmVerdict, { kind: 'restart' }>, show: Show): string {
  const head = evidenceHead(causeWords(v.cause).verdict);
  switch (v.cause) {
    case 'changed':
      return `${head}: restart to load what is installed. ${show(v.summary)}`;
    case 'config':
    case 'runtime':
      return `${head}: ${show(v.summary)}`;
    case 'version': {
      // The same version with other dependencies: the versions alone would say nothing.
      if (v.running === v.installed) return `${head}: ${show(v.summary)}`;
      // What the engine could not learn is said as such, never as a version ("runs pkg unknown").
      const runs = isKnownVersion(v.running)
        ? `runs ${show(v.package)} ${show(v.running)}`
        : `runs ${show(v.package)} as it was when it started (its version is not known)`;
      if (v.installed === 'missing') return `${head}: ${runs}, but it is no longer installed`;
      return `${head}: ${runs}, but ${show(v.installed)} is installed${v.inferred ? ` (the running version is inferred from ${inferredWords(v.inferredFrom)})` : ''}`;
    }
    default:
      return assertNever(v.cause);
  }
}

/** Why starting what a restart would load will probably fail, as the version judgement found it. */
export function startRisksOf(v: Extract<VmVerdict, { kind: 'restart' }>): StartRisk[] | undefined {
  const installed = v.evidence?.installed;
  return installed?.state === 'installed' ? installed.startRisks : undefined;
}
