import { PassThrough } from 'node:stream';
import { Guard, GuardOptions } from '../../../src/guard/stdioGuard';

/**
 * A guard run in the test's own process over in-memory pipes, with the timings the guard unit tests
 * share (60 s crash window, 2 s stop stages, 30 s drain and handshake); `overrides` win. Restarts
 * are not probed (`restartCheck: 'predict'`, the default): these tests time what a restart does to the session;
 * the probe before it is tested through the CLI (verifiedRestart.test.ts, eras.test.ts).
 */
export function inProcessGuard(
  o: { script: string; cwd: string; serverName: string; log(line: string): void },
  overrides: Partial<GuardOptions> = {},
): { guard: Guard; input: PassThrough; output: PassThrough } {
  const input = new PassThrough();
  const output = new PassThrough();
  const guard = new Guard({
    spec: { command: process.execPath, args: [o.script], cwd: o.cwd, env: { ...process.env } },
    serverName: o.serverName,
    input,
    output,
    log: o.log,
    crashLoop: { windowMs: 60_000, limit: 3 },
    restartCheck: 'predict',
    grace: { eofMs: 2000, termMs: 2000 },
    drainTimeoutMs: 30_000,
    initTimeoutMs: 30_000,
    ...overrides,
  });
  guard.start();
  return { guard, input, output };
}
