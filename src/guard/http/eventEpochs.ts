import type { FrontSession } from '../../core/http/sessionStore';
import { firstHeader } from './reinitialize';
import { SseIdScanner } from './sseIds';

/** Only the last ids of a session are remembered: a client resumes from its latest event. */
const MAX_IDS_PER_SESSION = 1024;

/**
 * Which upstream incarnation (the session's epoch) sent each event id a client saw. After a
 * restart the rebuilt upstream session never sent those ids, so a `Last-Event-ID` from an older
 * epoch is dropped before the GET goes on, instead of asking the new server to resume a stream it
 * never had.
 */
export class EventEpochs {
  private readonly bySession = new Map<string, Map<string, number>>();

  constructor(private readonly o: { maxSessions: number; session(sid: string): FrontSession | undefined }) {}

  /** A scanner for one event stream of `sid`, noting each id with the session's epoch as it passes. */
  scanner(sid: string): SseIdScanner {
    return new SseIdScanner((id) => {
      const session = this.o.session(sid);
      if (!session) return;
      let ids = this.bySession.get(sid);
      if (!ids) {
        // Sessions the store forgot leave their event ids behind: dropped once they could add up.
        if (this.bySession.size >= this.o.maxSessions)
          for (const known of this.bySession.keys()) if (!this.o.session(known)) this.bySession.delete(known);
        this.bySession.set(sid, (ids = new Map()));
      }
      ids.set(id, session.epoch);
      if (ids.size > MAX_IDS_PER_SESSION) ids.delete(ids.keys().next().value as string);
    });
  }

  /** Whether `lastEventId` was sent by an earlier incarnation of the session's upstream. */
  isOlder(sid: string, session: FrontSession, lastEventId: string | string[] | undefined): boolean {
    const id = firstHeader(lastEventId);
    if (id === undefined) return false;
    const epoch = this.bySession.get(sid)?.get(id);
    return epoch !== undefined && epoch < session.epoch;
  }

  forget(sid: string): void {
    this.bySession.delete(sid);
  }
}
