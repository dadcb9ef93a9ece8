import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { lockPathFor, processStartTime, readHolder } from '../../../src/core/locks';
import { until } from '../../support/poll';
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
  /** Whether contender number `i` is a Node one (taken from the Node processes the file starts once). */
  node(i: number): boolean;
  /**
   * Rounds in which a Node contender is stopped right before it links its record and let go only
   * after the next round's winner holds the lock (see `straggle`).
   */
  straggles(round: number): boolean;
}

const SERVER_NAME = 'race';
const RESOURCE_KEY = '/data/race';

const SCENARIOS: Scenario[] = [
  {
    title: `${CONTENDERS} Node processes, 100 rounds`,
    rounds: 100,
    delayMs: () => 0,
    start: (_i, bundle, dir) => startContender(bundle, dir, SERVER_NAME, RESOURCE_KEY),
    node: () => true,
    straggles: (round) => round % 10 === 5,
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
    node: (i) => i % 2 === 0,
    straggles: () => false,
  },
];

/** Whether a process is stopped (SIGSTOP): state T in /proc/PID/stat. */
function stopped(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('T');
  } catch {
    return false;
  }
}

describe(`locks: ${CONTENDERS} processes race for one identity`, function () {
  // One bundle and one set of 64 Node contenders for both races (a Node start is most of a contender's cost).
  let root: string;
  let dir: string;
  let bundle: string;
  let pool: Contender[] = [];

  before(async function () {
    this.timeout(300_000);
    root = makeTempRoot('lg-race-');
    dir = path.join(root, 'locks');
    bundle = await bundleContender(root);
    pool = await Promise.all(
      Array.from({ length: CONTENDERS }, () => startContender(bundle, dir, SERVER_NAME, RESOURCE_KEY)),
    );
  });

  after(async () => {
    await Promise.all(pool.map((c) => c.kill()));
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  for (const scenario of SCENARIOS) {
    describe(`${scenario.title}`, function () {
      this.timeout(900_000);
      const serverName = SERVER_NAME;
      const resourceKey = RESOURCE_KEY;
      const ROUNDS = scenario.rounds;
      let contenders: Array<{ c: Contender; slot: number }> = [];

      before(async () => {
        // The Node slots take processes of the file's set; the rest start now.
        const nodes = pool.filter((c) => c.child.exitCode === null && c.child.signalCode === null);
        contenders = await Promise.all(
          Array.from({ length: CONTENDERS }, async (_, slot) => ({
            c: scenario.node(slot) && nodes.length > 0 ? nodes.shift()! : await scenario.start(slot, bundle, dir),
            slot,
          })),
        );
        await Promise.all(nodes.map((c) => c.kill()));
        pool = [];
      });

      after(async () => {
        // Kept for the next race: the Node contenders that are not stopped (a straggler left stopped by a failure goes).
        const keep = contenders.filter(({ c }) => c.language === 'node' && !stopped(c.pid)).map(({ c }) => c);
        await Promise.all(contenders.filter(({ c }) => !keep.includes(c)).map(({ c }) => c.kill()));
        pool = keep;
      });

      /** Writes `text` as the newest record, the way a writer that then vanished would have left it. */
      function plantNewest(text: string, ageMs: number): string {
        const lockPath = lockPathFor(dir, { serverName, resourceKey }, path);
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

        /**
         * A contender stopped right before it links record N+1, N the newest it judged free: while it
         * waits, this round's winner creates N+1 and the next round's winner N+2, removing N+1. When it
         * goes on, its link of N+1 succeeds; it must then see that N+2 is newer, withdraw, and find the
         * lock held by the next round's winner.
         */
        let straggler: { entry: { c: Contender; slot: number }; round: number } | undefined;
        let straggles = 0;

        for (let round = 1; round <= ROUNDS; round++) {
          if (!straggler && round < ROUNDS && scenario.straggles(round)) {
            const entry = contenders[round % contenders.length];
            entry.c.send({ type: 'race', round, at: Date.now(), straggle: true });
            await until(
              `contender ${entry.c.pid} to stop before it links`,
              () => stopped(entry.c.pid) || entry.c.has('result'),
              30_000,
            );
            if (stopped(entry.c.pid)) {
              straggler = { entry, round };
              straggles++;
            } else {
              // Alone against a free lock, it created no record (or not by link): it should have won.
              const r = await entry.c.next('result');
              violations.push(
                `round ${round}: alone against a free lock, a contender linked nothing: ${JSON.stringify(r)}`,
              );
              if (r.kind === 'acquired') {
                entry.c.send({ type: 'release' });
                await entry.c.next('released');
              }
            }
          }
          const racing = contenders.filter((e) => e !== straggler?.entry);
          const at = Date.now() + 20;
          for (const { c } of racing) c.send({ type: 'race', round, at: at + scenario.delayMs(c.language, round) });
          const results = await Promise.all(racing.map(({ c }) => c.next('result')));

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
          if (straggler && straggler.round < round) {
            const { c } = straggler.entry;
            process.kill(c.pid, 'SIGCONT');
            const late = await c.next('result');
            if (late.kind !== 'held' || late.holder !== winner.pid)
              violations.push(
                `round ${round}: the straggler of round ${straggler.round}, let go while ${winner.pid} holds, says ${JSON.stringify(late)}`,
              );
            straggler = undefined;
          }

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
        assert.equal(
          straggles,
          Array.from({ length: ROUNDS - 1 }, (_, i) => scenario.straggles(i + 1)).filter(Boolean).length,
        );
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
});
