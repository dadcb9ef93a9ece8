import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Instance, Verdict } from '../../../src/core/base/model';
import type { PlanItem } from '../../../src/core/actions/killDuplicates';
import { repoRoot } from '../../support/repo';
import { until } from '../../support/poll';
import { killAll } from '../../support/liveness';
import { cliAnswer, server, statusJson } from './support/harness';

/**
 * Two real processes shaped as Claude Code daemons of two versions, each running a real
 * server-memory from npm. The shape is the documented argv of the daemon (docs/clients.md, the
 * section on hosts that outlive windows, from the real Claude Code 2.1.328: `<claude> daemon run
 * --origin transient`, the program under Claude Code's native `versions/<semver>/` folder), not a
 * real upgrade: a node script copied to `<tmp>/claude/versions/2.1.300/claude` and
 * `.../2.1.328/claude` runs as each, its server a direct child (the real daemon has a pty host and a
 * worker between; the host is what is judged).
 */
describe('a real earlier Claude Code daemon: its servers are superseded while a newer daemon runs', function () {
  this.timeout(120000);
  const started: number[] = [];
  let home: string;
  const hosts: { host: number; holders: number[]; servers: number[] }[] = [];

  async function startDaemon(version: string, tag: string): Promise<(typeof hosts)[number]> {
    const dir = path.join(home, 'claude', 'versions', version);
    fs.mkdirSync(dir, { recursive: true });
    const script = path.join(dir, 'claude');
    fs.copyFileSync(path.join(__dirname, 'support', 'agent-host.cjs'), script);
    const spec = {
      command: path.join(repoRoot, 'node_modules', '.bin', 'mcp-server-memory'),
      args: [tag],
      env: { MEMORY_FILE_PATH: path.join(home, 'memory.jsonl') },
      sessions: 1,
    };
    const proc = spawn(process.execPath, [script, 'daemon', 'run', '--origin', 'transient'], {
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
      proc.once('exit', (code) => reject(new Error(`the daemon stand-in exited with ${code} before reporting`)));
    });
    proc.stdout.destroy();
    proc.unref();
    const h = JSON.parse(line) as (typeof hosts)[number];
    started.push(...h.holders, ...h.servers);
    return h;
  }

  before(async () => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'lg-generations-'));
    // A unique tag in the args: this scenario's launch is nobody else's on a shared machine.
    const tag = `--lg-tag=${path.basename(home)}`;
    const memoryBin = path.join(repoRoot, 'node_modules', '.bin', 'mcp-server-memory');
    fs.writeFileSync(
      path.join(home, '.claude.json'),
      JSON.stringify({ mcpServers: { memory: { type: 'stdio', command: memoryBin, args: [tag] } } }),
    );
    hosts.push(await startDaemon('2.1.300', tag));
    hosts.push(await startDaemon('2.1.328', tag));
  });

  after(async () => {
    await killAll(started, path.basename(home));
    fs.rmSync(home, { recursive: true, force: true });
  });

  const superseded = (i: Instance | undefined) =>
    i?.verdicts.find((v): v is Extract<Verdict, { kind: 'superseded' }> => v.kind === 'superseded');

  it("status --json: the 2.1.300 daemon's server is superseded, naming both daemons; the 2.1.328 one's is not", async () => {
    const [old, now] = hosts;
    const inst = await until("both daemons' servers under their entry", async () => {
      const list = server(await statusJson(home), 'memory').instances;
      const o = list.find((i) => i.pid === old.servers[0]);
      const n = list.find((i) => i.pid === now.servers[0]);
      return o && n ? { o, n } : undefined;
    });
    assert.deepEqual(inst.o.client.agentHost, { pid: old.host, name: 'Claude Code daemon' });
    assert.deepEqual(inst.n.client.agentHost, { pid: now.host, name: 'Claude Code daemon' });
    const v = superseded(inst.o);
    assert.ok(v, `superseded: ${JSON.stringify(inst.o.verdicts)}`);
    assert.equal(
      v.reason,
      `left by an earlier Claude Code daemon (pid ${old.host}, version 2.1.300, older than 2.1.328); Claude Code daemon pid ${now.host} runs now`,
    );
    assert.deepEqual([v.host.version, v.newer.pid, v.newer.version], ['2.1.300', now.host, '2.1.328']);
    assert.equal(superseded(inst.n), undefined, JSON.stringify(inst.n.verdicts));
  });

  it("kill-duplicates --json plans the old daemon's server, with that reason, and not the new one's", async () => {
    const [old, now] = hosts;
    const r = await cliAnswer(home, ['kill-duplicates', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const plan = (JSON.parse(r.stdout) as { dryRun: boolean; plan: PlanItem[] }).plan;
    const mine = plan.filter((p) => [old.servers[0], now.servers[0]].includes(p.pid));
    assert.deepEqual(
      mine.map((p) => [p.pid, p.reason, p.keep]),
      [[old.servers[0], 'superseded', now.host]],
    );
    assert.match(mine[0].why ?? '', /^left by an earlier Claude Code daemon/);
  });
});
