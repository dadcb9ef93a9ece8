import * as assert from 'node:assert/strict';
import { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Instance } from '../../../src/core/base/model';
import { stopChildren } from '../../support/liveness';
import { pastJudgedStart } from '../../support/judgedStart';
import { startReady } from '../../support/startup';
import { fixtureVenv, instanceOf, project, snapshot, tempDir } from './support';

/** A loose script (no package installs it) importing a distribution of its venv. */
const SCRIPT = `import sys
import lgdemo_dep
print('script server ready', file=sys.stderr, flush=True)
for line in sys.stdin:
    pass
`;

const verdictOf = (i: Instance) => i.versions?.verdict;

/**
 * A script server's dependency upgraded by pip, then put back at the version it started with (what
 * Roll Back runs): pip rewrites the same wheel's files with new times. The versions and the
 * distributions' RECORD hashes, as first seen, say it is the code it loaded.
 */
describe('versions (integration): a script whose environment pip puts back as it started', function () {
  this.timeout(300_000);
  const started: ChildProcess[] = [];
  after(async () => {
    await stopChildren(started);
  });

  it('stale after the upgrade; current after the same version is reinstalled, by the RECORD hashes first seen', async () => {
    const root = tempDir('lg-script-reinstall-');
    const { py, pip } = await fixtureVenv(root);
    await pip('lgdemo-dep==1.0.0');
    const script = path.join(root, 'server.py');
    fs.writeFileSync(script, SCRIPT);
    const projectDir = project(root, 'notes', py, [script]);
    const home = path.join(root, 'home');
    fs.mkdirSync(home);
    const recorded = path.join(root, 'lg');
    const look = (lgHome: string) => () => snapshot(home, projectDir, lgHome);
    const server = await startReady(py, [script], { cwd: projectDir, ready: /script server ready/ }, started);

    const first = await instanceOf(look(recorded), 'notes', server.pid!);
    assert.equal(verdictOf(first)?.state, 'current', JSON.stringify(first.versions));
    await pastJudgedStart(first.startTime!);

    await pip('lgdemo-dep==2.0.0');
    const upgraded = await instanceOf(look(recorded), 'notes', server.pid!);
    assert.equal(verdictOf(upgraded)?.state, 'stale', JSON.stringify(upgraded.versions));

    await pip('lgdemo-dep==1.0.0');
    const back = await instanceOf(look(recorded), 'notes', server.pid!);
    const v = verdictOf(back);
    assert.equal(v?.state, 'current', JSON.stringify(back.versions));
    assert.match(v.state === 'current' ? v.reason : '', /same RECORD hashes as first seen/);
  });
});
