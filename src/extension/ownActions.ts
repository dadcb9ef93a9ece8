import { OwnAction } from './viewModel/notifications';

/**
 * The actions this window has under way whose consequences their own result says (an install's
 * package events, a restart's server going down): the notifier leaves those events to them. When
 * one ends, the notifier is told first, so the events it made are marked as said before it lets go.
 */
export class OwnActions {
  private readonly held = new Set<OwnAction>();
  private readonly ending: Array<(action: OwnAction) => void> = [];

  /** Holds `action` until the returned function is called (once its result is known). */
  hold(action: OwnAction): () => void {
    this.held.add(action);
    return () => {
      if (!this.held.has(action)) return;
      for (const listener of this.ending) listener(action);
      this.held.delete(action);
    };
  }

  active(): OwnAction[] {
    return [...this.held];
  }

  onEnding(listener: (action: OwnAction) => void): void {
    this.ending.push(listener);
  }
}
