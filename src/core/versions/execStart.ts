import type { VersionFs } from './fs';

/**
 * When a process began running the code it runs, where that is later than its start: `pipx run`
 * builds (or refreshes) its cached environment, writes `pipx_metadata.json` last, and then replaces
 * itself with the app (an exec keeps the pid and the start time of the `pipx` that began). Files of
 * that environment written up to then are what the app loaded, not a change under it.
 */
export async function execStart(
  argv: readonly string[] | undefined,
  startTime: number | undefined,
  stat: VersionFs['stat'],
): Promise<number | undefined> {
  if (startTime === undefined || !argv) return startTime;
  for (const token of argv) {
    const m = /^(.*[\\/]pipx[\\/]\.cache[\\/][^\\/]+)[\\/]bin[\\/]/.exec(token);
    if (!m) continue;
    const metadata = await stat(`${m[1]}/pipx_metadata.json`);
    // Written after the process started: this very process is the pipx that built it, then exec'd.
    if (metadata && metadata.mtimeMs > startTime) return metadata.mtimeMs;
    return startTime;
  }
  return startTime;
}
