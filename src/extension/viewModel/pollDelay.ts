/**
 * How long the process poll waits, as vscode-docker's views do: the configured interval while a view
 * of the tree is visible and the window focused; slower while only the status bar shows (no row to
 * keep fresh; config files and installed packages are watched, so edits and upgrades still show at
 * once); slower again in a window the user is not in.
 */

/** While no view of the tree is visible, the poll waits at least this long. */
export const HIDDEN_POLL_MS = 30_000;
/** Unfocused windows poll this many times less often: the user is not looking at them. */
export const UNFOCUSED_FACTOR = 4;

export interface PollState {
  /** The configured interval (`mcpLifeguard.refreshInterval`). */
  intervalMs: number;
  focused: boolean;
  /** Whether any view of the tree is visible. */
  viewVisible: boolean;
  /** A verdict waits for an installer to finish, which no file event announces. */
  settling: boolean;
}

export function pollDelayMs(s: PollState, settlingRecheckMs: number): number {
  const shown = s.viewVisible ? s.intervalMs : Math.max(s.intervalMs, HIDDEN_POLL_MS);
  const delay = shown * (s.focused ? 1 : UNFOCUSED_FACTOR);
  return s.settling ? Math.min(delay, settlingRecheckMs) : delay;
}

/**
 * When the next poll runs, given when the last look ended: a change of state (a view shows, the
 * window is focused) that shortens the delay brings a look that is already due to now.
 */
export function nextPollInMs(lastLookEndedAt: number, now: number, delayMs: number): number {
  return Math.max(0, lastLookEndedAt + delayMs - now);
}
