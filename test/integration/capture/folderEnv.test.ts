import * as assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Snapshot } from '../../../src/core/base/model';
import type { Capture } from '../../../src/core/capture/capture';
import { tempHome } from '../guard/support';
import { captureAndReplay, cursorConfig, runCli, userEnv } from './support';

/**
 * `capture` then `status --replay`, through the built CLI, on a home whose entry sets a folder in
 * its env (`SESSION_DATA`) that its server's install sits under, with that server running: the
 * capture keeps the paths under the folder, so the replay reads the entry, its install and its
 * process as the live look does, and asks nothing the capture does not answer.
 */
describe("capture and replay: an entry's env value names the folder its install sits under", function () {
  this.timeout(60_000);
  let base: string;
  let server: ChildProcess | undefined;

  beforeEach(() => {
    base = tempHome();
  });

  afterEach(async () => {
    if (server && server.exitCode === null) {
      const gone = new Promise((resolve) => server?.once('exit', resolve));
      server.kill();
      await gone;
    }
    fs.rmSync(base, { recursive: true, force: true });
  });

  const cli = (args: string[], env: Record<string, string>) => runCli(base, args, env);

  /** What a person reads of the entry: its install, its instances and their verdicts. */
  const reading = (s: Snapshot) =>
    s.servers.map((x) => ({
      name: x.name,
      installed: x.installed,
      instances: x.instances.map((i) => ({ pid: i.pid, verdicts: i.verdicts.map((v) => v.kind) })),
    }));

  it('the replay reads as the live look: the install found, the process claimed, no question unanswered', async () => {
    const home = path.join(base, 'home');
    const data = path.join(base, 'session-data');
    const pkg = path.join(data, 'prefix', 'lib', 'node_modules', 'notes-server');
    fs.mkdirSync(pkg, { recursive: true });
    fs.writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: 'notes-server', version: '1.2.3' }));
    fs.writeFileSync(path.join(pkg, 'index.js'), 'setInterval(() => {}, 1 << 30);\n');
    const entry = { command: process.execPath, args: [path.join(pkg, 'index.js')], env: { SESSION_DATA: data } };
    const config = cursorConfig(home, { notes: entry });
    const env = userEnv(home, path.join(base, 'lifeguard'));
    server = spawn(entry.command, entry.args, { env: { ...env, ...entry.env }, stdio: 'ignore' });
    await new Promise((resolve) => server?.once('spawn', resolve));

    const live = await cli(['status', '--json'], env);
    assert.equal(live.code, 0, live.stderr);
    const { file, replayed } = await captureAndReplay(base, env);

    assert.doesNotMatch(replayed.stderr, /not in .*capture\.json/);
    const seen = reading(JSON.parse(live.stdout) as Snapshot);
    assert.deepEqual(
      seen.map((s) => [s.name, s.installed?.state, s.instances.map((i) => i.pid)]),
      [['notes', 'installed', [server.pid]]],
    );
    assert.deepEqual(reading(JSON.parse(replayed.stdout) as Snapshot), seen);
    // The folder itself is still no value of the capture: the entry's env and the process's hold its stand-in.
    const capture = JSON.parse(fs.readFileSync(file, 'utf8')) as Capture;
    const [read] = Object.values(capture.machine.fs.readBytes[config]);
    const written = JSON.parse(Buffer.from(read as string, 'base64').toString('utf8')) as {
      mcpServers: { notes: typeof entry };
    };
    assert.match(written.mcpServers.notes.env.SESSION_DATA, /^<secret:[0-9a-f]{16}>$/);
    assert.equal(written.mcpServers.notes.args[0], entry.args[0], 'the path under it kept');
    assert.ok(!JSON.stringify(capture.machine).includes(`SESSION_DATA=${data}`), "the process's environment");
  });
});
