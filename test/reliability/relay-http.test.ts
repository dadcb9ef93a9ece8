import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Transform } from 'node:stream';
import { JsonToolResult, SseToolResult, ToolResultNotes } from '../../src/guard/http/toolResultBody';
import { freePort } from '../../src/guard/http/upstream';
import { killMentioning, shortTempDir, spawnCollect } from '../integration/http/support';
import { killAndWait } from '../support/liveness';
import { until } from '../support/poll';
import { cliPath, fixturesDir } from '../support/repo';
import { random, relayCase } from './relayCases';
import { sameOrAnnotated } from './scriptedGuard';

const CASES = Number(process.env.MCP_LIFEGUARD_FUZZ_CASES) || 2_000;
const SEED = Number(process.env.MCP_LIFEGUARD_FUZZ_SEED) || 20_261_123;
const NOTICE = '[MCP Lifeguard] This server (fuzz) runs old code.';

/** Runs `chunks` through a fresh transform; returns its output, and whether annotating failed. */
async function through(
  make: (notes: ToolResultNotes) => Transform,
  id: number,
  chunks: Buffer[],
): Promise<{ out: Buffer; failed: string[] }> {
  const failed: string[] = [];
  const t = make({
    requestId: id,
    notices: () => [NOTICE],
    delivered: () => undefined,
    failed: (reason) => failed.push(reason),
  });
  const out: Buffer[] = [];
  t.on('data', (c: Buffer) => out.push(c));
  const ended = new Promise((resolve, reject) => {
    t.on('end', resolve);
    t.on('error', reject);
  });
  for (const c of chunks) t.write(c);
  t.end();
  await ended;
  return { out: Buffer.concat(out), failed };
}

/** Cuts `bytes` where the case cut its own output (scaled to this length). */
function cutLike(bytes: Buffer, like: Buffer[]): Buffer[] {
  const total = like.reduce((n, c) => n + c.length, 0);
  const cuts: number[] = [];
  let at = 0;
  for (const c of like.slice(0, -1)) cuts.push(Math.floor(((at += c.length) / total) * bytes.length));
  const out: Buffer[] = [];
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    if (cut > from) out.push(bytes.subarray(from, cut));
    from = Math.max(from, cut);
  }
  return out;
}

/**
 * The HTTP front with `--when-stale annotate` before a server whose tool result nests 100,000
 * levels deep (test/fixtures/guard/scripted-http-server.mjs), through the built CLI: in a JSON
 * body and in an event stream the result is relayed with the notice, and the front stays up.
 */
describe('reliability: the HTTP front survives what its server answers', function () {
  this.timeout(180_000);
  let home: string;
  let guardPid: number | undefined;

  beforeEach(() => {
    home = shortTempDir();
  });
  afterEach(async () => {
    await killAndWait(guardPid, 'SIGTERM');
    guardPid = undefined;
    await killMentioning(home);
    fs.rmSync(home, { recursive: true, force: true });
  });

  it("a stale server's result nested 6,000 and 100,000 levels deep, as JSON and as an event stream: annotated, and the front goes on", async () => {
    const pkg = path.join(home, 'pkg');
    fs.mkdirSync(pkg);
    const packageJson = path.join(pkg, 'package.json');
    fs.writeFileSync(packageJson, JSON.stringify({ name: 'lifeguard-scripted-http', version: '1.0.0' }));
    fs.copyFileSync(path.join(fixturesDir, 'guard', 'scripted-http-server.mjs'), path.join(pkg, 'server.mjs'));
    const port = await freePort();
    const guard = spawnCollect(
      process.execPath,
      [
        cliPath,
        'run',
        '--http',
        '--listen',
        `127.0.0.1:${port}`,
        '--name',
        'deep',
        '--when-stale',
        'annotate',
        '--stale-interval',
        '1',
        '--stop-grace',
        '2',
        '--',
        process.execPath,
        path.join(pkg, 'server.mjs'),
      ],
      { env: { ...process.env, MCP_LIFEGUARD_HOME: home }, cwd: home },
    );
    guardPid = guard.child.pid;
    const url = `http://127.0.0.1:${port}/mcp`;
    await until(
      () => `the URL on stdout: ${guard.output()}`,
      () => guard.output().includes(url),
      90_000,
    );

    let id = 1;
    const post = async (method: string, params: Record<string, unknown>) => {
      const r = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          'mcp-protocol-version': '2025-06-18',
        },
        body: JSON.stringify({ jsonrpc: '2.0', id: id++, method, params }),
      });
      return { status: r.status, text: await r.text() };
    };
    assert.equal(
      (
        await post('initialize', {
          protocolVersion: '2025-06-18',
          capabilities: {},
          clientInfo: { name: 't', version: '1' },
        })
      ).status,
      200,
    );
    const call = (args: Record<string, unknown>) => post('tools/call', { name: 'write', arguments: args });

    fs.writeFileSync(packageJson, JSON.stringify({ name: 'lifeguard-scripted-http', version: '2.0.0' }));
    await until(
      'an annotated result',
      async () => (await call({ depth: 1 })).text.includes('[MCP Lifeguard]'),
      60_000,
      200,
    );
    for (const depth of [6_000, 100_000]) {
      for (const sse of [false, true]) {
        const r = await call({ depth, sse });
        assert.equal(r.status, 200, `depth ${depth}, sse ${sse}`);
        const json = sse ? /^data: (.*)$/m.exec(r.text)![1] : r.text;
        const prefix = `"text":"deep","_meta":{"nest":${'['.repeat(depth)}${']'.repeat(depth)}}},{"type":"text","text":"[MCP Lifeguard]`;
        assert.ok(
          json.includes(prefix),
          `depth ${depth}, sse ${sse}: the server's bytes, then the notice (got ${json.length} characters ending ${json.slice(-200)})`,
        );
        assert.equal(JSON.parse(json).result.content.length, 2);
      }
    }
    assert.equal(guard.child.exitCode, null, guard.output().slice(-2000));
    assert.match((await call({ depth: 1 })).text, /\[MCP Lifeguard\]/);
  });

  it(`fuzz: ${CASES} seeded hostile answers through the front's annotating transforms, as a JSON body and as an event stream: the bytes as sent plus our blocks (seed ${SEED})`, async function () {
    this.timeout(240_000);
    const rand = random(SEED);
    for (let n = 0; n < CASES; n++) {
      const id = 1000 + n;
      const c = relayCase(rand, id);
      const lines = Buffer.concat(c.chunks).toString('latin1').split('\n');
      const answer = Buffer.from(lines[c.answerLine].replace(/\r$/, ''), 'latin1');
      const where = `case ${n} (${c.kind}, seed ${SEED})`;

      const json = await through((notes) => new JsonToolResult(notes), id, cutLike(answer, c.chunks));
      assert.deepEqual(json.failed, [], where);
      const jsonOutcome = sameOrAnnotated(answer, json.out);
      assert.notEqual(jsonOutcome, 'changed', `${where}: JSON body`);
      if (c.mustAnnotate) assert.equal(jsonOutcome, 'annotated', `${where}: JSON body`);

      // The answer's event among notification events, each line ending as the case chose.
      const before = Buffer.from(
        `event: message\ndata: {"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":${id},"progress":1}}\n\n`,
      );
      const event = (data: Buffer) =>
        Buffer.concat([Buffer.from('event: message\nid: 7\ndata: '), data, Buffer.from('\n\n')]);
      const stream = Buffer.concat([before, event(answer), before]);
      const sse = await through((notes) => new SseToolResult(notes), id, cutLike(stream, c.chunks));
      assert.deepEqual(sse.failed, [], where);
      assert.ok(
        sse.out.subarray(0, before.length).equals(before) &&
          sse.out.subarray(sse.out.length - before.length).equals(before),
        `${where}: the other events as sent`,
      );
      const middle = sse.out.subarray(before.length, sse.out.length - before.length);
      const sseOutcome = sameOrAnnotated(event(answer), middle);
      assert.notEqual(sseOutcome, 'changed', `${where}: event stream`);
      if (c.mustAnnotate) assert.equal(sseOutcome, 'annotated', `${where}: event stream`);
    }
  });
});
