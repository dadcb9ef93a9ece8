import { OwnAction } from './viewModel/notifications';

/** How many ended restarts are kept: the downs they caused may show a snapshot or two after their result. */
const ENDED_KEPT = 20;

/**
 * The actions this window has under way whose consequences their own result says (an install's
 * package events, a restart's server going down): the notifier leaves those events to them. When
 * one ends, the notifier is told first, so the events it made are marked as said before it lets go.
 * An ended restart stays, with when it ran: a down that began while it ran is its result's even
 * when it shows after it (an install's late events are claimed before it runs).
 */
export class OwnActions {
  private readonly held = new Map<OwnAction, number>();
  private ended: OwnAction[] = [];
  private readonly ending: Array<(action: OwnAction) => void> = [];

  constructor(private readonly now: () => number = Date.now) {}

  /** Holds `action` until the returned function is called (once its result is known). */
  hold(action: OwnAction): () => void {
    this.held.set(action, this.now());
    return () => {
      const from = this.held.get(action);
      if (from === undefined) return;
      for (const listener of this.ending) listener(action);
      this.held.delete(action);
      if (action.kind === 'restart')
        this.ended = [...this.ended, { ...action, ended: { from, to: this.now() } }].slice(-ENDED_KEPT);
    };
  }

  active(): OwnAction[] {
    return [...this.held.keys(), ...this.ended];
  }

  onEnding(listener: (action: OwnAction) => void): void {
    this.ending.push(listener);
  }
}
