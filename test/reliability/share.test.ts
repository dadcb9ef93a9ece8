import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fixturesDir } from '../support/repo';
import { sleep } from '../support/poll';
import { controlStatus } from '../../src/core/control';
import { connectGuarded, GuardedClient, liveRecords, runCli, tempHome, textOf } from '../integration/guard/support';
import { noneLeftThenRemove } from '../integration/guard/erasSupport';

const shareServer = [process.execPath, path.join(fixturesDir, 'guard', 'share-server.mjs')];

/** The command lines of the processes started for `home` other than guards (the servers, and any helper they run). */
function othersOf(home: string): string[] {
  const marker = `MCP_LIFEGUARD_HOME=${home}\0`;
  const found: string[] = [];
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (!fs.readFileSync(`/proc/${pid}/environ`, 'utf8').includes(marker)) continue;
      const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!/cli\.js\0(run|restart)\0/.test(cmdline)) found.push(`${pid} ${cmdline.replace(/\0/g, ' ')}`);
    } catch {
      continue;
    }
  }
  return found;
}

/** A seeded generator, so a failing run can be read again. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('reliability: clients attaching and leaving a shared server (`run --on-conflict share`)', function () {
  this.timeout(240_000);
  let home: string;
  const clients: GuardedClient[] = [];

  beforeEach(() => {
    home = tempHome();
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) await c.client.close().catch(() => undefined);
    await noneLeftThenRemove(home);
  });

  it('16 clients at most, joining and leaving at random over 1,000 calls and 5 restarts: every call answered to its caller, never two servers', async () => {
    const seed = Date.now() % 100_000;
    const rnd = random(seed);
    const connect = async () => {
      const c = await connectGuarded(home, ['--on-conflict', 'share', '--name', 'rel', '--', ...shareServer]);
      clients.push(c);
      return c;
    };
    await connect();
    await connect();
    let most: string[] = [];
    const helpers = new Set<string>();
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        // The server processes: a helper another command runs with the test's home (a restart's) is not one.
        const all = othersOf(home);
        const seen = all.filter((c) => c.includes('share-server.mjs'));
        for (const c of all) if (!seen.includes(c)) helpers.add(c.replace(/^\d+ /, ''));
        if (seen.length > most.length) most = seen;
        await sleep(20);
      }
    })();
    let calls = 0;
    let peak = 0;
    const answered: string[] = [];
    const restarts: Promise<void>[] = [];
    const worker = async (w: number) => {
      while (calls < 1000) {
        const n = calls++;
        if (n > 0 && n % 170 === 0 && restarts.length < 5)
          restarts.push(
            runCli(home, ['restart', 'rel']).then((r) => assert.equal(r.code, 0, `seed ${seed}: ${r.stderr}`)),
          );
        const roll = rnd();
        if (roll < 0.08 && clients.length < 16) {
          await connect();
          peak = Math.max(peak, clients.length);
        } else if (roll < 0.14 && clients.length > 2) {
          // Leaves at random, the first client (which started the share host) included.
          const [gone] = clients.splice(Math.floor(rnd() * clients.length), 1);
          await gone.client.close();
        }
        const c = clients[Math.floor(rnd() * clients.length)];
        const text = `w${w}-${n}`;
        try {
          const got = textOf(await c.client.callTool({ name: 'echo', arguments: { text } }));
          assert.equal(got.split(':')[1], text, `seed ${seed}: call ${text} answered with ${got}`);
          answered.push(text);
        } catch (err) {
          // Only a client another worker closed under this call may fail it; a live one never.
          if (clients.includes(c)) throw new Error(`seed ${seed}: call ${text} failed: ${(err as Error).message}`);
        }
      }
    };
    try {
      await Promise.all([0, 1, 2, 3].map(worker));
      await Promise.all(restarts);
    } finally {
      sampling = false;
      await sampler;
    }
    assert.ok(answered.length >= 900, `seed ${seed}: ${answered.length} calls answered`);
    if (helpers.size > 0) console.log(`other processes seen: ${[...helpers].join('; ')}`);
    assert.equal(most.length, 1, `seed ${seed}: at most one server process at any sample: ${most.join('; ')}`);
    assert.ok(peak >= 8, `seed ${seed}: at most ${peak} clients at once`);
    const [record] = await liveRecords(home);
    const status = await controlStatus(record.control!);
    assert.ok(status.ok && status.result.restarts === 5, `seed ${seed}: ${JSON.stringify(status)}`);
    // Every client still attached works after it all.
    for (const c of clients)
      assert.match(textOf(await c.client.callTool({ name: 'echo', arguments: { text: 'end' } })), /:end$/);
  });
});
