import * as assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { freePort } from '../../../src/guard/http/upstream';
import { cliPath } from '../../support/repo';
import { stopChildren } from '../../support/liveness';
import { until } from '../../support/poll';
import { connectClient, echo, shortTempDir, spawnCollect } from './support';
import { PythonHttpVenv, pythonHttpVenv, PythonSessionClient, pythonSessionClient } from './pythonSdk';
import { tempDir } from '../versions/support';

/** `lgdemo-http <version> (pid N): text` -> N. */
function pidIn(text: string | undefined): number | undefined {
  const m = /^lgdemo-http \S+ \(pid (\d+)\): /.exec(text ?? '');
  return m ? Number(m[1]) : undefined;
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

/**
 * The Serena report: a client keeps the session id of a server that restarted, and every call
 * after fails until the user restarts the client. A real Python SDK server (`mcp` from PyPI,
 * Streamable HTTP with sessions) behind `mcp-lifeguard run --http`, restarted with `mcp-lifeguard
 * restart`: the TypeScript SDK client and the Python SDK client go on, with no reconnect code.
 * The control: the same clients talking to the server directly fail after its restart.
 */
describe('mcp-lifeguard run --http: a Python SDK server restarted under TypeScript and Python SDK clients', function () {
  this.timeout(600_000);
  let venv: PythonHttpVenv;
  let home: string;
  const children: ChildProcess[] = [];
  const tsClients: Client[] = [];
  const pyClients: PythonSessionClient[] = [];

  before(async function () {
    if (process.platform !== 'linux') this.skip();
    assert.ok(fs.existsSync(cliPath), `${cliPath} is built (npm run build)`);
    venv = await pythonHttpVenv(tempDir('lg-pysdk-'));
    home = shortTempDir();
  });

  afterEach(async () => {
    for (const c of tsClients.splice(0)) await c.close().catch(() => undefined);
    for (const c of pyClients.splice(0)) await c.close();
    // The guard stops its server on SIGTERM; a direct server stops on its own SIGTERM.
    await stopChildren(children.splice(0));
  });

  after(() => {
    if (home) fs.rmSync(home, { recursive: true, force: true });
  });

  it('through the front: both clients keep their sessions across `mcp-lifeguard restart`', async () => {
    const env = { ...process.env, MCP_LIFEGUARD_HOME: home };
    const port = await freePort();
    const guard = spawnCollect(
      process.execPath,
      [cliPath, 'run', '--http', '--listen', `127.0.0.1:${port}`, '--name', 'pysdk', '--', venv.bin],
      { env, cwd: home },
    );
    children.push(guard.child);
    const url = `http://127.0.0.1:${port}/mcp`;
    await until(
      'the front to print its URL',
      () => guard.output().includes(url) || (guard.child.exitCode !== null && assert.fail(guard.output())),
      120_000,
    );

    const { client } = await connectClient(url);
    tsClients.push(client);
    assert.equal(client.getServerVersion()?.version, '1.0.0');
    const py = await pythonSessionClient(venv.py, url);
    pyClients.push(py);
    assert.equal(py.serverVersion, '1.0.0');
    const before = pidIn(await echo(client, 'ts before'));
    assert.ok(before, 'the TypeScript client is answered by the server');
    const pyBefore = await py.echo('py before');
    assert.equal(pidIn(pyBefore.text), before, JSON.stringify(pyBefore));

    const restart = spawnCollect(process.execPath, [cliPath, 'restart', 'pysdk'], { env, cwd: home });
    assert.equal(await restart.exited, 0, restart.output());

    const tsAfter = await echo(client, 'ts after');
    const after = pidIn(tsAfter);
    assert.ok(after && after !== before, `a new server process answers the same TypeScript session: ${tsAfter}`);
    const pyAfter = await py.echo('py after');
    assert.equal(pidIn(pyAfter.text), after, `the Python session goes on too: ${JSON.stringify(pyAfter)}`);
    assert.match(pyAfter.text ?? '', /: py after$/);
  });

  it('the control, with no front: after the server restarts, both clients fail on their old session', async () => {
    const port = await freePort();
    const start = () => {
      const child = spawn(venv.bin, [], { env: { ...process.env, PORT: String(port) }, stdio: 'ignore' });
      children.push(child);
      return child;
    };
    const first = start();
    await until('the server to listen', () => listening(port), 60_000);
    const url = `http://127.0.0.1:${port}/mcp`;
    const { client } = await connectClient(url);
    tsClients.push(client);
    const py = await pythonSessionClient(venv.py, url);
    pyClients.push(py);
    assert.equal(pidIn(await echo(client, 'ts before')), first.pid);
    assert.equal(pidIn((await py.echo('py before')).text), first.pid);

    await stopChildren([first]);
    const second = start();
    await until('the restarted server to listen', () => listening(port), 60_000);
    assert.notEqual(second.pid, first.pid);

    // The server forgot the session: the TypeScript SDK gets 404 and gives up on the call.
    await assert.rejects(echo(client, 'ts after'), (err: Error) => /404|session/i.test(err.message));
    const pyAfter = await py.echo('py after');
    assert.equal(pyAfter.text, undefined, `the Python client is not answered: ${JSON.stringify(pyAfter)}`);
    assert.ok(pyAfter.error, 'the Python client reports a failure');
    if (process.env.LG_SHOW_ERRORS) console.log(pyAfter.error);
  });
});
