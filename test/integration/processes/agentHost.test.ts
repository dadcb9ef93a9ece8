import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Instance, Verdict } from '../../../src/core/base/model';
import { describeVerdict } from '../../../src/core/report/evidence';
import { repoRoot } from '../../support/repo';
import { until } from '../../support/poll';
import { isAlive, killAll } from '../../support/liveness';
import { server, statusJson } from './support/harness';

/**
 * A real node process shaped as VS Code Server's agent host (its script at the server's
 * `out/bootstrap-fork`, `--type=agentHost` and the other arguments NodeAgentHostStarter passes)
 * starts server-memory from npm once for each of two agent sessions, as configured in the server's
 * user mcp.json. One scenario, in order: attributed to VS Code Server's agent host -> the older copy
 * is a duplicate "one per agent session" -> the host is killed -> both copies are orphans.
 */
describe('a real agent host: per-session copies are duplicates, and its servers orphans once it is gone', function () {
  this.timeout(120000);
  const started: number[] = [];
  let home: string;
  let tag: string;
  let host: { host: number; holders: number[]; servers: number[] };

  before(async () => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'lg-agenthost-'));
    // A unique tag in the args: this scenario's launch is nobody else's on a shared machine.
    tag = `--lg-tag=${path.basename(home)}`;
    const memoryBin = path.join(repoRoot, 'node_modules', '.bin', 'mcp-server-memory');
    const user = path.join(home, '.vscode-server', 'data', 'User');
    fs.mkdirSync(user, { recursive: true });
    fs.writeFileSync(
      path.join(user, 'mcp.json'),
      JSON.stringify({ servers: { memory: { type: 'stdio', command: memoryBin, args: [tag] } } }),
    );
    const out = path.join(home, '.vscode-server', 'cli', 'servers', 'Stable-lg', 'server', 'out');
    fs.mkdirSync(out, { recursive: true });
    const script = path.join(out, 'bootstrap-fork');
    fs.copyFileSync(path.join(__dirname, 'support', 'agent-host.cjs'), script);
    const spec = {
      command: memoryBin,
      args: [tag],
      env: { MEMORY_FILE_PATH: path.join(home, 'memory.jsonl') },
      sessions: 2,
    };
    const args = [
      script,
      '--type=agentHost',
      '--logsPath',
      path.join(home, '.vscode-server', 'data', 'logs'),
      '--user-data-dir',
      path.join(home, '.vscode-server', 'data'),
      '--telemetry-level',
      'off',
    ];
    const proc = spawn(process.execPath, args, {
      cwd: home,
      env: { ...process.env, LG_AGENT_HOST_SPEC: JSON.stringify(spec) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    started.push(proc.pid as number);
    const line = await new Promise<string>((resolve, reject) => {
      let text = '';
      proc.stdout.on('data', (d: Buffer) => {
        text += d.toString();
        if (text.includes('\n')) resolve(text.split('\n')[0]);
      });
      proc.once('exit', (code) => reject(new Error(`the agent host exited with ${code} before reporting`)));
    });
    proc.stdout.destroy();
    proc.unref();
    host = JSON.parse(line) as typeof host;
    started.push(...host.holders, ...host.servers);
  });

  after(async () => {
    await killAll(started, path.basename(home));
    fs.rmSync(home, { recursive: true, force: true });
  });

  const ours = (list: readonly Instance[]) => list.filter((i) => host.servers.includes(i.pid));

  it("attributes both sessions' copies to VS Code Server's agent host, and flags the older as a duplicate, one per agent session", async () => {
    const inst = await until("both sessions' servers under the agent host", async () => {
      const list = ours(server(await statusJson(home), 'memory').instances);
      return list.length === 2 ? list : undefined;
    });
    for (const i of inst) {
      assert.deepEqual(i.client, {
        id: 'vscode',
        name: 'VS Code Server',
        pid: host.host,
        agentHost: { pid: host.host, name: 'VS Code Server agent host' },
      });
    }
    const [older, newer] = [...inst].sort((a, b) => (a.startTime ?? 0) - (b.startTime ?? 0));
    const dup = older.verdicts.find((v): v is Extract<Verdict, { kind: 'duplicate' }> => v.kind === 'duplicate');
    assert.ok(dup, `the older copy is a duplicate: ${JSON.stringify(older.verdicts)}`);
    assert.equal(dup.keep.pid, newer.pid);
    assert.deepEqual(dup.agentHost, { pid: host.host, name: 'VS Code Server agent host' });
    assert.match(describeVerdict(dup), /one per agent session of its VS Code Server agent host/);
    assert.deepEqual(newer.verdicts, [], 'the newest copy is kept');
  });

  it('once the agent host is gone, its servers run on as orphans, neither one a duplicate', async () => {
    process.kill(host.host, 'SIGKILL');
    const inst = await until('both servers to read as orphans', async () => {
      const list = ours(server(await statusJson(home), 'memory').instances);
      return list.length === 2 && list.every((i) => i.verdicts.some((v) => v.kind === 'orphan')) ? list : undefined;
    });
    for (const i of inst) {
      assert.equal(i.client.id, 'unknown');
      assert.deepEqual(
        i.verdicts.map((v) => v.kind),
        ['orphan'],
      );
      assert.ok(isAlive(i.pid), 'the orphan really runs on');
    }
  });
});
