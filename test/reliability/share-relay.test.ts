import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isAlive } from '../support/liveness';
import { sleep } from '../support/poll';
import { fixturesDir } from '../support/repo';
import { makeTempDir } from '../support/temp';
import { liveRecords } from '../integration/guard/support';
import { noneLeftThenRemove, processesOf } from '../integration/guard/erasSupport';
import { isObject, nested, ShareRelay } from '../integration/guard/shareRelay';
import { random } from './relayCases';
import { ID_PLACEHOLDER, ShareCase, shareCase, ShareCaseKind } from './shareCases';

/** The fuzz's size and seed: MCP_LIFEGUARD_FUZZ_CASES and MCP_LIFEGUARD_FUZZ_SEED run another (a failure names its seed). */
const CASES = Number(process.env.MCP_LIFEGUARD_FUZZ_CASES) || 1_000;
const SEED = Number(process.env.MCP_LIFEGUARD_FUZZ_SEED) || 20_261_124;
const CLIENTS = ['c1', 'c2', 'c3'];

/** What a client read, line after line, skipping notifications (a shared server's log messages reach every client). */
class Inbox {
  private at = 0;

  constructor(readonly relay: ShareRelay) {}

  async next(what: string, timeoutMs = 60_000): Promise<{ bytes: Buffer; value: unknown }> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      while (this.at < this.relay.lines.length) {
        const bytes = this.relay.lines[this.at++];
        let value: unknown;
        try {
          value = JSON.parse(bytes.toString('utf8'));
        } catch {
          throw new Error(`${what}: the client got a line that is not JSON: ${bytes.subarray(0, 200).toString()}`);
        }
        if (isObject(value) && typeof value.method === 'string' && value.id === undefined) continue;
        return { bytes, value };
      }
      if (!this.relay.running)
        throw new Error(`${what}: the relay exited; its stderr: ${this.relay.stderr.slice(-800)}`);
      if (Date.now() > deadline) throw new Error(`${what}: nothing came within ${timeoutMs} ms`);
      await this.more(deadline);
    }
  }

  /** Until the relay writes more (its lines are kept before this hears of it), exits, or the deadline. */
  private more(deadline: number): Promise<void> {
    const { proc } = this.relay;
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        proc.stdout.off('data', done);
        proc.off('exit', done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(1, deadline - Date.now() + 1));
      proc.stdout.on('data', done);
      proc.on('exit', done);
    });
  }
}

/** A client of the scripted server through the share host, initialized. */
async function client(
  home: string,
  server: readonly string[],
  name: string,
): Promise<{ relay: ShareRelay; inbox: Inbox }> {
  const relay = new ShareRelay(home, 'fz', server, { MCP_LIFEGUARD_UPDATE_CHECK: '0' });
  const inbox = new Inbox(relay);
  await relay.write(
    `${JSON.stringify({ jsonrpc: '2.0', id: `${name}-init`, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name, version: '1.0.0' } } })}\n`,
  );
  const { value } = await inbox.next(`${name}'s initialize`);
  assert.ok(isObject(value) && value.id === `${name}-init` && isObject(value.result), JSON.stringify(value));
  await relay.write('{"jsonrpc":"2.0","method":"notifications/initialized"}\n');
  return { relay, inbox };
}

/** Where two lines first differ, for a failure's message. */
function firstDifference(a: Buffer, b: Buffer): string {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return `at byte ${i} of ${a.length} (expected) and ${b.length} (got): expected …${a.subarray(Math.max(0, i - 40), i + 40).toString()}… got …${b.subarray(Math.max(0, i - 40), i + 40).toString()}…`;
}

/** Sends one case and checks what came back: exactly what the case expects, before anything else. */
async function runCase(relay: ShareRelay, inbox: Inbox, c: ShareCase, where: string): Promise<void> {
  for (const [i, w] of c.writes.entries()) {
    // Cut frames reach the share host as separate writes: the relay passes each on as it comes.
    if (i > 0) await sleep(c.kind === 'partial' ? 1 : 0);
    await relay.write(w);
  }
  const e = c.expected;
  if (e.kind === 'nothing') {
    // Nothing for it, then the next request's answer: no other line comes between.
    const after = `${where}-after`;
    await relay.write(`{"jsonrpc":"2.0","id":${JSON.stringify(after)},"method":"ping"}\n`);
    const { value } = await inbox.next(where);
    assert.ok(isObject(value) && value.id === after && isObject(value.result), `${where}: ${JSON.stringify(value)}`);
    return;
  }
  const { bytes, value } = await inbox.next(where);
  const shown = () => bytes.subarray(0, 300).toString();
  switch (e.kind) {
    case 'exact':
      assert.ok(bytes.equals(e.line), `${where}: ${firstDifference(e.line, bytes)}`);
      break;
    case 'result':
      assert.ok(isObject(value) && value.id === e.id && isObject(value.result), `${where}: ${shown()}`);
      break;
    case 'error': {
      const error = isObject(value) ? (value.error as { code?: unknown; message?: unknown } | undefined) : undefined;
      assert.ok(isObject(value) && value.id === e.id && error?.code === e.code, `${where}: ${shown()}`);
      assert.match(String(error.message), e.message, where);
      break;
    }
    case 'batch': {
      assert.ok(Array.isArray(value), `${where}: a batch is answered with an array: ${shown()}`);
      const ids = (value as Array<{ id: unknown; error?: { code: unknown; message: unknown } }>).map((m) => {
        assert.equal(m.error?.code, -32600, `${where}: ${shown()}`);
        assert.match(String(m.error?.message), /batch/, where);
        return m.id;
      });
      const sort = (xs: unknown[]) => xs.map((x) => JSON.stringify(x)).sort();
      assert.deepEqual(sort(ids), sort(e.ids), `${where}: ${shown()}`);
      break;
    }
  }
}

/**
 * Nothing one client of a shared server sends, and nothing the server answers it, takes the share
 * host down or reaches another client: the built CLI's share host before the scripted server,
 * three real relays, each a hostile raw client.
 */
describe('reliability: a share host holds whatever its clients and its server write (`run --on-conflict share`)', function () {
  this.timeout(120_000);
  let home: string | undefined;
  const relays: ShareRelay[] = [];
  let server: string[];

  before(function () {
    // The processes of a home are found in /proc.
    if (process.platform !== 'linux') this.skip();
    const dir = makeTempDir('lg-sfz-');
    const pkg = path.join(dir, 'pkg');
    fs.mkdirSync(pkg);
    fs.writeFileSync(
      path.join(pkg, 'package.json'),
      JSON.stringify({ name: 'lifeguard-scripted-fixture', version: '1.0.0' }),
    );
    fs.copyFileSync(path.join(fixturesDir, 'guard', 'scripted-server.mjs'), path.join(pkg, 'server.mjs'));
    server = [process.execPath, path.join(pkg, 'server.mjs')];
  });
  beforeEach(() => {
    home = makeTempDir('lg-sh-');
  });
  afterEach(async () => {
    for (const r of relays.splice(0)) await r.close();
    if (home) await noneLeftThenRemove(home);
    home = undefined;
  });

  async function clients(): Promise<Array<{ relay: ShareRelay; inbox: Inbox }>> {
    const out = [];
    for (const name of CLIENTS) {
      const c = await client(home!, server, name);
      relays.push(c.relay);
      out.push(c);
    }
    return out;
  }

  /** The share host's log: a failure it survived is said there. */
  const hostLog = () => {
    const file = path.join(home!, 'logs', 'share-hosts.log');
    return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  };

  it('answers nested 6,000 and 100,000 levels deep reach the client that asked, and only it', async () => {
    const all = await clients();
    const [record] = await liveRecords(home!);
    const [c1, c2, c3] = all;
    for (const depth of [6_000, 100_000]) {
      const result = `{"content":[],"structuredContent":{"x":${nested(depth)}}}`;
      const id = `c2-deep-${depth}`;
      const call = {
        jsonrpc: '2.0',
        id,
        method: 'tools/call',
        params: {
          name: 'write',
          arguments: {
            idPlaceholder: ID_PLACEHOLDER,
            chunks: [Buffer.from(`{"jsonrpc":"2.0","id":${ID_PLACEHOLDER},"result":${result}}\n`).toString('base64')],
          },
        },
      };
      await c2.relay.write(`${JSON.stringify(call)}\n`);
      const { bytes } = await c2.inbox.next(`the answer ${depth} levels deep`);
      assert.ok(
        bytes.equals(Buffer.from(`{"jsonrpc":"2.0","id":${JSON.stringify(id)},"result":${result}}`)),
        `depth ${depth}`,
      );
    }
    // The others heard nothing of it, and work.
    for (const [i, c] of [c1, c3].entries()) {
      await c.relay.write(`{"jsonrpc":"2.0","id":"after-${i}","method":"ping"}\n`);
      const { value } = await c.inbox.next('a ping after');
      assert.ok(isObject(value) && value.id === `after-${i}`, JSON.stringify(value));
    }
    assert.ok(isAlive(record.pid), `the share host runs; its log: ${hostLog().slice(-1000)}`);
    assert.doesNotMatch(hostLog(), /RangeError|could not relay/);
  });

  it(`fuzz: ${CASES} seeded cases from three clients at once (depth, size, batches, garbage, cut frames, hostile answers): each answered to its sender as expected, the share host alive (seed ${SEED})`, async function () {
    // Bounded: about 1,000 cases in well under a minute on a busy 2-core machine.
    this.timeout(300_000);
    const all = await clients();
    const [record] = await liveRecords(home!);
    assert.equal(record.attached?.length, 3);
    const seen = new Map<ShareCaseKind, number>();
    await Promise.all(
      all.map(async ({ relay, inbox }, k) => {
        const rand = random(SEED + k);
        const who = CLIENTS[k];
        for (let n = k; n < CASES; n += CLIENTS.length) {
          const c = shareCase(rand, who, n);
          seen.set(c.kind, (seen.get(c.kind) ?? 0) + 1);
          try {
            await runCase(relay, inbox, c, `case ${n} of ${who} (${c.kind}, seed ${SEED})`);
          } catch (err) {
            (err as Error).message += `\nthe share host's log: ${hostLog().slice(-2000)}`;
            throw err;
          }
        }
      }),
    );
    assert.equal(seen.size, 11, JSON.stringify([...seen]));
    // The one share host and the one server run on; every client is attached and works.
    assert.ok(isAlive(record.pid), `the share host runs; its log: ${hostLog().slice(-1000)}`);
    const [after] = await liveRecords(home!);
    assert.equal(after.pid, record.pid);
    assert.equal(after.attached?.length, 3);
    assert.equal(processesOf(home!).servers, 1);
    for (const { relay, inbox } of all) {
      await relay.write('{"jsonrpc":"2.0","id":"last","method":"ping"}\n');
      const { value } = await inbox.next('the last ping');
      assert.ok(isObject(value) && value.id === 'last', JSON.stringify(value));
    }
    assert.doesNotMatch(hostLog(), /RangeError|could not relay/);
    console.log(`      cases: ${[...seen].map(([k, v]) => `${k} ${v}`).join(', ')}`);
  });
});
