import { evidenceDocument, evidenceSummary } from '../core/report/evidenceDocument';
import { VmSnapshot } from '../core/report/input';
import { instanceReport, serverReport } from './health';
import type { Explanation } from './schemas';

/**
 * `explain`: the evidence for one server (by name) or one process (by pid), exactly as the tree's
 * Show Evidence gives it: a person's summary above the engine's evidence, long package lists cut.
 */

export function explain(vm: VmSnapshot, target: { server?: string; pid?: number }): Explanation {
  if (target.pid !== undefined) {
    const pid = target.pid;
    const server = vm.servers.find((s) => s.instances.some((i) => i.pid === pid));
    const instance = server?.instances.find((i) => i.pid === pid) ?? vm.notConfigured.find((i) => i.pid === pid);
    if (!instance) return { found: false, summary: [`pid ${pid} is not a running MCP server instance this machine's configs or processes show`], evidence: '' };
    return {
      found: true,
      summary: evidenceSummary({ server, instance }),
      ...(server ? { server: serverReport(server) } : {}),
      instance: instanceReport(instance),
      evidence: evidenceDocument({ server, instance }),
    };
  }
  const named = vm.servers.filter((s) => s.name === target.server || s.id === target.server);
  if (!named.length) return { found: false, summary: [`no configured server is named '${target.server ?? ''}' (list_servers names them)`], evidence: '' };
  // One name in several configs (VS Code's and Cursor's `memory`): each is explained.
  return {
    found: true,
    summary: named.flatMap((server) => evidenceSummary({ server })),
    ...(named.length === 1 ? { server: serverReport(named[0]) } : {}),
    evidence: named.map((server) => evidenceDocument({ server })).join('\n'),
  };
}
