import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { cliPath, fixturesDir, repoRoot } from '../../support/repo';
import { sleep, until } from '../../support/poll';
import { guardEnv, runCliOn, tempHome } from './support';
import { erasServerScript, pythonClientAcrossRestart, pythonMcp2 } from './pythonEras';
import { CliWorker } from '../../support/cliWorker';

/**
 * The Python SDK 2.x (`mcp` 2.3.0, both eras) through `mcp-lifeguard run`, across
 * `mcp-lifeguard restart`: its server under the guard with the TypeScript SDK 2.x clients of each
 * era, and its client (auto: modern first) through the guard to the TypeScript dual-era server.
 */
describe('guard: the Python SDK 2.x in both protocol eras (built CLI, mcp from PyPI)', function () {
  this.timeout(600_000);
  // The restarts (and listings) run on one CLI process: their subject is the guard, not a Node start.
  const cli = new CliWorker();
  after(() => cli.close());
  let py: string;
  let home: string;
  const closers: Array<() => Promise<unknown>> = [];

  before(async () => {
    py = await pythonMcp2();
  });
  beforeEach(() => {
    home = tempHome();
  });
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
    fs.rmSync(home, { recursive: true, force: true });
  });

  /** A TypeScript SDK 2.x client of the given era on `mcp-lifeguard run --name NAME -- <server>`. */
  async function tsClient(
    mode: 'auto' | 'legacy',
    name: string,
    server: string[],
  ): Promise<{ client: Client; changes: () => number }> {
    let changes = 0;
    const client = new Client(
      { name: 'eras-test', version: '1.0.0' },
      { versionNegotiation: { mode }, listChanged: { tools: { debounceMs: 0, onChanged: () => changes++ } } },
    );
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [cliPath, 'run', '--name', name, '--', ...server],
      env: guardEnv(home),
      cwd: repoRoot,
      stderr: 'pipe',
    });
    await client.connect(transport);
    closers.push(() => client.close());
    return { client, changes: () => changes };
  }

  const echo = async (client: Client, text: string) =>
    ((await client.callTool({ name: 'echo', arguments: { text } })).content as Array<{ text: string }>)[0].text;
  const pidOf = (answer: string) => Number(answer.split(':')[0]);

  async function restart(name: string): Promise<void> {
    const restarted = await runCliOn(cli, home, ['restart', name]);
    assert.equal(restarted.code, 0, restarted.stderr);
    assert.match(restarted.stdout, new RegExp(`^restarted ${name} \\(guard pid \\d+\\)`));
  }

  for (const mode of ['auto', 'legacy'] as const) {
    const era = mode === 'auto' ? 'modern' : 'legacy';
    it(`a Python SDK server under the guard, a ${era} TypeScript client: the call after a restart works and tools/list_changed fires once`, async () => {
      const { client, changes } = await tsClient(mode, 'pyeras', [py, erasServerScript]);
      assert.equal(client.getProtocolEra(), era);
      const before = await echo(client, 'before');
      await restart('pyeras');
      const after = await echo(client, 'after');
      assert.match(after, /^\d+:after$/);
      assert.notEqual(pidOf(after), pidOf(before), 'a new server process answers');
      await until('tools/list_changed after the restart', () => changes() === 1, 10_000);
      await sleep(1000);
      assert.equal(changes(), 1, 'exactly one tools/list_changed');
    });
  }

  it('the Python SDK client (auto) through the guard to a dual-era server: modern, and its listen stream hears the restart once', async () => {
    const dual = path.join(fixturesDir, 'eras', 'dual-stdio', 'server.mjs');
    await pythonClientAcrossRestart({
      py,
      target: [process.execPath, cliPath, 'run', '--name', 'dual', '--', process.execPath, dual],
      env: guardEnv(home),
      serverVersion: '9.9.9',
      echoed: '',
      restart: () => restart('dual'),
      onClose: (close) => closers.push(close),
    });
  });
});
