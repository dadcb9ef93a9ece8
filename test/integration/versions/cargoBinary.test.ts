import * as assert from 'node:assert/strict';
import { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { stopChildren } from '../../support/liveness';
import { cargoInstall, cargoVersion, rustCrate } from '../../support/cargoCrate';
import { pastJudgedStart } from '../../support/judgedStart';
import { startReady, waitForOutput } from '../../support/startup';
import { instanceOf, project, snapshot, tempDir } from './support';

const CRATE = 'mcpcrate';

/**
 * A server that is a Rust binary installed with real `cargo install`: its version is what cargo's
 * records (`.crates2.json`) say of the binary, the running one what they said when the instance was
 * first seen. A reinstall of the same bytes is the same code (current, by content); an install of
 * another release is stale naming both versions when the first sighting is known, and stale with
 * the running version unknown (never invented: a Rust binary carries none) when it is not.
 */
describe('versions (integration): a cargo-installed binary server, judged by cargo records and content', function () {
  this.timeout(600_000);
  const started: ChildProcess[] = [];
  afterEach(async () => {
    await stopChildren(started.splice(0));
  });

  before(async function () {
    if (process.platform !== 'linux') this.skip(); // /proc/<pid>/exe and maps: Linux only
    if (!(await cargoVersion())) this.skip(); // no Rust toolchain here
  });

  it('cargo install 0.1.0: current from its records; same bytes again: current; 0.2.0: stale, 0.1.0 -> 0.2.0', async () => {
    const root = tempDir('lg-cargobin-');
    const installRoot = path.join(root, 'cargo');
    const crate = rustCrate(root, CRATE, '0.1.0');
    await cargoInstall(root, crate, installRoot);
    const exe = path.join(installRoot, 'bin', CRATE);
    const records = path.join(installRoot, '.crates2.json');
    const v010 = fs.readFileSync(exe);
    const projectDir = project(root, CRATE, exe, []);
    const home = path.join(root, 'home');
    fs.mkdirSync(home);
    const take = () => snapshot(home, projectDir, path.join(root, 'lg'));
    // A first look after the fact: no sighting of the process before the install.
    const firstLook = (n: number) => () => snapshot(home, projectDir, path.join(root, `lg-first-${n}`));

    const child = await startReady(exe, [], { cwd: projectDir, ready: /mcpcrate ready 0\.1\.0/ }, started);
    const pid = child.pid!;
    // It speaks MCP: initialize is answered with its name and version.
    const answered = waitForOutput(child, /"serverInfo":\{"name":"mcpcrate","version":"0\.1\.0"\}/, 30_000, 'stdout');
    child.stdin!.write(
      `${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '0' } } })}\n`,
    );
    await answered;

    const before = await instanceOf(take, CRATE, pid);
    assert.equal(before.versions?.verdict.state, 'current', JSON.stringify(before.versions));
    const installed = before.versions.installed;
    assert.deepEqual(installed.state === 'installed' && [installed.ecosystem, installed.name, installed.version], [
      'binary',
      CRATE,
      '0.1.0',
    ]);
    assert.ok(installed.state === 'installed' && installed.how.includes(records), JSON.stringify(installed));
    assert.match(before.versions.verdict.reason, /^runs 0\.1\.0, the installed version/);

    // Well after the start: a file written within the start time's precision counts as one it loaded.
    await pastJudgedStart(before.startTime);

    // (a) cargo install of the same release again: a new file with the same bytes, renamed over the old one.
    const inode = fs.statSync(exe).ino;
    await cargoInstall(root, crate, installRoot);
    assert.notEqual(fs.statSync(exe).ino, inode);
    assert.equal(fs.readFileSync(exe).equals(v010), true, 'cargo built the same bytes again');
    for (const look of [take, firstLook(1)]) {
      const again = await instanceOf(look, CRATE, pid);
      const verdict = again.versions?.verdict;
      assert.equal(verdict?.state, 'current', JSON.stringify(again.versions));
      assert.match(verdict.reason, /runs 0\.1\.0, the installed version/);
      assert.ok(verdict.reason.includes(`reinstalled since it started: ${exe}`), JSON.stringify(again.versions));
    }

    // (b) A real upgrade: cargo install of the next release.
    await cargoInstall(root, rustCrate(root, CRATE, '0.2.0'), installRoot);
    assert.equal(fs.readFileSync(exe).equals(v010), false);
    const after = await instanceOf(take, CRATE, pid);
    const verdict = after.versions?.verdict;
    assert.equal(verdict?.state, 'stale', JSON.stringify(after.versions));
    assert.equal(verdict.package, CRATE);
    assert.equal(verdict.running, '0.1.0');
    assert.equal(verdict.installed, '0.2.0');
    // Cargo's records when the instance was first seen; the executable's bytes differ from the installed one.
    assert.equal(verdict.runningLearnedFrom, 'first-seen', JSON.stringify(verdict));
    assert.deepEqual(verdict.replacedFiles, [exe]);
    assert.ok(verdict.installedHow.includes(`${records}: mcpcrate 0.2.0`), verdict.installedHow);
    assert.match(verdict.summary, /mcpcrate: runs 0\.1\.0 but 0\.2\.0 is installed/);

    // Never seen before the upgrade: stale by content, and what it runs is not invented.
    const late = await instanceOf(firstLook(2), CRATE, pid);
    const lateVerdict = late.versions?.verdict;
    assert.equal(lateVerdict?.state, 'stale', JSON.stringify(late.versions));
    assert.equal(lateVerdict.package, CRATE);
    assert.equal(lateVerdict.running, 'unknown');
    assert.equal(lateVerdict.installed, '0.2.0');
    assert.deepEqual(lateVerdict.replacedFiles, [exe]);
    assert.match(lateVerdict.summary, /files it loaded were replaced/);
  });
});
