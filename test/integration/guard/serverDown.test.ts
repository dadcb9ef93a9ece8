import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { Snapshot, Verdict } from '../../../src/core/base/model';
import { cliPath, fixturesDir } from '../../support/repo';
import { PYTHON } from '../../support/run';
import { pypiWheelhouse } from '../../support/toolCache';
import { offlineVenv, OfflineVenv } from '../../support/venv';
import { isAlive } from '../../support/liveness';
import { sleep, until } from '../../support/poll';
import { testSettleEnv } from '../../support/settle';
import { pastJudgedStart } from '../../support/judgedStart';
import { cli, server, statusJson } from '../processes/support/harness';
import { MCP2_PY_VERSION } from './pythonEras';
import { MCP_PY_VERSION } from '../http/pythonSdk';

const SECRET = 'tok-3f9a7c1e55d2';
const script = path.join(fixturesDir, 'python', 'fastmcp_v1_server.py');
const downOf = (s: Snapshot) =>
  server(s, 'notes')
    .instances.flatMap((i) => i.verdicts)
    .find((v): v is Extract<Verdict, { kind: 'down' }> => v.kind === 'down');

/**
 * The safe-upgrade case for real: a server written for the Python SDK 1.x (FastMCP, a script run
 * by its venv's python), guarded, configured in Cursor; `pip install mcp==2.3.0` (from PyPI,
 * offline from a cached wheelhouse) removes `mcp.server.fastmcp`, and the restart crash-loops. The
 * guard runs on with no server: `down`, with the cause, in status and for the client.
 */
describe('guard: an SDK upgrade that breaks a server: judged, predicted, verified, refused, and down when forced (real mcp 1.30.0 -> 2.3.0)', function () {
  this.timeout(240_000);
  let home: string;
  let venv: OfflineVenv;
  /** pip offline from the cached wheelhouses, as the tests' venvs install (a roll back runs the venv's own pip). */
  let offlinePip: Record<string, string>;
  let client: Client | undefined;
  let transport: StdioClientTransport | undefined;

  // Every CLI run and guard here is given the tests' quiet period (support/settle.ts): a look after
  // a pip install waits half a second for its files, not the product's four, taking fewer snapshots.
  /** The CLI as the user runs it in this test's home. */
  const lg = (args: string[], env: Record<string, string> = {}) => cli(home, args, { ...testSettleEnv, ...env });
  const status = () => statusJson(home, testSettleEnv);

  /** A real SDK client of `node <cli> run ...`, with this test's HOME and MCP Lifeguard root. */
  async function connectClient(args: string[], env: Record<string, string> = {}) {
    const t = new StdioClientTransport({
      command: process.execPath,
      args,
      env: {
        ...(process.env as Record<string, string>),
        HOME: home,
        MCP_LIFEGUARD_HOME: path.join(home, '.lifeguard'),
        ...testSettleEnv,
        ...env,
      },
      cwd: home,
      stderr: 'pipe',
    });
    t.stderr?.on('data', () => undefined);
    const c = new Client({ name: 'down-test', version: '1.0.0' });
    await c.connect(t);
    return { client: c, transport: t };
  }

  before(async () => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'lg-down-'));
    const old = await pypiWheelhouse(PYTHON, `mcp-${MCP_PY_VERSION}`, [`mcp==${MCP_PY_VERSION}`]);
    const next = await pypiWheelhouse(PYTHON, `mcp-${MCP2_PY_VERSION}`, [`mcp==${MCP2_PY_VERSION}`]);
    offlinePip = {
      PIP_NO_INDEX: '1',
      PIP_FIND_LINKS: `${old} ${next}`,
      PIP_CONFIG_FILE: '/dev/null',
      PIP_DISABLE_PIP_VERSION_CHECK: '1',
    };
    // mcp 1.30.0 installed by pip, not held by the venv's template: pip removes on the upgrade the
    // bytecode its own install recorded, so no `mcp.server.fastmcp` folder is left to import.
    venv = await offlineVenv(home, [old, next]);
    await venv.pip(`mcp==${MCP_PY_VERSION}`);
  });
  after(async () => {
    const pid = transport?.pid;
    await client?.close().catch(() => undefined);
    if (pid && isAlive(pid)) process.kill(pid, 'SIGKILL');
    // The guard is gone with its client: nothing of this home may be left running.
    await until(
      'the guard to release its lock',
      async () => (await status()).servers[0].instances.length === 0,
      20_000,
    );
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('stale naming mcp 1.30.0 -> 2.3.0; a restart predicted to fail is refused while the old server serves; forced, down in status and for the client; fixed and restarted, back in the same session', async () => {
    const args = [cliPath, 'run', '--name', 'notes', '--', venv.py, script];
    fs.mkdirSync(path.join(home, '.cursor'), { recursive: true });
    fs.writeFileSync(
      path.join(home, '.cursor', 'mcp.json'),
      JSON.stringify({ mcpServers: { notes: { command: process.execPath, args, env: { API_TOKEN: SECRET } } } }),
    );
    ({ client, transport } = await connectClient(args, { API_TOKEN: SECRET }));
    assert.equal(
      ((await client.callTool({ name: 'hello', arguments: {} })).content as { text: string }[])[0].text,
      'hi',
    );
    assert.equal(downOf(await status()), undefined, 'up: no down verdict');

    await venv.pip(`mcp==${MCP2_PY_VERSION}`);
    // Before any restart: the script runs replaced code, and its verdict names the SDK that moved.
    const before = await until(
      'the upgrade judged',
      async () => {
        const s = await status();
        const i = server(s, 'notes').instances[0];
        return i?.versions?.verdict.state === 'stale' ? i : undefined;
      },
      30_000,
    );
    const verdict = before.versions!.verdict as Extract<
      NonNullable<typeof before.versions>['verdict'],
      { state: 'stale' }
    >;
    assert.equal(verdict.package, 'fastmcp_v1_server.py');
    assert.equal(verdict.running, 'mcp 1.30.0');
    assert.equal(verdict.installed, 'mcp 2.3.0');
    assert.ok(
      verdict.movedDependencies?.some((m) => m.name === 'mcp' && m.from === '1.30.0' && m.to === '2.3.0'),
      JSON.stringify(verdict),
    );
    assert.equal(server(await status(), 'notes').updateAvailable, undefined, 'a loose script is in no registry');
    // Predicted from the installed files: the module it imports raises at import, and says what to pin.
    const installed = before.versions!.installed;
    assert.deepEqual(
      installed.state === 'installed' &&
        installed.startRisks?.map((r) => ({
          module: r.module,
          package: r.package,
          version: r.version,
          why: r.why,
          pin: r.pin,
        })),
      [{ module: 'mcp.server.fastmcp', package: 'mcp', version: '2.3.0', why: 'raises', pin: 'mcp<2' }],
    );
    const predicted = await lg(['status']);
    assert.match(
      predicted.stdout,
      /STALE: runs mcp 1\.30\.0, installed mcp 2\.3\.0 .*RESTART WILL PROBABLY FAIL: mcp\.server\.fastmcp raises at import in mcp 2\.3\.0 \(it says to pin mcp<2\)/,
    );
    // doctor explains the script as status judges it: what moved, the prediction, the way back.
    const doctor = await lg(['doctor', 'notes']);
    assert.match(
      doctor.stdout,
      /^notes: a script no package installs\n {2}It runs the script .*fastmcp_v1_server\.py, with what it imports from /m,
    );
    assert.doesNotMatch(doctor.stdout, /No package to trace/);
    assert.match(doctor.stdout, /^ {4}moved since it started: mcp 1\.30\.0 -> 2\.3\.0$/m);
    // pip removes nothing on an upgrade: what left the new SDK's closure is still installed, never "removed".
    assert.doesNotMatch(doctor.stdout, /\(removed\)/);
    assert.match(
      doctor.stdout,
      /Restart will probably fail: mcp\.server\.fastmcp raises at import in mcp 2\.3\.0.*: do not restart pid \d+ yet; mcp-lifeguard rollback notes installs again what it started with/,
    );
    // A restart is refused: the server that runs keeps serving.
    const refused = await lg(['restart', 'notes']);
    assert.equal(refused.code, 1);
    assert.match(
      refused.stderr,
      /Restart will probably fail: mcp\.server\.fastmcp raises at import in mcp 2\.3\.0 \(it says to pin mcp<2\); not restarted, the running server keeps serving/,
    );
    assert.equal(
      ((await client.callTool({ name: 'hello', arguments: {} })).content as { text: string }[])[0].text,
      'hi',
    );
    // Forced, it goes down, and says why.
    const restart = await lg(['restart', 'notes', '--force']);
    assert.notEqual(restart.code, 0, `the restart into mcp 2.x cannot succeed: ${restart.stdout}`);
    assert.match(restart.stderr + restart.stdout, /pin 'mcp<2'/);

    const snap = await status();
    const down = downOf(snap);
    assert.ok(down, `a down verdict: ${JSON.stringify(server(snap, 'notes').instances.map((i) => i.verdicts))}`);
    assert.match(
      down.reason,
      /exited within 10 s of starting 3 times in a row.*Its last output: ModuleNotFoundError: No module named 'mcp\.server\.fastmcp'.*pin 'mcp<2'/,
    );
    assert.ok(
      down.output?.some((l) => /^ModuleNotFoundError/.test(l)),
      JSON.stringify(down.output),
    );
    assert.equal(
      server(snap, 'notes').instances[0].versions,
      undefined,
      'no version is judged of a server that does not run',
    );
    const json = JSON.stringify(snap);
    assert.ok(!json.includes(SECRET), 'the token the server printed is never repeated');
    const record = fs
      .readdirSync(path.join(home, '.lifeguard', 'locks'), { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile());
    for (const f of record)
      assert.ok(!fs.readFileSync(path.join(f.parentPath, f.name), 'utf8').includes(SECRET), f.name);

    const text = await lg(['status']);
    assert.match(text.stdout, /^ {2}notes +\d+ .*  DOWN: .*pin 'mcp<2'/m);

    await assert.rejects(client.callTool({ name: 'hello', arguments: {} }), (err: Error & { code?: number }) => {
      assert.equal(err.code, -32041);
      assert.match(
        err.message,
        /notes is down: .*ModuleNotFoundError: No module named 'mcp\.server\.fastmcp'.*pin 'mcp<2'/,
      );
      assert.ok(!err.message.includes(SECRET));
      return true;
    });

    // Roll back: shown first, nothing run; then the versions the last server that served started with,
    // installed again by the venv's own pip, and the down guard restarted: up again, in the client's same session.
    const plan = await lg(['rollback', 'notes'], offlinePip);
    assert.equal(plan.code, 0, plan.stderr);
    assert.match(
      plan.stdout,
      /^notes: back to what the last server of its guard \(pid \d+\) started with \(venv .*\):$/m,
    );
    assert.match(plan.stdout, /^ {2}mcp 2\.3\.0 -> 1\.30\.0$/m);
    assert.match(plan.stdout, /\/bin\/python -m pip install .*mcp==1\.30\.0/);
    assert.match(plan.stdout, /then restart its guard \(pid \d+\): its server is down\n/);
    // What mcp 2.3.0 brought (mcp-types among them) stays installed, and is said.
    assert.match(
      plan.stdout,
      /^ {2}left installed: .*\bmcp-types\b.* \(the newer release brought them;.*\)\nNothing was run/m,
    );
    const asJson = JSON.parse((await lg(['rollback', 'notes', '--json'], offlinePip)).stdout) as {
      ok: boolean;
      ran: boolean;
      plan: { kind: string; pins: Array<{ name: string; version: string; now?: string }> };
    };
    assert.deepEqual([asJson.ok, asJson.ran, asJson.plan.kind], [true, false, 'plan']);
    assert.deepEqual(
      asJson.plan.pins.find((p) => p.name === 'mcp'),
      { name: 'mcp', version: '1.30.0', now: '2.3.0' },
    );
    assert.equal(downOf(await status())?.kind, 'down', 'still down: nothing was run');
    const rolled = await lg(['rollback', 'notes', '--yes'], offlinePip);
    assert.equal(rolled.code, 0, `${rolled.stdout}\n${rolled.stderr}`);
    assert.match(rolled.stdout, /restarted notes \(guard pid \d+\).*the client kept its session/);
    assert.equal(
      ((await client.callTool({ name: 'hello', arguments: {} })).content as { text: string }[])[0].text,
      'hi',
    );
    assert.equal(downOf(await status()), undefined, 'up again: the down verdict is gone');
  });
  it('declared safe to run twice (probe), a restart no file predicts to fail is verified first: the installed server does not start, so the serving one keeps serving, saying why; restart-when-idle never restarts into it, and does not probe it again at every check', async () => {
    // One install under two guards of the same script: `restart` asked of one, restart-when-idle in the other.
    await venv.pip(`mcp==${MCP_PY_VERSION}`);
    const dynamic = path.join(fixturesDir, 'python', 'fastmcp_v1_dynamic.py');
    const probe = ['--restart-check', 'probe'];
    const { client: asked } = await connectClient([cliPath, 'run', '--name', 'dyn', ...probe, '--', venv.py, dynamic]);
    const { client: idle, transport: idleTransport } = await connectClient([
      cliPath,
      'run',
      '--name',
      'idle',
      ...probe,
      '--when-stale',
      'restart-when-idle',
      '--stale-interval',
      '0.25',
      '--',
      venv.py,
      dynamic,
    ]);
    let stderr = '';
    idleTransport.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const hello = async (c: Client) =>
      ((await c.callTool({ name: 'hello', arguments: {} })).content as { text: string }[])[0].text;
    try {
      assert.equal(await hello(asked), 'hi');
      assert.equal(await hello(idle), 'hi');
      await pastJudgedStart(Date.now());
      await venv.pip(`mcp==${MCP2_PY_VERSION}`);

      // Asked to restart: the new server is started beside the old one first, and does not start.
      const r = await lg(['restart', 'dyn']);
      assert.equal(r.code, 1, r.stdout);
      assert.match(
        r.stderr,
        /The new server did not start: .*Its last output: ModuleNotFoundError: No module named 'mcp\.server\.fastmcp'.*pin 'mcp<2'.*; not restarted, the running server \(pid \d+\) keeps serving/,
      );
      assert.equal(await hello(asked), 'hi');

      // A restart-when-idle restart comes once a request has been answered and none is in flight.
      await until(
        () => `the idle restart to be probed and refused:\n${stderr}`,
        async () => {
          await hello(idle);
          return /The new server did not start: /.test(stderr);
        },
        60_000,
        250,
      );
      // Several checks later, each after an answered request (what lets an idle restart come): the
      // same install is not probed again, and the old server still serves.
      for (let i = 0; i < 8; i++) {
        await hello(idle);
        await sleep(250);
      }
      // One probe (the guard's own line; the policy's "restart failed: ..." repeats it once), then no other.
      assert.equal(stderr.match(/idle: The new server did not start: /g)?.length, 1, stderr);
      assert.match(
        stderr,
        /restart failed: the installed server did not start when the last restart probed it; not tried again/,
      );
      assert.equal(await hello(idle), 'hi');
    } finally {
      await asked.close().catch(() => undefined);
      await idle.close().catch(() => undefined);
    }
  });
});
