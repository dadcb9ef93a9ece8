import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { Instance, Snapshot } from '../../../src/core/base/model';
import { Engine, engineMachine } from '../../../src/core/snapshot/engine';
import { isAlive } from '../../support/liveness';
import { until } from '../../support/poll';
import { TEST_SETTLE_MS } from '../../support/settle';
import { globalAndApp, MEM, NPM, npmEnv, project, run, tempDir } from '../versions/support';

const OLD = '2026.7.4';
const NEW = '2026.8.31';

/**
 * A watcher's engine that has been quiet (its ticks answered from its last snapshot,
 * snapshot/quietTick.ts) sees a real `npm install` of a newer release under a running server at
 * its very next tick: the installed version read anew, then the instance judged stale.
 */
describe('snapshot: a quiet engine notices an install at its next tick (real npm)', function () {
  this.timeout(300_000);
  let session: { client: Client; transport: StdioClientTransport } | undefined;
  let engine: Engine | undefined;
  after(async () => {
    engine?.stop();
    const pid = session?.transport.pid;
    await session?.client.close().catch(() => undefined);
    if (pid && isAlive(pid)) process.kill(pid, 'SIGKILL');
  });

  it('answers quiet ticks from its last snapshot, and takes a full pass at the first tick after the install', async () => {
    const root = tempDir('lg-quiet-npm-');
    // server-memory OLD in a project of its own (`<root>/app`), NEW in the same npm cache: the install runs offline.
    await globalAndApp(root, NEW, OLD);
    const app = path.join(root, 'app');
    const bin = path.join(app, 'node_modules', '.bin', 'mcp-server-memory');
    const env = { MEMORY_FILE_PATH: path.join(root, 'memory.jsonl') };
    const projectDir = project(root, 'memory', bin, [], env);
    const home = path.join(root, 'home');
    const processEnv = { ...(npmEnv(root) as Record<string, string>), HOME: home, ...env };

    const transport = new StdioClientTransport({
      command: bin,
      args: [],
      env: processEnv,
      cwd: projectDir,
      stderr: 'pipe',
    });
    transport.stderr?.on('data', () => undefined);
    const client = new Client({ name: 'quiet-tick-test', version: '1.0.0' });
    await client.connect(transport);
    session = { client, transport };
    const pid = transport.pid as number;

    engine = new Engine(
      engineMachine({
        home,
        platform: process.platform,
        env: { ...process.env, HOME: home, MCP_LIFEGUARD_HOME: path.join(root, 'lg') },
      }),
      { registry: false, docker: false, settleMs: TEST_SETTLE_MS },
    );
    const quiet = engine;
    const request = { workspaceFolders: [projectDir] };
    const instanceIn = (s: Snapshot): Instance | undefined =>
      s.servers.find((x) => x.name === 'memory')?.instances.find((i) => i.pid === pid);

    // Ticks until one is answered from the last snapshot: the instance current, nothing else moving for it.
    const before = await until(
      () => `a quiet tick (${JSON.stringify(quiet.quietTickStats())})`,
      async () => {
        const reused = quiet.quietTickStats().reused;
        const s = await quiet.snapshot(request);
        return quiet.quietTickStats().reused > reused ? s : undefined;
      },
      120_000,
      300,
    );
    assert.equal(instanceIn(before)?.versions?.verdict.state, 'current', JSON.stringify(instanceIn(before)?.versions));

    await run(NPM, ['install', '--offline', `${MEM}@${NEW}`], { cwd: app, env: npmEnv(root) });

    const full = quiet.quietTickStats().full;
    const next = await quiet.snapshot(request);
    assert.equal(
      quiet.quietTickStats().full,
      full + 1,
      'the tick after the install was answered from the kept snapshot',
    );
    const installed = instanceIn(next)?.versions?.installed;
    assert.equal(installed?.state === 'installed' ? installed.version : installed?.state, NEW);

    // Once the files have settled, the instance still running OLD is stale.
    const stale = await until(
      'the instance judged stale',
      async () => {
        const v = instanceIn(await quiet.snapshot(request))?.versions?.verdict;
        return v?.state === 'stale' ? v : undefined;
      },
      60_000,
      300,
    );
    assert.equal(stale.state, 'stale');
  });
});
