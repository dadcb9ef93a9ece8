import { elsewhereLabel } from './machineWords';
import { describeVerdict, Show, startRisksOf } from './evidence';
import { restartRiskText } from '../versions/startRisk';
import { isWrappedCommand } from '../processes/argv';
import { guardDisagreement } from './guardAgreement';
import { sharedElsewhereText } from './sharedElsewhere';
import { terminalSafe as shownText } from '../base/terminalSafe';
import { VmInstance, VmServer } from './input';
import { verdictLabel } from './causes';
import {
  downVerdict,
  idleVerdict,
  instanceFlags,
  instanceVerdicts,
  isGuarded,
  ownerNames,
  restartVerdict,
  serverState,
  versionUnknown,
} from './state';

/**
 * Show Evidence's opening: a person's summary (verdict, why, what to do) as `//` lines above the
 * JSON (the document is JSON with comments), and the JSON with long package lists cut to the
 * packages that moved: a 400-entry dependency map hides the two that matter.
 */

/** Package maps longer than this are cut to what moved. */
export const MAX_LISTED_PACKAGES = 10;

/** What to do about one instance, in one sentence. */
export function whatToDo(i: VmInstance, server?: VmServer): string {
  const flags = instanceFlags(i);
  // Wrapped (or shared), or unwrapped, since its client started it: its next start runs it as the entry says.
  const disagreement =
    server &&
    guardDisagreement(i, { wrapped: isWrappedCommand(server.command, server.args), client: server.source.client });
  const pending = disagreement === 'unguarded';
  if (downVerdict(i))
    return 'Fix what its last output says (an upgrade that broke it: go back to the version it ran), then Restart: its guard starts it again and the client keeps its session.';
  if (flags.has('orphan'))
    return i.client.id === 'unknown'
      ? 'Owner unknown: the process that started it is gone and no client MCP Lifeguard knows is among its parents, so whether anything still uses it cannot be told. Stop it if you do not.'
      : 'Stop it: no client talks to it any more.';
  if (flags.has('superseded'))
    return 'Kill Duplicates stops it: the host that started it is an earlier generation, and the newer one starts its own.';
  const stale = restartVerdict(i);
  const risk = stale && restartRiskText(startRisksOf(stale));
  if (risk)
    return `Do not restart it yet: ${risk.charAt(0).toLowerCase()}${risk.slice(1)}. It keeps serving as it is; go back to the versions it runs, or change what it imports, then restart.`;
  if (stale && pending)
    return `Restart it from ${i.client.name} to load what is installed: its entry is already wrapped, so it then runs under its guard. A restart from here stops it until ${i.client.name} starts it again.`;
  if (stale) {
    return isGuarded(i)
      ? `Restart it: its guard restarts it and the client keeps its session.${disagreement === 'guarded' ? ` Its entry is unwrapped, so once ${i.client.name} starts it again it runs without the guard.` : ''}`
      : `Restart it to load what is installed. It is not guarded, so a restart from here stops it and ${i.client.name} must start it again; Wrap with Guard avoids that next time.`;
  }
  if (flags.has('duplicate')) return 'Kill Duplicates stops the older copies; the newest one keeps serving its client.';
  if (idleVerdict(i))
    return "Nothing to do: its guard starts the server again, in the client's session, when the next request comes (it then runs what is installed).";
  if (versionUnknown(i))
    return 'Nothing to do yet: what it runs could not be told (see why above). A guarded server records its version at start.';
  if (pending)
    return `Nothing to do now: it runs what is installed. Its entry is wrapped; ${i.client.name} runs it under its guard once it starts it again.`;
  return disagreement === 'guarded'
    ? `Nothing to do now: it runs what is installed. Its entry is unwrapped; ${i.client.name} runs it without the guard once it starts it again.`
    : 'Nothing to do: it runs what is installed.';
}

/** Whom it serves (ownerNames: a shared server's clients, else its client), or "owner unknown". */
function ownerWords(i: VmInstance): string {
  const names = ownerNames(i);
  return names.length > 0 ? names.join(', ') : 'owner unknown';
}

function instanceLines(i: VmInstance, show?: Show, server?: VmServer): string[] {
  const verdict = instanceVerdicts(i)
    .map((v) => verdictLabel(v))
    .join(', ');
  return [
    `pid ${i.pid} (${ownerWords(i)}${isGuarded(i) ? ', guarded' : ''}): ${verdict}`,
    ...i.verdicts.map((v) => `  Why: ${describeVerdict(v, show)}`),
    `  What to do: ${whatToDo(i, server)}`,
    // What it started goes with it: each child's own verdict, said under it.
    ...(i.childProcesses ?? []).flatMap((c) => [
      `  It started pid ${c.pid}${c.commandLine ? ` (${show ? show(c.commandLine) : c.commandLine})` : ''}: ${instanceVerdicts(
        c,
      )
        .map((v) => verdictLabel(v))
        .join(', ')}`,
      ...c.verdicts.map((v) => `    Why: ${describeVerdict(v, show)}`),
    ]),
  ];
}

/**
 * A process no entry configures: with nothing flagged, nothing was judged (no entry names what a
 * restart would load), so it is never called `ok`. What it was found to be (orphan, stale under a
 * guard's record) is said as for any instance.
 */
function unconfiguredLines(i: VmInstance, show?: Show): string[] {
  const judged = instanceVerdicts(i).filter(
    (v) => v !== 'ok' && v !== 'unknown' && v !== 'checking' && v !== 'settling',
  );
  if (judged.length > 0) return instanceLines(i, show);
  return [
    `pid ${i.pid} (${ownerWords(i)}): not configured; what it runs is not judged`,
    ...i.verdicts.map((v) => `  Why: ${describeVerdict(v, show)}`),
    "  What to do: Nothing, unless it should not run: then Stop it (its client will not start it again), or add it to a client's config.",
  ];
}

/** The summary's lines; `show` writes each value from outside (the server's name, the verdicts' values). */
export function evidenceSummary(target: { server?: VmServer; instance?: VmInstance }, show: Show = (v) => v): string[] {
  const { server, instance } = target;
  if (instance)
    return server
      ? [`${show(server.name)} (${server.source.label})`, ...instanceLines(instance, show, server)]
      : ['Not configured: matches no config entry', ...unconfiguredLines(instance, show)];
  if (!server) return [];
  const state = serverState(server);
  const said =
    state.kind === 'notRunning'
      ? (sharedElsewhereText(server) ?? 'not running')
      : state.kind === 'elsewhere'
        ? elsewhereLabel()
        : state.kind;
  const head = `${show(server.name)} (${server.source.label}): ${said}`;
  return [head, ...server.instances.flatMap((i) => instanceLines(i, show, server))];
}

type Json = unknown;

/**
 * The JSON with every `environment.packages` map longer than MAX_LISTED_PACKAGES cut to the packages
 * in `moved` (those whose version differs between what runs and what is installed), and a count of the rest.
 */
export function collapsePackages(value: Json, moved: ReadonlySet<string>): Json {
  if (Array.isArray(value)) return value.map((v) => collapsePackages(v, moved));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, Json> = {};
  for (const [k, v] of Object.entries(value as Record<string, Json>)) {
    if (
      k === 'packages' &&
      v &&
      typeof v === 'object' &&
      !Array.isArray(v) &&
      Object.keys(v).length > MAX_LISTED_PACKAGES
    ) {
      const entries = Object.entries(v as Record<string, Json>);
      const kept = Object.fromEntries(entries.filter(([name]) => moved.has(name)));
      out[k] = { ...kept, '(not shown)': `${entries.length - Object.keys(kept).length} packages that did not move` };
    } else {
      out[k] = collapsePackages(v, moved);
    }
  }
  return out;
}

/** The packages that moved for an instance: its verdict's list, else the difference of its two environments. */
export function movedPackages(i: VmInstance): Set<string> {
  const moved = new Set<string>();
  const evidence = restartVerdict(i)?.evidence;
  if (!evidence) return moved;
  if (evidence.verdict.state === 'stale') for (const d of evidence.verdict.movedDependencies) moved.add(d.name);
  const installed = evidence.installed.state === 'installed' ? (evidence.installed.environment?.packages ?? {}) : {};
  const running = evidence.running.state === 'known' ? (evidence.running.environment?.packages ?? {}) : {};
  for (const name of new Set([...Object.keys(installed), ...Object.keys(running)]))
    if (installed[name] !== running[name]) moved.add(name);
  return moved;
}

/**
 * The document "Show Evidence" opens (JSON with comments): the summary a person reads first, then the
 * instance as the engine described it, long package lists cut to the packages that moved.
 */
export function evidenceDocument(target: { server?: VmServer; instance?: VmInstance }, show?: Show): string {
  const { server, instance } = target;
  const body = instance
    ? { server: server ? { id: server.id, name: server.name, source: server.source } : undefined, instance }
    : server
      ? {
          server: {
            id: server.id,
            name: server.name,
            source: server.source,
            installedVersion: server.installedVersion,
          },
          instances: server.instances,
        }
      : {};
  const moved = new Set((instance ? [instance] : (server?.instances ?? [])).flatMap((i) => [...movedPackages(i)]));
  const summary = evidenceSummary(target, show).map((l) => `// ${shownText(l.replace(/[\r\n]+/g, ' '))}`);
  return `${[...summary, ...(summary.length ? ['//', '// The evidence, as the engine recorded it:'] : [])].join('\n')}${summary.length ? '\n' : ''}${JSON.stringify(collapsePackages(body, moved), null, 2)}\n`;
}
