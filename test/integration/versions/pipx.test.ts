import * as assert from 'node:assert/strict';
import { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { instanceOf, project, snapshot, tempDir } from './support';
import { DEP, DEP_OTHER, NEW, OLD, pipxSetup, staleVerdict, startMcp, TIME } from './pythonTools';
import { killAll, stopChildren } from '../../support/liveness';
import { pastFirstLookHorizon, pastJudgedStart } from '../../support/judgedStart';

/**
 * Real pipx (from PyPI, `python3 -m pipx`) installing a real MCP server from PyPI offline from
 * cached wheelhouses, with PIPX_HOME, PIPX_BIN_DIR and its shared libraries in a temp home.
 */
describe('versions (integration): pipx with a real server from PyPI', function () {
  this.timeout(600_000);
  const started: ChildProcess[] = [];
  let root = '';
  after(async () => {
    await stopChildren(started);
    if (root) await killAll([], path.basename(root));
  });

  it("pipx install OLD: current; pipx upgrade: stale naming both, and at a first look inferred from pipx's log; pipx inject of a dependency: stale naming it", async () => {
    root = tempDir('lg-pipx-');
    const { home, pipxHome, pipxEnv, wheels, pipxRun } = await pipxSetup(root);

    await pipxRun('install', `${TIME}==${OLD}`);
    const bin = path.join(pipxEnv.PIPX_BIN_DIR, TIME);
    assert.ok(fs.existsSync(bin), `pipx put the tool's bin at ${bin}`);
    const venv = path.join(pipxHome, 'venvs', TIME);
    const projectDir = project(root, 'time', bin, [], pipxEnv);
    const serverEnv = { ...process.env, ...pipxEnv };
    const look = () => snapshot(home, projectDir, path.join(root, 'lg'), pipxEnv);
    const first = await startMcp(bin, [], projectDir, serverEnv, started);
    const before = await instanceOf(look, 'time', first.pid!);
    assert.equal(before.versions?.verdict.state, 'current', JSON.stringify(before.versions));
    const inst = before.versions?.installed;
    assert.equal(inst?.state === 'installed' && inst.version, OLD);
    assert.equal(inst?.state === 'installed' && inst.how, `pipx venv ${venv}`);

    // pipx logs the upgrade clearly after the start (process start times are coarse), so a first look can tell.
    await pastFirstLookHorizon(before.startTime);
    await pipxRun('upgrade', '--pip-args', `--no-index ${wheels.map((w) => `--find-links ${w}`).join(' ')}`, TIME);
    const up = staleVerdict(await instanceOf(look, 'time', first.pid!), 'after pipx upgrade');
    assert.equal(up.running, OLD);
    assert.equal(up.installed, NEW);
    assert.match(up.installedHow, /pipx venv /);

    // The first look after the upgrade (a fresh state folder: nothing of ours saw the process before
    // it): stale naming both, inferred from pipx's log.
    const firstLook = () => snapshot(home, projectDir, path.join(root, 'lg-first'), pipxEnv);
    const v = staleVerdict(await instanceOf(firstLook, 'time', first.pid!), 'at the first look after pipx upgrade');
    assert.equal(v.running, OLD);
    assert.equal(v.installed, NEW);
    assert.equal(v.inferred, true);
    assert.equal(v.runningLearnedFrom, 'pipx-log');
    assert.match(
      v.runningHow,
      new RegExp(`${path.join(pipxHome, 'logs').replace(/[\\/.]/g, '\\$&')}[\\\\/]cmd_.*\\.log`),
    );
    assert.match(
      v.runningHow,
      new RegExp(`replaced ${TIME} ${OLD.replace(/\./g, '\\.')} with ${NEW.replace(/\./g, '\\.')}`),
    );

    // Restarted on the new release, then only a dependency moves under it.
    await stopChildren([first]);
    const second = await startMcp(bin, [], projectDir, serverEnv, started);
    const fresh = await instanceOf(look, 'time', second.pid!);
    assert.equal(fresh.versions?.verdict.state, 'current', JSON.stringify(fresh.versions));
    const depBefore =
      fresh.versions?.installed.state === 'installed' ? fresh.versions.installed.environment?.packages[DEP] : undefined;
    assert.ok(depBefore && depBefore !== DEP_OTHER, `${DEP} ${depBefore} in the environment`);
    await pastJudgedStart(fresh.startTime);
    await pipxRun('inject', '--force', TIME, `${DEP}==${DEP_OTHER}`);
    const moved = staleVerdict(await instanceOf(look, 'time', second.pid!), 'after pipx inject');
    assert.equal(moved.running, NEW);
    assert.equal(moved.installed, NEW);
    assert.deepEqual(moved.movedDependencies, [{ name: DEP, from: depBefore, to: DEP_OTHER }]);
    await stopChildren([second]);
  });
});
