import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readHolder } from '../../../src/core/locks';
import { bundleContender, Contender, makeTempRoot, startContender } from './support/contenders';
import type { FromContender } from './support/contender';

const CONTENDERS = 64;
const ROUNDS = 25;
const VICTIMS_PER_ROUND = 2;

/**
 * Contenders killed with SIGKILL at random moments of their acquisition (before, while or after
 * they link a record): whatever they leave behind, no two living processes ever believe they hold
 * the lock, and the one that does is the one the lock names.
 */
describe('locks: 64 processes race while some of them are killed mid-acquisition', function () {
  this.timeout(900_000);
  const identity = { serverName: 'race-kills', resourceKey: '/data/race-kills' };
  let root: string;
  let dir: string;
  let bundle: string;
  let contenders: Contender[] = [];

  before(async () => {
    root = makeTempRoot('lg-kill-');
    dir = path.join(root, 'locks');
    bundle = await bundleContender(root);
    contenders = await Promise.all(
      Array.from({ length: CONTENDERS }, () => startContender(bundle, dir, identity.serverName, identity.resourceKey)),
    );
  });

  after(async () => {
    await Promise.all(contenders.map((c) => c.kill()));
    fs.rmSync(root, { recursive: true, force: true });
  });

  it(`one believed holder, named by the lock, in every one of ${ROUNDS} rounds`, async () => {
    const violations: string[] = [];
    let killedHolders = 0;
    for (let round = 1; round <= ROUNDS; round++) {
      const at = Date.now() + 20;
      for (const c of contenders) c.send({ type: 'race', round, at });
      const victims = [...contenders].sort(() => Math.random() - 0.5).slice(0, VICTIMS_PER_ROUND);
      await Promise.all(
        victims.map(async (v) => {
          await new Promise((r) => setTimeout(r, Math.max(0, at - Date.now()) + Math.random() * 15));
          await v.kill('SIGKILL');
        }),
      );
      const survivors = contenders.filter((c) => !victims.includes(c));
      const results: Array<Extract<FromContender, { type: 'result' }>> = await Promise.all(
        survivors.map((c) => c.next('result')),
      );

      for (const r of results)
        if (r.kind === 'error') violations.push(`round ${round}: contender ${r.pid} got an error: ${r.message}`);
      const believers = results.filter((r) => r.kind === 'acquired').map((r) => r.pid);
      const onDisk = await readHolder({ dir, identity });
      if (believers.length > 1)
        violations.push(`round ${round}: ${believers.length} living processes hold the lock (${believers.join(', ')})`);
      if (believers.length === 1 && (onDisk.state !== 'live' || onDisk.record.pid !== believers[0]))
        violations.push(`round ${round}: ${believers[0]} holds but the lock says ${JSON.stringify(onDisk)}`);
      if (believers.length === 0) {
        // Every survivor saw a victim holding; the victim is dead now, and the lock says so.
        killedHolders++;
        if (onDisk.state !== 'dead' || !victims.some((v) => v.pid === onDisk.record.pid))
          violations.push(`round ${round}: nobody holds but the lock says ${JSON.stringify(onDisk)}`);
      }

      const holder = survivors.find((c) => c.pid === believers[0]);
      if (holder) {
        holder.send({ type: 'release' });
        await holder.next('released');
      }
      contenders = [
        ...survivors,
        ...(await Promise.all(
          victims.map(() => startContender(bundle, dir, identity.serverName, identity.resourceKey)),
        )),
      ];
    }
    assert.deepEqual(violations, []);
    // Not a requirement, but the rounds should not all be the same case.
    assert.ok(killedHolders < ROUNDS, 'every round ended with a killed holder');
  });
});
