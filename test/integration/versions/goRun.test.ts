import * as assert from 'node:assert/strict';
import { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { stopChildren } from '../../support/liveness';
import { GO, goInstall, goProxy, goRunEnv, goVersion } from '../../support/goModule';
import { startReady } from '../../support/startup';
import { instanceOf, project, snapshot, tempDir } from './support';

const MODULE = 'example.com/mcpbin';

/**
 * An entry that runs `go run example.com/mcpbin@<query>`, with real Go and a module proxy on the
 * file system (no network): go builds the module into a temporary folder and runs the binary as its
 * child. The instance is that binary, judged by the module version in its build information, never
 * the Go toolchain; an edited pin keeps the process the entry's (config changed); under `@latest`, a
 * newer release Go has fetched since (another `go run` or `go install` of it) makes it stale.
 */
describe('versions (integration): go run module@version, judged by the binary it built', function () {
  this.timeout(600_000);
  const started: ChildProcess[] = [];
  /** The servers go started (its children): stopped too, should go be gone before them. */
  const servers: number[] = [];
  afterEach(async () => {
    // Its stdin closed, the server ends, then go run, which removes its build.
    const children = started.splice(0);
    await Promise.all(
      children.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null || c.signalCode !== null) return resolve();
            const timer = setTimeout(resolve, 10_000);
            c.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            c.stdin?.end();
          }),
      ),
    );
    await stopChildren(children);
    for (const pid of servers.splice(0)) {
      // Only the server go built, should its pid still be it.
      let cmdline = '';
      try {
        cmdline = fs.readFileSync(`/proc/${pid}/cmdline`).toString();
      } catch {
        continue; // gone with go, as it should
      }
      if (/go-build[^\0]*\/exe\/mcpbin/.test(cmdline)) process.kill(pid, 'SIGKILL');
    }
  });

  before(async function () {
    if (process.platform !== 'linux') this.skip(); // /proc/<pid>/exe: Linux only
    if (!(await goVersion())) this.skip(); // no Go toolchain here
  });

  it('pinned @v1.0.0: current, v1.0.0 from the build information; the entry edited to @v1.1.0: config changed, still its process', async () => {
    const root = tempDir('lg-gorun-');
    const proxy = goProxy(root, MODULE, ['v1.0.0', 'v1.1.0']);
    const env = await goRunEnv(root, proxy);
    const args = (query: string) => ['run', `${MODULE}@${query}`];
    const projectDir = project(root, 'mcpbin', GO, args('v1.0.0'), env);
    const home = path.join(root, 'home');
    fs.mkdirSync(home);
    const take = () => snapshot(home, projectDir, path.join(root, 'lg'), env);

    const child = await startReady(
      GO,
      args('v1.0.0'),
      { cwd: projectDir, env, ready: /mcpbin ready v1\.0\.0/ },
      started,
    );
    const before = await instanceOf(take, 'mcpbin', child.pid!);
    servers.push(before.pid);
    // The server is the binary go built, below go itself.
    assert.notEqual(before.pid, child.pid);
    assert.deepEqual(
      before.launcherChain.map((s) => s.pid),
      [child.pid],
    );
    assert.match(before.commandLine, /go-build[^ ]*\/exe\/mcpbin$/);
    assert.deepEqual(
      before.verdicts.filter((x) => x.kind === 'unknown'),
      [],
    );
    const b = before.versions;
    assert.equal(b?.verdict.state, 'current', JSON.stringify(b));
    assert.equal(b.installed.state === 'installed' && `${b.installed.name} ${b.installed.version}`, `${MODULE} v1.0.0`);
    assert.equal(b.running.state === 'known' && `${b.running.source} ${b.running.version}`, 'build-info v1.0.0');
    assert.match(b.verdict.state === 'current' ? b.verdict.reason : '', /^runs v1\.0\.0, the installed version/);

    // The user edits the pin: the process is what the old line started, and still the entry's.
    fs.writeFileSync(
      path.join(projectDir, '.mcp.json'),
      JSON.stringify({ mcpServers: { mcpbin: { command: GO, args: args('v1.1.0'), env } } }, null, 2),
    );
    const drifted = await instanceOf(take, 'mcpbin', child.pid!);
    assert.equal(drifted.pid, before.pid);
    const v = drifted.versions?.verdict;
    assert.equal(v?.state, 'config-changed', JSON.stringify(drifted.versions));
    if (v?.state !== 'config-changed') return;
    assert.equal(v.running, `${MODULE}@v1.0.0`);
    assert.equal(v.configured, `${MODULE}@v1.1.0`);
  });

  it('@latest: current while v1.0.0 is the newest Go fetched; stale v1.0.0 -> v1.1.0 once v1.1.0 is fetched and built', async () => {
    const root = tempDir('lg-gorun-latest-');
    const proxy = goProxy(root, MODULE, ['v1.0.0']);
    const env = await goRunEnv(root, proxy);
    const args = ['run', `${MODULE}@latest`];
    const projectDir = project(root, 'mcpbin', GO, args, env);
    const home = path.join(root, 'home');
    fs.mkdirSync(home);
    const take = () => snapshot(home, projectDir, path.join(root, 'lg'), env);

    const child = await startReady(GO, args, { cwd: projectDir, env, ready: /mcpbin ready v1\.0\.0/ }, started);
    const before = await instanceOf(take, 'mcpbin', child.pid!);
    servers.push(before.pid);
    assert.equal(before.versions?.verdict.state, 'current', JSON.stringify(before.versions));
    assert.equal(before.versions.running.state === 'known' && before.versions.running.version, 'v1.0.0');

    // The proxy publishes v1.1.0: nothing on this machine has it yet, and the network is not asked.
    goProxy(root, MODULE, ['v1.0.0', 'v1.1.0']);
    const published = await instanceOf(take, 'mcpbin', child.pid!);
    assert.equal(published.versions?.verdict.state, 'current', JSON.stringify(published.versions));

    // Another `@latest` build fetches and builds v1.1.0: a restart of the entry runs it now.
    await goInstall(root, proxy, path.join(root, 'other-bin'), `${MODULE}@latest`);
    const after = await instanceOf(take, 'mcpbin', child.pid!);
    const verdict = after.versions?.verdict;
    assert.equal(verdict?.state, 'stale', JSON.stringify(after.versions));
    assert.equal(verdict.package, MODULE);
    assert.equal(verdict.running, 'v1.0.0');
    assert.equal(verdict.installed, 'v1.1.0');
    assert.equal(verdict.runningLearnedFrom, 'build-info');
    assert.match(verdict.installedHow, /newest release of example\.com\/mcpbin Go has fetched/);
  });
});
