import * as assert from 'node:assert/strict';
import { ChildProcess, execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Instance, Snapshot } from '../../src/core/base/model';
import { repoRoot } from '../support/repo';
import { until } from '../support/poll';
import { processesOfHome } from '../support/homeProcesses';
import { signal, stopChildren } from '../support/liveness';
import { claudeCodeBin, clientEnv, CLAUDE_CODE, modelStub, ModelStub } from '../support/realClients';
import { cli } from '../integration/processes/support/harness';

const MEMORY_SCRIPT = path.join(repoRoot, 'node_modules', '@modelcontextprotocol', 'server-memory', 'dist', 'index.js');

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(command, args, { cwd, env, timeout: 120_000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${command} ${args.join(' ')}: ${err.message}\n${stdout}${stderr}`)) : resolve(stdout),
    ),
  );
}

/**
 * Real Claude Code from npm: `claude mcp add` writes one server into two scopes (local, with its own
 * MEMORY_FILE_PATH, in ~/.claude.json; project, without, in the folder's .mcp.json), and a real
 * session (`claude -p`, its model a loopback stub that never answers) starts both. Each process is
 * its own entry's, by the env it carries: none is the other's, none a duplicate.
 */
describe(`real clients: Claude Code ${CLAUDE_CODE.version} (npm), one command in two scopes`, function () {
  this.timeout(300_000);
  let home: string;
  let project: string;
  let model: ModelStub | undefined;
  let session: ChildProcess | undefined;

  before(function () {
    if (process.platform !== 'linux') this.skip();
  });

  beforeEach(() => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'lg-claude-code-'));
    project = path.join(home, 'proj');
    fs.mkdirSync(project);
  });

  afterEach(async () => {
    if (session) await stopChildren([session]);
    session = undefined;
    const lifeguard = path.join(home, '.lifeguard');
    await until("the session's servers to end", () => {
      const left = processesOfHome(lifeguard);
      for (const p of left) signal(p.pid, 'SIGKILL');
      return left.length === 0;
    });
    await model?.close();
    model = undefined;
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('`claude mcp add` in the local and the project scope, one session: each process under its own entry, none a duplicate', async () => {
    const claude = await claudeCodeBin();
    model = await modelStub();
    fs.mkdirSync(path.join(home, 'tmp'));
    const env = {
      ...process.env,
      ...clientEnv(model.url),
      HOME: home,
      MCP_LIFEGUARD_HOME: path.join(home, '.lifeguard'),
      // Claude Code keeps sockets and state in the temp folder: this test's, removed with it.
      TMPDIR: path.join(home, 'tmp'),
    };
    const ccData = path.join(home, 'cc.json');
    await run(
      claude,
      ['mcp', 'add', 'memory-cc', '-e', `MEMORY_FILE_PATH=${ccData}`, '--', 'node', MEMORY_SCRIPT],
      project,
      env,
    );
    await run(claude, ['mcp', 'add', '--scope', 'project', 'memory-proj', '--', 'node', MEMORY_SCRIPT], project, env);
    // What Claude Code wrote, as it wrote it: the local scope under the folder in ~/.claude.json, the project's .mcp.json.
    const user = JSON.parse(fs.readFileSync(path.join(home, '.claude.json'), 'utf8'));
    assert.deepEqual(Object.keys(user.projects[project].mcpServers), ['memory-cc']);
    assert.deepEqual(Object.keys(JSON.parse(fs.readFileSync(path.join(project, '.mcp.json'), 'utf8')).mcpServers), [
      'memory-proj',
    ]);

    session = spawn(claude, ['-p', 'hello'], { cwd: project, env, stdio: 'ignore' });
    const servers = () =>
      processesOfHome(path.join(home, '.lifeguard')).filter((p) => p.cmdline.includes(MEMORY_SCRIPT));
    await until('both servers of the session running', () => servers().length === 2, 120_000);
    const withData = servers().filter((p) =>
      fs.readFileSync(`/proc/${p.pid}/environ`, 'utf8').split('\0').includes(`MEMORY_FILE_PATH=${ccData}`),
    );
    assert.equal(withData.length, 1, "one server carries the local entry's env");
    const ccPid = withData[0].pid;
    const projPid = servers().find((p) => p.pid !== ccPid)!.pid;

    const workspace = ['--workspace', project];
    const snap = await until('both processes listed', async () => {
      const r = await cli(home, ['status', '--json', ...workspace]);
      assert.equal(r.code, 0, r.stderr);
      const s = JSON.parse(r.stdout) as Snapshot;
      const listed = s.servers.flatMap((x) => x.instances.map((i) => i.pid));
      return listed.includes(ccPid) && listed.includes(projPid) ? s : undefined;
    });
    const of = (name: string) => snap.servers.filter((x) => x.name === name);
    const [cc] = of('memory-cc');
    const [proj] = of('memory-proj');
    assert.equal(of('memory-cc').length, 1);
    assert.equal(of('memory-proj').length, 1);
    assert.deepEqual([cc.source.client, cc.source.scope], ['claude-code', 'local']);
    assert.deepEqual([proj.source.client, proj.source.scope], ['claude-code', 'project']);
    // Only the session's processes are judged: the machine may run this very file with no env
    // elsewhere (another test run's client), rightly memory-proj's too, under its own client.
    const ofSession = (list: Instance[]) => list.filter((i) => i.pid === ccPid || i.pid === projPid);
    const pidsOf = (list: Instance[]) => ofSession(list).map((i) => i.pid);
    assert.deepEqual(pidsOf(cc.instances), [ccPid], JSON.stringify(cc.instances));
    assert.deepEqual(pidsOf(proj.instances), [projPid], JSON.stringify(proj.instances));
    for (const i of ofSession([...cc.instances, ...proj.instances])) {
      assert.equal(i.client.id, 'claude-code');
      assert.deepEqual(
        i.verdicts.filter((v) => v.kind === 'duplicate' || v.kind === 'orphan' || v.kind === 'unknown'),
        [],
        `pid ${i.pid}: ${JSON.stringify(i.verdicts)}`,
      );
    }
    assert.ok(!JSON.stringify(snap).includes(ccData), 'the env value is never in the snapshot');
    const plan = await cli(home, ['kill-duplicates', '--json', ...workspace]);
    assert.equal(plan.code, 0, plan.stderr);
    const planned = (JSON.parse(plan.stdout) as { plan: Array<{ pid: number }> }).plan.map((item) => item.pid);
    assert.deepEqual(
      planned.filter((p) => p === ccPid || p === projPid),
      [],
    );
    // The servers start before the session's first request: wait for it (it really started).
    const stub = model;
    await until('the session to ask the model', () => stub.requests.length > 0, 60_000);
  });
});
