import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MISTRAL_VIBE, vibeBin } from '../support/mistralVibe';
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
 * Real Mistral Vibe from PyPI, in a venv of Python 3.12 or later: `vibe mcp add NAME --transport
 * stdio --command CMD --arg A [--env K=V]` and `vibe mcp add NAME --url URL [--transport http]
 * [--header K=V] [--no-login]` write `$VIBE_HOME/config.toml` (default `~/.vibe`), the only scope
 * its `mcp add` has ("the user configuration"; its `--scope` is an OAuth scope): `[[mcp_servers]]`
 * tables with `name`, `transport` and `command`, `args`, `[mcp_servers.env]`, or `url` and
 * `[mcp_servers.auth]` (`type = "static"` with `headers`, or `type = "oauth"`). A project's
 * `.vibe/config.toml`, which no command writes, is written by the test in that same shape.
 *
 * **No session is judged**: a `vibe -p` session at a loopback model (a `[[providers]]` `api_base`)
 * asks it, but starts each stdio server only to list its tools (then closes it, its tools cached
 * under `~/.vibe/logs/mcp-descriptors`) and again for each tool call: no server runs while the
 * session waits on its model.
 */
describe(`real clients: Mistral Vibe ${MISTRAL_VIBE.version} (PyPI), its own mcp add`, function () {
  this.timeout(600_000);
  let h: ClientHome | undefined;

  before(function () {
    if (process.platform !== 'linux') this.skip();
  });

  afterEach(async () => {
    await removeClientHome(h);
    h = undefined;
  });

  it('`vibe mcp add` (stdio, streamable-http with a header, http with OAuth) and a project file: each entry with its scope and transport, no config error', async () => {
    const vibe = await vibeBin();
    const home = clientHome('lg-vibe-');
    h = home;
    const data = path.join(home.home, 'mem-a.json');
    const add = (args: string[]) => runClient(vibe, ['mcp', 'add', ...args], home.project, home.env);
    await add([
      'mem-a',
      '--transport',
      'stdio',
      '--command',
      'node',
      '--arg',
      MEMORY_SCRIPT,
      '--env',
      `MEMORY_FILE_PATH=${data}`,
    ]);
    await add(['remote', '--url', 'http://127.0.0.1:9/mcp', '--header', 'Authorization=Bearer vibe-4b1d']);
    await add(['oauth', '--url', 'http://127.0.0.1:9/o', '--transport', 'http', '--no-login']);

    // What Vibe wrote, as it wrote it.
    const user = path.join(home.home, '.vibe', 'config.toml');
    assert.equal(
      fs.readFileSync(user, 'utf8'),
      [
        '[[mcp_servers]]',
        'name = "mem-a"',
        'transport = "stdio"',
        'command = "node"',
        'args = [',
        `    ${JSON.stringify(MEMORY_SCRIPT)},`,
        ']',
        '',
        '[mcp_servers.env]',
        `MEMORY_FILE_PATH = ${JSON.stringify(data)}`,
        '',
        '[[mcp_servers]]',
        'url = "http://127.0.0.1:9/mcp"',
        'name = "remote"',
        'transport = "streamable-http"',
        '',
        '[mcp_servers.auth]',
        'type = "static"',
        '',
        '[mcp_servers.auth.headers]',
        'Authorization = "Bearer vibe-4b1d"',
        '',
        '[[mcp_servers]]',
        'url = "http://127.0.0.1:9/o"',
        'name = "oauth"',
        'transport = "http"',
        '',
        '[mcp_servers.auth]',
        'type = "oauth"',
        'scopes = []',
        '',
      ].join('\n'),
    );
    const project = path.join(home.project, '.vibe', 'config.toml');
    fs.mkdirSync(path.dirname(project), { recursive: true });
    fs.writeFileSync(
      project,
      ['[[mcp_servers]]', 'name = "mem-ws"', 'transport = "stdio"', `command = "node ${MEMORY_SCRIPT}"`, ''].join('\n'),
    );

    const snap = await status(home);
    assert.deepEqual([...diagnosticsOf(snap, user), ...diagnosticsOf(snap, project)], []);
    const read = (name: string) => {
      const s = only(snap, name);
      return [s.source.client, s.source.scope, s.source.file, s.transport, s.command ?? s.url, s.args, s.envKeys];
    };
    const stdio = ['stdio', 'node', [MEMORY_SCRIPT]];
    assert.deepEqual(read('mem-a'), ['mistral-vibe', 'user', user, ...stdio, ['MEMORY_FILE_PATH']]);
    assert.deepEqual(read('remote'), ['mistral-vibe', 'user', user, 'http', 'http://127.0.0.1:9/mcp', [], []]);
    assert.deepEqual(read('oauth'), ['mistral-vibe', 'user', user, 'http', 'http://127.0.0.1:9/o', [], []]);
    assert.deepEqual(read('mem-ws'), ['mistral-vibe', 'workspace', project, ...stdio, []]);
    assert.deepEqual(only(snap, 'remote').headerKeys, ['Authorization']);
    assert.ok(!JSON.stringify(snap).includes('vibe-4b1d'), 'a header value is never in the snapshot');
    assert.ok(!JSON.stringify(snap).includes(data), 'an env value is never in the snapshot');
  });
});
