import { thisMachine } from '../../src/core/machine/live';
import { readProcessIdentity } from '../../src/core/pids/identity';
import { startLagMs } from '../../src/core/pids/startLag';
import { START_SLACK_MS } from '../../src/core/versions/inferLoaded';
import { CLOCK_SLACK_MS } from '../../src/core/versions/clockSlack';
import { PIPX_START_SLACK_MS } from '../../src/core/versions/pipxLog';

/**
 * Waits until a file written now is judged written after a process that started at `startTime`
 * (its recorded start): the engine takes the latest moment the process may have begun (the boot
 * time's dropped fraction of a second, pids/startLag.ts) plus CLOCK_SLACK_MS, so a test that edits
 * sooner would see its edit taken for code the process loaded.
 */
export async function pastJudgedStart(startTime: number | undefined): Promise<void> {
  const wait = (startTime ?? Date.now()) + (await startLagMs(thisMachine())) + CLOCK_SLACK_MS + 300 - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
}

/**
 * Waits until a package manager's record made now (npm's cache fetching a tarball, uv's cache
 * unpacking a wheel, a pipx log's run) is told from a process that started at `startTime` (its
 * recorded start): a first look counts one made within START_SLACK_MS (PIPX_START_SLACK_MS) of the
 * latest moment the process may have begun as made before it, so an upgrade sooner would read as
 * what it loaded.
 */
export async function pastFirstLookHorizon(startTime: number | undefined): Promise<void> {
  const slack = Math.max(START_SLACK_MS, PIPX_START_SLACK_MS);
  const wait = (startTime ?? Date.now()) + (await startLagMs(thisMachine())) + slack + 300 - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
}

/** The recorded start (ms) of a process of this machine, as the engine reads it. */
export async function startTimeOf(pid: number): Promise<number> {
  const id = await readProcessIdentity(pid, thisMachine());
  if (!id) throw new Error(`process ${pid} is not running`);
  return id.startTime;
}
