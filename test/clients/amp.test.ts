import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AMP, ampBin } from '../support/realClients';
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
 * Real Amp (Sourcegraph) from npm: `amp mcp add NAME [--env K=V] -- CMD ARGS` and `amp mcp add
 * NAME [--header K=V] URL` write its user settings (`$XDG_CONFIG_HOME/amp/settings.json`,
 * `$AMP_SETTINGS_FILE` or `--settings-file` instead), `--workspace` the project's
 * `.amp/settings.json`, each under the one flat key `"amp.mcpServers"` (no `type`: a `url` is
 * streamable HTTP, else SSE, found by trying). Both files are read with their scopes.
 *
 * **No session runs here**: Amp needs an Amp account. Its threads and its model are Amp's server's
 * (`AMP_URL`); with `AMP_URL` on a loopback stub and any `AMP_API_KEY`, `amp -x hello` first asks
 * `POST /api/internal?getUserInfo` and starts no MCP server while that waits.
 */
describe(`real clients: Amp ${AMP.version} (npm), its own mcp add in both scopes`, function () {
  this.timeout(300_000);
  let h: ClientHome | undefined;

  before(function () {
    if (process.platform !== 'linux') this.skip();
  });

  afterEach(async () => {
    await removeClientHome(h);
    h = undefined;
  });

  it('`amp mcp add` (user) and `--workspace`, stdio and http: each entry with its scope and no config error', async () => {
    const amp = await ampBin();
    // Amp's server on a closed loopback port: nothing leaves the machine.
    const home = clientHome('lg-amp-', { AMP_URL: 'http://127.0.0.1:9' });
    h = home;
    await runClient('git', ['init', '-q'], home.project, home.env);
    const data = path.join(home.home, 'mem-user.json');
    const add = (args: string[]) => runClient(amp, ['mcp', 'add', ...args], home.project, home.env);
    await add(['mem-user', '--env', `MEMORY_FILE_PATH=${data}`, '--', 'node', MEMORY_SCRIPT]);
    await add(['remote', '--header', 'Authorization=Bearer amp-4b1d', 'http://127.0.0.1:9/mcp']);
    await add(['mem-ws', '--workspace', '--', 'node', MEMORY_SCRIPT]);

    // What Amp wrote, as it wrote it.
    const user = path.join(home.home, '.config', 'amp', 'settings.json');
    const workspace = path.join(home.project, '.amp', 'settings.json');
    assert.deepEqual(JSON.parse(fs.readFileSync(user, 'utf8')), {
      'amp.mcpServers': {
        'mem-user': { command: 'node', args: [MEMORY_SCRIPT], env: { MEMORY_FILE_PATH: data } },
        remote: { url: 'http://127.0.0.1:9/mcp', headers: { Authorization: 'Bearer amp-4b1d' } },
      },
    });
    assert.deepEqual(JSON.parse(fs.readFileSync(workspace, 'utf8')), {
      'amp.mcpServers': { 'mem-ws': { command: 'node', args: [MEMORY_SCRIPT] } },
    });

    const snap = await status(home);
    assert.deepEqual([...diagnosticsOf(snap, user), ...diagnosticsOf(snap, workspace)], []);
    const read = (name: string) => {
      const s = only(snap, name);
      return [s.source.client, s.source.scope, s.source.file, s.transport, s.command ?? s.url, s.args, s.envKeys];
    };
    assert.deepEqual(read('mem-user'), ['amp', 'user', user, 'stdio', 'node', [MEMORY_SCRIPT], ['MEMORY_FILE_PATH']]);
    assert.deepEqual(read('remote'), ['amp', 'user', user, 'http', 'http://127.0.0.1:9/mcp', [], []]);
    assert.deepEqual(read('mem-ws'), ['amp', 'workspace', workspace, 'stdio', 'node', [MEMORY_SCRIPT], []]);
    assert.deepEqual(only(snap, 'remote').headerKeys, ['Authorization']);
    assert.notEqual(only(snap, 'mem-user').identityKey, only(snap, 'mem-ws').identityKey);
    assert.ok(!JSON.stringify(snap).includes('amp-4b1d'), 'a header value is never in the snapshot');
    assert.ok(!JSON.stringify(snap).includes(data), 'an env value is never in the snapshot');
  });
});
