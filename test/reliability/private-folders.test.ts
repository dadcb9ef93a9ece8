import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { identityHash } from '../../src/core/locks';
import { freePort } from '../../src/guard/http/upstream';
import { shortTempDir, spawnCollect, versionedServerPackage } from '../integration/http/support';
import { cliPath } from '../support/repo';
import { until } from '../support/poll';
import { killAndWait } from '../support/liveness';

/** Stops every process whose argv names `dir`: a guard `ensure` started detached, and its server. */
async function stopEverythingOf(dir: string): Promise<void> {
  if (process.platform !== 'linux') return;
  for (const name of fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      if (fs.readFileSync(`/proc/${name}/cmdline`, 'utf8').includes(dir)) await killAndWait(Number(name));
    } catch {
      // gone meanwhile
    }
  }
}

/** The uid a second local user (the attacker) has in these tests: `nobody`. */
const OTHER_UID = 65534;
const VICTIM_TEXT = 'the victim file: nobody else writes here\n';

/**
 * Our folders against a local attacker: the real CLI (dist/cli.js) with HOME and
 * MCP_LIFEGUARD_HOME in temp folders, where another user planted symlinks or owns a folder, or the
 * root is writable by everyone. Nothing of ours is ever written through a link, and a root that is
 * not private is refused by name.
 */
describe('private folders: symlinks, shared roots and foreign owners', function () {
  this.timeout(120_000);
  let base: string;
  let home: string;
  let lgHome: string;
  let victim: string;
  const pids: number[] = [];

  before(function () {
    if (process.platform === 'win32') this.skip(); // mode bits, owners and symlinks as an attacker uses them are Unix matters
    assert.ok(fs.existsSync(cliPath), `${cliPath} is built (npm run build)`);
  });

  beforeEach(() => {
    base = shortTempDir();
    home = path.join(base, 'home');
    fs.mkdirSync(home);
    lgHome = path.join(base, 'lg');
    victim = path.join(base, 'victim.txt');
    fs.writeFileSync(victim, VICTIM_TEXT);
  });

  afterEach(async () => {
    for (const pid of pids.splice(0)) await killAndWait(pid);
    await stopEverythingOf(base);
    fs.rmSync(base, { recursive: true, force: true });
  });

  /**
   * A workspace whose `.mcp.json` names an installed npm package, and a registry that refuses
   * connections: `status` then has a failed update check to log, as it would on a plane.
   */
  function workspaceWithLoggedFailure(): { cwd: string; env: NodeJS.ProcessEnv } {
    const project = path.join(base, 'project');
    const pkg = path.join(project, 'node_modules', 'fixpkg');
    fs.mkdirSync(pkg, { recursive: true });
    fs.writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: 'fixpkg', version: '1.0.0' }));
    fs.writeFileSync(path.join(pkg, 'index.js'), '');
    fs.writeFileSync(
      path.join(project, '.mcp.json'),
      JSON.stringify({ mcpServers: { fix: { command: 'node', args: [path.join(pkg, 'index.js')] } } }),
    );
    return {
      cwd: project,
      env: {
        ...process.env,
        HOME: home,
        MCP_LIFEGUARD_HOME: lgHome,
        MCP_LIFEGUARD_NPM_REGISTRY: 'http://127.0.0.1:9/',
      },
    };
  }

  async function cli(
    args: string[],
    opts: { cwd: string; env: NodeJS.ProcessEnv },
    bound = 60_000,
  ): Promise<{ code: number | null; output: string; started: boolean }> {
    const run = spawnCollect(process.execPath, [cliPath, ...args], opts);
    pids.push(run.child.pid!);
    // A guard that wrongly starts runs until stopped: it is stopped here once it printed its URL.
    const outcome = await until(
      `mcp-lifeguard ${args[0]} to exit`,
      async () => {
        if (run.child.exitCode !== null || run.child.signalCode !== null) return 'exited' as const;
        if (/^http:\/\//m.test(run.output())) return 'started' as const;
        return undefined;
      },
      bound,
    );
    if (outcome === 'started') await killAndWait(run.child.pid);
    return {
      code: outcome === 'exited' ? await run.exited : null,
      output: run.output(),
      started: outcome === 'started',
    };
  }

  it('(a) status never appends to a file that logs/versions.log links to', async () => {
    const ws = workspaceWithLoggedFailure();
    fs.mkdirSync(path.join(lgHome, 'logs'), { recursive: true, mode: 0o700 });
    fs.chmodSync(lgHome, 0o700);
    fs.symlinkSync(victim, path.join(lgHome, 'logs', 'versions.log'));
    const r = await cli(['status'], ws);
    assert.equal(r.code, 0, r.output);
    assert.match(r.output, /^fix\s/m, 'status still shows the servers');
    assert.equal(fs.readFileSync(victim, 'utf8'), VICTIM_TEXT, 'the victim file is unchanged');
    assert.ok(
      fs.lstatSync(path.join(lgHome, 'logs', 'versions.log')).isSymbolicLink(),
      'the link was neither followed nor replaced',
    );
  });

  it('(a) status with a world-writable root shows the servers, keeps nothing there, and says why in one line', async () => {
    const ws = workspaceWithLoggedFailure();
    fs.mkdirSync(path.join(lgHome, 'logs'), { recursive: true });
    fs.chmodSync(lgHome, 0o777);
    fs.symlinkSync(victim, path.join(lgHome, 'logs', 'versions.log'));
    const r = await cli(['status'], ws);
    assert.equal(r.code, 0, r.output);
    assert.match(r.output, /^fix\s/m, 'status still shows the servers');
    const lines = r.output.split('\n').filter((l) => l.includes('not private'));
    assert.equal(lines.length, 1, r.output);
    assert.ok(
      lines[0].includes(lgHome) && /writable by group or others/.test(lines[0]) && /chmod 700/.test(lines[0]),
      lines[0],
    );
    assert.equal(fs.readFileSync(victim, 'utf8'), VICTIM_TEXT, 'the victim file is unchanged');
    assert.deepEqual(fs.readdirSync(lgHome).sort(), ['logs'], 'nothing was created in the shared root');
  });

  it('(b) ensure --http never opens its log through a planted link', async () => {
    const port = await freePort();
    const server = versionedServerPackage(base, '1.0.0');
    const logs = path.join(lgHome, 'logs');
    fs.mkdirSync(logs, { recursive: true, mode: 0o700 });
    fs.chmodSync(lgHome, 0o700);
    const logFile = path.join(logs, `${identityHash({ serverName: 'privfs', resourceKey: 'privfs-r' })}.http.log`);
    fs.symlinkSync(victim, logFile);
    const env = { ...process.env, HOME: home, MCP_LIFEGUARD_HOME: lgHome };
    const r = await cli(
      [
        'ensure',
        '--http',
        '--listen',
        `127.0.0.1:${port}`,
        '--name',
        'privfs',
        '--resource',
        'privfs-r',
        '--stop-grace',
        '2',
        '--',
        server.command,
        ...server.args,
      ],
      { cwd: base, env },
    );
    await stopEverythingOf(base);
    assert.equal(
      fs.readFileSync(victim, 'utf8'),
      VICTIM_TEXT,
      `the victim file is unchanged; ensure said: ${r.output}`,
    );
    assert.notEqual(r.code, 0, r.output);
    assert.ok(r.output.includes(logFile) && /symbolic link/.test(r.output), r.output);
  });

  it('(c) a world-writable root is refused by run, run --http and ensure, naming the root and the fix', async () => {
    fs.mkdirSync(lgHome);
    fs.chmodSync(lgHome, 0o777);
    const env = { ...process.env, HOME: home, MCP_LIFEGUARD_HOME: lgHome };
    const port = await freePort();
    const server = versionedServerPackage(base, '1.0.0');
    const commands = [
      ['run', '--', process.execPath, '-e', 'setTimeout(() => {}, 100)'],
      ['run', '--http', '--listen', `127.0.0.1:${port}`, '--', server.command, ...server.args],
      ['ensure', '--http', '--listen', `127.0.0.1:${port}`, '--', server.command, ...server.args],
    ];
    for (const args of commands) {
      const r = await cli(args, { cwd: base, env });
      assert.equal(r.started, false, `${args.slice(0, 2).join(' ')} did not start: ${r.output}`);
      assert.notEqual(r.code, 0, `${args.slice(0, 2).join(' ')}: ${r.output}`);
      assert.ok(
        r.output.includes(lgHome) &&
          /not private/.test(r.output) &&
          /writable by group or others/.test(r.output) &&
          /chmod 700/.test(r.output) &&
          /MCP_LIFEGUARD_HOME/.test(r.output),
        `${args.slice(0, 2).join(' ')}: ${r.output}`,
      );
    }
    assert.deepEqual(fs.readdirSync(lgHome), [], 'nothing was created in the shared root');
  });

  it('(d) a state/ folder another user owns is refused by run --http, and status says it keeps no state', async function () {
    // Only root can hand a folder to another user; elsewhere the owner check is covered by the unit tests (injected uid).
    if (typeof process.getuid !== 'function' || process.getuid() !== 0) this.skip();
    const state = path.join(lgHome, 'state');
    fs.mkdirSync(state, { recursive: true, mode: 0o700 });
    fs.chmodSync(lgHome, 0o700);
    fs.chownSync(state, OTHER_UID, OTHER_UID);
    const env = { ...process.env, HOME: home, MCP_LIFEGUARD_HOME: lgHome };
    const port = await freePort();
    const server = versionedServerPackage(base, '1.0.0');
    const r = await cli(['run', '--http', '--listen', `127.0.0.1:${port}`, '--', server.command, ...server.args], {
      cwd: base,
      env,
    });
    assert.equal(r.started, false, `run --http did not start: ${r.output}`);
    assert.notEqual(r.code, 0, r.output);
    assert.ok(r.output.includes(state) && new RegExp(`owned by uid ${OTHER_UID}`).test(r.output), r.output);
    assert.deepEqual(fs.readdirSync(state), [], 'nothing was written into the foreign folder');
    const ws = workspaceWithLoggedFailure();
    const s = await cli(['status'], { cwd: ws.cwd, env: { ...ws.env } });
    assert.equal(s.code, 0, s.output);
    assert.match(s.output, /^fix\s/m);
    assert.equal(
      s.output.split('\n').filter((l) => l.includes('not private') && l.includes(state)).length,
      1,
      s.output,
    );
  });
});
