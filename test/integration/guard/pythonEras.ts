import * as path from 'node:path';
import { fixturesDir } from '../../support/repo';
import { PYTHON } from '../../support/run';
import { pypiWheelhouse } from '../../support/toolCache';
import { offlineVenv } from '../../support/venv';

/**
 * The real Python SDK 2.x (`mcp` on PyPI), which speaks both protocol eras: its server answers
 * `server/discover` and the `initialize` handshake, its client probes `server/discover` first
 * (mode "auto", the default) on the same connection. Installed offline into a venv from a cached
 * wheelhouse (mcp-types and the rest come with it).
 */
export const MCP2_PY_VERSION = '2.3.0';

/** test/fixtures/python/eras_server.py: `lg-py-eras`, tools echo and grow, stdio or `http PORT`. */
export const erasServerScript = path.join(fixturesDir, 'python', 'eras_server.py');
/** test/fixtures/python/eras_client.py: the SDK's client on one stdio connection, driven by lines. */
export const erasClientScript = path.join(fixturesDir, 'python', 'eras_client.py');

/** A venv with `mcp` 2.x: its python. */
export async function pythonMcp2(root: string): Promise<string> {
  const wheelhouse = await pypiWheelhouse(PYTHON, `mcp-${MCP2_PY_VERSION}`, [`mcp==${MCP2_PY_VERSION}`]);
  const { py, pip } = await offlineVenv(root, [wheelhouse]);
  await pip(`mcp==${MCP2_PY_VERSION}`);
  return py;
}
