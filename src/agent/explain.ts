import { terminalSafeLines } from '../core/base/terminalSafe';
import { evidenceDocument, evidenceSummary } from '../core/report/evidenceDocument';
import { VmInstance, VmServer, VmSnapshot } from '../core/report/input';
import { instanceReport, serverReport } from './health';
import { capped, forModel, quoted } from '../core/base/modelText';
import { MAX_EVIDENCE_CHARS, sameName } from './modelText';
import type { Explanation } from './schemas';

/**
 * `explain`: the evidence for one server (by name) or one process (by pid), exactly as the tree's
 * Show Evidence gives it: a person's summary above the engine's evidence, long package lists cut.
 * What the config says is escaped before it is written into the document (a name cannot forge a
 * line of it), names, versions, packages and reasons are quoted in the summary's sentences, and the
 * document is capped.
 */

/** The text the document is made of: every string escaped (the summary's lines quote each value from outside besides). */
function shown(target: { server?: VmServer; instance?: VmInstance }): { server?: VmServer; instance?: VmInstance } {
  return {
    ...(target.server ? { server: forModel(target.server) } : {}),
    ...(target.instance ? { instance: forModel(target.instance) } : {}),
  };
}

/** The document, its lines our own: the text in it was escaped before it was written (and anything else is escaped now). */
function documentOf(targets: Array<{ server?: VmServer; instance?: VmInstance }>): string {
  return terminalSafeLines(
    capped(targets.map((t) => evidenceDocument(shown(t), quoted)).join('\n'), MAX_EVIDENCE_CHARS),
  );
}

export function explain(vm: VmSnapshot, target: { server?: string; pid?: number }): Explanation {
  if (target.pid !== undefined) {
    const pid = target.pid;
    const server = vm.servers.find((s) => s.instances.some((i) => i.pid === pid));
    const instance = server?.instances.find((i) => i.pid === pid) ?? vm.notConfigured.find((i) => i.pid === pid);
    if (!instance)
      return {
        found: false,
        summary: [`pid ${pid} is not a running MCP server instance this machine's configs or processes show`],
        evidence: '',
      };
    return {
      found: true,
      summary: forModel(evidenceSummary(shown({ server, instance }), quoted)),
      ...(server ? { server: forModel(serverReport(server)) } : {}),
      instance: forModel(instanceReport(instance, server)),
      evidence: documentOf([{ server, instance }]),
    };
  }
  const named = vm.servers.filter(
    (s) => target.server !== undefined && (sameName(s.name, target.server) || s.id === target.server),
  );
  // The name asked for is echoed quoted and capped: a megabyte argument does not come back whole.
  if (!named.length)
    return {
      found: false,
      summary: [`no configured server is named ${quoted(target.server ?? '')} (list_servers names them)`],
      evidence: '',
    };
  // One name in several configs (VS Code's and Cursor's `memory`): each is explained.
  return {
    found: true,
    summary: forModel(named.flatMap((server) => evidenceSummary(shown({ server }), quoted))),
    ...(named.length === 1 ? { server: forModel(serverReport(named[0])) } : {}),
    evidence: documentOf(named.map((server) => ({ server }))),
  };
}
