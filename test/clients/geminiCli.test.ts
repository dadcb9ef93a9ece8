import * as assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cli } from '../integration/processes/support/harness';
import { noClientLogReason } from '../../src/core/clientLogs';
import { until } from '../support/poll';
import { isAlive, signal, stopChildren } from '../support/liveness';
import { GEMINI_CLI, geminiCliBin, geminiEnv, modelStub, ModelStub } from '../support/realClients';
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
  untilGone,
  untilListed,
} from './support';

function cmdline(pid: number): string {
  return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
}

/**
 * Real Gemini CLI from npm: `gemini mcp add` writes its default (project) scope into
 * `<folder>/.gemini/settings.json` and `-s user` into `~/.gemini/settings.json`, keeping the rest
 * of the file; an http or sse entry with `"type"` and `url`. A real session (`gemini -p`, the
 * API-key method chosen in its user settings, its model's base URL the loopback stub) starts both
 * server-memory entries as children of the node process it relaunches itself as. Then the session's
 * client is killed: its servers end on their own when their stdin closes (server-memory exits on
 * EOF), so none is left to be an orphan; and while the client runs, none is one, even with the
 * process that relaunched it gone.
 */
describe(`real clients: Gemini CLI ${GEMINI_CLI.version} (npm), its own mcp add in two scopes and a session`, function () {
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

  it('`gemini mcp add` (project) and `-s user`, `gemini -p`: each process under its own entry and client, none a duplicate; none an orphan before the client is killed, none left after', async () => {
    const gemini = await geminiCliBin();
    model = await modelStub();
    const home = clientHome('lg-gemini-cli-', geminiEnv(model.url));
    h = home;
    // The user's own settings before any server: the auth method a non-interactive session needs,
    // no update checks, no usage statistics.
    const userSettings = path.join(home.home, '.gemini', 'settings.json');
    const own = {
      security: { auth: { selectedType: 'gemini-api-key' } },
      general: { enableAutoUpdate: false, enableAutoUpdateNotification: false },
      privacy: { usageStatisticsEnabled: false },
    };
    fs.mkdirSync(path.dirname(userSettings));
    fs.writeFileSync(userSettings, JSON.stringify(own, null, 2));

    const data = path.join(home.home, 'mem-user.json');
    const add = (args: string[]) => runClient(gemini, ['mcp', 'add', ...args], home.project, home.env);
    await add(['mem-proj', 'node', MEMORY_SCRIPT]);
    await add(['-s', 'user', '-e', `MEMORY_FILE_PATH=${data}`, 'mem-user', 'node', MEMORY_SCRIPT]);
    await add(['-s', 'user', '-t', 'http', 'remote', 'http://127.0.0.1:9/mcp', '-H', 'Authorization: Bearer gem-4b1d']);

    // What Gemini CLI wrote, as it wrote it.
    const projectSettings = path.join(home.project, '.gemini', 'settings.json');
    assert.deepEqual(JSON.parse(fs.readFileSync(projectSettings, 'utf8')), {
      mcpServers: { 'mem-proj': { command: 'node', args: [MEMORY_SCRIPT] } },
    });
    assert.deepEqual(JSON.parse(fs.readFileSync(userSettings, 'utf8')), {
      ...own,
      mcpServers: {
        'mem-user': { command: 'node', args: [MEMORY_SCRIPT], env: { MEMORY_FILE_PATH: data } },
        remote: { url: 'http://127.0.0.1:9/mcp', type: 'http', headers: { Authorization: 'Bearer gem-4b1d' } },
      },
    });
    const before = await status(home);
    assert.deepEqual([...diagnosticsOf(before, userSettings), ...diagnosticsOf(before, projectSettings)], []);
    const scopeOf = (name: string) => {
      const s = only(before, name).source;
      return [s.client, s.scope, s.file];
    };
    assert.deepEqual(scopeOf('mem-user'), ['gemini-cli', 'user', userSettings]);
    assert.deepEqual(scopeOf('remote'), ['gemini-cli', 'user', userSettings]);
    assert.deepEqual(scopeOf('mem-proj'), ['gemini-cli', 'workspace', projectSettings]);
    assert.deepEqual(
      [only(before, 'remote').transport, only(before, 'remote').headerKeys],
      ['http', ['Authorization']],
    );
    assert.notEqual(only(before, 'mem-user').identityKey, only(before, 'mem-proj').identityKey);
    assert.ok(!JSON.stringify(before).includes('gem-4b1d'), 'a header value is never in the snapshot');

    session = spawn(gemini, ['-p', 'hello'], { cwd: home.project, env: home.env, stdio: 'ignore' });
    await until(
      'both servers of the session running',
      () => memoryServers(home).length === 2,
      120_000,
      SESSION_POLL_MS,
    );
    const servers = memoryServers(home);
    const userPid = servers.find((p) => carries(p.pid, `MEMORY_FILE_PATH=${data}`))!.pid;
    const projPid = servers.find((p) => p.pid !== userPid)!.pid;
    // Gemini CLI relaunches itself as a child node with a larger heap: that child is the client.
    const client = parentOf(userPid);
    assert.equal(parentOf(projPid), client);
    assert.match(cmdline(client), /--max-old-space-size=\d+\0.*[/\\]\.bin[/\\]gemini\0/);
    const launcher = parentOf(client);
    assert.equal(launcher, session.pid, "the relaunched client is the first process's child");

    const judged = async (what: string) => {
      const snap = await untilListed(home, [userPid, projPid]);
      assert.deepEqual([...diagnosticsOf(snap, userSettings), ...diagnosticsOf(snap, projectSettings)], []);
      assert.deepEqual(sessionPids(only(snap, 'mem-user'), [userPid, projPid]), [userPid]);
      assert.deepEqual(sessionPids(only(snap, 'mem-proj'), [userPid, projPid]), [projPid]);
      const instances = [...only(snap, 'mem-user').instances, ...only(snap, 'mem-proj').instances];
      for (const i of instances.filter((x) => x.pid === userPid || x.pid === projPid)) {
        assert.deepEqual([i.client.id, i.client.name, i.client.pid], ['gemini-cli', 'Gemini CLI', client], what);
        assert.deepEqual(badVerdicts(i), [], `${what}: pid ${i.pid}: ${JSON.stringify(i.verdicts)}`);
      }
      assert.ok(!JSON.stringify(snap).includes(data), 'an env value is never in the snapshot');
    };
    await judged('in the session');
    assert.deepEqual(await killDuplicatesPlanned(home, [userPid, projPid]), []);
    // Gemini CLI keeps no log of its servers (their stderr goes to its own console with --debug only): none is offered.
    const logs = await cli(home.home, ['logs', 'mem-user', '--workspace', home.project, '--json']);
    assert.equal(logs.code, 1, logs.stdout);
    assert.deepEqual(
      (JSON.parse(logs.stdout).noLog as Array<{ pid: number }>).filter((n) => n.pid === userPid),
      [{ pid: userPid, client: 'gemini-cli', reason: noClientLogReason('gemini-cli') }],
    );
    const stub = model;
    await until('the session to ask the model', () => stub.requests.length > 0, 60_000);
    assert.ok(
      stub.requests.some((r) => /^POST \/v1beta\/models\/[^/]+:(generateContent|streamGenerateContent)/.test(r)),
      stub.requests.join('\n'),
    );

    // The first process gone is not the client gone: the relaunched one runs on (adopted), and so do its servers.
    signal(launcher, 'SIGKILL');
    await until('the first process to end', () => session!.exitCode !== null || session!.signalCode !== null);
    assert.ok(isAlive(client) && isAlive(userPid) && isAlive(projPid), 'the client and its servers run on');
    await judged('with the first process gone');

    // The client killed: its servers' stdin closes and they end by themselves; none is left.
    signal(client, 'SIGKILL');
    await untilGone("the servers to end after their client's", [userPid, projPid]);
    const after = await status(home);
    assert.deepEqual(memoryServers(home), [], 'no server of the session is left');
    const listed = [...after.servers.flatMap((s) => s.instances), ...after.notConfigured].map((i) => i.pid);
    assert.ok(!listed.includes(userPid) && !listed.includes(projPid), JSON.stringify(listed));
  });
});
