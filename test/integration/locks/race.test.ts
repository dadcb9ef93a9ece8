import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { lockPathFor, processStartTime, readHolder } from '../../../src/core/locks';
import { bundleContender, Contender, makeTempRoot, startContender, startPyContender } from './support/contenders';

const CONTENDERS = 64;

/**
 * How the holder of one round leaves the lock for the next round. Every kind of predecessor is
 * raced for: a released lock, a holder killed with SIGKILL, a record naming a live pid with another
 * start time, and an old garbage record.
 */
type Handover = 'release' | 'sigkill' | 'reused-pid' | 'garbage';
const HANDOVERS: Handover[] = ['release', 'sigkill', 'reused-pid', 'garbage'];

interface Scenario {
  title: string;
  rounds: number;
  /**
   * How much later than the common moment a contender starts in a round. In the mixed race a third
   * of the rounds gives Node a head start and a third gives Python one, each far beyond what a busy
   * machine delays a process by (a few ms of head start once let one language win all 60 rounds
   * under load), so both languages win rounds; the other third is an even race.
   */
  delayMs(language: 'node' | 'python', round: number): number;
  /** Starts contender number `i` (0-based); a contender killed in a round is replaced by one of the same kind. */
  start(i: number, bundle: string, dir: string): Promise<Contender>;
}

const SERVER_NAME = 'race';
const RESOURCE_KEY = '/data/race';

const SCENARIOS: Scenario[] = [
  {
    title: `${CONTENDERS} Node processes, 200 rounds`,
    rounds: 200,
    delayMs: () => 0,
    start: (_i, bundle, dir) => startContender(bundle, dir, SERVER_NAME, RESOURCE_KEY),
  },
  {
    title: `${CONTENDERS / 2} Node and ${CONTENDERS / 2} Python processes, 60 rounds`,
    rounds: 60,
    delayMs: (language, round) =>
      round % 3 === 0 ? (language === 'python' ? 150 : 0) : round % 3 === 1 ? (language === 'node' ? 150 : 0) : 0,
    start: (i, bundle, dir) =>
      i % 2 === 0
        ? startContender(bundle, dir, SERVER_NAME, RESOURCE_KEY)
        : startPyContender(dir, SERVER_NAME, RESOURCE_KEY),
  },
];

for (const scenario of SCENARIOS) {
  describe(`locks: ${scenario.title} race for one identity`, function () {
    this.timeout(900_000);
    const serverName = SERVER_NAME;
    const resourceKey = RESOURCE_KEY;
    const ROUNDS = scenario.rounds;
    let root: string;
    let dir: string;
    let bundle: string;
    let contenders: Array<{ c: Contender; slot: number }> = [];

    before(async () => {
      root = makeTempRoot('lg-race-');
      dir = path.join(root, 'locks');
      bundle = await bundleContender(root);
      contenders = await Promise.all(
        Array.from({ length: CONTENDERS }, async (_, slot) => ({ c: await scenario.start(slot, bundle, dir), slot })),
      );
    });

    after(async () => {
      await Promise.all(contenders.map(({ c }) => c.kill()));
      fs.rmSync(root, { recursive: true, force: true });
    });

    /** Writes `text` as the newest record, the way a writer that then vanished would have left it. */
    function plantNewest(text: string, ageMs: number): string {
      const lockPath = lockPathFor(dir, { serverName, resourceKey });
      const numbers = fs
        .readdirSync(lockPath)
        .filter((n) => /^\d+\.json$/.test(n))
        .map((n) => Number(n.split('.')[0]));
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
      const wins = { node: 0, python: 0 };

      for (let round = 1; round <= ROUNDS; round++) {
        const at = Date.now() + 20;
        for (const { c } of contenders) c.send({ type: 'race', round, at: at + scenario.delayMs(c.language, round) });
        const results = await Promise.all(contenders.map(({ c }) => c.next('result')));

        const winners = results.filter((r) => r.kind === 'acquired');
        const others = results.filter((r) => r.kind !== 'acquired');
        if (winners.length !== 1) {
          violations.push(`round ${round}: ${winners.length} holders (${winners.map((w) => w.pid).join(', ')})`);
        }
        const winner = winners[0];
        for (const r of others) {
          if (r.kind === 'error') violations.push(`round ${round}: contender ${r.pid} got an error: ${r.message}`);
          else if (r.kind === 'held' && winner && r.holder !== winner.pid)
            violations.push(`round ${round}: contender ${r.pid} was told ${r.holder} holds, not ${winner.pid}`);
        }
        if (!winner) break;
        if (winner.kind === 'acquired') {
          if (
            expectTakeoverFrom !== undefined &&
            winner.tookOverFrom !== undefined &&
            winner.tookOverFrom !== expectTakeoverFrom
          )
            violations.push(`round ${round}: took over from ${winner.tookOverFrom}, expected ${expectTakeoverFrom}`);
          if (expectReason && !expectReason.test(winner.takeoverReason ?? ''))
            violations.push(
              `round ${round}: takeover reason '${winner.takeoverReason}' does not match ${expectReason}`,
            );
          if (!expectReason && winner.takeoverReason)
            violations.push(`round ${round}: took over from a released lock: '${winner.takeoverReason}'`);
        }
        const onDisk = await readHolder({ dir, identity: { serverName, resourceKey } });
        if (onDisk.state !== 'live' || onDisk.record.pid !== winner.pid)
          violations.push(`round ${round}: the lock on disk says ${JSON.stringify(onDisk)}`);

        // Leave the lock to the next round in one of four ways.
        const entry = contenders.find(({ c }) => c.pid === winner.pid);
        assert.ok(entry, `round ${round}: the winner ${winner.pid} is not one of ours`);
        const holder = entry.c;
        wins[holder.language]++;
        const handover = HANDOVERS[round % HANDOVERS.length];
        tally[handover]++;
        expectTakeoverFrom = undefined;
        expectReason = undefined;
        if (handover === 'sigkill') {
          await holder.kill('SIGKILL');
          contenders = contenders.filter((e) => e !== entry);
          contenders.push({ c: await scenario.start(entry.slot, bundle, dir), slot: entry.slot });
          expectTakeoverFrom = holder.pid;
          expectReason = new RegExp(`pid ${holder.pid} (is gone|has exited)`);
        } else {
          holder.send({ type: 'release' });
          await holder.next('released');
          if (handover === 'reused-pid') {
            // The parent's own pid, alive, with a start time an hour off: a reused pid.
            plantNewest(
              JSON.stringify({
                protocol: 1,
                pid: process.pid,
                startTime: parentStart - 3_600_000,
                serverName,
                resourceKey,
                command: ['gone'],
                cwd: '/',
                startedAt: '',
              }),
              0,
            );
            expectTakeoverFrom = process.pid;
            expectReason = /the pid was reused/;
          } else if (handover === 'garbage') {
            const file = plantNewest('{"protocol": 1, "pid": 12', 3_600_000);
            expectReason = new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} the record is not valid JSON`);
          }
        }
      }
      assert.deepEqual(violations, []);
      assert.deepEqual(tally, {
        release: ROUNDS / 4,
        sigkill: ROUNDS / 4,
        'reused-pid': ROUNDS / 4,
        garbage: ROUNDS / 4,
      });
      // Where both languages contend, each must have won rounds against the other.
      if (contenders.some(({ c }) => c.language === 'python'))
        assert.ok(wins.python > 0 && wins.node > 0, `one language won every round: ${JSON.stringify(wins)}`);
    });
  });
}
