import * as assert from 'node:assert/strict';
import { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { formatStatus } from '../../../src/cli/format/status';
import { stopChildren } from '../../support/liveness';
import { startReady } from '../../support/startup';
import { fixtureVenv, instanceOf, project, snapshot, tempDir } from './support';
import { pastJudgedStart, startTimeOf } from '../../support/judgedStart';

/** Whether this user can read another process's mapped bytes (root, or no Yama ptrace restriction). */
function mappedBytesReadable(): boolean {
  if (process.platform !== 'linux') return false;
  if (process.getuid?.() === 0) return true;
  const scope = fs.existsSync('/proc/sys/kernel/yama/ptrace_scope')
    ? fs.readFileSync('/proc/sys/kernel/yama/ptrace_scope', 'utf8').trim()
    : '0';
  return scope === '0';
}
const ready = /lgdemo-server \S+ \(lgdemo_dep \S+\) running on stdio/;

/**
 * The first look at a Python server (a fresh state folder every snapshot) after its venv changed
 * under it. pip keeps no history to infer from: an upgrade is "changed since start"; a same-version
 * force-reinstall of its native dependency is not stale, and where the mapped file can be compared
 * with the installed one (identical content) it is the same code.
 */
describe('versions (integration): the first look at a Python server', function () {
  this.timeout(600_000);
  const started: ChildProcess[] = [];
  afterEach(async () => {
    await stopChildren(started.splice(0));
  });

  let looks = 0;
  async function setUp(): Promise<{
    root: string;
    home: string;
    projectDir: string;
    py: string;
    pip: (...a: string[]) => Promise<string>;
    child: ChildProcess;
    look: () => ReturnType<typeof snapshot>;
  }> {
    const root = tempDir('lg-py-first-');
    const { py, pip } = await fixtureVenv(root);
    await pip('lgdemo-server==1.0.0', 'lgdemo-dep==1.0.0');
    const projectDir = project(root, 'demo', py, ['-m', 'lgdemo_server']);
    const home = path.join(root, 'home');
    fs.mkdirSync(home);
    const child = await startReady(py, ['-m', 'lgdemo_server'], { cwd: projectDir, ready }, started);
    // The change lands clearly after the start as the engine judges it (start times are coarse).
    await pastJudgedStart(await startTimeOf(child.pid!));
    return {
      root,
      home,
      projectDir,
      py,
      pip,
      child,
      look: () => snapshot(home, projectDir, path.join(root, `lg-first-${++looks}`)),
    };
  }

  it('the server upgraded in its venv before the first look: changed since start, naming its new metadata; never ok', async () => {
    const { pip, child, look } = await setUp();
    await pip('lgdemo-server==1.1.0');
    const i = await instanceOf(look, 'demo', child.pid!);
    const v = i.versions?.verdict;
    assert.equal(v?.state, 'changed', JSON.stringify(i.versions));
    if (v?.state !== 'changed') return;
    assert.equal(v.installed, '1.1.0');
    assert.ok(
      v.changedFiles.some((f) => /lgdemo_server-1\.1\.0\.dist-info[\\/]METADATA$/.test(f.path)),
      JSON.stringify(v.changedFiles),
    );
    const text = formatStatus(await look());
    const row = text.split('\n').find((l) => new RegExp(`^\\s+demo\\s+${child.pid}\\s`).test(l)) ?? '';
    assert.match(row, /\?\s+1\.1\.0\s+CHANGED SINCE START/, text);
  });

  it('its native dependency force-reinstalled at the same version before the first look: never stale; the same code where the mapped file can be compared', async () => {
    const { pip, child, look } = await setUp();
    await pip('--force-reinstall', '--no-deps', 'lgdemo-dep==1.0.0');
    const i = await instanceOf(look, 'demo', child.pid!);
    const v = i.versions?.verdict;
    assert.notEqual(v?.state, 'stale', JSON.stringify(i.versions));
    // map_files (root) or /proc/<pid>/mem (same user, ptrace allowed) give the mapped bytes here.
    if (mappedBytesReadable()) {
      assert.equal(v?.state, 'current', JSON.stringify(i.versions));
      assert.match(v?.state === 'current' ? v.reason : '', /reinstalled since it started: .*table\.dat/);
      assert.match(
        i.versions?.running.state === 'known' ? i.versions.running.how : '',
        /reinstall with identical content/,
      );
    }

    // The dependency moved for real: the mapped file differs, proof of replaced code.
    await pip('lgdemo-dep==2.0.0');
    const moved = await instanceOf(look, 'demo', child.pid!);
    const m = moved.versions?.verdict;
    assert.equal(m?.state, mappedBytesReadable() ? 'stale' : 'changed', JSON.stringify(moved.versions));
  });
});
