import { SETTLE_ENV_VAR } from '../../src/core/versions/engineCore';

/**
 * The quiet period tests give the engine after a change (the product's is settling.ts SETTLE_MS, 4 s):
 * long enough for a snapshot taken right after a write to see it settling, short enough that a test
 * waits it out in half a second instead of five. Set through the host env, as the CLI and the guard
 * read it (`MCP_LIFEGUARD_SETTLE_MS`).
 */
export const TEST_SETTLE_MS = 500;

/** The environment that gives an engine, the CLI or a guard the tests' quiet period. */
export const testSettleEnv: Readonly<Record<string, string>> = { [SETTLE_ENV_VAR]: String(TEST_SETTLE_MS) };

/**
 * Waits until a change whose files were last written at `writtenAt` (ms; a moment after the writer
 * returned is safe) is past the tests' quiet period: a snapshot now judges it, or says what else
 * holds it. A wait on the clock, bounded by TEST_SETTLE_MS.
 */
export async function pastQuietPeriod(writtenAt: number): Promise<void> {
  const wait = writtenAt + TEST_SETTLE_MS + 100 - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
}
