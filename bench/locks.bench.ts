/**
 * The lock protocol's costs: acquiring a free lock, being told a lock is held, and taking a lock
 * over after its holder was killed with SIGKILL (target: under 100 ms).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { acquireLock, processStartTime } from '../src/core/locks';
import { bundleContender, startContender } from '../test/integration/locks/support/contenders';
import type { BenchReport } from './run';

const ACQUIRES = 1000;
const TAKEOVERS = 30;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export async function run(report: BenchReport): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lg-bench-'));
  const dir = path.join(root, 'locks');
  try {
    const startTime = await processStartTime();
    const record = { pid: process.pid, startTime, command: ['bench'], cwd: root, startedAt: new Date().toISOString() };
    const identity = { serverName: 'bench', resourceKey: '/data/bench' };

    const acquire: number[] = [];
    const held: number[] = [];
    for (let i = 0; i < ACQUIRES; i++) {
      const t0 = performance.now();
      const result = await acquireLock({ dir, identity, record });
      acquire.push(performance.now() - t0);
      if (result.kind !== 'acquired') throw new Error(`expected to acquire a free lock: ${JSON.stringify(result)}`);
      const t1 = performance.now();
      const second = await acquireLock({ dir, identity, record });
      held.push(performance.now() - t1);
      if (second.kind !== 'held') throw new Error(`expected 'held': ${JSON.stringify(second)}`);
      await result.lock.release();
    }
    acquire.sort((a, b) => a - b);
    held.sort((a, b) => a - b);
    report.figure(`acquire a free lock p50 (${ACQUIRES} runs)`, percentile(acquire, 50), 'ms');
    report.figure('acquire a free lock p99', percentile(acquire, 99), 'ms');
    report.figure("told 'held' by a live holder p50", percentile(held, 50), 'ms');

    // Takeover: from the SIGKILL to our acquisition, polling as a launcher would.
    const bundle = await bundleContender(root);
    const takeover: number[] = [];
    for (let i = 0; i < TAKEOVERS; i++) {
      const holder = await startContender(bundle, dir, identity.serverName, identity.resourceKey);
      holder.send({ type: 'race', round: i, at: 0 });
      const won = await holder.next('result');
      if (won.kind !== 'acquired') throw new Error(`the holder did not acquire: ${JSON.stringify(won)}`);
      const t0 = performance.now();
      holder.child.kill('SIGKILL');
      for (;;) {
        const result = await acquireLock({ dir, identity, record });
        if (result.kind === 'acquired') {
          takeover.push(performance.now() - t0);
          await result.lock.release();
          break;
        }
        if (result.kind === 'error') throw new Error(result.message);
      }
      await holder.exited;
    }
    takeover.sort((a, b) => a - b);
    report.figure(`take over after SIGKILL p50 (${TAKEOVERS} runs)`, percentile(takeover, 50), 'ms');
    report.figure('take over after SIGKILL max', takeover[takeover.length - 1], 'ms');
    report.ratio('take over after SIGKILL p50 / 100 ms target', percentile(takeover, 50) / 100, { max: 1 });
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}
