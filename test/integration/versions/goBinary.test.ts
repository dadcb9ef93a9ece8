import * as assert from 'node:assert/strict';
import { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { stopChildren } from '../../support/liveness';
import { goBuildCheckout, goInstall, goProxy, goVersion } from '../../support/goModule';
import { replaceFile } from '../../support/runtimeServer';
import { pastJudgedStart } from '../../support/judgedStart';
import { startReady } from '../../support/startup';
import { instanceOf, project, snapshot, tempDir } from './support';

const MODULE = 'example.com/mcpbin';

/**
 * A server that is a compiled binary, here a real Go one: `go install example.com/mcpbin@v1.0.0`
 * from a module proxy on the file system, so the binary's build information carries the module's
 * version. A reinstall of the same bytes is the same code (current, by content); an install of
 * another release is stale with both versions, the running one read from the binary the process
 * started from (its first sighting, or the replaced executable through /proc), the installed one
 * from the file on disk now.
 */
describe('versions (integration): a Go binary server, judged by content and build information', function () {
  this.timeout(600_000);
  const started: ChildProcess[] = [];
  afterEach(async () => {
    await stopChildren(started.splice(0));
  });

  before(async function () {
    if (process.platform !== 'linux') this.skip(); // /proc/<pid>/exe and maps: Linux only
    if (!(await goVersion())) this.skip(); // no Go toolchain here
  });

  it('same bytes reinstalled: current; go install of v1.1.0: stale, v1.0.0 -> v1.1.0', async () => {
    const root = tempDir('lg-gobin-');
    const proxy = goProxy(root, MODULE, ['v1.0.0', 'v1.1.0']);
    const bin = path.join(root, 'bin');
    await goInstall(root, proxy, bin, `${MODULE}@v1.0.0`);
    const exe = path.join(bin, 'mcpbin');
    const v100 = fs.readFileSync(exe);
    const projectDir = project(root, 'mcpbin', exe, []);
    const home = path.join(root, 'home');
    fs.mkdirSync(home);
    const take = () => snapshot(home, projectDir, path.join(root, 'lg'));
    // A first look after the fact: no sighting of the process before the install.
    const firstLook = (n: number) => () => snapshot(home, projectDir, path.join(root, `lg-first-${n}`));

    const child = await startReady(exe, [], { cwd: projectDir, ready: /mcpbin ready v1\.0\.0/ }, started);
    const pid = child.pid!;
    const before = await instanceOf(take, 'mcpbin', pid);
    assert.equal(before.versions?.verdict.state, 'current', JSON.stringify(before.versions));
    assert.deepEqual(
      before.versions?.installed.state === 'installed' && [
        before.versions.installed.name,
        before.versions.installed.version,
      ],
      [MODULE, 'v1.0.0'],
    );

    // Well after the start: a file written within the start time's precision counts as one it loaded.
    await pastJudgedStart(before.startTime);

    // (a) The same bytes put back through a new file renamed over the old one (make install, a reinstall).
    const inode = fs.statSync(exe).ino;
    replaceFile(exe, v100);
    assert.notEqual(fs.statSync(exe).ino, inode);
    for (const look of [take, firstLook(1)]) {
      const again = await instanceOf(look, 'mcpbin', pid);
      const verdict = again.versions?.verdict;
      assert.equal(verdict?.state, 'current', JSON.stringify(again.versions));
      assert.match(verdict.reason, /runs v1\.0\.0, the installed version/);
      assert.ok(verdict.reason.includes(`reinstalled since it started: ${exe}`), JSON.stringify(again.versions));
    }

    // go install of the same release again: Go only touches an up-to-date binary (same file, new mtime).
    await goInstall(root, proxy, bin, `${MODULE}@v1.0.0`);
    assert.equal(fs.readFileSync(exe).equals(v100), true);
    const touched = await instanceOf(firstLook(3), 'mcpbin', pid);
    assert.equal(touched.versions?.verdict.state, 'current', JSON.stringify(touched.versions));
    assert.match(touched.versions.verdict.reason, /^runs v1\.0\.0, the installed version/);
    assert.equal(touched.versions.running.state === 'known' && touched.versions.running.source, 'build-info');

    // (b) A real upgrade: go install of the next release.
    await goInstall(root, proxy, bin, `${MODULE}@v1.1.0`);
    for (const look of [take, firstLook(2)]) {
      const after = await instanceOf(look, 'mcpbin', pid);
      const verdict = after.versions?.verdict;
      assert.equal(verdict?.state, 'stale', JSON.stringify(after.versions));
      assert.equal(verdict.package, MODULE);
      assert.equal(verdict.running, 'v1.0.0');
      assert.equal(verdict.installed, 'v1.1.0');
      // Read from the executable the process runs (the replaced file, through /proc), first look or not.
      assert.equal(verdict.runningLearnedFrom, 'build-info', JSON.stringify(verdict));
      assert.match(verdict.runningHow, /executable the process runs: module example\.com\/mcpbin v1\.0\.0/);
      assert.match(verdict.installedHow, /module example\.com\/mcpbin v1\.1\.0/);
      assert.match(verdict.summary, /example\.com\/mcpbin: runs v1\.0\.0 but v1\.1\.0 is installed/);
    }
  });

  it('a binary with no version (built from a checkout): the same bytes reinstalled are current, other bytes stale', async () => {
    const root = tempDir('lg-gobin-devel-');
    const proxy = goProxy(root, MODULE, []);
    const built = path.join(root, 'built');
    await goBuildCheckout(root, proxy, MODULE, 'v1.0.0', path.join(built, 'one'));
    await goBuildCheckout(root, proxy, MODULE, 'v1.1.0', path.join(built, 'two'));
    const exe = path.join(root, 'bin', 'mcpbin');
    fs.mkdirSync(path.dirname(exe));
    fs.copyFileSync(path.join(built, 'one'), exe);
    const projectDir = project(root, 'mcpbin', exe, []);
    const home = path.join(root, 'home');
    fs.mkdirSync(home);
    const take = () => snapshot(home, projectDir, path.join(root, 'lg'));

    const child = await startReady(exe, [], { cwd: projectDir, ready: /mcpbin ready v1\.0\.0/ }, started);
    const pid = child.pid!;
    const before = await instanceOf(take, 'mcpbin', pid);
    assert.equal(before.versions?.installed.state, 'unversioned', JSON.stringify(before.versions));
    assert.equal(before.versions?.verdict.state, 'current', JSON.stringify(before.versions));
    await pastJudgedStart(before.startTime);

    replaceFile(exe, fs.readFileSync(path.join(built, 'one')));
    const again = await instanceOf(take, 'mcpbin', pid);
    assert.equal(again.versions?.verdict.state, 'current', JSON.stringify(again.versions));
    assert.equal(
      again.versions.verdict.reason,
      `the executable was reinstalled since it started with identical content: ${exe}`,
    );

    replaceFile(exe, fs.readFileSync(path.join(built, 'two')));
    const after = await instanceOf(take, 'mcpbin', pid);
    const verdict = after.versions?.verdict;
    assert.equal(verdict?.state, 'stale', JSON.stringify(after.versions));
    assert.deepEqual(verdict.replacedFiles, [exe]);
    assert.match(verdict.summary, /files it loaded were replaced/);
  });
});
