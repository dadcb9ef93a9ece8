import type { Machine } from '../machine/types';
import { linuxBootTime } from './identity';

/**
 * How much later than its recorded start time a process may really have begun. Start times are the
 * boot time plus the ticks since boot, and Linux gives the boot time in whole seconds (/proc/stat
 * `btime`, truncated): every start time of a boot reads early by the same fraction of a second,
 * which /proc/uptime (hundredths) tells. A file written half a second after a server started would
 * otherwise look older than the server. macOS' and the BSDs' `ps -o lstart` are whole seconds too
 * (truncated); Windows gives its creation time to the microsecond.
 *
 * Only verdicts about what a process loaded use it: the recorded start time stays the identity
 * (compared between processes, which would each read the fraction a few milliseconds apart).
 */
export async function startLagMs(machine: Machine): Promise<number> {
  const platform = machine.host.platform;
  if (platform === 'win32') return 0;
  if (platform !== 'linux') return WHOLE_SECOND;
  // A fact of the boot: worked out once per Machine (and kept with a capture's record).
  return machine.once('linux.startLag', () => {
    try {
      const boot = linuxBootTime(machine);
      const uptime = parseUptimeSeconds(machine.fs.readTextSync('/proc/uptime') ?? '');
      if (uptime === undefined) return WHOLE_SECOND;
      return bootFractionMs(boot, uptime, machine.now());
    } catch {
      return WHOLE_SECOND;
    }
  });
}

const WHOLE_SECOND = 1000;
/** /proc/uptime and the start ticks are both counted in hundredths, truncated. */
const TICK_MS = 10;

/** The first field of /proc/uptime: seconds since boot, in hundredths. */
export function parseUptimeSeconds(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s/.exec(text);
  return m ? Number(m[1]) : undefined;
}

/**
 * The part of a second `btime` dropped: now minus the uptime is the boot to the hundredth. Outside
 * [0, 1 s) (the wall clock stepped between the reads) the whole second is assumed.
 */
export function bootFractionMs(btimeSeconds: number, uptimeSeconds: number, nowMs: number): number {
  const fraction = nowMs - uptimeSeconds * 1000 - btimeSeconds * 1000;
  if (!Number.isFinite(fraction) || fraction < -TICK_MS || fraction > WHOLE_SECOND + TICK_MS) return WHOLE_SECOND;
  return Math.min(WHOLE_SECOND, Math.max(0, Math.round(fraction)) + 2 * TICK_MS);
}
