import { ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { jsonLinesChild } from '../../support/jsonLines';
import { fixturesDir } from '../../support/repo';
import { pypiWheelhouse } from '../../support/toolCache';
import { fixtureVenv, PYTHON } from '../versions/support';

/**
 * `lgdemo-http`, a Streamable HTTP MCP server of our own on the real Python SDK (`mcp` from PyPI,
 * 1.x: the 2025 protocol era, sessions and `initialize`), installed in a real venv from the fixture
 * wheels and a cached wheelhouse of the SDK and its dependencies; and the SDK's own client.
 */
export const MCP_PY_VERSION = '1.30.0';

export interface PythonHttpVenv {
  py: string;
  /** The console script `lgdemo-http` (listens on 127.0.0.1:$PORT, path /mcp). */
  bin: string;
  pip(...args: string[]): Promise<string>;
}

export async function pythonHttpVenv(root: string, version = '1.0.0'): Promise<PythonHttpVenv> {
  const wheelhouse = await pypiWheelhouse(PYTHON, `mcp-${MCP_PY_VERSION}`, [`mcp==${MCP_PY_VERSION}`]);
  // The SDK is there before (a per-machine template, compiled); the server of our own is pip's install.
  const { py, pip } = await fixtureVenv(root, {
    findLinks: [wheelhouse],
    holding: { requirements: [`mcp==${MCP_PY_VERSION}`], findLinks: [wheelhouse] },
  });
  await pip(`lgdemo-http==${version}`);
  return { py, bin: path.join(path.dirname(py), 'lgdemo-http'), pip };
}

/** The Python SDK client kept on one session, driven by stdin lines (test/fixtures/python/session_client.py). */
export const sessionClientScript = path.join(fixturesDir, 'python', 'session_client.py');

export interface PythonSessionClient {
  child: ChildProcess;
  /** What the server said at `initialize`: its version. */
  serverVersion: string;
  /** Calls `echo` on the one session: the text, or the error the SDK raised (or that the client died). */
  echo(message: string): Promise<{ text?: string; error?: string }>;
  close(): Promise<void>;
}

/** Starts the Python SDK client on `url` and waits until its session is initialized. */
export async function pythonSessionClient(py: string, url: string): Promise<PythonSessionClient> {
  const client = jsonLinesChild(py, [sessionClientScript, url]);
  const ready = await client.next<{ ready: boolean; server: string }>();
  if (!ready) throw new Error(`the Python client did not start: ${client.stderrTail()}`);
  return {
    child: client.child,
    serverVersion: ready.server,
    async echo(message) {
      if (client.exited()) return { error: `the client has exited: ${client.stderrTail()}` };
      client.send(message);
      return (
        (await client.next<{ text?: string; error?: string }>()) ?? {
          error: `the client exited: ${client.stderrTail()}`,
        }
      );
    },
    close: () => client.close(),
  };
}
