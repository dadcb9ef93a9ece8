import { Services } from '../services';
import { VmServer } from '../../core/report/input';
import type { EditedLaunch } from '../viewModel/actionPlan';
import {
  EditedFiles,
  RunningHere,
  runningRewritten,
  runningSiblings,
  siblingOutcome,
  siblingsSettled,
  StartedAgain,
  stoppedSiblings,
} from '../viewModel/fileSiblings';
import { restartThroughVsCode, VsCodeRestart } from './vscodeRestart';

/**
 * How long VS Code gets to read an edited file again and stop its servers (it took about a second),
 * where nothing shows sooner that it has (siblingsSettled).
 */
const STOP_WAIT_MS = 8_000;
const POLL_MS = 1_000;

/**
 * A rewritten entry VS Code ran in this window (Wrap, Unwrap, Share, Unshare, a pin's Upgrade or
 * Roll Back; fileSiblings.ts runningRewritten), restarted through VS Code's own restart, verified in
 * the process table as Restart is: only VS Code starts the entry as now written, and it stops the
 * running one when it reads the file again. `runs`, of the entry as the snapshot now reads it: how a
 * process of the new entry runs, so one VS Code starts from the entry as it read it before the write
 * is not taken for the restart (executePlan asks VS Code again).
 */
export async function restartRewritten(
  svc: Services,
  entry: RunningHere,
  runs: (edited: VmServer) => EditedLaunch | undefined,
): Promise<VsCodeRestart> {
  // The snapshot that read the rewritten file (VS Code may not have read it yet).
  await svc.refresh.request('manual');
  const edited = svc.store.server(entry.server.id);
  const launch = edited && runs(edited);
  return restartThroughVsCode(svc, entry.server, {
    serverId: entry.serverId,
    instances: entry.instances,
    ...(launch ? { runs: launch } : {}),
  });
}

/** A restart after an edit as its sentence words it: started again (a new pid seen), or not, with what the check saw. */
export function startedAgain(r: VsCodeRestart): StartedAgain {
  return r.ok && r.pids.length > 0 ? { started: true, pids: r.pids } : { started: false, seen: r.seen };
}

/**
 * After an edit of a file VS Code runs servers from (Wrap, Unwrap, Share, Unshare, Add to Config, a
 * pin): the file's other servers it ran in this window (fileSiblings.ts; `before`: every server as
 * seen right before the write), those VS Code stopped (the entries the edit moved) started again
 * through VS Code's own restart, verified in the process table as Restart is, once VS Code has
 * evidently read the file (siblingsSettled): asked before, a restart would be undone by its reading.
 * One VS Code left running is left alone and not mentioned. Returns a sentence for each it stopped.
 */
export async function startFileSiblings(
  svc: Services,
  before: readonly VmServer[],
  edit: EditedFiles,
): Promise<string[]> {
  const siblings = runningSiblings(before, edit, svc.window());
  if (siblings.length === 0) return [];
  // The rewritten entries VS Code ran here show when it read the file: their old instances gone (the
  // callers restart them first, so this is mostly known at the first look).
  const witnesses = runningRewritten(edit, svc.window());
  const now = (id: string) => svc.store.server(id);
  const until = Date.now() + STOP_WAIT_MS;
  let stopped: RunningHere[] | undefined;
  for (;;) {
    await svc.refresh.request('manual');
    stopped = siblingsSettled(siblings, witnesses, now);
    if (stopped || Date.now() >= until) break;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  stopped ??= stoppedSiblings(siblings, now);
  const out: string[] = [];
  for (const sibling of stopped) {
    const { server, serverId, instances } = sibling;
    out.push(siblingOutcome(sibling, startedAgain(await restartThroughVsCode(svc, server, { serverId, instances }))));
  }
  return out;
}
