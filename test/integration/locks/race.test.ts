import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { lockPathFor, processStartTime, readHolder } from '../../../src/core/locks';
import { bundleContender, Contender, makeTempRoot, startContender } from './support/contenders';

const CONTENDERS = 64;
const ROUNDS = 200;

/**
 * How the holder of one round leaves the lock for the next round. Every kind of predecessor is
 * raced for: a released lock, a holder killed with SIGKILL, a record naming a live pid with another
 * start time, and an old garbage record.
 */
type Handover = 'release' | 'sigkill' | 'reused-pid' | 'garbage';
const HANDOVERS: Handover[] = ['release', 'sigkill', 'reused-pid', 'garbage'];

describe('locks: 64 separate processes race for one identity', function () {
  this.timeout(900_000);
  const serverName = 'race';
  const resourceKey = '/data/race';
  let root: string;
  let dir: string;
  let bundle: string;
  let contenders: Contender[] = [];

  before(async () => {
    root = makeTempRoot('lg-race-');
    dir = path.join(root, 'locks');
    bundle = await bundleContender(root);
    contenders = await Promise.all(Array.from({ length: CONTENDERS }, () => startContender(bundle, dir, serverName, resourceKey)));
  });

  after(async () => {
    await Promise.all(contenders.map((c) => c.kill()));
    fs.rmSync(root, { recursive: true, force: true });
  });

  /** Writes `text` as the newest record, the way a writer that then vanished would have left it. */
  function plantNewest(text: string, ageMs: number): string {
    const lockPath = lockPathFor(dir, { serverName, resourceKey });
    const numbers = fs.readdirSync(lockPath).filter((n) => /^\d+\.json$/.test(n)).map((n) => Number(n.split('.')[0]));
    const file = path.join(lockPath, `${Math.max(0, ...numbers) + 1}.json`);
    fs.writeFileSync(file, text, { flag: 'wx' });
    const then = new Date(Date.now() - ageMs);
    fs.utimesSync(file, then, then);
    return file;
  }

  it(`exactly one holder in every one of ${ROUNDS} rounds, whatever the previous holder left behind`, async () => {
    const violations: string[] = [];
    const parentStart = await processStartTime();
    let expectTakeoverFrom: number | undefined;
    let expectReason: RegExp | undefined;
    const tally: Record<Handover, number> = { release: 0, sigkill: 0, 'reused-pid': 0, garbage: 0 };

    for (let round = 1; round <= ROUNDS; round++) {
      const at = Date.now() + 20;
      for (const c of contenders) c.send({ type: 'race', round, at });
      const results = await Promise.all(contenders.map((c) => c.next('result')));

      const winners = results.filter((r) => r.kind === 'acquired');
      const others = results.filter((r) => r.kind !== 'acquired');
      if (winners.length !== 1) {
        violations.push(`round ${round}: ${winners.length} holders (${winners.map((w) => w.pid).join(', ')})`);
      }
      const winner = winners[0];
      for (const r of others) {
        if (r.kind === 'error') violations.push(`round ${round}: contender ${r.pid} got an error: ${r.message}`);
        else if (r.kind === 'held' && winner && r.holder !== winner.pid) violations.push(`round ${round}: contender ${r.pid} was told ${r.holder} holds, not ${winner.pid}`);
      }
      if (!winner) break;
      if (winner.kind === 'acquired') {
        if (expectTakeoverFrom !== undefined && winner.tookOverFrom !== expectTakeoverFrom) violations.push(`round ${round}: took over from ${winner.tookOverFrom}, expected ${expectTakeoverFrom}`);
        if (expectReason && !expectReason.test(winner.takeoverReason ?? '')) violations.push(`round ${round}: takeover reason '${winner.takeoverReason}' does not match ${expectReason}`);
      }
      const onDisk = await readHolder({ dir, identity: { serverName, resourceKey } });
      if (onDisk.state !== 'live' || onDisk.record.pid !== winner.pid) violations.push(`round ${round}: the lock on disk says ${JSON.stringify(onDisk)}`);

      // Leave the lock to the next round in one of four ways.
      const holder = contenders.find((c) => c.pid === winner.pid);
      assert.ok(holder, `round ${round}: the winner ${winner.pid} is not one of ours`);
      const handover = HANDOVERS[round % HANDOVERS.length];
      tally[handover]++;
      expectTakeoverFrom = undefined;
      expectReason = undefined;
      if (handover === 'sigkill') {
        await holder.kill('SIGKILL');
        contenders = contenders.filter((c) => c !== holder);
        contenders.push(await startContender(bundle, dir, serverName, resourceKey));
        expectTakeoverFrom = holder.pid;
        expectReason = new RegExp(`pid ${holder.pid} (is gone|has exited)`);
      } else {
        holder.send({ type: 'release' });
        await holder.next('released');
        if (handover === 'reused-pid') {
          // The parent's own pid, alive, with a start time an hour off: a reused pid.
          plantNewest(JSON.stringify({ protocol: 1, pid: process.pid, startTime: parentStart - 3_600_000, serverName, resourceKey, command: ['gone'], cwd: '/', startedAt: '' }), 0);
          expectTakeoverFrom = process.pid;
          expectReason = /the pid was reused/;
        } else if (handover === 'garbage') {
          const file = plantNewest('{"protocol": 1, "pid": 12', 3_600_000);
          expectReason = new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} the record is not valid JSON`);
        }
      }
    }
    assert.deepEqual(violations, []);
    assert.deepEqual(tally, { release: ROUNDS / 4, sigkill: ROUNDS / 4, 'reused-pid': ROUNDS / 4, garbage: ROUNDS / 4 });
  });
});
