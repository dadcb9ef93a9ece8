import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { until } from '../support/poll';
import { DROID_ENV, droidBin, droidSettings, FACTORY_DROID, modelStub } from '../support/realClients';
import {
  carries,
  clientHome,
  diagnosticsOf,
  expectModelAsked,
  expectSessionJudged,
  MEMORY_SCRIPT,
  memoryServers,
  only,
  parentOf,
  runClient,
  SESSION_POLL_MS,
  sessionParts,
  status,
} from './support';

/**
 * Real Factory Droid from npm (`droid`): `droid mcp add NAME CMD ARGS [--env K=V]` and `--type
 * http|sse URL [--header "K: V"]` write `~/.factory/mcp.json` (`$FACTORY_HOME_OVERRIDE` moves the
 * home), its only scope with an `add`: `mcpServers.NAME` with `type`, `command`, `args`, `env`, or
 * `url` and `headers`, and `"disabled": false`. Droid also reads a project's `.factory/mcp.json`,
 * which no command writes: the test writes it, with an entry `"disabled": true` that the session
 * must not start. A session (`droid exec -m custom:gpt-4o`, a custom model at the loopback stub, no
 * Factory login) starts the user file's servers as children of the native binary.
 */
describe(`real clients: Factory Droid ${FACTORY_DROID.version} (npm), its own mcp add and a session`, function () {
  this.timeout(300_000);
  const parts = sessionParts();

  it('`droid mcp add` (stdio, http, sse) and a project file read with their scopes; `droid exec`: each process under its own entry and client, the disabled entry not started', async () => {
    const droid = await droidBin();
    const model = (parts.model = await modelStub());
    const home = clientHome('lg-droid-', DROID_ENV);
    parts.h = home;
    await runClient('git', ['init', '-q'], home.project, home.env);
    const data = path.join(home.home, 'mem-a.json');
    const add = (args: string[]) => runClient(droid, ['mcp', 'add', ...args], home.project, home.env);
    await add(['mem-a', '--env', `MEMORY_FILE_PATH=${data}`, 'node', MEMORY_SCRIPT]);
    await add(['mem-b', 'node', MEMORY_SCRIPT]);
    await add(['remote', 'http://127.0.0.1:9/mcp', '--type', 'http', '--header', 'Authorization: Bearer droid-4b1d']);
    await add(['events', 'http://127.0.0.1:9/sse', '--type', 'sse']);

    // What Droid wrote, as it wrote it.
    const user = path.join(home.home, '.factory', 'mcp.json');
    const stdio = (env?: Record<string, string>) => ({
      type: 'stdio',
      command: 'node',
      args: [MEMORY_SCRIPT],
      ...(env ? { env } : {}),
      disabled: false,
    });
    assert.deepEqual(JSON.parse(fs.readFileSync(user, 'utf8')), {
      mcpServers: {
        'mem-a': stdio({ MEMORY_FILE_PATH: data }),
        'mem-b': stdio(),
        remote: {
          url: 'http://127.0.0.1:9/mcp',
          headers: { Authorization: 'Bearer droid-4b1d' },
          disabled: false,
          type: 'http',
        },
        events: { url: 'http://127.0.0.1:9/sse', disabled: false, type: 'sse' },
      },
    });
    const project = path.join(home.project, '.factory', 'mcp.json');
    fs.mkdirSync(path.dirname(project), { recursive: true });
    fs.writeFileSync(
      project,
      JSON.stringify({
        mcpServers: {
          'mem-off': { ...stdio(), env: { MEMORY_FILE_PATH: path.join(home.home, 'mem-off.json') }, disabled: true },
        },
      }),
    );

    const before = await status(home);
    assert.deepEqual([...diagnosticsOf(before, user), ...diagnosticsOf(before, project)], []);
    const read = (name: string) => {
      const s = only(before, name);
      return [s.source.client, s.source.scope, s.source.file, s.transport, s.command ?? s.url, s.envKeys, s.disabled];
    };
    assert.deepEqual(read('mem-a'), ['factory-droid', 'user', user, 'stdio', 'node', ['MEMORY_FILE_PATH'], false]);
    assert.deepEqual(read('mem-b'), ['factory-droid', 'user', user, 'stdio', 'node', [], false]);
    assert.deepEqual(read('remote'), ['factory-droid', 'user', user, 'http', 'http://127.0.0.1:9/mcp', [], false]);
    assert.deepEqual(read('events'), ['factory-droid', 'user', user, 'sse', 'http://127.0.0.1:9/sse', [], false]);
    assert.deepEqual(read('mem-off'), [
      'factory-droid',
      'workspace',
      project,
      'stdio',
      'node',
      ['MEMORY_FILE_PATH'],
      true,
    ]);
    assert.deepEqual(only(before, 'remote').headerKeys, ['Authorization']);
    assert.ok(!JSON.stringify(before).includes('droid-4b1d'), 'a header value is never in the snapshot');

    // The session: the remote entries removed by Droid's own command (nothing listens on their port).
    for (const name of ['remote', 'events']) await runClient(droid, ['mcp', 'remove', name], home.project, home.env);
    fs.writeFileSync(path.join(home.home, '.factory', 'settings.json'), JSON.stringify(droidSettings(model.url)));
    const session = (parts.session = spawn(droid, ['exec', '-m', 'custom:gpt-4o', 'hello'], {
      cwd: home.project,
      env: home.env,
      stdio: 'ignore',
    }));
    await until('both servers of the session running', () => memoryServers(home).length >= 2, 120_000, SESSION_POLL_MS);
    await expectModelAsked(model, 'POST /v1/chat/completions');
    const servers = memoryServers(home);
    assert.equal(servers.length, 2, 'the disabled entry is not started');
    const aPid = servers.find((p) => carries(p.pid, `MEMORY_FILE_PATH=${data}`))!.pid;
    const bPid = servers.find((p) => p.pid !== aPid)!.pid;
    // The npm bin is the native binary: the session's own process, the servers its children.
    assert.equal(parentOf(aPid), session.pid);
    assert.equal(parentOf(bPid), session.pid);

    await expectSessionJudged(home, {
      byEntry: { 'mem-a': aPid, 'mem-b': bPid },
      client: ['factory-droid', 'Factory Droid', session.pid!],
      files: [user, project],
      secret: data,
    });
  });
});
