import * as assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { until } from '../support/poll';
import { stopChildren } from '../support/liveness';
import { COPILOT_CLI, copilotCliBin, copilotEnv, modelStub, ModelStub } from '../support/realClients';
import { cli } from '../integration/processes/support/harness';
import {
  badVerdicts,
  carries,
  ClientHome,
  clientHome,
  diagnosticsOf,
  killDuplicatesPlanned,
  MEMORY_SCRIPT,
  memoryServers,
  only,
  parentOf,
  removeClientHome,
  runClient,
  SESSION_POLL_MS,
  sessionPids,
  status,
  untilListed,
} from './support';

/**
 * Real Copilot CLI from npm: `copilot mcp add` writes ~/.copilot/mcp-config.json (its only scope
 * with an `add`), each stdio entry with `"type": "local"` and every entry with `"tools": ["*"]`; an
 * http entry keeps its `headers`. Two entries of one command, one with its own MEMORY_FILE_PATH and
 * one without, and a real session (`copilot -p`, offline, its model a custom provider on a loopback
 * stub that never answers: no GitHub login) starts both: each process under its own entry.
 */
describe(`real clients: Copilot CLI ${COPILOT_CLI.version} (npm), its own mcp add and a session`, function () {
  this.timeout(300_000);
  let h: ClientHome | undefined;
  let model: ModelStub | undefined;
  let session: ChildProcess | undefined;

  before(function () {
    if (process.platform !== 'linux') this.skip();
  });

  afterEach(async () => {
    if (session) await stopChildren([session]);
    session = undefined;
    await removeClientHome(h);
    h = undefined;
    await model?.close();
    model = undefined;
  });

  it('`copilot mcp add` (type "local"): read as stdio with no config error, each session process under its own entry, `wrap` sees it and Copilot reads the wrap back', async () => {
    const copilot = await copilotCliBin();
    model = await modelStub();
    const home = clientHome('lg-copilot-cli-', copilotEnv(model.url));
    h = home;
    const data = path.join(home.home, 'mem-a.json');
    const secret = 'Bearer copilot-header-secret-4b1d';
    const add = (args: string[]) => runClient(copilot, ['mcp', 'add', ...args], home.project, home.env);
    await add(['mem-a', '--env', `MEMORY_FILE_PATH=${data}`, '--', 'node', MEMORY_SCRIPT]);
    await add(['mem-b', '--', 'node', MEMORY_SCRIPT]);
    await add(['--transport', 'http', 'remote', 'http://127.0.0.1:9/mcp', '--header', `Authorization: ${secret}`]);

    // What Copilot CLI wrote, as it wrote it.
    const config = path.join(home.home, '.copilot', 'mcp-config.json');
    const written = JSON.parse(fs.readFileSync(config, 'utf8')).mcpServers;
    assert.deepEqual(Object.keys(written), ['mem-a', 'mem-b', 'remote']);
    assert.deepEqual(
      [written['mem-a'].type, written['mem-b'].type, written.remote.type],
      ['local', 'local', 'http'],
      'stdio entries are "local"',
    );
    for (const name of ['mem-a', 'mem-b', 'remote']) assert.deepEqual(written[name].tools, ['*']);
    assert.deepEqual(written['mem-a'].env, { MEMORY_FILE_PATH: data });
    assert.deepEqual(written.remote.headers, { Authorization: secret });

    // Read as Copilot reads it: no config error, each entry once, the local ones stdio.
    const before = await status(home);
    assert.deepEqual(diagnosticsOf(before, config), []);
    const a = only(before, 'mem-a');
    const b = only(before, 'mem-b');
    const remote = only(before, 'remote');
    for (const s of [a, b, remote]) {
      assert.deepEqual([s.source.client, s.source.scope, s.source.file], ['copilot-cli', 'user', config]);
    }
    assert.deepEqual(
      [a.transport, a.command, a.args, a.envKeys],
      ['stdio', 'node', [MEMORY_SCRIPT], ['MEMORY_FILE_PATH']],
    );
    assert.deepEqual([b.transport, b.command, b.args, b.envKeys], ['stdio', 'node', [MEMORY_SCRIPT], []]);
    assert.equal(a.launchKey, b.launchKey, 'one launch');
    assert.notEqual(a.identityKey, b.identityKey, 'two servers: the env tells them apart');
    assert.deepEqual(
      [remote.transport, remote.url, remote.headerKeys],
      ['http', 'http://127.0.0.1:9/mcp', ['Authorization']],
    );
    assert.ok(!JSON.stringify(before).includes('copilot-header-secret'), 'a header value is never in the snapshot');

    // A real session starts both servers under the native binary.
    session = spawn(copilot, ['-p', 'hello'], { cwd: home.project, env: home.env, stdio: 'ignore' });
    await until(
      'both servers of the session running',
      () => memoryServers(home).length === 2,
      120_000,
      SESSION_POLL_MS,
    );
    const servers = memoryServers(home);
    const withData = servers.filter((p) => carries(p.pid, `MEMORY_FILE_PATH=${data}`));
    assert.equal(withData.length, 1, "one server carries mem-a's env");
    const aPid = withData[0].pid;
    const bPid = servers.find((p) => p.pid !== aPid)!.pid;
    // The servers' parent is the native binary the npm loader runs (it waits for it, spawnSync).
    const client = parentOf(aPid);
    assert.equal(parentOf(bPid), client);
    assert.match(fs.readFileSync(`/proc/${client}/cmdline`, 'utf8'), /@github\/copilot-linux-x64\/copilot\0/);

    const snap = await untilListed(home, [aPid, bPid]);
    assert.deepEqual(diagnosticsOf(snap, config), []);
    assert.deepEqual(sessionPids(only(snap, 'mem-a'), [aPid, bPid]), [aPid]);
    assert.deepEqual(sessionPids(only(snap, 'mem-b'), [aPid, bPid]), [bPid]);
    const instances = [...only(snap, 'mem-a').instances, ...only(snap, 'mem-b').instances];
    for (const i of instances.filter((x) => x.pid === aPid || x.pid === bPid)) {
      assert.deepEqual([i.client.id, i.client.name, i.client.pid], ['copilot-cli', 'Copilot CLI', client]);
      assert.deepEqual(badVerdicts(i), [], `pid ${i.pid}: ${JSON.stringify(i.verdicts)}`);
    }
    assert.ok(!JSON.stringify(snap).includes(data), 'an env value is never in the snapshot');
    assert.deepEqual(await killDuplicatesPlanned(home, [aPid, bPid]), []);
    const stub = model;
    await until('the session to ask the model', () => stub.requests.length > 0, 60_000);
    await stopChildren([session]);
    session = undefined;

    // `wrap` finds the entry in Copilot's file, and what it writes Copilot CLI still reads.
    const plan = await cli(home.home, ['wrap', 'mem-a', '--json']);
    assert.equal(plan.code, 0, plan.stderr);
    const files = (JSON.parse(plan.stdout) as { files: Array<{ file: string; entries: unknown[] }> }).files;
    assert.deepEqual(
      files.map((f) => [f.file, f.entries.length]),
      [[config, 1]],
    );
    const wrote = await cli(home.home, ['wrap', 'mem-a', '--yes', '--install-guard']);
    assert.equal(wrote.code, 0, wrote.stdout + wrote.stderr);
    const after = JSON.parse(fs.readFileSync(config, 'utf8')).mcpServers;
    assert.equal(after['mem-a'].type, 'local', 'the type is left as Copilot wrote it');
    assert.deepEqual(after['mem-a'].tools, ['*']);
    assert.match(after['mem-a'].command, /[/\\]\.lifeguard[/\\]bin[/\\]mcp-lifeguard$/);
    assert.deepEqual(after['mem-a'].args.slice(-3), ['--', 'node', MEMORY_SCRIPT]);
    const got = await runClient(copilot, ['mcp', 'get', 'mem-a'], home.project, home.env);
    assert.match(got, /Type: local/);
    assert.ok(got.includes(after['mem-a'].command), got);
    const wrapped = await status(home);
    assert.deepEqual(diagnosticsOf(wrapped, config), []);
    assert.equal(only(wrapped, 'mem-a').transport, 'stdio');
  });

  // Copilot CLI has no command that writes a workspace's `.github/mcp.json`: the test writes it in the
  // shape of its own `mcp-config.json`. In a trusted folder (COPILOT_ALLOW_ALL=true trusts the working
  // directory) a session runs it; with a `.mcp.json` beside it, only that one's servers started (1.0.102).
  it("a workspace's .github/mcp.json (written by the test) is Copilot CLI's workspace scope, and its session's server is that entry's", async () => {
    const copilot = await copilotCliBin();
    model = await modelStub();
    const home = clientHome('lg-copilot-ws-', { ...copilotEnv(model.url), COPILOT_ALLOW_ALL: 'true' });
    h = home;
    const file = path.join(home.project, '.github', 'mcp.json');
    fs.mkdirSync(path.dirname(file));
    fs.writeFileSync(
      file,
      JSON.stringify({
        mcpServers: { 'mem-gh': { type: 'local', command: 'node', args: [MEMORY_SCRIPT], tools: ['*'] } },
      }),
    );
    const before = await status(home);
    assert.deepEqual(diagnosticsOf(before, file), []);
    const entry = only(before, 'mem-gh');
    assert.deepEqual(
      [entry.source.client, entry.source.scope, entry.source.label, entry.source.file, entry.transport],
      ['copilot-cli', 'workspace', 'Copilot CLI (workspace)', file, 'stdio'],
    );

    session = spawn(copilot, ['-p', 'hello'], { cwd: home.project, env: home.env, stdio: 'ignore' });
    await until('the server of the session running', () => memoryServers(home).length === 1, 120_000, SESSION_POLL_MS);
    const [{ pid }] = memoryServers(home);
    const client = parentOf(pid);
    const snap = await untilListed(home, [pid]);
    assert.deepEqual(sessionPids(only(snap, 'mem-gh'), [pid]), [pid]);
    const i = only(snap, 'mem-gh').instances.find((x) => x.pid === pid)!;
    assert.deepEqual([i.client.id, i.client.pid], ['copilot-cli', client]);
    assert.deepEqual(badVerdicts(i), [], JSON.stringify(i.verdicts));
  });
});
