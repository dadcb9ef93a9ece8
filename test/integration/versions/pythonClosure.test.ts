import * as assert from 'node:assert/strict';
import { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Instance } from '../../../src/core/base/model';
import { CLOCK_SLACK_MS } from '../../../src/core/versions/clockSlack';
import { thisMachine } from '../../../src/core/machine/live';
import { startLagMs } from '../../../src/core/pids/startLag';
import { fixtureVenv, instanceOf, project, PYTHON, run, snapshot, tempDir } from './support';
import { stopChildren } from '../../support/liveness';
import { pastJudgedStart } from '../../support/judgedStart';
import { startReady } from '../../support/startup';
import { pipWheel } from '../../support/toolCache';

/** A real pip release from PyPI, other than the one the venv was created with. */
const PIP_RELEASES = ['25.1.1', '24.3.1'];

/**
 * A real venv, a real stdio server importing its one dependency, and installs into the same venv
 * that are outside the server's dependency closure: an unrelated package, then pip upgrading itself
 * (a real pip wheel from PyPI, downloaded once into the test tool cache). Each rewrites the
 * site-packages folder; none changes what the server loaded, with a record of it or without.
 */
describe('versions (integration): installs beside a Python server, outside its closure', function () {
  this.timeout(600_000);
  const started: ChildProcess[] = [];
  after(async () => {
    await stopChildren(started);
  });

  it('an unrelated package and `pip install -U pip` leave it current, with a record and at first look', async () => {
    const root = tempDir('lg-pyclosure-');
    const { py, pip } = await fixtureVenv(root);
    await pip('lgdemo-server==1.0.0', 'lgdemo-dep==1.0.0');
    const pipVersion = async () => /^pip (\S+)/.exec(await run(py, ['-m', 'pip', '--version']))?.[1];
    const bundled = await pipVersion();
    const newPip = PIP_RELEASES.find((v) => v !== bundled)!;
    const wheels = await pipWheel(PYTHON, newPip);

    const projectDir = project(root, 'demo', py, ['-m', 'lgdemo_server']);
    const home = path.join(root, 'home');
    fs.mkdirSync(home);
    const recorded = path.join(root, 'lg');
    let fresh = 0;
    const look = (lgHome: string) => () => snapshot(home, projectDir, lgHome);
    const server = await startReady(
      py,
      ['-m', 'lgdemo_server'],
      { cwd: projectDir, ready: /lgdemo-server \S+ \(lgdemo_dep \S+\) running on stdio/ },
      started,
    );

    // A recorded start reads early by up to the boot time's dropped fraction of a second (pids/startLag.ts).
    const lag = await startLagMs(thisMachine());
    const judged = (i: Instance, when: string) => {
      const v = i.versions;
      assert.equal(v?.verdict.state, 'current', `${when}: ${JSON.stringify(v)}`);
      assert.equal(v?.installed.state, 'installed');
      if (v?.installed.state !== 'installed') return;
      assert.deepEqual(
        v.installed.environment?.packages,
        { 'lgdemo-dep': '1.0.0' },
        `${when}: the environment is the server's closure only`,
      );
      assert.ok(
        i.startTime !== undefined && (v.installed.changedAt ?? Infinity) <= i.startTime + lag + CLOCK_SLACK_MS,
        `${when}: the closure's files predate the process (changedAt ${v.installed.changedAt}, start ${i.startTime})`,
      );
    };
    // Both sides: a first-seen record written now, and later first looks with no record at all.
    const before = await instanceOf(look(recorded), 'demo', server.pid!);
    judged(before, 'before any install');
    const startTime = before.startTime!;
    const bothLooks = async (when: string) => {
      // What made Python servers look changed before: the site-packages folder itself moved after the start.
      const sp = fs.statSync(sitePackagesOf(py));
      assert.ok(
        Math.max(sp.mtimeMs, sp.ctimeMs) > startTime + CLOCK_SLACK_MS,
        `${when}: site-packages was rewritten after the start`,
      );
      judged(await instanceOf(look(recorded), 'demo', server.pid!), `${when}, with a record`);
      const first = await instanceOf(look(path.join(root, `lg-first-look-${++fresh}`)), 'demo', server.pid!);
      judged(first, `${when}, first look`);
      assert.notEqual(first.versions?.running.state === 'known' && first.versions.running.source, 'lock-record');
    };

    // The installs land clearly after the start as the engine judges it (start times are coarse).
    await pastJudgedStart(startTime);
    await pip('lgdemo-other==1.0.0');
    await bothLooks('after an unrelated package was installed');

    await pip('--find-links', wheels, `pip==${newPip}`);
    assert.equal(await pipVersion(), newPip, 'pip itself was replaced');
    await bothLooks(`after pip ${bundled} -> ${newPip}`);
  });
});

/** The site-packages of the venv `py` belongs to. */
function sitePackagesOf(py: string): string {
  const venv = path.dirname(path.dirname(py));
  if (process.platform === 'win32') return path.join(venv, 'Lib', 'site-packages');
  const lib = path.join(venv, 'lib');
  return path.join(
    lib,
    fs.readdirSync(lib).find((d) => /^(python|pypy)\d/.test(d))!,
    'site-packages',
  );
}
