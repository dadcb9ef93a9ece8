import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { isAlive } from '../support/liveness';
import { sleep, until } from '../support/poll';
import { makeTempDir } from '../support/temp';
import { ScriptedGuard } from './scriptedGuard';

/** The resident memory of a pid, in MiB (Linux). */
function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : 0;
}

/**
 * A client that never reads its server's stderr (many never do), before the built guard and a
 * server that floods its stderr: the guard's memory stays bounded (what the client cannot take is
 * dropped and counted; the server log keeps its own bound), the relay goes on, and SIGTERM stops it
 * at once however much is waiting for the client.
 */
describe('reliability: a server that floods stderr before a client that does not read it', function () {
  this.timeout(180_000);
  let guard: ScriptedGuard | undefined;

  before(function () {
    if (process.platform !== 'linux') this.skip();
  });
  afterEach(async () => {
    await guard?.stop();
    guard = undefined;
  });

  async function flood(g: ScriptedGuard, mib: number): Promise<string> {
    const from = g.lines.length;
    g.request('tools/call', { name: 'stderr', arguments: { mib } });
    const [answer] = await g.linesAfter(from, 1, 120_000);
    return answer.toString('utf8');
  }

  it('300 MiB of stderr: the guard stays small, the relay goes on, and the client later hears how much it missed', async () => {
    guard = new ScriptedGuard(makeTempDir('lg-stderr-'), [], { readStderr: false });
    await guard.handshake();
    const pid = guard.child.pid!;
    const before = rssMiB(pid);
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, rssMiB(pid))), 50);
    try {
      assert.match(await flood(guard, 300), /wrote 300 MiB to stderr/);
    } finally {
      clearInterval(sampler);
    }
    // A guard holding the flood for the client reached 360-380 MiB; a bounded one stays near where it started.
    assert.ok(
      peak < before + 64,
      `the guard's resident memory: ${before.toFixed(0)} MiB before, ${peak.toFixed(0)} MiB at its peak`,
    );
    const { sent, received } = await guard.call((id) => [
      Buffer.from(`{"jsonrpc":"2.0","id":${id},"result":{"content":[]}}\n`),
    ]);
    assert.deepEqual(received[0], sent.subarray(0, -1));
    // The client reads at last: what waited, then one line saying how much was dropped.
    guard.readStderr();
    const said = await until(
      'the line about dropped stderr',
      () => /mcp-lifeguard: (\d+) bytes of the server's stderr were dropped/.exec(guard!.stderr),
      30_000,
    );
    assert.ok(Number(said[1]) > 250 * 1024 * 1024, said[0]);
  });

  it('SIGTERM after a flood the client never read: the guard and its server stop at once', async () => {
    guard = new ScriptedGuard(makeTempDir('lg-stderr-'), ['--stop-grace', '1'], { readStderr: false });
    await guard.handshake();
    assert.match(await flood(guard, 8), /wrote 8 MiB to stderr/);
    const serverPids = fs
      .readFileSync(`/proc/${guard.child.pid}/task/${guard.child.pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .map(Number);
    guard.child.kill('SIGTERM');
    // Bounded, not timed: with a 1 s stop grace the guard is gone in about a second; one that
    // waits for its client to read stderr never ends.
    await until(
      () => `the guard to exit after SIGTERM`,
      () => guard!.child.exitCode !== null || guard!.child.signalCode !== null,
      20_000,
      50,
    );
    for (const p of serverPids) await until(`server pid ${p} gone`, () => !isAlive(p), 10_000);
    await sleep(0);
  });
});
