import * as assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as SmolToml from 'smol-toml' with { 'resolution-mode': 'import' };
import { cli } from '../integration/processes/support/harness';
import { noClientLogReason } from '../../src/core/clientLogs';
import { until } from '../support/poll';
import { isAlive, signal, stopChildren } from '../support/liveness';
import { CODEX, codexBin, codexModelArgs, modelStub, ModelStub } from '../support/realClients';
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

// smol-toml's CommonJS build, with its (ESM-only) types, as src/core/sources/codex.ts loads it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { parse } = require('smol-toml') as typeof SmolToml;

const MUSL_BINARY = /@openai\/codex-linux-x64\/vendor\/x86_64-unknown-linux-musl\/bin\/codex\0/;

function cmdline(pid: number): string {
  return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
}

/**
 * Real Codex from npm: `codex mcp add` writes `[mcp_servers.NAME]` into $CODEX_HOME/config.toml
 * (one scope: global), a stdio entry's env as `[mcp_servers.NAME.env]`, an http one's `url` and
 * `bearer_token_env_var`. A real session (`codex exec`, its model a provider given with `-c` on the
 * loopback stub, so config.toml holds only what `codex mcp add` wrote) starts both server-memory
 * entries as children of the musl binary. Then the session's client is killed: Codex does not stop
 * its servers itself, they end on their own when their stdin closes (server-memory exits on EOF),
 * so none is left to be an orphan; and while the client runs, none is one, even with the node shim
 * above it gone.
 */
describe(`real clients: Codex ${CODEX.version} (npm), its own mcp add and a session`, function () {
  this.timeout(300_000);
  let h: ClientHome | undefined;
  let model: ModelStub | undefined;
  let session: ChildProcess | undefined;

  before(function () {
    if (process.platform !== 'linux' || process.arch !== 'x64') this.skip();
  });

  afterEach(async () => {
    if (session) await stopChildren([session]);
    session = undefined;
    await removeClientHome(h);
    h = undefined;
    await model?.close();
    model = undefined;
  });

  it('`codex mcp add` and `codex exec`: each process under its own entry and client, none a duplicate; none an orphan before the client is killed, none left after', async () => {
    const codex = await codexBin();
    model = await modelStub();
    const home = clientHome('lg-codex-', { CODEX_LOOPBACK_KEY: 'sk-loopback-model-stub' });
    h = home;
    const data = path.join(home.home, 'mem-a.json');
    const add = (args: string[]) => runClient(codex, ['mcp', 'add', ...args], home.project, home.env);
    await add(['mem-a', '--env', `MEMORY_FILE_PATH=${data}`, '--', 'node', MEMORY_SCRIPT]);
    await add(['mem-b', '--', 'node', MEMORY_SCRIPT]);
    await add(['remote', '--url', 'http://127.0.0.1:9/mcp', '--bearer-token-env-var', 'REMOTE_TOKEN']);

    // What Codex wrote, as it wrote it.
    const config = path.join(home.home, '.codex', 'config.toml');
    assert.deepEqual(JSON.parse(JSON.stringify(parse(fs.readFileSync(config, 'utf8')))), {
      mcp_servers: {
        'mem-a': { command: 'node', args: [MEMORY_SCRIPT], env: { MEMORY_FILE_PATH: data } },
        'mem-b': { command: 'node', args: [MEMORY_SCRIPT] },
        remote: { url: 'http://127.0.0.1:9/mcp', bearer_token_env_var: 'REMOTE_TOKEN' },
      },
    });
    const before = await status(home);
    assert.deepEqual(diagnosticsOf(before, config), []);
    for (const name of ['mem-a', 'mem-b', 'remote']) {
      const s = only(before, name);
      assert.deepEqual([s.source.client, s.source.scope, s.source.file], ['codex', 'user', config]);
    }
    assert.deepEqual(only(before, 'mem-a').envKeys, ['MEMORY_FILE_PATH']);
    assert.equal(only(before, 'remote').transport, 'http');
    assert.notEqual(only(before, 'mem-a').identityKey, only(before, 'mem-b').identityKey);

    session = spawn(codex, ['exec', '--skip-git-repo-check', ...codexModelArgs(model.url), 'hello'], {
      cwd: home.project,
      env: home.env,
      stdio: 'ignore',
    });
    await until(
      'both servers of the session running',
      () => memoryServers(home).length === 2,
      120_000,
      SESSION_POLL_MS,
    );
    const servers = memoryServers(home);
    const aPid = servers.find((p) => carries(p.pid, `MEMORY_FILE_PATH=${data}`))!.pid;
    const bPid = servers.find((p) => p.pid !== aPid)!.pid;
    assert.ok(!carries(bPid, `MEMORY_FILE_PATH=${data}`));
    // The servers are children of the musl binary; the node shim runs it as its child here (Node
    // without process.execve) or became it.
    const client = parentOf(aPid);
    assert.equal(parentOf(bPid), client);
    assert.match(cmdline(client), MUSL_BINARY);
    const shim = parentOf(client) === session.pid ? session.pid : undefined;
    assert.ok(shim !== undefined || client === session.pid, 'the musl binary runs under the shim, or in its place');

    const judged = async (what: string) => {
      const snap = await untilListed(home, [aPid, bPid]);
      assert.deepEqual(diagnosticsOf(snap, config), []);
      assert.deepEqual(sessionPids(only(snap, 'mem-a'), [aPid, bPid]), [aPid]);
      assert.deepEqual(sessionPids(only(snap, 'mem-b'), [aPid, bPid]), [bPid]);
      const instances = [...only(snap, 'mem-a').instances, ...only(snap, 'mem-b').instances];
      for (const i of instances.filter((x) => x.pid === aPid || x.pid === bPid)) {
        assert.deepEqual([i.client.id, i.client.name, i.client.pid], ['codex', 'Codex', client], what);
        assert.deepEqual(badVerdicts(i), [], `${what}: pid ${i.pid}: ${JSON.stringify(i.verdicts)}`);
      }
      assert.ok(!JSON.stringify(snap).includes(data), 'an env value is never in the snapshot');
      return snap;
    };
    await judged('in the session');
    assert.deepEqual(await killDuplicatesPlanned(home, [aPid, bPid]), []);
    // Codex keeps no log of its own per server (its log database names a server's stderr only by its
    // program, `node`, and `codex exec` writes none): `logs` offers none, and says so.
    const logs = await cli(home.home, ['logs', String(aPid), '--workspace', home.project, '--json']);
    assert.equal(logs.code, 1, logs.stdout);
    assert.deepEqual(JSON.parse(logs.stdout).noLog, [
      { pid: aPid, client: 'codex', reason: noClientLogReason('codex') },
    ]);
    const stub = model;
    await until('the session to ask the model', () => stub.requests.length > 0, 60_000);

    // The shim gone is not the client gone: the musl binary runs on (adopted), and so do its servers.
    if (shim !== undefined) {
      signal(shim, 'SIGKILL');
      await until('the shim to end', () => session!.exitCode !== null || session!.signalCode !== null);
      assert.ok(isAlive(client) && isAlive(aPid) && isAlive(bPid), 'the client and its servers run on');
      assert.notEqual(parentOf(client), shim);
      await judged('with the shim gone');
    }

    // The client killed: its servers' stdin closes and they end by themselves; none is left.
    signal(client, 'SIGKILL');
    await untilGone("the servers to end after their client's", [aPid, bPid]);
    const after = await status(home);
    assert.deepEqual(memoryServers(home), [], 'no server of the session is left');
    const listed = [...after.servers.flatMap((s) => s.instances), ...after.notConfigured].map((i) => i.pid);
    assert.ok(!listed.includes(aPid) && !listed.includes(bPid), JSON.stringify(listed));
  });
});
