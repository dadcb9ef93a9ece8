import { Services } from '../services';
import { VmServer } from '../../core/report/input';
import {
  EditedFiles,
  RunningSibling,
  runningSiblings,
  siblingOutcome,
  stoppedSiblings,
} from '../viewModel/fileSiblings';
import { restartThroughVsCode } from './vscodeRestart';

/** How long VS Code gets to read an edited file again and stop its servers (it took about a second). */
const STOP_WAIT_MS = 8_000;
const POLL_MS = 1_000;

/**
 * After an edit of a file VS Code runs servers from (Wrap, Unwrap, Share, Unshare, Add to Config, a
 * pin): the file's other servers it ran in this window (fileSiblings.ts; `before`: every server as
 * seen right before the write), once VS Code has stopped them, started again through VS Code's own
 * restart, verified in the process table as Restart is. Asked before VS Code read the file, a
 * restart would be undone by its reading; one VS Code left running is left alone and not
 * mentioned. Returns a sentence for each it stopped.
 */
export async function startFileSiblings(
  svc: Services,
  before: readonly VmServer[],
  edit: EditedFiles,
): Promise<string[]> {
  const siblings = runningSiblings(before, edit, svc.window());
  if (siblings.length === 0) return [];
  const until = Date.now() + STOP_WAIT_MS;
  let stopped: RunningSibling[];
  for (;;) {
    await svc.refresh.request('manual');
    stopped = stoppedSiblings(siblings, (id) => svc.store.server(id));
    if (stopped.length === siblings.length || Date.now() >= until) break;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  const out: string[] = [];
  for (const sibling of stopped) {
    const { server, serverId, instances } = sibling;
    const r = await restartThroughVsCode(svc, server, { serverId, instances });
    out.push(
      siblingOutcome(
        sibling,
        r.ok && r.pids.length > 0 ? { started: true, pids: r.pids } : { started: false, seen: r.seen },
      ),
    );
  }
  return out;
}
