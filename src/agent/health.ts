import { costSentence, InstanceCost, instanceCost, mcpCost } from '../core/report/cost';
import { describeVerdict, registryNotice } from '../core/report/evidence';
import { whatToDo } from '../core/report/evidenceDocument';
import { VmInstance, VmServer, VmSnapshot } from '../core/report/input';
import { causeWords, InstanceVerdict, RESTART_CAUSES } from '../core/report/causes';
import { counts, Counts, hasProblems, instanceVerdicts, isGuarded, serverState } from '../core/report/state';
import { quoted } from '../core/base/modelText';
import { elsewhereLabel } from '../core/report/machineWords';
import { guardPending } from '../core/configEdit/guardPending';
import { MAX_RESULT_CHARS, sameName, within } from './modelText';
import type { HealthReport, InstanceReport, ServerReport } from './schemas';

export type { HealthReport, InstanceReport, ServerReport } from './schemas';

/**
 * `list_servers`: the snapshot as an agent reads it, from the same reading the badge and the tree
 * use (core/report), so "are my MCP servers healthy?" gets the badge's answer. Plain data (the
 * tool's structuredContent) and a short text rendering of it.
 */

export interface HealthFilter {
  name?: string;
  verdict?: InstanceVerdict | 'not-running';
}

export function instanceReport(i: VmInstance, server?: VmServer): InstanceReport {
  return {
    pid: i.pid,
    client: i.client.name,
    guarded: isGuarded(i),
    ...(i.lock?.attached
      ? {
          shared: {
            clients: i.lock.attached.map((c) => ({
              ...(c.pid !== undefined ? { pid: c.pid } : {}),
              ...(c.clientName !== undefined ? { name: c.clientName } : {}),
            })),
            ...(i.lock.shareUrl !== undefined ? { url: i.lock.shareUrl } : {}),
          },
        }
      : {}),
    verdicts: instanceVerdicts(i),
    // Package names, versions and the engine's reasons come from files and servers: quoted, as names are.
    why: i.verdicts.map((v) => describeVerdict(v, quoted)),
    whatToDo: whatToDo(i, server),
    ...(i.runningVersion ? { runningVersion: i.runningVersion } : {}),
    ...(i.startTime !== undefined ? { startedAt: new Date(i.startTime).toISOString() } : {}),
    ...(i.commandLine ? { commandLine: i.commandLine } : {}),
    ...measured(instanceCost(i, i.childProcesses)),
  };
}

function measured(c: InstanceCost): { memoryBytes?: number; cpuMs?: number } {
  return {
    ...(c.bytes !== undefined ? { memoryBytes: c.bytes } : {}),
    ...(c.cpuMs !== undefined ? { cpuMs: c.cpuMs } : {}),
  };
}

export function serverReport(s: VmServer): ServerReport {
  const state = serverState(s);
  return {
    name: s.name,
    id: s.id,
    source: s.source.label,
    file: s.source.file,
    transport: s.transport,
    state: state.kind === 'notRunning' ? 'not-running' : state.kind,
    ...(s.installedVersion ? { installedVersion: s.installedVersion } : {}),
    ...(s.updateAvailable ? { updateAvailable: s.updateAvailable } : {}),
    ...(registryNotice(s) ? { registry: registryNotice(s, quoted) } : {}),
    ...(s.sharedElsewhere ? { sharedFor: s.sharedElsewhere } : {}),
    instances: s.instances.map((i) => {
      const pending = guardPending(s, i);
      if (!pending) return instanceReport(i, s);
      return { ...instanceReport(i, s), [pending.guarded ? 'stillGuarded' : 'notGuardedYet']: pending.nextStep };
    }),
  };
}

function matches(s: ServerReport, filter: HealthFilter): boolean {
  if (filter.name !== undefined && !sameName(s.name, filter.name)) return false;
  if (filter.verdict === undefined) return true;
  if (filter.verdict === 'not-running') return s.state === 'not-running';
  return s.instances.some((i) => i.verdicts.includes(filter.verdict as InstanceVerdict));
}

/** The badge's sentence: what needs attention, or that nothing does. Each restart cause counted in the words a screen reader hears for the badge. */
export function healthSummary(c: Counts, pending: boolean): string {
  const parts = RESTART_CAUSES.filter((cause) => c.restart[cause] > 0).map((cause) =>
    causeWords(cause).sentence(c.restart[cause]),
  );
  if (c.duplicate) parts.push(`${c.duplicate} duplicate`);
  if (c.orphan) parts.push(`${c.orphan} orphaned`);
  if (c.superseded) parts.push(`${c.superseded} left by an earlier agent host`);
  if (c.problems) parts.push(`${c.problems} config problem${c.problems === 1 ? '' : 's'}`);
  const running = `${c.instances} running instance${c.instances === 1 ? '' : 's'} of ${c.servers} configured server${c.servers === 1 ? '' : 's'}`;
  if (parts.length) return `Needs attention: ${parts.join(', ')}; ${running}.`;
  const unknown = c.unknown
    ? ` What ${c.unknown} of them run${c.unknown === 1 ? 's' : ''} could not be told (unknown, not known fine).`
    : '';
  return `${pending ? 'Versions are still being checked. ' : ''}Healthy: ${running}; none stale, duplicate or orphaned.${unknown}`;
}

export function healthReport(vm: VmSnapshot, filter: HealthFilter = {}): HealthReport {
  const c = counts(vm);
  const cost = mcpCost(vm);
  const servers = vm.servers.map(serverReport).filter((s) => matches(s, filter));
  const notConfigured =
    filter.name === undefined
      ? vm.notConfigured
          .map((i) => instanceReport(i))
          .filter((i) => filter.verdict === undefined || i.verdicts.includes(filter.verdict as InstanceVerdict))
      : [];
  const problems = vm.diagnostics
    .filter((d) => d.severity !== 'info')
    .map((d) => ({
      file: d.file,
      ...(d.line !== undefined ? { line: d.line } : {}),
      ...(d.column !== undefined ? { column: d.column } : {}),
      severity: d.severity,
      message: d.message,
    }));
  // One answer stays readable: past the budget, lists are cut and the cut is counted.
  const budget = { chars: MAX_RESULT_CHARS };
  const shown = {
    servers: within(servers, budget),
    notConfigured: within(notConfigured, budget),
    problems: within(problems, budget),
  };
  const omitted = {
    servers: shown.servers.omitted,
    notConfigured: shown.notConfigured.omitted,
    problems: shown.problems.omitted,
  };
  const cut = omitted.servers + omitted.notConfigured + omitted.problems > 0;
  return {
    takenAt: vm.takenAt,
    healthy: !hasProblems(c),
    summary: healthSummary(c, vm.versionsPending === true),
    counts: c,
    cost: {
      summary: costSentence(cost) ?? 'No configured MCP server is running.',
      measure: cost.measure,
      memoryBytes: cost.bytes,
      cpuMs: cost.cpuMs,
      copiesBytes: cost.copiesBytes,
    },
    servers: shown.servers.kept,
    notConfigured: shown.notConfigured.kept,
    problems: shown.problems.kept,
    ...(cut ? { omitted } : {}),
  };
}

/**
 * What a subscriber to the snapshot is told about when it changes: the report without its time and
 * its measures (memory and CPU move on every look; a verdict, an instance or a problem is news).
 */
export function whatChanges(r: HealthReport): unknown {
  const { takenAt: _t, cost: _c, ...rest } = r;
  const still = ({ memoryBytes: _m, cpuMs: _cpu, ...i }: InstanceReport) => i;
  return {
    ...rest,
    servers: rest.servers.map((s) => ({ ...s, instances: s.instances.map(still) })),
    notConfigured: rest.notConfigured.map(still),
  };
}

/**
 * The text beside the structured result: the summary, then a line per server and instance. It is
 * rendered from a report already made safe (forModel): names, versions, paths and messages are quoted besides.
 */
export function healthText(r: HealthReport): string {
  const lines = [r.summary, r.cost.summary];
  for (const s of r.servers) {
    // Versions come from package files and registries: quoted, as names are.
    const version = s.installedVersion ? ` ${quoted(s.installedVersion)} installed` : '';
    const update = s.updateAvailable ? `; ${quoted(s.updateAvailable.latest)} available` : '';
    const registry = s.registry ? `; ${s.registry}` : '';
    // One that runs on the other side of a remote window: where, and that it is not judged here.
    // Its entry names a share whose host runs for other clients: whom for, not just "not running".
    const state =
      s.state === 'elsewhere'
        ? `${elsewhereLabel()}, not judged here`
        : s.sharedFor
          ? `${s.state} in this client; the server runs, shared, for ${s.sharedFor.clients.map(quoted).join(', ') || 'other clients'} (share host pid ${s.sharedFor.pid}), and this client attaches to it when it starts it`
          : s.state;
    lines.push(`- ${quoted(s.name)} (${s.source}, ${s.transport}): ${state}${version}${update}${registry}`);
    for (const i of s.instances)
      lines.push(
        `  - pid ${i.pid} (${i.shared ? `shared by ${i.shared.clients.length} client${i.shared.clients.length === 1 ? '' : 's'}: ${i.shared.clients.map((c) => (c.name !== undefined ? quoted(c.name) : '?')).join(', ')}` : `${i.client}${i.guarded ? ', guarded' : ''}`}): ${i.verdicts.join(', ')}${i.runningVersion ? `, runs ${quoted(i.runningVersion)}` : ''}. ${i.verdicts.includes('ok') ? '' : i.whatToDo}`.trimEnd(),
      );
  }
  if (r.notConfigured.length)
    lines.push(`Not configured: ${r.notConfigured.map((i) => `pid ${i.pid} (${i.verdicts.join(', ')})`).join(', ')}`);
  for (const p of r.problems)
    lines.push(
      `Problem: ${quoted(p.file)}${p.line !== undefined ? `:${p.line}${p.column !== undefined ? `:${p.column}` : ''}` : ''}: ${quoted(p.message)}`,
    );
  if (r.omitted)
    lines.push(
      `Not shown, to keep this answer short: ${r.omitted.servers} server(s), ${r.omitted.notConfigured} unconfigured instance(s), ${r.omitted.problems} problem(s). Ask with \`name\` or \`verdict\` to see them.`,
    );
  return lines.join('\n');
}
