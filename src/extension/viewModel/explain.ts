import type { ServerExplanation } from '../../../api/mcp-lifeguard';
import { evidenceSummary, whatToDo } from '../../core/report/evidenceDocument';
import { VmServer } from '../../core/report/input';
import { instanceVerdicts, isGuarded, serverState, instancesNeedingRestart } from '../../core/report/state';

/** The API's `explain`: a server's state and each instance's verdicts, in Show Evidence's words. */
export function explainServer(server: VmServer): ServerExplanation {
  return {
    serverId: server.id,
    name: server.name,
    state: serverState(server).kind,
    needsRestart: instancesNeedingRestart(server).length > 0,
    summary: evidenceSummary({ server }),
    instances: server.instances.map((i) => ({
      pid: i.pid,
      client: i.client.name,
      guarded: isGuarded(i),
      verdicts: instanceVerdicts(i),
      whatToDo: whatToDo(i),
    })),
  };
}
