import type * as http from 'node:http';
import type { FrontSession } from '../../core/http/sessionStore';
import type { UpstreamAddress } from './exchange';
import type { FrontOptions } from './frontOptions';
import { shortId } from './headers';
import { reinitialize } from './reinitialize';

/**
 * A client's session rebuilt on a restarted server (its handshake replayed, reinitialize.ts), and
 * what it is owed for it: a legacy server says nothing of what changed while it was down, so the
 * session's next event stream on the new server carries one `list_changed` per list (as the stdio
 * guard writes).
 */
export class SessionRecovery {
  private readonly recovering = new Map<string, Promise<boolean>>();
  /** Sessions rebuilt on a restarted server, with the lists whose change they are yet to hear of. */
  private readonly listChangedOwed = new Map<string, string[]>();

  constructor(
    private readonly options: Pick<FrontOptions, 'sessions' | 'upstreamTimeoutMs' | 'log'>,
    private readonly agent: http.Agent,
    private readonly maxSessions: number,
  ) {}

  /** The lists whose change `sid` is owed, taken: they go on the event stream opening now. */
  takeOwed(sid: string): string[] | undefined {
    const owed = this.listChangedOwed.get(sid);
    if (owed) this.listChangedOwed.delete(sid);
    return owed;
  }

  forget(sid: string): void {
    this.listChangedOwed.delete(sid);
  }

  /**
   * Rebuilds `sid` upstream once, however many requests found it gone at the same time. Returns
   * false when the upstream refused the replayed handshake: the client must start over.
   */
  recover(
    sid: string,
    session: FrontSession,
    failedUpstream: string | undefined,
    target: UpstreamAddress,
    path: string,
    clientHeaders: http.OutgoingHttpHeaders,
  ): Promise<boolean> {
    const running = this.recovering.get(sid);
    if (running) return running;
    // Another request already rebuilt it since this one was sent: just retry on the new id.
    if (session.upstream !== failedUpstream) return Promise.resolve(true);
    const attempt = (async () => {
      const result = await reinitialize(target, path, session, {
        timeoutMs: this.options.upstreamTimeoutMs,
        agent: this.agent,
        clientHeaders,
      });
      if (!result.ok) {
        this.options.log(`session ${shortId(sid)} could not be rebuilt: ${result.reason}`);
        return false;
      }
      session.upstream = result.upstream;
      session.epoch++;
      if (this.listChangedOwed.size >= this.maxSessions)
        for (const known of this.listChangedOwed.keys())
          if (!this.options.sessions.get(known)) this.listChangedOwed.delete(known);
      this.listChangedOwed.set(sid, [
        'tools',
        ...['prompts', 'resources'].filter((kind) => result.capabilities[kind] !== undefined),
      ]);
      this.options.sessions.changed(sid);
      this.options.log(`session ${shortId(sid)} rebuilt on the restarted server (epoch ${session.epoch})`);
      return true;
    })().finally(() => this.recovering.delete(sid));
    this.recovering.set(sid, attempt);
    return attempt;
  }
}
