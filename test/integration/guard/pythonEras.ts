import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { jsonLinesChild } from '../../support/jsonLines';
import { fixturesDir } from '../../support/repo';
import { PYTHON } from '../../support/run';
import { pypiWheelhouse } from '../../support/toolCache';
import { cachedVenv } from '../../support/venv';

/**
 * The real Python SDK 2.x (`mcp` on PyPI), which speaks both protocol eras: its server answers
 * `server/discover` and the `initialize` handshake, its client probes `server/discover` first
 * (mode "auto", the default) on the same connection. Installed offline from a cached wheelhouse
 * (mcp-types and the rest come with it) into one venv of the test cache that the tests only run.
 */
export const MCP2_PY_VERSION = '2.3.0';

/** test/fixtures/python/eras_server.py: `lg-py-eras`, tools echo and grow, stdio or `http PORT`. */
export const erasServerScript = path.join(fixturesDir, 'python', 'eras_server.py');
/** test/fixtures/python/eras_client.py: the SDK's client on one stdio connection, driven by lines. */
export const erasClientScript = path.join(fixturesDir, 'python', 'eras_client.py');

/** The python of a venv with `mcp` 2.x (made once per machine: see cachedVenv; never installed into). */
export async function pythonMcp2(): Promise<string> {
  const wheelhouse = await pypiWheelhouse(PYTHON, `mcp-${MCP2_PY_VERSION}`, [`mcp==${MCP2_PY_VERSION}`]);
  return (await cachedVenv(`mcp-${MCP2_PY_VERSION}`, [wheelhouse], [`mcp==${MCP2_PY_VERSION}`])).py;
}

/**
 * The Python SDK client (auto) on `target` (a command line to spawn, or a URL) across `restart`:
 * it connects in the modern era to a server stating `serverVersion`, opens a listen for tools,
 * hears the restart exactly once on it, and its calls are answered by the new server after.
 * `echoed` is what the server's echo adds after the text (the HTTP fixture names the era).
 */
export async function pythonClientAcrossRestart(o: {
  py: string;
  target: string[];
  env?: NodeJS.ProcessEnv;
  serverVersion: string;
  echoed: string;
  restart(): Promise<void>;
  onClose(close: () => Promise<void>): void;
}): Promise<void> {
  const client = jsonLinesChild(o.py, [erasClientScript, ...o.target], o.env);
  o.onClose(() => client.close());
  const ready = await client.next<{ protocol: string; server: string }>();
  assert.ok(ready, `the Python client did not start: ${client.stderrTail()}`);
  assert.equal(ready.protocol, '2026-07-28');
  assert.equal(ready.server, o.serverVersion);
  const echo = async (text: string) => {
    client.send(`echo ${text}`);
    const answer = await client.next<{ text?: string; error?: string }>();
    const m = new RegExp(`^(\\d+):${text}${o.echoed.replace(/[()]/g, '\\$&')}$`).exec(answer?.text ?? '');
    assert.ok(m, `echo ${text}: ${JSON.stringify(answer)}`);
    return Number(m[1]);
  };
  const before = await echo('before');
  client.send('listen');
  assert.deepEqual(await client.next(), { listening: ['tools_list_changed'] });

  await o.restart();
  assert.deepEqual(await client.next(), { event: 'ToolsListChanged' });
  assert.notEqual(await echo('after'), before, 'a new server process answers');
  // Nothing else arrived on the listen stream: the next line is the answer to one more call.
  await echo('last');
}
