import * as assert from 'node:assert/strict';
import { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Instance } from '../../../src/core/base/model';
import type { RuntimeReplaced } from '../../../src/core/base/versionTypes';
import { formatStatus } from '../../../src/cli/format/status';
import { toViewInput } from '../../../src/core/report/input';
import { bulkRestartTargets, counts, instanceVerdicts } from '../../../src/core/report/state';
import { healthReport } from '../../../src/agent/health';
import { stopChildren } from '../../support/liveness';
import { startReady } from '../../support/startup';
import { npmTool } from '../../support/toolCache';
import { fixtureVenv, instanceOf, project, PYTHON, run, snapshot, tempDir } from './support';
import { liveMachine, currentHostEnv } from '../../../src/core/machine/live';
import { EngineCore } from '../../../src/core/versions/engineCore';
import { guardVerdict } from '../../../src/guard/host/staleness';
import { replaceFile, serverPackage } from '../../support/runtimeServer';

/** Two releases of Node from the npm registry's `node` package (its platform package holds bin/node). */
const OLD_NODE = '22.11.0';
const NEW_NODE = '22.12.0';

async function registryNode(version: string): Promise<string> {
  return fs.realpathSync(path.join(await npmTool('node', version), 'node'));
}

function runtimeOf(i: Instance): RuntimeReplaced {
  assert.ok(i.versions?.runtime, `no runtime evidence: ${JSON.stringify(i.versions)}`);
  return i.versions.runtime;
}

/**
 * A replaced runtime (issue 28, item 3): the node or python binary a server runs from is replaced
 * by an upgrade while it runs. The package's verdict does not change; the instance carries the
 * runtime's evidence and counts as a restart need in every face.
 */
describe('versions (integration): the runtime a server runs on, replaced under it', function () {
  this.timeout(600_000);
  const started: ChildProcess[] = [];
  afterEach(async () => {
    await stopChildren(started.splice(0));
  });

  before(function () {
    if (process.platform !== 'linux') this.skip(); // /proc/<pid>/exe and maps: Linux only
  });

  it(`a node ${OLD_NODE} from the npm registry replaced by ${NEW_NODE}: runs a replaced node, both versions named`, async () => {
    const [oldNode, newNode] = await Promise.all([registryNode(OLD_NODE), registryNode(NEW_NODE)]);
    const root = tempDir('lg-runtime-node-');
    const bin = path.join(root, 'rt', 'bin');
    fs.mkdirSync(bin, { recursive: true });
    const node = path.join(bin, 'node');
    fs.copyFileSync(oldNode, node);
    fs.chmodSync(node, 0o755);
    const script = serverPackage(root);
    const projectDir = project(root, 'rt', node, [script]);
    const home = path.join(root, 'home');
    fs.mkdirSync(home);
    const take = () => snapshot(home, projectDir, path.join(root, 'lg'));

    const child = await startReady(node, [script], { cwd: projectDir, ready: /rt-server ready/ }, started);
    const before = await instanceOf(take, 'rt', child.pid!);
    assert.equal(before.versions?.verdict.state, 'current', JSON.stringify(before.versions));
    assert.equal(before.versions?.runtime, undefined);

    // The same bytes put back (a reinstall of the same release) are not a replacement.
    replaceFile(node, fs.readFileSync(oldNode));
    const reinstalled = await instanceOf(take, 'rt', child.pid!);
    assert.equal(reinstalled.versions?.runtime, undefined, JSON.stringify(reinstalled.versions));

    replaceFile(node, fs.readFileSync(newNode));
    const after = await instanceOf(take, 'rt', child.pid!);
    const rt = runtimeOf(after);
    assert.equal(rt.state, 'replaced');
    assert.equal(rt.runtime, 'node');
    assert.equal(rt.path, node);
    assert.equal(rt.running, OLD_NODE, JSON.stringify(rt));
    assert.equal(rt.installed, NEW_NODE, JSON.stringify(rt));
    assert.match(
      rt.summary,
      new RegExp(`runs a replaced node ${OLD_NODE.replace(/\./g, '\\.')}; installed ${NEW_NODE.replace(/\./g, '\\.')}`),
    );
    // Never a stale package: the server's own code did not change.
    assert.equal(after.versions?.verdict.state, 'current', JSON.stringify(after.versions));

    // Every face counts it as a restart need, in its own words.
    const snap = await take();
    const text = formatStatus(snap);
    if (process.env.LG_SHOW_STATUS) console.log(text);
    assert.match(
      text,
      new RegExp(`RUNTIME REPLACED: node ${OLD_NODE.replace(/\./g, '\\.')} -> ${NEW_NODE.replace(/\./g, '\\.')}`),
    );
    assert.match(text, /Needs a restart \(1\)/);
    assert.match(
      text,
      new RegExp(`runtime: +node ${OLD_NODE.replace(/\./g, '\\.')}, read from the running executable`),
    );
    const vm = toViewInput(snap);
    assert.deepEqual(counts(vm).restart, { down: 0, version: 0, changed: 0, config: 0, runtime: 1 });
    const server = vm.servers.find((s) => s.name === 'rt')!;
    const inst = server.instances.find((i) => i.pid === after.pid)!;
    assert.deepEqual(instanceVerdicts(inst), ['runtime-replaced']);
    assert.deepEqual(
      bulkRestartTargets(server).map((i) => i.pid),
      [after.pid],
    );
    const health = healthReport(vm);
    assert.equal(health.healthy, false);
    assert.match(health.summary, /1 instance on a replaced runtime/);
    // The JSON carries it as is.
    const json = JSON.parse(JSON.stringify(snap)) as typeof snap;
    assert.deepEqual(json.servers[0].instances.find((i) => i.pid === after.pid)?.versions?.runtime, rt);

    // A guard asking about its own child (the same evidence) says it too, and would restart it.
    const own = await new EngineCore(liveMachine(currentHostEnv(process.env)), {
      registry: false,
      persist: false,
    }).judgeOne({ command: node, args: [script], cwd: projectDir }, { pid: child.pid!, spawnedAt: Date.now() });
    assert.deepEqual(own.runtime, rt);
    const guard = guardVerdict(own);
    assert.ok(
      guard.state === 'restart' && /^Runtime replaced: runs a replaced node/.test(guard.said),
      JSON.stringify(guard),
    );

    // A restart runs the new binary: nothing replaced any more.
    await stopChildren([child]);
    const second = await startReady(node, [script], { cwd: projectDir, ready: /rt-server ready/ }, started);
    const fresh = await instanceOf(take, 'rt', second.pid!);
    assert.equal(fresh.versions?.runtime, undefined, JSON.stringify(fresh.versions));
  });

  it('a venv made with --copies whose bin/python is replaced by another build: runs a replaced python', async () => {
    const root = tempDir('lg-runtime-venv-');
    const { py, pip } = await fixtureVenv(root, { copies: true });
    await pip('lgdemo-server==1.0.0', 'lgdemo-dep==1.0.0');
    assert.ok(!fs.lstatSync(py).isSymbolicLink(), `${py} should be a copy`);
    const version = /Python (\S+)/.exec(await run(py, ['--version']))![1];
    const minor = /^\d+\.\d+/.exec(version)![0];

    const projectDir = project(root, 'demo', py, ['-m', 'lgdemo_server']);
    const home = path.join(root, 'home');
    fs.mkdirSync(home);
    const take = () => snapshot(home, projectDir, path.join(root, 'lg'));
    const ready = /lgdemo-server \S+ \(lgdemo_dep \S+\) running on stdio/;
    const child = await startReady(py, ['-m', 'lgdemo_server'], { cwd: projectDir, ready }, started);
    const before = await instanceOf(take, 'demo', child.pid!);
    assert.equal(before.versions?.verdict.state, 'current', JSON.stringify(before.versions));
    assert.equal(before.versions?.runtime, undefined);

    // Another build of the same interpreter (other bytes, same version), as `venv --upgrade` copies in.
    replaceFile(py, Buffer.concat([fs.readFileSync(py), Buffer.from('\0another build\0')]));
    const after = await instanceOf(take, 'demo', child.pid!);
    const rt = runtimeOf(after);
    assert.equal(rt.runtime, `python${minor}`, JSON.stringify(rt));
    assert.equal(rt.path, py);
    assert.equal(rt.running, version, JSON.stringify(rt));
    assert.equal(rt.installed, version, JSON.stringify(rt));
    assert.match(rt.summary, /another build/);
    assert.equal(after.versions?.verdict.state, 'current', JSON.stringify(after.versions));
    const vm = toViewInput(await take());
    assert.equal(counts(vm).restart.runtime, 1);
  });

  it('the base interpreter a symlinked venv points to, replaced by another build: the venv runs a replaced python', async () => {
    const root = tempDir('lg-runtime-base-');
    // A base interpreter of our own to replace: a copy of the real one (it finds its standard library
    // through its build prefix), named as the real one is; the venv links to it.
    const real = (await run(PYTHON, ['-c', 'import os, sys; print(os.path.realpath(sys.executable))'])).trim();
    const base = path.join(root, 'base', 'bin', path.basename(real));
    fs.mkdirSync(path.dirname(base), { recursive: true });
    fs.copyFileSync(real, base);
    fs.chmodSync(base, 0o755);
    const { py, pip } = await fixtureVenv(root, { python: base });
    await pip('lgdemo-server==1.0.0', 'lgdemo-dep==1.0.0');
    assert.equal(fs.realpathSync(py), base);
    const version = /Python (\S+)/.exec(await run(base, ['--version']))![1];

    const projectDir = project(root, 'demo', py, ['-m', 'lgdemo_server']);
    const home = path.join(root, 'home');
    fs.mkdirSync(home);
    const take = () => snapshot(home, projectDir, path.join(root, 'lg'));
    const ready = /lgdemo-server \S+ \(lgdemo_dep \S+\) running on stdio/;
    const child = await startReady(py, ['-m', 'lgdemo_server'], { cwd: projectDir, ready }, started);
    const before = await instanceOf(take, 'demo', child.pid!);
    assert.equal(before.versions?.runtime, undefined, JSON.stringify(before.versions));

    replaceFile(base, Buffer.concat([fs.readFileSync(base), Buffer.from('\0another build\0')]));
    const after = await instanceOf(take, 'demo', child.pid!);
    const rt = runtimeOf(after);
    assert.equal(rt.path, base);
    assert.equal(rt.running, version, JSON.stringify(rt));
    assert.equal(rt.installed, version, JSON.stringify(rt));
    assert.equal(after.versions?.verdict.state, 'current', JSON.stringify(after.versions));
  });
});
