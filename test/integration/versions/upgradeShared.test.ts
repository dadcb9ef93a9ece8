import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { controlStatus } from '../../../src/core/control';
import { listLocks } from '../../../src/core/locks';
import { cliPath } from '../../support/repo';
import { until } from '../../support/poll';
import { isAlive } from '../../support/liveness';
import { testSettleEnv } from '../../support/settle';
import { globalAndApp, MEM, npmEnv, tempDir } from './support';

const OLD = '2026.7.4';
const NEW = '2026.8.31';

/**
 * One install, all its users, with real npm: one global install of server-memory runs two guarded
 * entries in two clients (Cursor's `memory`, VS Code's `kb`). Upgrade of one names both before it
 * runs, and once npm changed the code of both, restarts both guards; Roll back does the same.
 */
describe('upgrade and rollback of an install two clients share (real npm): every entry named and restarted', function () {
  this.timeout(600_000);
  let root = '';
  let home = '';
  const sessions: Array<{ client: Client; transport: StdioClientTransport }> = [];
  after(async () => {
    for (const s of sessions) {
      const pid = s.transport.pid;
      await s.client.close().catch(() => undefined);
      if (pid && isAlive(pid)) process.kill(pid, 'SIGKILL');
    }
    if (home)
      await until(
        'every guard of the test home gone',
        async () => (await listLocks(path.join(home, '.lifeguard', 'locks'))).every((l) => l.state !== 'live'),
        30_000,
      ).catch(() => undefined);
  });

  const baseEnv = () => ({
    ...(npmEnv(root) as Record<string, string>),
    HOME: home,
    MCP_LIFEGUARD_HOME: path.join(home, '.lifeguard'),
    MCP_LIFEGUARD_UPDATE_CHECK: '0',
    ...testSettleEnv,
  });

  function lifeguard(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) =>
      execFile(
        process.execPath,
        [cliPath, ...args],
        { cwd: root, env: baseEnv(), maxBuffer: 32 << 20 },
        (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      ),
    );
  }

  async function connect(args: string[], env: Record<string, string>): Promise<void> {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args,
      env: { ...baseEnv(), ...env },
      cwd: home,
      stderr: 'pipe',
    });
    transport.stderr?.on('data', () => undefined);
    const client = new Client({ name: 'upgrade-shared-test', version: '1.0.0' });
    await client.connect(transport);
    sessions.push({ client, transport });
  }

  /** The server pid each live guard of the test home runs, by its --name. */
  async function childPids(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const l of await listLocks(path.join(home, '.lifeguard', 'locks'))) {
      if (l.state !== 'live' || !l.record.control) continue;
      const s = await controlStatus(l.record.control, { timeoutMs: 5000 });
      if (s.ok && s.result.childPid) out[l.record.serverName] = s.result.childPid;
    }
    return out;
  }

  it('Upgrade names both entries and restarts both guards; Roll back restarts both again', async () => {
    root = tempDir('lg-upgrade-shared-');
    home = path.join(root, 'home');
    fs.mkdirSync(home);
    const globalPrefix = path.join(root, 'global');
    await globalAndApp(root, OLD, OLD);
    const bin = path.join(globalPrefix, 'bin', 'mcp-server-memory');
    const memory = {
      args: [cliPath, 'run', '--name', 'memory', '--', bin],
      env: { MEMORY_FILE_PATH: path.join(root, 'a.jsonl') },
    };
    const kb = {
      args: [cliPath, 'run', '--name', 'kb', '--', bin],
      env: { MEMORY_FILE_PATH: path.join(root, 'b.jsonl') },
    };
    fs.mkdirSync(path.join(home, '.cursor'));
    fs.writeFileSync(
      path.join(home, '.cursor', 'mcp.json'),
      JSON.stringify({ mcpServers: { memory: { command: process.execPath, ...memory } } }),
    );
    fs.mkdirSync(path.join(home, '.config', 'Code', 'User'), { recursive: true });
    fs.writeFileSync(
      path.join(home, '.config', 'Code', 'User', 'mcp.json'),
      JSON.stringify({ servers: { kb: { type: 'stdio', command: process.execPath, ...kb } } }),
    );
    await connect(memory.args, memory.env);
    await connect(kb.args, kb.env);
    const before = await childPids();
    assert.ok(before.memory && before.kb, JSON.stringify(before));

    // The plan names every entry the one install runs, in both clients.
    const shown = await lifeguard(['upgrade', 'memory', '--to', NEW]);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /^ {2}the same install runs 2 entries in 2 clients: each gets the new code$/m);
    assert.match(shown.stdout, /^ {4}memory in Cursor$/m);
    assert.match(shown.stdout, /^ {4}kb in VS Code User$/m);

    const up = await lifeguard(['upgrade', 'memory', '--to', NEW, '--yes', '--json']);
    assert.equal(up.code, 0, `${up.stdout}\n${up.stderr}`);
    const report = JSON.parse(up.stdout) as {
      installed: string;
      plan: { serves: Array<{ name: string }> };
      restarts: Array<{ kind: string }>;
    };
    assert.equal(report.installed, NEW);
    assert.deepEqual(report.plan.serves.map((s) => s.name).sort(), ['kb', 'memory']);
    assert.deepEqual(
      report.restarts.map((r) => r.kind),
      ['restarted', 'restarted'],
      up.stdout,
    );
    const upgraded = await childPids();
    assert.notEqual(upgraded.memory, before.memory, "the upgraded entry's guard started the new code");
    assert.notEqual(upgraded.kb, before.kb, "the sibling entry's guard started the new code too");

    const back = await lifeguard(['rollback', 'memory', '--yes']);
    assert.equal(back.code, 0, `${back.stdout}\n${back.stderr}`);
    assert.match(back.stdout, /^ {4}kb in VS Code User$/m);
    const rolled = await childPids();
    assert.notEqual(rolled.memory, upgraded.memory, 'restarted onto the version rolled back to');
    assert.notEqual(rolled.kb, upgraded.kb, 'the sibling restarted onto it too');
    const installed = JSON.parse(
      fs.readFileSync(path.join(globalPrefix, 'lib', 'node_modules', MEM, 'package.json'), 'utf8'),
    ) as { version: string };
    assert.equal(installed.version, OLD);
  });
});
