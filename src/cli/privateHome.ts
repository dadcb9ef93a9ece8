import type { LifeguardPaths } from '../core/base/paths';
import { ensurePrivateHome, PrivateDirError } from '../core/machine/privateFs';

/**
 * Whether a guard command may start: it creates (0700) and checks our folders first, and a guard
 * without private folders does not start (another user could fake or remove its lock, or redirect
 * its files). Says why, naming the folder, and returns false.
 */
export function privateHomeReady(paths: LifeguardPaths, log: (line: string) => void): boolean {
  try {
    ensurePrivateHome(paths);
    return true;
  } catch (err) {
    if (!(err instanceof PrivateDirError)) throw err;
    log(`refusing to start: ${err.message}`);
    return false;
  }
}
