import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AUGGIE, auggieBin } from '../support/realClients';
import {
  ClientHome,
  clientHome,
  diagnosticsOf,
  MEMORY_SCRIPT,
  only,
  removeClientHome,
  runClient,
  status,
} from './support';

/**
 * Real Auggie (Augment's CLI) from npm: `auggie mcp add NAME --command CMD --args "ARGS" [-e K=V]`
 * writes `~/.augment/settings.json`, `--project` the folder's `.augment/settings.json` and `--local`
 * its `.augment/settings.local.json` (adding that file to the folder's `.gitignore`), each under
 * `mcpServers` with `"type": "stdio"` (and an empty `env`), `--transport http|sse --url URL
 * [-H "K: V"]` with `type`, `url` and `headers`. All three files are read with their scopes.
 *
 * **No session runs here**: Auggie needs an Augment account. Without one (`auggie login` or
 * AUGMENT_SESSION_AUTH) it refuses to start; with a session whose tenant URL is the loopback stub it
 * first asks the tenant `POST /get-models` and starts no MCP server before the answer, even with
 * `--provider-base-url` (its third-party model override), so its process shape is not verified.
 */
describe(`real clients: Auggie ${AUGGIE.version} (npm), its own mcp add in three scopes`, function () {
  this.timeout(300_000);
  let h: ClientHome | undefined;

  before(function () {
    if (process.platform !== 'linux') this.skip();
  });

  afterEach(async () => {
    await removeClientHome(h);
    h = undefined;
  });

  it('`auggie mcp add` (user), `--project` and `--local`, stdio, http and sse: each entry with its scope and no config error', async () => {
    const auggie = await auggieBin();
    const home = clientHome('lg-auggie-', { AUGMENT_DISABLE_AUTO_UPDATE: '1' });
    h = home;
    await runClient('git', ['init', '-q'], home.project, home.env);
    const data = path.join(home.home, 'mem-user.json');
    const add = (args: string[]) => runClient(auggie, ['mcp', 'add', ...args], home.project, home.env);
    await add(['mem-user', '--command', 'node', '--args', MEMORY_SCRIPT, '-e', `MEMORY_FILE_PATH=${data}`]);
    await add([
      'remote',
      '--transport',
      'http',
      '--url',
      'http://127.0.0.1:9/mcp',
      '-H',
      'Authorization: Bearer aug-4b1d',
    ]);
    await add(['mem-proj', '--project', '--command', 'node', '--args', MEMORY_SCRIPT]);
    await add(['remote-sse', '--project', '--transport', 'sse', '--url', 'http://127.0.0.1:9/sse']);
    await add(['mem-local', '--local', '--command', 'node', '--args', MEMORY_SCRIPT]);

    // What Auggie wrote, as it wrote it.
    const user = path.join(home.home, '.augment', 'settings.json');
    const project = path.join(home.project, '.augment', 'settings.json');
    const local = path.join(home.project, '.augment', 'settings.local.json');
    const stdio = (env: Record<string, string> = {}) => ({
      type: 'stdio',
      command: 'node',
      args: [MEMORY_SCRIPT],
      env,
    });
    assert.deepEqual(JSON.parse(fs.readFileSync(user, 'utf8')), {
      mcpServers: {
        'mem-user': stdio({ MEMORY_FILE_PATH: data }),
        remote: { type: 'http', url: 'http://127.0.0.1:9/mcp', headers: { Authorization: 'Bearer aug-4b1d' } },
      },
    });
    assert.deepEqual(JSON.parse(fs.readFileSync(project, 'utf8')), {
      mcpServers: { 'mem-proj': stdio(), 'remote-sse': { type: 'sse', url: 'http://127.0.0.1:9/sse' } },
    });
    assert.deepEqual(JSON.parse(fs.readFileSync(local, 'utf8')), { mcpServers: { 'mem-local': stdio() } });
    assert.match(fs.readFileSync(path.join(home.project, '.gitignore'), 'utf8'), /^\.augment\/settings\.local\.json$/m);

    const snap = await status(home);
    assert.deepEqual(
      [...diagnosticsOf(snap, user), ...diagnosticsOf(snap, project), ...diagnosticsOf(snap, local)],
      [],
    );
    const read = (name: string) => {
      const s = only(snap, name);
      return [s.source.client, s.source.scope, s.source.file, s.transport, s.command ?? s.url, s.envKeys];
    };
    assert.deepEqual(read('mem-user'), ['auggie', 'user', user, 'stdio', 'node', ['MEMORY_FILE_PATH']]);
    assert.deepEqual(read('remote'), ['auggie', 'user', user, 'http', 'http://127.0.0.1:9/mcp', []]);
    assert.deepEqual(read('mem-proj'), ['auggie', 'workspace', project, 'stdio', 'node', []]);
    assert.deepEqual(read('remote-sse'), ['auggie', 'workspace', project, 'sse', 'http://127.0.0.1:9/sse', []]);
    assert.deepEqual(read('mem-local'), ['auggie', 'local', local, 'stdio', 'node', []]);
    assert.deepEqual(only(snap, 'remote').headerKeys, ['Authorization']);
    assert.notEqual(only(snap, 'mem-user').identityKey, only(snap, 'mem-proj').identityKey);
    assert.ok(!JSON.stringify(snap).includes('aug-4b1d'), 'a header value is never in the snapshot');
    assert.ok(!JSON.stringify(snap).includes(data), 'an env value is never in the snapshot');
  });
});
