import * as path from 'node:path';
import { VmInstance, VmServer } from '../../core/report/input';
import { isThisWindow, OwnerContext } from './actionPlan';
import { pidsMoved } from './format';
import { t } from './l10n';
import { vscodeServerId } from './vscodeServerId';

/**
 * A server of an edited file that VS Code ran in this window before the write (rewritten or not):
 * its id for VS Code's commands and those instances.
 */
export interface RunningHere {
  server: VmServer;
  serverId: string;
  instances: VmInstance[];
}

/** `server` as VS Code runs it in this window (`server` as seen before the write), if it does. */
export function runningHere(server: VmServer, ctx: OwnerContext): RunningHere | undefined {
  const serverId = vscodeServerId(server, ctx);
  const instances = server.instances.filter((i) => isThisWindow(i, ctx));
  return serverId !== undefined && instances.length > 0 ? { server, serverId, instances } : undefined;
}

/**
 * The rewritten entries VS Code ran in this window before the write: it stops them when it reads
 * the file again, and only VS Code starts them again (another client's entry is its client's to start).
 */
export function runningRewritten(edit: EditedFiles, ctx: OwnerContext): RunningHere[] {
  return edit.rewritten.flatMap((server) => runningHere(server, ctx) ?? []);
}

/**
 * What an edit wrote: the files, and the entries it rewrote in them. Add to Config rewrites none (the
 * entry it adds is no server yet): every server of its file is another.
 */
export interface EditedFiles {
  files: readonly string[];
  rewritten: readonly VmServer[];
}

/** An edit of these entries, each in its own file (Wrap, Unwrap, Share, Unshare, a pin). */
export function entriesEdit(rewritten: readonly VmServer[]): EditedFiles {
  return { files: rewritten.map((s) => s.source.file), rewritten };
}

/**
 * When a file it runs servers from changes, VS Code reads the file's servers again and, in one pass,
 * stops each one it runs whose definition changed, and starts none of them until it is next asked.
 * A definition holds the entry's place in the file (line and column of its start and end), so an
 * entry below a rewritten one that grew or shrank by a line is stopped too, one above it or on
 * lines that did not move is left running. Add to Config appends its entry after every other one:
 * no other entry moves, so VS Code stops none and there is no sibling to wait for.
 * The servers of the edited files that were not rewritten and that VS Code ran in this window
 * before the write (`before`: the snapshot then), so the edit can start again those it stopped.
 */
export function runningSiblings(before: readonly VmServer[], edit: EditedFiles, ctx: OwnerContext): RunningHere[] {
  if (edit.rewritten.length === 0) return [];
  const edited = new Set(edit.files);
  const written = new Set(edit.rewritten.map((s) => s.id));
  return before
    .filter((server) => edited.has(server.source.file) && !written.has(server.id))
    .flatMap((server) => runningHere(server, ctx) ?? []);
}

/**
 * The siblings none of whose instances (by pid and start time) runs now (`now`: a server as the
 * latest snapshot sees it): VS Code stopped them. One still running was left alone by VS Code.
 */
export function stoppedSiblings(
  siblings: readonly RunningHere[],
  now: (id: string) => VmServer | undefined,
): RunningHere[] {
  const key = (i: VmInstance) => `${i.pid}@${i.startTime ?? '?'}`;
  return siblings.filter((s) => {
    const running = new Set((now(s.server.id)?.instances ?? []).map(key));
    return !s.instances.some((i) => running.has(key(i)));
  });
}

/**
 * The siblings VS Code stopped, once that can be known, else undefined (`witnesses`: the rewritten
 * entries it ran here, runningRewritten). VS Code stops a file's changed servers in the same pass
 * that stops its rewritten entries, so once every old instance of a file's rewritten entries is gone
 * (stopped, or restarted by restartRewritten) its siblings are as VS Code leaves them: one still
 * running was left alone. A file with no such witness says nothing of VS Code's reading but by its
 * siblings stopping: known only once every one of them has.
 */
export function siblingsSettled(
  siblings: readonly RunningHere[],
  witnesses: readonly RunningHere[],
  now: (id: string) => VmServer | undefined,
): RunningHere[] | undefined {
  const stopped = stoppedSiblings(siblings, now);
  const file = (s: RunningHere) => s.server.source.file;
  const gone = stoppedSiblings(witnesses, now);
  const unread = new Set(witnesses.filter((w) => !gone.includes(w)).map(file));
  const read = new Set(gone.map(file).filter((f) => !unread.has(f)));
  const known = siblings.every((s) => read.has(file(s)) || stopped.includes(s));
  return known ? stopped : undefined;
}

/** What came of starting again a server VS Code stopped: its new pids, or what the check saw. */
export type StartedAgain = { started: true; pids: readonly number[] } | { started: false; seen: string };

/**
 * What became of a sibling VS Code stopped when it read its file again: started again (its new
 * pids), or not (what the check saw), with where to start it.
 */
export function siblingOutcome(sibling: RunningHere, outcome: StartedAgain): string {
  const file = path.basename(sibling.server.source.file);
  return outcome.started
    ? t(
        'VS Code stopped {0} when it read {1} again; it runs again (pid {2}).',
        sibling.server.name,
        file,
        pidsMoved(
          sibling.instances.map((i) => i.pid),
          outcome.pids,
        ),
      )
    : t(
        'VS Code stopped {0} when it read {1} again and did not start it again ({2}); start it from MCP: List Servers.',
        sibling.server.name,
        file,
        outcome.seen,
      );
}
