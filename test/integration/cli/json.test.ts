import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Snapshot } from '../../../src/core/base/model';
import { ensurePrivateHome } from '../../../src/core/machine/privateFs';
import { lifeguardPaths } from '../../../src/core/base/paths';
import { everythingBin, guardEnv, runCli, tempHome } from '../guard/support';
import { cliPath, repoRoot } from '../../support/repo';
import { until } from '../../support/poll';
import { isAlive } from '../../support/liveness';

/** `restart --json` and `logs --json` through the built CLI: one JSON document on stdout, the exit code as in the text mode. */
describe('CLI: restart --json and logs --json', function () {
  this.timeout(180_000);
  let home: string;
  let serverPid: number | undefined;

  beforeEach(() => {
    home = tempHome();
  });
  afterEach(() => {
    if (serverPid && isAlive(serverPid)) process.kill(serverPid, 'SIGKILL');
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('status --json whose reader closes the pipe at once ends quietly, exit 0, no stack trace', async () => {
    fs.mkdirSync(path.join(home, '.cursor'), { recursive: true });
    // Enough servers that the document is still being written when the pipe closes.
    const servers = Object.fromEntries(
      Array.from({ length: 400 }, (_, n) => [`s${n}`, { command: 'node', args: [`/srv/s${n}/index.js`] }]),
    );
    fs.writeFileSync(path.join(home, '.cursor', 'mcp.json'), JSON.stringify({ mcpServers: servers }));
    const proc = spawn(process.execPath, [cliPath, 'status', '--json'], {
      env: { ...guardEnv(home), HOME: home },
      cwd: repoRoot,
    });
    proc.stdout.destroy();
    let stderr = '';
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => proc.once('exit', (c) => resolve(c)));
    assert.equal(code, 0, stderr);
    assert.doesNotMatch(stderr, /EPIPE|Error/);
  });

  it('restart --json of an unguarded server: a stopped outcome the client must restart; then a refusal, exit 1', async () => {
    const tag = `--lg-tag=${path.basename(home)}`;
    fs.mkdirSync(path.join(home, '.config', 'Claude'), { recursive: true });
    fs.writeFileSync(
      path.join(home, '.config', 'Claude', 'claude_desktop_config.json'),
      JSON.stringify({ mcpServers: { everything: { command: everythingBin, args: ['stdio', tag] } } }),
    );
    const server = spawn(everythingBin, ['stdio', tag], { cwd: repoRoot, stdio: ['pipe', 'ignore', 'ignore'] });
    serverPid = server.pid!;
    await until('the snapshot to show the instance', async () => {
      const snap = JSON.parse((await runCli(home, ['status', '--json'])).stdout) as Snapshot;
      return snap.servers.find((s) => s.name === 'everything')?.instances.some((i) => i.pid === serverPid);
    });
    const r = await runCli(home, ['restart', 'everything', '--grace', '5', '--json']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.target, 'everything');
    assert.equal(out.ok, true);
    assert.equal(out.outcomes.length, 1);
    const [o] = out.outcomes;
    assert.equal(o.kind, 'stopped');
    assert.equal(o.ok, true);
    assert.equal(o.restartedBy, 'client');
    assert.equal(o.stop.pid, serverPid);
    assert.match(o.message, /was not guarded, so it was stopped, not restarted/);
    await until('the server to be gone', () => !isAlive(serverPid!));

    const none = await runCli(home, ['restart', 'everything', '--json']);
    assert.equal(none.code, 1);
    const refused = JSON.parse(none.stdout);
    assert.deepEqual(
      [refused.ok, refused.outcomes[0].kind, refused.outcomes[0].reason, refused.outcomes[0].ok],
      [false, 'refused', 'not-found', false],
    );
    assert.match(none.stderr, /nothing was signalled/);
  });

  it('logs --json: the last lines of each log file; an unknown server is an empty list with the reason, exit 1', async () => {
    const paths = lifeguardPaths({ home, platform: process.platform, env: { MCP_LIFEGUARD_HOME: home } });
    ensurePrivateHome(paths);
    fs.writeFileSync(path.join(paths.logs, 'notes-0123456789abcdef.stderr.log'), 'one\ntwo\nthree\n', { mode: 0o600 });
    const r = await runCli(home, ['logs', 'notes', '--lines', '2', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), {
      server: 'notes',
      logs: [
        { source: 'guard', file: path.join(paths.logs, 'notes-0123456789abcdef.stderr.log'), lines: ['two', 'three'] },
      ],
    });

    const none = await runCli(home, ['logs', 'no-such', '--json']);
    assert.equal(none.code, 1);
    const missing = JSON.parse(none.stdout);
    assert.deepEqual(missing.logs, []);
    assert.match(missing.message, /no log of a server named 'no-such'/);
  });
});
