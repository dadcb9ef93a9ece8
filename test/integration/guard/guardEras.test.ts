import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { Guard, GuardOptions } from '../../../src/guard/stdioGuard';
import { GuardErrorCode } from '../../../src/guard/wireErrors';
import { ResolvedVersion } from '../../../src/guard/host/staleness';
import { makeTempDir } from '../../support/temp';
import { until } from '../../support/poll';
import { fixturesDir } from '../../support/repo';
import { inProcessGuard } from './inProcessGuard';
import { engineProbe } from '../../support/engineProbe';

const dualServer = path.join(fixturesDir, 'eras', 'dual-stdio', 'server.mjs');
const META = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1.0.0' },
  'io.modelcontextprotocol/clientCapabilities': {},
};
type Line = {
  id?: unknown;
  method?: string;
  params?: { _meta?: Record<string, unknown> };
  result?: unknown;
  error?: { code: number };
};

describe('Guard (in process) under a modern client: an open listen is not in flight', function () {
  this.timeout(60_000);
  const guards: Guard[] = [];
  const logs: string[] = [];

  afterEach(async () => {
    for (const g of guards.splice(0)) {
      await g.shutdown('test over');
      await g.finished;
    }
    logs.length = 0;
  });

  function start(overrides: Partial<GuardOptions>): {
    guard: Guard;
    send(m: Record<string, unknown>): void;
    lines: Line[];
  } {
    const { guard, input, output } = inProcessGuard(
      { script: dualServer, cwd: makeTempDir('lgg-eras-'), serverName: 'dual', log: (line) => logs.push(line) },
      overrides,
    );
    guards.push(guard);
    const lines: Line[] = [];
    let buf = '';
    output.on('data', (d: Buffer) => {
      buf += d.toString();
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        lines.push(JSON.parse(buf.slice(0, i)) as Line);
        buf = buf.slice(i + 1);
      }
    });
    return { guard, send: (m) => input.write(`${JSON.stringify({ jsonrpc: '2.0', ...m })}\n`), lines };
  }

  function listen(send: (m: Record<string, unknown>) => void): void {
    send({
      id: 'listen:0',
      method: 'subscriptions/listen',
      params: { _meta: META, notifications: { toolsListChanged: true } },
    });
  }

  const taggedToolsNotices = (lines: Line[]) =>
    lines.filter(
      (l) =>
        l.method === 'notifications/tools/list_changed' &&
        l.params?._meta?.['io.modelcontextprotocol/subscriptionId'] === 'listen:0',
    ).length;

  it('restart-when-idle restarts a stale server while a listen is open, and re-opens it', async () => {
    let installed: ResolvedVersion = { state: 'known', name: 'lg-dual-stdio', version: '9.9.9', ecosystem: 'npm' };
    const { guard, send, lines } = start({
      stale: { policy: 'restart-when-idle', intervalMs: 50, probe: engineProbe(() => installed) },
    });
    listen(send);
    await until('the ack', () => lines.some((l) => l.method === 'notifications/subscriptions/acknowledged'));
    assert.equal(guard.status().inFlight, 0, 'a listen is never in flight');
    installed = { ...installed, version: '10.0.0' };
    await until('the idle restart', () => guard.status().restarts === 1 && guard.status().state === 'running');
    await until('one tagged tools notice', () => taggedToolsNotices(lines) === 1);
    assert.equal(lines.filter((l) => l.method === 'notifications/subscriptions/acknowledged').length, 1);
    send({ id: 1, method: 'tools/call', params: { _meta: META, name: 'echo', arguments: { text: 'x' } } });
    await until('the answer', () => lines.some((l) => l.id === 1 && l.result));
    assert.equal(
      lines.some((l) => l.id === 'listen:0'),
      false,
      'the listen stays open',
    );
  });

  it('annotate appends the notice to a modern (stateless, no initialize) tools/call result, matched by id alone', async () => {
    let installed: ResolvedVersion = { state: 'known', name: 'lg-dual-stdio', version: '9.9.9', ecosystem: 'npm' };
    const { send, lines } = start({
      stale: { policy: 'annotate', intervalMs: 50, probe: engineProbe(() => installed) },
    });
    type Result = { content: Array<{ type: string; text: string }>; _meta?: unknown };
    let id = 0;
    const call = async () => {
      const mine = ++id;
      send({ id: mine, method: 'tools/call', params: { _meta: META, name: 'echo', arguments: { text: 'x' } } });
      return (await until(`answer ${mine}`, () => lines.find((l) => l.id === mine && l.result))).result as Result;
    };
    const fresh = await call();
    assert.equal(fresh.content.length, 1);
    installed = { ...installed, version: '10.0.0' };
    const stale = await until(
      'an annotated modern result',
      async () => {
        const r = await call();
        return r.content.length > 1 && r;
      },
      10_000,
      20,
    );
    assert.equal(stale.content.length, 2);
    assert.deepEqual(stale.content[0], fresh.content[0]);
    assert.match(
      stale.content[1].text,
      /This server \("dual"\): Stale: runs "lg-dual-stdio" "9\.9\.9", but "10\.0\.0" is installed/,
    );
    assert.deepEqual(stale._meta, fresh._meta, "the result's _meta (serverInfo) is the server's");
    send({ id: 'd', method: 'server/discover', params: { _meta: META } });
    const discovered = await until('the discover answer', () => lines.find((l) => l.id === 'd'));
    assert.ok(!JSON.stringify(discovered).includes('[MCP Lifeguard]'), 'other methods untouched');
  });

  it('a modern client keeps a restarted server after a crash; a crash loop ends the listen with an error', async () => {
    const { guard, send, lines } = start({ crashLoop: { windowMs: 60_000, limit: 2 } });
    listen(send);
    await until('the ack', () => lines.some((l) => l.method === 'notifications/subscriptions/acknowledged'));
    send({ id: 1, method: 'tools/call', params: { _meta: META, name: 'exit', arguments: { code: 3 } } });
    await until(
      'the restart after the crash',
      () => guard.status().restarts === 1 && guard.status().state === 'running',
    );
    assert.equal((lines.find((l) => l.id === 1)?.error ?? { code: 0 }).code, GuardErrorCode.ServerExited);
    await until('one tagged tools notice', () => taggedToolsNotices(lines) === 1);
    send({ id: 2, method: 'tools/call', params: { _meta: META, name: 'exit', arguments: { code: 3 } } });
    await until('the guard gave up', () => guard.status().state === 'failed');
    const end = await until('the listen answered', () => lines.find((l) => l.id === 'listen:0'));
    assert.equal(end.error?.code, GuardErrorCode.CrashLoop);
  });
});
