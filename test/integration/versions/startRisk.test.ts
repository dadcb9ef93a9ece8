import * as assert from 'node:assert/strict';
import { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { restartTarget } from '../../../src/core/actions/restart';
import { fixtureVenv, instanceOf, run, snapshot, tempDir } from './support';
import { isAlive, stopChildren } from '../../support/liveness';
import { pastJudgedStart } from '../../support/judgedStart';
import { startReady } from '../../support/startup';
import { until } from '../../support/poll';

/** A loose script importing a module its package's own finder makes up (names in a data file). */
const SCRIPT = `import sys
from lgdemo_hooked.generated import hello
print('hooked server ready:', hello(), file=sys.stderr, flush=True)
sys.stdin.read()
`;

/**
 * Whether the installed code will start is said only on proof: a real venv, real pip installing a
 * package whose `__init__.py` installs an import hook that provides `lgdemo_hooked.generated` (no
 * file of it exists), a real process importing it, and the package upgraded under it.
 */
describe('versions (integration): "will probably not start" only on proof', function () {
  this.timeout(300_000);
  const started: ChildProcess[] = [];
  after(async () => {
    await stopChildren(started.splice(0));
  });

  it('a module an import hook provides is no start risk, before or after an upgrade; restart does not refuse', async () => {
    const root = tempDir('lg-hooked-');
    const { py, pip } = await fixtureVenv(root);
    await pip('lgdemo-hooked==1.0.0');
    const app = path.join(root, 'app');
    fs.mkdirSync(app);
    const script = path.join(app, 'server.py');
    fs.writeFileSync(script, SCRIPT);
    const home = path.join(root, 'home');
    fs.mkdirSync(path.join(home, '.cursor'), { recursive: true });
    fs.writeFileSync(
      path.join(home, '.cursor', 'mcp.json'),
      JSON.stringify({ mcpServers: { hooked: { command: py, args: [script] } } }),
    );
    const lg = path.join(root, 'lg');
    const take = () => snapshot(home, app, lg);
    const child = await startReady(py, [script], { cwd: app, ready: /hooked server ready: hello from/ }, started);

    const risks = async () => {
      const i = await instanceOf(take, 'hooked', child.pid!);
      const inst = i.versions?.installed;
      assert.equal(inst?.state, 'installed', JSON.stringify(i.versions));
      return { i, risks: inst?.state === 'installed' ? inst.startRisks : undefined };
    };
    const before = await risks();
    assert.equal(before.risks, undefined, JSON.stringify(before.risks));
    assert.equal(before.i.versions?.verdict.state, 'current', JSON.stringify(before.i.versions));

    await pastJudgedStart(before.i.startTime ?? Date.now());
    await pip('lgdemo-hooked==1.1.0');
    // A fresh import works: the hook is the truth this test stands on.
    const fresh = await run(py, ['-c', 'from lgdemo_hooked.generated import hello; print(hello())'], { cwd: app });
    assert.match(String(fresh), /hello from lgdemo_hooked\.generated 1\.1\.0/);
    const after = await risks();
    assert.equal(after.risks, undefined, JSON.stringify(after.risks));
    assert.equal(after.i.versions?.verdict.state, 'stale', JSON.stringify(after.i.versions));

    // Restart (unguarded: a stop its client follows with a start) goes ahead.
    const outcome = await restartTarget(String(after.i.pid), {
      locksDir: path.join(lg, 'locks'),
      snapshot: take,
      trustWorkspace: false,
      home,
      graceMs: 3000,
      timeoutMs: 10_000,
      requestedBy: 'startRisk.test',
    });
    assert.deepEqual(
      outcome.map((o) => o.kind),
      ['stopped'],
      JSON.stringify(outcome),
    );
    // This test is the server's parent: it is gone once its exit is reaped here.
    await until(`pid ${after.i.pid} to be gone`, () => !isAlive(after.i.pid), 10_000);
  });
});
