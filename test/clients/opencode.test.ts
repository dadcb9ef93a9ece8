import * as assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { until } from '../support/poll';
import { signal, stopChildren } from '../support/liveness';
import { modelStub, ModelStub, OPENCODE, opencodeBin, opencodeEnv, opencodeModelConfig } from '../support/realClients';
import {
  answerPrompts,
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
  sessionPids,
  status,
  untilGone,
  untilListed,
} from './support';

/**
 * Real opencode from npm: `opencode mcp add NAME [--env K=V] -- CMD ARGS` and `--url URL --header
 * K=V` write its global config, `~/.config/opencode/opencode.jsonc` (the file it creates on its
 * first start), `mcp.NAME` as `{"type": "local", "command": [program, ...args], "environment"}` or
 * `{"type": "remote", "url", "headers"}`. The project's `opencode.json` has no flag: `opencode mcp
 * add` with no arguments asks on a terminal, and offers the project only in a git repository; the
 * test answers its prompts. A real session (`opencode run`, its model an OpenAI-compatible provider
 * on the loopback stub, given in OPENCODE_CONFIG_CONTENT so the files hold only what `mcp add`
 * wrote) starts both server-memory entries as children of the opencode binary. The client killed,
 * its servers' stdin closes and they end: none is left to be an orphan.
 */
describe(`real clients: opencode ${OPENCODE.version} (npm), its own mcp add in two scopes and a session`, function () {
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

  it('`opencode mcp add` (global, stdio and remote) and its wizard (project): each entry with its scope, each process under its own entry and client, none a duplicate, none left after the client is killed', async () => {
    const opencode = await opencodeBin();
    model = await modelStub();
    const home = clientHome('lg-opencode-', opencodeEnv('OPENCODE'));
    h = home;
    // opencode takes its project folder from PWD when it is set (as a shell sets it), before its cwd.
    home.env.PWD = home.project;
    await runClient('git', ['init', '-q'], home.project, home.env);
    const data = path.join(home.home, 'mem-user.json');
    const add = (args: string[]) => runClient(opencode, ['mcp', 'add', ...args], home.project, home.env);
    await add(['mem-user', '--env', `MEMORY_FILE_PATH=${data}`, '--', 'node', MEMORY_SCRIPT]);
    await add(['remote', '--url', 'http://127.0.0.1:9/mcp', '--header', 'Authorization=Bearer oc-4b1d']);
    // The wizard: location (the current project first), name, type (local first), command.
    const wizard = (answers: Array<[RegExp, string]>) =>
      answerPrompts([opencode, 'mcp', 'add'], answers, home.project, home.env);
    await wizard([
      [/Location/, '\r'],
      [/server name/, 'mem-proj\r'],
      [/server type/, '\r'],
      [/command to run/, `node ${MEMORY_SCRIPT}\r`],
    ]);
    await wizard([
      [/Location/, '\r'],
      [/server name/, 'remote-proj\r'],
      [/server type/, '\x1b[B\r'],
      [/server URL/, 'http://127.0.0.1:9/proj\r'],
      [/OAuth/, '\r'],
    ]);

    // What opencode wrote, as it wrote it.
    const global = path.join(home.home, '.config', 'opencode', 'opencode.jsonc');
    const project = path.join(home.project, 'opencode.json');
    assert.deepEqual(JSON.parse(fs.readFileSync(global, 'utf8')), {
      $schema: 'https://opencode.ai/config.json',
      mcp: {
        'mem-user': { type: 'local', command: ['node', MEMORY_SCRIPT], environment: { MEMORY_FILE_PATH: data } },
        remote: { type: 'remote', url: 'http://127.0.0.1:9/mcp', headers: { Authorization: 'Bearer oc-4b1d' } },
      },
    });
    // opencode adds its `$schema` to a project's file when it loads it (the second wizard found the file).
    assert.deepEqual(JSON.parse(fs.readFileSync(project, 'utf8')), {
      $schema: 'https://opencode.ai/config.json',
      mcp: {
        'mem-proj': { type: 'local', command: ['node', MEMORY_SCRIPT] },
        'remote-proj': { type: 'remote', url: 'http://127.0.0.1:9/proj' },
      },
    });

    const before = await status(home);
    assert.deepEqual([...diagnosticsOf(before, global), ...diagnosticsOf(before, project)], []);
    const read = (name: string) => {
      const s = only(before, name);
      return [s.source.client, s.source.scope, s.source.file, s.transport, s.command ?? s.url, s.args, s.envKeys];
    };
    assert.deepEqual(read('mem-user'), [
      'opencode',
      'user',
      global,
      'stdio',
      'node',
      [MEMORY_SCRIPT],
      ['MEMORY_FILE_PATH'],
    ]);
    assert.deepEqual(read('remote'), ['opencode', 'user', global, 'http', 'http://127.0.0.1:9/mcp', [], []]);
    assert.deepEqual(read('mem-proj'), ['opencode', 'workspace', project, 'stdio', 'node', [MEMORY_SCRIPT], []]);
    assert.deepEqual(read('remote-proj'), [
      'opencode',
      'workspace',
      project,
      'http',
      'http://127.0.0.1:9/proj',
      [],
      [],
    ]);
    assert.deepEqual(only(before, 'remote').headerKeys, ['Authorization']);
    assert.notEqual(only(before, 'mem-user').identityKey, only(before, 'mem-proj').identityKey);
    assert.ok(!JSON.stringify(before).includes('oc-4b1d'), 'a header value is never in the snapshot');

    session = spawn(opencode, ['run', 'hello'], {
      cwd: home.project,
      env: { ...home.env, OPENCODE_CONFIG_CONTENT: opencodeModelConfig(model.url) },
      stdio: 'ignore',
    });
    await until('both servers of the session running', () => memoryServers(home).length === 2, 120_000);
    const servers = memoryServers(home);
    const userPid = servers.find((p) => carries(p.pid, `MEMORY_FILE_PATH=${data}`))!.pid;
    const projPid = servers.find((p) => p.pid !== userPid)!.pid;
    // The npm bin is the native binary: it is the client, the servers its children.
    const client = parentOf(userPid);
    assert.equal(parentOf(projPid), client);
    assert.equal(client, session.pid);

    const snap = await untilListed(home, [userPid, projPid]);
    assert.deepEqual([...diagnosticsOf(snap, global), ...diagnosticsOf(snap, project)], []);
    assert.deepEqual(sessionPids(only(snap, 'mem-user'), [userPid, projPid]), [userPid]);
    assert.deepEqual(sessionPids(only(snap, 'mem-proj'), [userPid, projPid]), [projPid]);
    const instances = [...only(snap, 'mem-user').instances, ...only(snap, 'mem-proj').instances];
    for (const i of instances.filter((x) => x.pid === userPid || x.pid === projPid)) {
      assert.deepEqual([i.client.id, i.client.name, i.client.pid], ['opencode', 'opencode', client]);
      assert.deepEqual(badVerdicts(i), [], `pid ${i.pid}: ${JSON.stringify(i.verdicts)}`);
    }
    assert.ok(!JSON.stringify(snap).includes(data), 'an env value is never in the snapshot');
    assert.deepEqual(await killDuplicatesPlanned(home, [userPid, projPid]), []);
    const stub = model;
    await until('the session to ask the model', () => stub.requests.length > 0, 60_000);
    assert.ok(
      stub.requests.some((r) => r.startsWith('POST /v1/chat/completions')),
      stub.requests.join('\n'),
    );

    // The client killed: its servers' stdin closes and they end by themselves; none is left.
    signal(client, 'SIGKILL');
    await untilGone("the servers to end after their client's", [userPid, projPid]);
    const after = await status(home);
    const listed = [...after.servers.flatMap((s) => s.instances), ...after.notConfigured].map((i) => i.pid);
    assert.ok(!listed.includes(userPid) && !listed.includes(projPid), JSON.stringify(listed));
  });
});
