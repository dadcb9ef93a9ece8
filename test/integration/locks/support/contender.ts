/**
 * One contender process for the lock tests: it races for the lock when the parent says so and
 * reports what happened over IPC. Bundled to plain JavaScript before the tests run (see
 * contenders.ts), so 64 of them start quickly.
 */
import { acquireLock, processStartTime } from '../../../../src/core/locks';
import type { HeldLock } from '../../../../src/core/locks';

export type ToContender = { type: 'race'; round: number; at: number } | { type: 'release' };
export type FromContender =
  | { type: 'ready'; pid: number }
  | { type: 'result'; round: number; pid: number; kind: 'acquired'; tookOverFrom?: number; takeoverReason?: string }
  | { type: 'result'; round: number; pid: number; kind: 'held'; holder: number }
  | { type: 'result'; round: number; pid: number; kind: 'error'; message: string }
  | { type: 'released'; pid: number };

const [dir, serverName, resourceKey] = process.argv.slice(2);
let held: HeldLock | undefined;

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
