/**
 * One contender process for the lock tests: it races for the lock when the parent says so and
 * reports what happened over IPC. Bundled to plain JavaScript before the tests run (see
 * contenders.ts), so 64 of them start quickly.
 */
import { acquireLock, processStartTime } from '../../../../src/core/locks';
import type { HeldLock } from '../../../../src/core/locks';

/**
 * `straggle`: this acquisition stops its own process (SIGSTOP) right before it links its record, as a
 * contender the scheduler leaves behind would be stopped, until the parent sends SIGCONT.
 */
export type ToContender = { type: 'race'; round: number; at: number; straggle?: boolean } | { type: 'release' };
export type FromContender =
  | { type: 'ready'; pid: number }
  | { type: 'result'; round: number; pid: number; kind: 'acquired'; tookOverFrom?: number; takeoverReason?: string }
  | { type: 'result'; round: number; pid: number; kind: 'held'; holder: number }
  | { type: 'result'; round: number; pid: number; kind: 'error'; message: string }
  | { type: 'released'; pid: number };

const [dir, serverName, resourceKey] = process.argv.slice(2);
let held: HeldLock | undefined;
let straggle = false;

// The lock's writer links through the fs module's own linkSync (read at each call), so a straggler
// is stopped between deciding on its record's number and creating it: the moment the protocol's
// "newer record wins" check is for.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const nodeFs = require('node:fs') as typeof import('node:fs');
const linkSync = nodeFs.linkSync;
nodeFs.linkSync = (existing, target) => {
  if (straggle) {
    straggle = false;
    process.kill(process.pid, 'SIGSTOP');
  }
  linkSync(existing, target);
};

function send(msg: FromContender): void {
  process.send?.(msg);
}

async function main(): Promise<void> {
  const startTime = await processStartTime();
  process.on('message', (msg: ToContender) => {
    void (async () => {
      if (msg.type === 'race') {
        // The parent names a moment slightly ahead, so every contender starts at (almost) the same time.
        const wait = msg.at - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        straggle = msg.straggle === true;
        const record = {
          pid: process.pid,
          startTime,
          command: process.argv,
          cwd: process.cwd(),
          startedAt: new Date().toISOString(),
          holder: 'contender',
        };
        const result = await acquireLock({ dir, identity: { serverName, resourceKey }, record });
        if (result.kind === 'acquired') {
          held = result.lock;
          send({
            type: 'result',
            round: msg.round,
            pid: process.pid,
            kind: 'acquired',
            tookOverFrom: result.tookOverFrom?.pid,
            takeoverReason: result.takeoverReason,
          });
        } else if (result.kind === 'held') {
          send({ type: 'result', round: msg.round, pid: process.pid, kind: 'held', holder: result.holder.pid });
        } else {
          send({ type: 'result', round: msg.round, pid: process.pid, kind: 'error', message: result.message });
        }
      } else if (msg.type === 'release') {
        await held?.release();
        held = undefined;
        send({ type: 'released', pid: process.pid });
      }
    })().catch((err: unknown) => {
      process.stderr.write(`contender ${process.pid}: ${String((err as Error)?.stack ?? err)}\n`);
      process.exit(3);
    });
  });
  // The parent went away (or ended the test): never outlive it.
  process.on('disconnect', () => process.exit(0));
  send({ type: 'ready', pid: process.pid });
}

void main();
