import * as assert from 'node:assert/strict';
import { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { freePort } from '../../../src/guard/http/upstream';
import { cliPath, fixturesDir } from '../../support/repo';
import { stopChildren } from '../../support/liveness';
import { sleep, until } from '../../support/poll';
import { erasServerScript, pythonClientAcrossRestart, pythonMcp2 } from '../guard/pythonEras';
import { shortTempDir, spawnCollect } from './support';
import { CliWorker } from '../../support/cliWorker';

/**
 * The Python SDK 2.x (`mcp` 2.3.0, both eras) behind `mcp-lifeguard run --http`, across
 * `mcp-lifeguard restart`: its Streamable HTTP server with TypeScript SDK 2.x clients of each era,
 * and its client (auto: modern first) through the front to the TypeScript dual-era HTTP server.
 */
describe('mcp-lifeguard run --http: the Python SDK 2.x in both protocol eras (built CLI, mcp from PyPI)', function () {
  this.timeout(600_000);
  // The restarts run on one CLI process: their subject is the guard, not a Node start.
  const cli = new CliWorker();
  after(() => cli.close());
  let py: string;
  let home: string;
  const children: ChildProcess[] = [];
  const closers: Array<() => Promise<unknown>> = [];

  before(async function () {
    if (process.platform !== 'linux') this.skip();
    py = await pythonMcp2();
  });
  beforeEach(() => {
    home = shortTempDir();
  });
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
    await stopChildren(children.splice(0));
    fs.rmSync(home, { recursive: true, force: true });
  });

  const env = () => ({ ...process.env, MCP_LIFEGUARD_HOME: home });

  /** `run --http` in front of `server` (which gets its port as `{port}`): the front's URL and the guard's output. */
  async function front(name: string, server: string[]): Promise<{ url: string; output: () => string }> {
    const port = await freePort();
    const guard = spawnCollect(
      process.execPath,
      [cliPath, 'run', '--http', '--listen', `127.0.0.1:${port}`, '--name', name, '--', ...server],
      { env: env(), cwd: home },
    );
    children.push(guard.child);
    const url = `http://127.0.0.1:${port}/mcp`;
    await until(
      'the front to print its URL',
      () => guard.output().includes(url) || (guard.child.exitCode !== null && assert.fail(guard.output())),
      120_000,
    );
    return { url, output: guard.output };
  }

  async function restart(name: string): Promise<void> {
    const r = await cli.run(['restart', name], env(), home);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, new RegExp(`restarted ${name} \\(guard pid \\d+\\)`));
  }

  const echo = async (client: Client, text: string) =>
    ((await client.callTool({ name: 'echo', arguments: { text } })).content as Array<{ text: string }>)[0].text;
  const pidOf = (answer: string) => Number(answer.split(':')[0]);

  for (const mode of ['auto', 'legacy'] as const) {
    const era = mode === 'auto' ? 'modern' : 'legacy';
    it(`a Python SDK HTTP server behind the front, a ${era} TypeScript client: the call after a restart is answered by the new server`, async () => {
      const { url, output } = await front('pyhttp', [py, erasServerScript, 'http', '{port}']);
      let changes = 0;
      const client = new Client(
        { name: 'eras-test', version: '1.0.0' },
        { versionNegotiation: { mode }, listChanged: { tools: { debounceMs: 0, onChanged: () => changes++ } } },
      );
      await client.connect(new StreamableHTTPClientTransport(new URL(url)));
      closers.push(() => client.close());
      assert.equal(client.getProtocolEra(), era);
      const before = await echo(client, 'before');
      await restart('pyhttp');
      const after = await echo(client, 'after');
      assert.match(after, /^\d+:after$/);
      assert.notEqual(pidOf(after), pidOf(before), 'a new server process answers');
      // uvicorn waits for open responses before it exits on SIGTERM: a listen stream still open
      // upstream would hold the restart until the kill.
      assert.doesNotMatch(output(), /was killed \(SIGKILL\)/);
      if (era === 'modern') {
        // The modern client's listen stream is re-opened on the new server and told the list changed.
        await until('tools/list_changed after the restart', () => changes === 1, 10_000);
        await sleep(1000);
        assert.equal(changes, 1, 'exactly one tools/list_changed');
      }
    });
  }

  it('the Python SDK client (auto) through the front to a dual-era server: modern, and its listen stream hears the restart once', async () => {
    const server = path.join(fixturesDir, 'eras', 'modern-http', 'server.mjs');
    const { url } = await front('modernhttp', [process.execPath, server]);
    await pythonClientAcrossRestart({
      py,
      target: [url],
      serverVersion: '7.7.7',
      echoed: ' (modern)',
      restart: () => restart('modernhttp'),
      onClose: (close) => closers.push(close),
    });
  });
});
