import * as assert from 'node:assert/strict';
import { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { formatStatus } from '../../../src/cli/format/status';
import { fixtureVenv, instanceOf, project, snapshot, tempDir } from './support';
import { stopChildren } from '../../support/liveness';
import { pastJudgedStart, startTimeOf } from '../../support/judgedStart';
import { startReady } from '../../support/startup';

/**
 * A real venv (`python3 -m venv`), real pip installing the fixture wheels from local files only,
 * a real stdio server process importing its dependency. Only the dependency is upgraded.
 */
describe('versions (integration): a Python server whose dependency is upgraded under it', function () {
  this.timeout(600_000);
  const started: ChildProcess[] = [];
  after(async () => {
    await stopChildren(started);
  });

  it('names the moved dependency; a force-reinstall of the same versions is not stale', async () => {
    const root = tempDir('lg-py-');
    const { py, pip } = await fixtureVenv(root);
    await pip('lgdemo-server==1.0.0', 'lgdemo-dep==1.0.0');

    const projectDir = project(root, 'demo', py, ['-m', 'lgdemo_server']);
    const home = path.join(root, 'home');
    fs.mkdirSync(home);
    const take = () => snapshot(home, projectDir, path.join(root, 'lg'));
    const ready = /lgdemo-server \S+ \(lgdemo_dep \S+\) running on stdio/;

    const first = await startReady(py, ['-m', 'lgdemo_server'], { cwd: projectDir, ready }, started);
    const before = await instanceOf(take, 'demo', first.pid!);
    assert.equal(before.versions?.verdict.state, 'current', JSON.stringify(before.versions));
    assert.equal(
      before.versions?.installed.state === 'installed' && before.versions.installed.environment?.packages['lgdemo-dep'],
      '1.0.0',
    );

    await pip('lgdemo-dep==2.0.0');
    const after = await instanceOf(take, 'demo', first.pid!);
    const v = after.versions?.verdict;
    assert.equal(v?.state, 'stale', JSON.stringify(after.versions));
    if (v?.state !== 'stale') return;
    assert.equal(v.package, 'lgdemo-server');
    assert.equal(v.running, '1.0.0');
    assert.equal(v.installed, '1.0.0');
    assert.deepEqual(v.movedDependencies, [{ name: 'lgdemo-dep', from: '1.0.0', to: '2.0.0' }]);
    // The old dependency's mapped file is gone from disk but still mapped by the process (pip
    // renames a package folder to `~<name>` before deleting it, so either name may show).
    if (process.platform === 'linux')
      assert.ok(
        v.replacedFiles.some((f) => /gdemo_dep[\\/]table\.dat$/.test(f)),
        JSON.stringify(v.replacedFiles),
      );
    assert.match(v.summary, /lgdemo-dep 1\.0\.0 -> 2\.0\.0/);
    // What `status` prints (the CLI formats this same snapshot) and what `status --json` carries.
    const snap = await take();
    const text = formatStatus(snap);
    if (process.env.LG_SHOW_STATUS) console.log(text);
    assert.match(
      text,
      new RegExp(
        `demo\\s+${first.pid}\\s+.*\\s1\\.0\\.0\\s+1\\.0\\.0\\s+STALE: runs 1\\.0\\.0, its dependencies moved: lgdemo-dep 1\\.0\\.0 -> 2\\.0\\.0`,
      ),
    );
    assert.match(text, /moved: +lgdemo-dep 1\.0\.0 -> 2\.0\.0/);
    const json = JSON.parse(JSON.stringify(snap)) as typeof snap;
    assert.deepEqual(json.servers[0].instances.find((i) => i.pid === first.pid)?.versions?.verdict, v);

    await stopChildren([first]);
    const second = await startReady(py, ['-m', 'lgdemo_server'], { cwd: projectDir, ready }, started);
    const fresh = await instanceOf(take, 'demo', second.pid!);
    assert.equal(fresh.versions?.verdict.state, 'current', JSON.stringify(fresh.versions));

    // The same versions reinstalled (new files, new times): still the code the process loaded.
    await pip('--force-reinstall', 'lgdemo-server==1.0.0', 'lgdemo-dep==2.0.0');
    const reinstalled = await instanceOf(take, 'demo', second.pid!);
    assert.equal(reinstalled.versions?.verdict.state, 'current', JSON.stringify(reinstalled.versions));
    assert.equal(reinstalled.versions?.running.state === 'known' && reinstalled.versions.running.source, 'first-seen');
    if (process.platform === 'linux')
      assert.match(
        reinstalled.versions?.verdict.state === 'current' ? reinstalled.versions.verdict.reason : '',
        /reinstalled since it started: .*table\.dat/,
      );

    // No record at all this time (a fresh state dir, as on a first run after the upgrade): the
    // replaced mapped file is the only evidence. On Linux it proves stale; elsewhere it is unknown.
    await stopChildren([second]);
    const third = await startReady(py, ['-m', 'lgdemo_server'], { cwd: projectDir, ready }, started);
    // The upgrade lands clearly after the start as the engine judges it (start times are coarse).
    await pastJudgedStart(await startTimeOf(third.pid!));
    await pip('lgdemo-dep==1.0.0');
    const unseen = await instanceOf(() => snapshot(home, projectDir, path.join(root, 'lg-fresh')), 'demo', third.pid!);
    const u = unseen.versions?.verdict;
    if (process.platform === 'linux') {
      assert.equal(u?.state, 'stale', JSON.stringify(unseen.versions));
      assert.equal(u?.state === 'stale' && u.running, 'unknown');
      assert.ok(u?.state === 'stale' && u.replacedFiles.some((f) => /gdemo_dep[\\/]table\.dat$/.test(f)));
    } else {
      assert.equal(u?.state, 'unknown', JSON.stringify(unseen.versions));
    }
  });
});
