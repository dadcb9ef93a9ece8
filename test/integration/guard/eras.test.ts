import * as assert from 'node:assert/strict';
import { controlRestart } from '../../../src/core/control';
import { sleep, until } from '../../support/poll';
import { liveRecords, runCliOn, tempHome } from './support';
import {
  ClientKind,
  connectEra,
  EraClient,
  MODERN_META,
  processesOf,
  RawGuard,
  received,
  ServerKind,
  servers,
  subscriptionOf,
  noneLeftThenRemove,
} from './erasSupport';
import { CliWorker } from '../../support/cliWorker';

describe('guard: both MCP protocol eras through `mcp-lifeguard run` (built CLI, SDK 2.x and 1.x clients)', function () {
  this.timeout(120_000);
  // The restarts (and listings) run on one CLI process: their subject is the guard, not a Node start.
  const cli = new CliWorker();
  after(() => cli.close());
  let home: string;
  const open: EraClient[] = [];
  const raws: RawGuard[] = [];

  beforeEach(() => {
    home = tempHome();
  });
  afterEach(async () => {
    for (const c of open.splice(0)) await c.close().catch(() => undefined);
    for (const r of raws.splice(0)) {
      r.stop();
      await r.exited;
    }
    await noneLeftThenRemove(home);
  });

  async function connect(kind: ClientKind, server: ServerKind): Promise<EraClient> {
    const c = await connectEra(home, kind, 'eras', server);
    open.push(c);
    return c;
  }

  async function restart(): Promise<void> {
    const r = await runCliOn(cli, home, ['restart', 'eras']);
    assert.equal(r.code, 0, r.stderr);
  }

  const tool = {
    dual: ['echo', { text: 'hi' }],
    strict: ['echo', { text: 'hi' }],
    memory: ['read_graph', {}],
  } as const;
  const expectedEra: Record<ClientKind, Record<ServerKind, string>> = {
    '2.x auto': { dual: 'modern', memory: 'legacy', strict: 'legacy' },
    '2.x legacy': { dual: 'legacy', memory: 'legacy', strict: 'legacy' },
    '1.x': { dual: 'legacy', memory: 'legacy', strict: 'legacy' },
  };

  for (const kind of ['2.x auto', '2.x legacy', '1.x'] as const) {
    for (const server of ['dual', 'memory', 'strict'] as const) {
      it(`${kind} client + ${server} server: connects once (one guard, one child), survives a restart, hears of the change once${server === 'dual' && kind !== '1.x' ? '; the lock record says what the child said' : ''}`, async () => {
        const c = await connect(kind, server);
        assert.equal(c.era(), expectedEra[kind][server]);
        const [name, args] = tool[server];
        await c.call(name, args);
        assert.deepEqual(processesOf(home), { guards: 1, servers: 1 });
        assert.equal((await liveRecords(home)).length, 1);
        // A 2.x auto client's probe ran on a sibling guard that let the lock go before the session's guard took it.
        assert.doesNotMatch(c.stderr(), /already running|took over|waiting|refus/);
        const before = (await liveRecords(home))[0];
        if (server === 'dual' && kind !== '1.x') {
          // The lock record carries what the child said about itself: in the modern era from a result's
          // _meta or server/discover, in the legacy era from the initialize answer.
          const said = await until('serverInfo', async () => (await liveRecords(home))[0].versions?.serverInfo);
          assert.deepEqual(
            { ...said, how: undefined },
            {
              name: 'lg-dual-stdio',
              version: '9.9.9',
              era: expectedEra[kind].dual,
              how: undefined,
              pid: before.child?.pid,
            },
          );
          const how = kind === '2.x auto' ? ['result _meta', 'server/discover'] : ['initialize'];
          assert.ok(how.includes(said.how), said.how);
        }
        await restart();
        await c.call(name, args);
        if (server === 'dual' && kind === '2.x auto') {
          // ... and what the new child said after a restart.
          const after = await until('the new child in the record', async () => {
            const r = (await liveRecords(home))[0];
            return r.child?.pid !== before.child?.pid && r.versions?.serverInfo?.pid === r.child?.pid && r;
          });
          assert.equal(after.versions?.serverInfo?.version, '9.9.9');
          assert.equal(after.versions?.package?.version, '9.9.9');
        }
        // legacy-strict states no tools.listChanged capability: a 2.x client does not listen for the notice then.
        const notices = server === 'strict' && kind !== '1.x' ? 0 : 1;
        await until(`${notices} tools change notice(s)`, () => c.changed() === notices, 10_000);
        await sleep(1000);
        assert.equal(c.changed(), notices, 'still the same count a second later');
        assert.deepEqual(processesOf(home), { guards: 1, servers: 1 });
        const log = received(home);
        if (server === 'dual' && kind === '2.x auto') {
          assert.deepEqual(
            log.filter((m) => m.method === 'subscriptions/listen').map((m) => m.id),
            ['listen:0', 'listen:0'],
            'the same listen on both children',
          );
          assert.equal(log.filter((m) => m.method === 'initialize').length, 0, 'no initialize to a modern server');
          const closed = c.subscriptionClosed();
          assert.ok(closed, 'the client auto-opened a subscription');
          assert.equal(await Promise.race([closed, sleep(200).then(() => 'open')]), 'open');
        }
        // The client's own and the replay to the new child: nothing was started beside the serving one.
        if (server === 'dual' && kind !== '2.x auto')
          assert.equal(log.filter((m) => m.method === 'initialize').length, 2, 'initialize replayed, never probed');
      });
    }
  }

  it('a modern call in flight across a restart is answered; the restart waits for it, not for the open listen', async () => {
    const c = await connect('2.x auto', 'dual');
    const slow = c.call('slow', { ms: 1500 });
    await until('the slow call at the server', () =>
      received(home).some((m) => m.method === 'tools/call' && m.params?.name === 'slow'),
    );
    await restart();
    assert.match(await slow, /slept 1500/);
    assert.match(await c.call('echo', { text: 'b' }), /:b$/);
  });

  describe('raw modern lines', () => {
    function rawGuard(): RawGuard {
      const g = new RawGuard(home, ['--name', 'eras', '--', ...servers.dual]);
      raws.push(g);
      return g;
    }

    it('re-opens only what the client still listens to, and tells each listen only what it opted into', async () => {
      const g = rawGuard();
      g.send({
        id: 'p',
        method: 'subscriptions/listen',
        params: { _meta: MODERN_META, notifications: { promptsListChanged: true } },
      });
      g.send({
        id: 't',
        method: 'subscriptions/listen',
        params: { _meta: MODERN_META, notifications: { toolsListChanged: true } },
      });
      g.send({
        id: 'c',
        method: 'subscriptions/listen',
        params: { _meta: MODERN_META, notifications: { toolsListChanged: true } },
      });
      await until(
        'three acks',
        () => g.lines.filter((l) => l.method === 'notifications/subscriptions/acknowledged').length === 3,
      );
      g.send({ method: 'notifications/cancelled', params: { requestId: 'c' } });
      g.send({ id: 1, method: 'tools/list', params: { _meta: MODERN_META } });
      await g.answer(1);
      const ctrl = (await liveRecords(home))[0].control!;
      await controlRestart(ctrl, 'test', { timeoutMs: 30_000 });
      await until('the tools notice on t', () =>
        g.lines.some((l) => l.method === 'notifications/tools/list_changed' && subscriptionOf(l) === 't'),
      );
      g.send({ id: 2, method: 'tools/list', params: { _meta: MODERN_META } });
      await g.answer(2);
      const notices = g.lines.filter((l) => typeof l.method === 'string' && l.method.endsWith('list_changed'));
      assert.deepEqual(
        notices.map((l) => [l.method, subscriptionOf(l)]),
        [['notifications/tools/list_changed', 't']],
        'tagged, and only where asked for and honored',
      );
      assert.equal(
        g.lines.filter((l) => l.method === 'notifications/subscriptions/acknowledged').length,
        3,
        'the re-opened listens were acknowledged to the guard only',
      );
      const listens = received(home)
        .filter((m) => m.method === 'subscriptions/listen')
        .map((m) => m.id);
      assert.deepEqual(listens, ['p', 't', 'c', 'p', 't'], 'the cancelled listen is not re-opened');
      // The client cancelled c; the guard let go of p and t on the old server before stopping it, so
      // that server could not end them with an error of its own as its stdin closed.
      const cancels = received(home)
        .filter((m) => m.method === 'notifications/cancelled')
        .map((m) => (m.params as { requestId: unknown }).requestId);
      assert.deepEqual(cancels, ['c', 'p', 't']);
      assert.equal(received(home).filter((m) => m.method === 'initialize').length, 0);
    });

    it('a stopping guard ends open listens with the graceful result', async () => {
      const g = rawGuard();
      g.send({
        id: 'l',
        method: 'subscriptions/listen',
        params: { _meta: MODERN_META, notifications: { toolsListChanged: true } },
      });
      await until('the ack', () => g.lines.some((l) => l.method === 'notifications/subscriptions/acknowledged'));
      g.stop();
      await g.exited;
      assert.deepEqual(
        g.lines.find((l) => l.id === 'l'),
        {
          jsonrpc: '2.0',
          id: 'l',
          result: { resultType: 'complete', _meta: { 'io.modelcontextprotocol/subscriptionId': 'l' } },
        },
      );
    });

    it('a legacy server that exits on the discover probe is replaced, and an in-place prober falls back to initialize', async () => {
      const g = new RawGuard(home, ['--name', 'eras', '--', ...servers.strict]);
      raws.push(g);
      g.send({ id: 'd', method: 'server/discover', params: { _meta: MODERN_META } });
      assert.ok((await g.answer('d')).error);
      g.send({
        id: 0,
        method: 'initialize',
        params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
      });
      assert.deepEqual(((await g.answer(0)).result as { serverInfo: unknown }).serverInfo, {
        name: 'lg-legacy-strict',
        version: '1.0.0',
      });
    });
  });
});
