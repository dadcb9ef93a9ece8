import * as assert from 'node:assert/strict';
import { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Instance } from '../../../src/core/base/model';
import type { VersionVerdict } from '../../../src/core/base/versionTypes';
import { formatStatus } from '../../../src/cli/format/status';
import { liveMachine, currentHostEnv } from '../../../src/core/machine/live';
import { EngineCore } from '../../../src/core/versions/engineCore';
import { instanceOf, NPM, npmEnv, project, PYTHON, snapshot, tempDir } from './support';
import { run } from '../../support/run';
import { stopChildren } from '../../support/liveness';
import { until } from '../../support/poll';
import { fixturesDir, repoRoot } from '../../support/repo';
import { startReady } from '../../support/startup';
import { npmTool, pypiWheel } from '../../support/toolCache';
import { offlineVenv } from '../../support/venv';
import { connectGuarded, GuardedClient, textOf } from '../guard/support';
import { GuardErrorCode } from '../../../src/guard/wireErrors';
import { pastJudgedStart } from '../../support/judgedStart';

const PNPM = '9.15.9';
const YARN = '1.22.22';

type Changed = Extract<VersionVerdict, { state: 'changed' }>;

function changedOf(i: Instance): Changed {
  const v = i.versions?.verdict;
  assert.equal(v?.state, 'changed', JSON.stringify(i.versions));
  return v as Changed;
}

/** Waits until the process has run for longer than the judge's clock slack: a change after this is after its start. */
const pastStartOf = (i: Instance) => pastJudgedStart(i.startTime);

function write(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

/** A package's build step: `node build.mjs` copies `src/index.js` into `dist/index.js`, stamped with the build. */
const BUILD = `import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
const here = (p) => new URL(p, import.meta.url);
mkdirSync(here('./dist/'), { recursive: true });
writeFileSync(here('./dist/index.js'), readFileSync(here('./src/index.js'), 'utf8') + '// built ' + new Date().toISOString() + '\\n');
`;

interface Workspace {
  ws: string;
  libDir: string;
  libDist: string;
  script: string;
  /** Rebuilds only the library with the manager's own workspace command (its source edited first, no version bump). */
  rebuildLib(): Promise<void>;
}

/**
 * A real workspaces monorepo at `<root>/ws`: `packages/lib` (`@acme/lib` 1.0.0) and `packages/server`
 * (`@acme/server` 1.0.0, a stdio MCP server on the real SDK that loads `@acme/lib`), both built by
 * their own `build` scripts, the library linked into node_modules by a real `npm install` / `pnpm
 * install` at the workspace root. The SDK and zod are the repo's own, found by Node above the
 * workspace (`<root>/node_modules`, where no installer of the workspace looks), so the installs (npm, pnpm, yarn classic)
 * need only the workspace's own packages.
 */
async function workspace(root: string, manager: 'npm' | 'pnpm' | 'yarn'): Promise<Workspace> {
  const ws = path.join(root, 'ws');
  fs.symlinkSync(path.join(repoRoot, 'node_modules'), path.join(root, 'node_modules'), 'dir');
  write(
    path.join(ws, 'package.json'),
    JSON.stringify({ name: 'acme', version: '1.0.0', private: true, workspaces: ['packages/*'] }),
  );
  if (manager === 'pnpm') write(path.join(ws, 'pnpm-workspace.yaml'), "packages:\n  - 'packages/*'\n");
  const libDir = path.join(ws, 'packages', 'lib');
  write(
    path.join(libDir, 'package.json'),
    JSON.stringify({
      name: '@acme/lib',
      version: '1.0.0',
      type: 'module',
      main: 'dist/index.js',
      scripts: { build: 'node build.mjs' },
    }),
  );
  write(path.join(libDir, 'build.mjs'), BUILD);
  write(path.join(libDir, 'src', 'index.js'), "export const greeting = 'hello';\n");
  const serverDir = path.join(ws, 'packages', 'server');
  write(
    path.join(serverDir, 'package.json'),
    JSON.stringify({
      name: '@acme/server',
      version: '1.0.0',
      type: 'module',
      private: true,
      scripts: { build: 'node build.mjs' },
      dependencies: { '@acme/lib': manager === 'pnpm' ? 'workspace:*' : '1.0.0' },
    }),
  );
  write(path.join(serverDir, 'build.mjs'), BUILD);
  write(
    path.join(serverDir, 'src', 'index.js'),
    [
      "import { greeting } from '@acme/lib';",
      fs.readFileSync(path.join(fixturesDir, 'guard', 'tiny-server.mjs'), 'utf8'),
      "server.registerTool('greet', { description: 'greets', annotations: { readOnlyHint: true } }, async () => ({ content: [{ type: 'text', text: greeting }] }));",
      "console.error('acme-server ready');",
      '',
    ].join('\n'),
  );
  let rebuildLib: () => Promise<void>;
  if (manager === 'npm') {
    const env = npmEnv(root);
    await run(NPM, ['install'], { cwd: ws, env });
    await run(NPM, ['run', 'build', '--workspaces'], { cwd: ws, env });
    rebuildLib = () => run(NPM, ['run', 'build', '-w', '@acme/lib'], { cwd: ws, env }).then(() => undefined);
  } else if (manager === 'yarn') {
    const yarn = path.join(await npmTool('yarn', YARN), 'yarn');
    const env = {
      ...process.env,
      YARN_CACHE_FOLDER: path.join(root, 'yarn-cache'),
      YARN_ENABLE_TELEMETRY: '0',
      npm_config_update_notifier: 'false',
      /* yarn 1 would leave a compile cache in the temp folder */ DISABLE_V8_COMPILE_CACHE: '1',
      // and `yarn run` a folder of its own there (yarn--<time>-<random>): the test's temp folder takes both.
      TMPDIR: path.join(root, 'tmp'),
    };
    fs.mkdirSync(env.TMPDIR, { recursive: true });
    const flags = ['--no-default-rc', '--non-interactive', '--no-progress', '--silent'];
    await run(yarn, ['install', ...flags], { cwd: ws, env });
    for (const name of ['@acme/lib', '@acme/server'])
      await run(yarn, ['workspace', name, 'run', 'build', ...flags], { cwd: ws, env });
    rebuildLib = () =>
      run(yarn, ['workspace', '@acme/lib', 'run', 'build', ...flags], { cwd: ws, env }).then(() => undefined);
  } else {
    const pnpm = path.join(await npmTool('pnpm', PNPM), 'pnpm');
    const env = { ...process.env, npm_config_update_notifier: 'false' };
    const dirs = ['--store-dir', path.join(root, 'pnpm-store'), '--cache-dir', path.join(root, 'pnpm-cache')];
    await run(pnpm, ['install', ...dirs, '--reporter', 'silent'], { cwd: ws, env });
    await run(pnpm, ['-r', 'run', 'build'], { cwd: ws, env });
    rebuildLib = () => run(pnpm, ['--filter', '@acme/lib', 'run', 'build'], { cwd: ws, env }).then(() => undefined);
  }
  const libDist = path.join(libDir, 'dist', 'index.js');
  const script = path.join(serverDir, 'dist', 'index.js');
  assert.ok(fs.existsSync(libDist) && fs.existsSync(script), 'both packages were built');
  // The library is linked, not copied: its real folder is the workspace package.
  const linked =
    manager !== 'pnpm'
      ? path.join(ws, 'node_modules', '@acme', 'lib')
      : path.join(serverDir, 'node_modules', '@acme', 'lib');
  assert.equal(fs.lstatSync(linked).isSymbolicLink(), true, `${linked} is a link`);
  assert.equal(fs.realpathSync(linked), fs.realpathSync(libDir));
  return {
    ws,
    libDir: fs.realpathSync(libDir),
    libDist: path.join(fs.realpathSync(libDir), 'dist', 'index.js'),
    script,
    rebuildLib: async () => {
      write(path.join(libDir, 'src', 'index.js'), "export const greeting = 'hello again';\n");
      await rebuildLib();
    },
  };
}

/**
 * Issue 28, case 1: a workspace package linked into node_modules is code under development like
 * the server's own checkout. Rebuilt under a running server without a version bump, it is
 * `changed` (naming it and its rebuilt files), watched, at a first look, and for the guard.
 */
describe('versions (integration): a linked workspace package or editable dependency rebuilt under its server', function () {
  this.timeout(600_000);
  const started: ChildProcess[] = [];
  const guards: GuardedClient[] = [];
  afterEach(async () => {
    await Promise.all(guards.splice(0).map((g) => g.client.close().catch(() => undefined)));
    await stopChildren(started.splice(0));
  });

  /** The workspace's server under a guard that refuses writes once stale, answering before the rebuild. */
  async function guardedAcme(root: string, w: Workspace): Promise<GuardedClient> {
    const g = await connectGuarded(
      path.join(root, 'lg-guard'),
      ['--name', 'acme', '--when-stale', 'refuse-writes', '--stale-interval', '1', '--', process.execPath, w.script],
      { cwd: root },
    );
    guards.push(g);
    await g.client.listTools();
    assert.match(textOf(await g.client.callTool({ name: 'greet', arguments: {} })), /^hello$/);
    assert.match(
      textOf(await g.client.callTool({ name: 'write_note', arguments: { text: 'before' } })),
      /wrote before/,
    );
    return g;
  }

  /** After the library's rebuild: the guard says changed since start and refuses a write, naming the library and its file. */
  async function refusesWritesNamingLib(g: GuardedClient, w: Workspace): Promise<void> {
    await until(
      () => `the changed verdict:\n${g.stderr()}`,
      async () => {
        await g.client.callTool({ name: 'echo', arguments: { text: 'wait' } });
        return /acme: Changed since start/.test(g.stderr());
      },
      30_000,
      500,
    );
    // Every write is refused; while a file it judges changed moments ago the refusal says "not judged
    // yet" (the verdict waits out its quiet period), and once judged it names the library.
    const last: { refusal?: { code?: number; message: string }; reached?: unknown } = {};
    await until(
      () => `a refusal naming @acme/lib; the last: ${last.refusal?.message}`,
      async () => {
        last.refusal = undefined;
        await g.client.callTool({ name: 'write_note', arguments: { text: 'after' } }).then(
          (r) => (last.reached = r),
          (err: { code?: number; message: string }) => (last.refusal = err),
        );
        // A write that went through, or a refusal of another kind, ends the wait: asserted below.
        const r = last.refusal as { code?: number; message: string } | undefined;
        return last.reached !== undefined || r?.code !== GuardErrorCode.Stale || !/not judged yet/.test(r.message);
      },
      30_000,
      500,
    );
    assert.equal(last.reached, undefined, `a write reached the changed server: ${JSON.stringify(last.reached)}`);
    const refusal = last.refusal!;
    assert.equal(refusal.code, GuardErrorCode.Stale, refusal.message);
    assert.match(refusal.message, /the source files of @acme\/lib 1\.0\.0, a package under development it depends on/);
    assert.ok(refusal.message.includes(w.libDist), refusal.message);
  }

  for (const manager of ['npm', 'pnpm', 'yarn'] as const) {
    it(`${manager} workspaces: only @acme/lib rebuilt (no version bump) is changed naming it, watched, at a first look and for the guard${manager === 'npm' ? ', and a guard under `run --when-stale refuse-writes` refuses writes naming it' : ''}`, async () => {
      const root = tempDir(`lg-ws-${manager}-`);
      const w = await workspace(root, manager);
      const projectDir = project(root, 'acme', process.execPath, [w.script]);
      const home = path.join(root, 'home');
      fs.mkdirSync(home);
      const lg = path.join(root, 'lg');
      const take = () => snapshot(home, projectDir, lg);
      // npm's: the same server under `run --when-stale refuse-writes` too (a root of its own), its child
      // started before the plain one, so the rebuild below is after both starts.
      const g = manager === 'npm' ? await guardedAcme(root, w) : undefined;
      const child = await startReady(
        process.execPath,
        [w.script],
        { cwd: projectDir, ready: /acme-server ready/ },
        started,
      );
      const before = await instanceOf(take, 'acme', child.pid!);
      assert.equal(before.versions?.verdict.state, 'current', JSON.stringify(before.versions));
      const inst = before.versions?.installed;
      assert.ok(inst?.state === 'installed', JSON.stringify(inst));
      if (inst?.state !== 'installed') return;
      assert.equal(`${inst.name}@${inst.version}`, '@acme/server@1.0.0');

      // The guard's own question about its child, with the versions it recorded at the start.
      // One engine for every question, as a guard keeps one (guard/host/versionProbe.ts).
      const engine = new EngineCore(liveMachine(currentHostEnv(process.env)), { registry: false, persist: false });
      const launch = { command: process.execPath, args: [w.script], cwd: projectDir };
      const ownChild = {
        pid: child.pid!,
        spawnedAt: Date.now(),
        versions: {
          package: { name: inst.name, version: inst.version, ecosystem: 'npm' as const },
          ...(inst.environment
            ? { dependencies: inst.environment.packages, dependenciesScope: 'closure' as const }
            : {}),
        },
      };
      assert.equal((await engine.judgeOne(launch, ownChild)).verdict.state, 'current');

      await pastStartOf(before);
      await w.rebuildLib();
      // A first look (no record of this instance): the library changed after the start.
      const first = changedOf(
        await instanceOf(() => snapshot(home, projectDir, path.join(root, 'lg-first')), 'acme', child.pid!),
      );
      assert.match(first.summary, /@acme\/lib/);
      assert.ok(
        first.changedFiles.some((f) => f.path === w.libDist),
        JSON.stringify(first.changedFiles),
      );

      const watched = changedOf(await instanceOf(take, 'acme', child.pid!));
      assert.equal(watched.dev, true);
      assert.equal(watched.installed, '1.0.0');
      assert.match(watched.summary, /@acme\/lib/);
      assert.ok(
        watched.changedFiles.some((f) => f.path === w.libDist),
        JSON.stringify(watched.changedFiles),
      );
      // Nothing of the server's own folder changed: only the library's files are named.
      assert.ok(
        watched.changedFiles.every((f) => f.path.startsWith(w.libDir + path.sep)),
        JSON.stringify(watched.changedFiles),
      );

      const guarded = await until(
        'the guard judging its child changed',
        async () => {
          const v = await engine.judgeOne(launch, ownChild);
          return v.verdict.state === 'unknown' && v.verdict.settling ? undefined : v;
        },
        30_000,
        500,
      );
      assert.equal(guarded.verdict.state, 'changed', JSON.stringify(guarded));
      assert.match(guarded.verdict.state === 'changed' ? guarded.verdict.summary : '', /@acme\/lib/);

      const text = formatStatus(await take());
      assert.match(text, /CHANGED SINCE START: restart to load what is installed/);
      assert.match(
        text,
        /rebuilt: +@acme\/lib 1\.0\.0 \(a package under development it depends on: judged by its own files\)/,
      );
      // The library is named as a development member of the server's closure.
      assert.deepEqual(
        (inst.devMembers ?? []).map((m) => [m.name, m.version, m.root]),
        [['@acme/lib', '1.0.0', w.libDir]],
        JSON.stringify(inst),
      );

      // The guard refuses writes, naming the rebuilt library.
      if (g) await refusesWritesNamingLib(g, w);
    });
  }

  it('Python: a dependency installed editable (`pip install -e`), edited under a non-editable server, is changed naming it', async () => {
    const root = tempDir('lg-ws-py-');
    const libProj = path.join(root, 'src', 'acme-lib');
    const pyproject = (name: string, deps: string[]) =>
      `[build-system]\nrequires = ["setuptools>=64"]\nbuild-backend = "setuptools.build_meta"\n\n[project]\nname = "${name}"\nversion = "1.0.0"\ndependencies = ${JSON.stringify(deps)}\n`;
    write(path.join(libProj, 'pyproject.toml'), pyproject('acme-lib', []));
    const libSource = path.join(libProj, 'acme_lib', '__init__.py');
    write(libSource, 'GREETING = "hello"\n');
    const serverProj = path.join(root, 'src', 'acme-server');
    write(path.join(serverProj, 'pyproject.toml'), pyproject('acme-server', ['acme-lib']));
    write(path.join(serverProj, 'acme_server', '__init__.py'), '');
    write(
      path.join(serverProj, 'acme_server', '__main__.py'),
      'import sys\nimport acme_lib\nprint("acme-server ready", acme_lib.GREETING, file=sys.stderr, flush=True)\nsys.stdin.read()\n',
    );
    // setuptools before 70 builds editables through `wheel`: a real one from PyPI, cached by version.
    const v = await offlineVenv(root, [await pypiWheel(PYTHON, 'wheel', '0.45.1')]);
    await v.seed('wheel==0.45.1');
    // pip, the installer under test: the library editable, the server a regular install that needs it.
    await v.pip('--no-build-isolation', '-e', libProj, serverProj);
    const projectDir = project(root, 'acme', v.py, ['-m', 'acme_server']);
    const home = path.join(root, 'home');
    fs.mkdirSync(home);
    const take = () => snapshot(home, projectDir, path.join(root, 'lg'));
    const child = await startReady(
      v.py,
      ['-m', 'acme_server'],
      { cwd: projectDir, ready: /acme-server ready/ },
      started,
    );
    const before = await instanceOf(take, 'acme', child.pid!);
    assert.equal(before.versions?.verdict.state, 'current', JSON.stringify(before.versions));
    const inst = before.versions?.installed;
    assert.ok(
      inst?.state === 'installed' && !inst.dev,
      `the server itself is a regular install: ${JSON.stringify(inst)}`,
    );

    await pastStartOf(before);
    fs.appendFileSync(libSource, '# edited\n');
    const first = changedOf(
      await instanceOf(() => snapshot(home, projectDir, path.join(root, 'lg-first')), 'acme', child.pid!),
    );
    assert.match(first.summary, /acme-lib/);
    const watched = changedOf(await instanceOf(take, 'acme', child.pid!));
    assert.equal(watched.dev, true);
    assert.match(watched.summary, /acme-lib/);
    assert.deepEqual(
      watched.changedFiles.map((f) => f.path),
      [libSource],
    );
    assert.deepEqual(
      inst?.state === 'installed' ? (inst.devMembers ?? []).map((m) => [m.name, m.version, m.root]) : [],
      [['acme-lib', '1.0.0', libProj]],
    );
  });
});
