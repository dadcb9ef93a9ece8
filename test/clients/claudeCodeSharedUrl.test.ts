import * as assert from 'node:assert/strict';
import { ChildProcess, execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Snapshot } from '../../src/core/base/model';
import { repoRoot } from '../support/repo';
import { until } from '../support/poll';
import { processesOfHome } from '../support/homeProcesses';
import { signal, stopChildren } from '../support/liveness';
import { freePort } from '../support/startup';
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
 * Real Claude Code from npm against a shared server's URL: `ensure --share` starts one share host
 * with its HTTP front, `claude mcp add --transport http` names the URL (an entry that starts
 * nothing), and two real sessions (`claude -p`, the model a loopback stub) each open their own MCP
 * session on it. One server process serves both, with no relay: the share host lists each session
 * as a client, the URL entry's row shows that one instance, and nothing is a duplicate.
 */
describe(`real clients: Claude Code ${CLAUDE_CODE.version} (npm), two sessions on a shared server's URL`, function () {
  this.timeout(300_000);
  let home: string;
  let project: string;
  let model: ModelStub | undefined;
  const sessions: ChildProcess[] = [];

  before(function () {
    if (process.platform !== 'linux') this.skip();
  });

  beforeEach(() => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'lg-claude-share-'));
    project = path.join(home, 'proj');
    fs.mkdirSync(project);
    fs.mkdirSync(path.join(home, 'tmp'));
  });

  afterEach(async () => {
    await stopChildren(sessions.splice(0));
    // The share host and its server carry this home's MCP_LIFEGUARD_HOME, as every session's process does.
    const lifeguard = path.join(home, '.lifeguard');
    await until("the home's processes to end", () => {
      const left = processesOfHome(lifeguard);
      for (const p of left) signal(p.pid, 'SIGKILL');
      return left.length === 0;
    });
    await model?.close();
    model = undefined;
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('`ensure --share` prints the URL, `claude mcp add --transport http` names it; two sessions, one server, each session a client of the share host', async () => {
    const claude = await claudeCodeBin();
    model = await modelStub();
    const lifeguard = path.join(home, '.lifeguard');
    const env = {
      ...process.env,
      ...clientEnv(model.url),
      HOME: home,
      MCP_LIFEGUARD_HOME: lifeguard,
      // Claude Code keeps sockets and state in the temp folder: this test's, removed with it.
      TMPDIR: path.join(home, 'tmp'),
    };
    const data = path.join(home, 'memory.jsonl');
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/mcp`;
    const ensured = await cli(
      home,
      ['ensure', '--share', '--name', 'memory', '--share-listen', `127.0.0.1:${port}`, '--', 'node', MEMORY_SCRIPT],
      { MEMORY_FILE_PATH: data },
    );
    assert.equal(ensured.code, 0, ensured.stderr);
    assert.equal(ensured.stdout, `${url}\n`);

    await run(claude, ['mcp', 'add', '--transport', 'http', 'memory-shared', url], project, env);
    // What Claude Code wrote, as it wrote it: an entry that names the URL and starts nothing.
    const written = JSON.parse(fs.readFileSync(path.join(home, '.claude.json'), 'utf8'));
    assert.deepEqual(written.projects[project].mcpServers, { 'memory-shared': { type: 'http', url } });

    const memoryServers = () => processesOfHome(lifeguard).filter((p) => p.cmdline.split('\0')[1] === MEMORY_SCRIPT);
    const [server] = memoryServers();
    assert.ok(server, 'ensure started the server');

    for (let i = 0; i < 2; i++) sessions.push(spawn(claude, ['-p', 'hello'], { cwd: project, env, stdio: 'ignore' }));
    const workspace = ['--workspace', project];
    const snap = await until(
      'both sessions attached to the share host',
      async () => {
        const r = await cli(home, ['status', '--json', ...workspace]);
        assert.equal(r.code, 0, r.stderr);
        const s = JSON.parse(r.stdout) as Snapshot;
        const shared = s.servers.flatMap((x) => x.instances).find((i) => i.pid === server.pid);
        return shared?.lock?.attached?.length === 2 ? s : undefined;
      },
      120_000,
    );
    // One server for both sessions: neither started a process of its own for the URL.
    assert.deepEqual(
      memoryServers().map((p) => p.pid),
      [server.pid],
    );
    const entry = snap.servers.filter((s) => s.name === 'memory-shared');
    assert.equal(entry.length, 1, JSON.stringify(snap.servers.map((s) => s.name)));
    assert.deepEqual(
      [entry[0].source.client, entry[0].source.scope, entry[0].transport, entry[0].url],
      ['claude-code', 'local', 'http', url],
    );
    const [instance] = entry[0].instances.filter((i) => i.pid === server.pid);
    assert.ok(instance, `the URL entry's row shows the shared instance: ${JSON.stringify(entry[0].instances)}`);
    assert.equal(instance.lock?.shareUrl, url);
    assert.deepEqual(
      instance.lock!.attached!.map((c) => c.clientName),
      ['claude-code', 'claude-code'],
    );
    assert.deepEqual(
      instance.verdicts.filter((v) => v.kind === 'duplicate' || v.kind === 'orphan' || v.kind === 'unknown'),
      [],
      JSON.stringify(instance.verdicts),
    );
    assert.ok(!JSON.stringify(snap).includes(data), 'an env value is never in the snapshot');
    const plan = await cli(home, ['kill-duplicates', '--json', ...workspace]);
    assert.equal(plan.code, 0, plan.stderr);
    assert.deepEqual(
      (JSON.parse(plan.stdout) as { plan: Array<{ pid: number }> }).plan.filter((p) => p.pid === server.pid),
      [],
    );
    // The sessions really ran: they asked the model.
    const stub = model;
    await until('the sessions to ask the model', () => stub.requests.length > 0, 60_000);
  });
});
