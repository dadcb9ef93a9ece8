import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { judge } from '../../../src/core/versions/judge';
import { stillInstalled } from '../../../src/core/versions/outsideClosure';
import { resolveInstalled } from '../../../src/core/versions/resolve';
import { Installed } from '../../../src/core/base/versionTypes';
import { ctxFor, distInfo, plainPackage, removeDist, tempDir, venv, write } from './layouts';

/**
 * Property: what is installed for a server (its environment and its change time, the inputs of
 * every verdict) moves when its own dependency closure moves, and never when a package outside it
 * is added, upgraded or removed in the same environment. So no server is judged stale, or changed
 * since start, for its neighbours' installs.
 */

/**
 * Waits until the file system's clock has moved on: a file written after it has a later time than
 * one written before. The kernel stamps files from a coarse clock (a tick of up to 10 ms), so a
 * fixed short sleep sometimes left two writes with one time.
 */
let clockProbe: string | undefined;
async function tick(): Promise<void> {
  clockProbe ??= path.join(tempDir('lg-fs-clock-'), 'probe');
  fs.writeFileSync(clockProbe, '');
  const before = fs.statSync(clockProbe).mtimeMs;
  for (let i = 0; i < 200; i++) {
    await new Promise((r) => setTimeout(r, 1));
    fs.writeFileSync(clockProbe, '');
    if (fs.statSync(clockProbe).mtimeMs > before) return;
  }
  throw new Error('the file system clock did not move in 200 ms');
}

type Op =
  { kind: 'unrelated'; which: number; action: 'add' | 'upgrade' | 'remove' } | { kind: 'closure'; which: number };
const ops = fc.array(
  fc.oneof(
    fc.record({
      kind: fc.constant('unrelated' as const),
      which: fc.integer({ min: 0, max: 2 }),
      action: fc.constantFrom('add' as const, 'upgrade' as const, 'remove' as const),
    }),
    fc.record({ kind: fc.constant('closure' as const), which: fc.integer({ min: 0, max: 1 }) }),
  ),
  { minLength: 1, maxLength: 5 },
);

function facts(i: Installed): { env: string; changedAt: number } {
  assert.equal(i.state, 'installed', JSON.stringify(i));
  return i.state === 'installed'
    ? { env: JSON.stringify(i.environment?.packages), changedAt: i.changedAt ?? 0 }
    : { env: '', changedAt: 0 };
}

describe('versions: a server is judged by its own closure (property)', function () {
  this.timeout(120_000);

  it('Python: installs outside the closure never move the installed side; each move of a closure member does', async () => {
    await fc.assert(
      fc.asyncProperty(ops, async (steps: Op[]) => {
        const root = tempDir('lg-closure-py-');
        const sp = venv(path.join(root, 'venv'), [
          {
            name: 'srv',
            version: '1.0.0',
            requires: ['dep-a>=1', 'dep-b; python_version >= "3.8"', 'extra-only; extra == "x"'],
          },
          { name: 'dep-a', version: '1.0.0', requires: ['dep-b'] },
          { name: 'dep-b', version: '1.0.0' },
          { name: 'extra-only', version: '1.0.0' },
          { name: 'pip', version: '23.2.1' },
        ]);
        const py = path.join(root, 'venv', 'bin', 'python');
        const resolve = async () =>
          facts((await resolveInstalled(ctxFor(root), { command: py, args: ['-m', 'srv'] })).installed);
        let last = await resolve();
        const versions = [1, 1];
        const unrelated = [0, 0, 0];
        for (const step of steps) {
          await tick();
          if (step.kind === 'unrelated') {
            const name = ['pip', 'unrelated-one', 'extra-only'][step.which];
            if (step.action === 'remove') removeDist(sp, name);
            else {
              removeDist(sp, name);
              distInfo(sp, { name, version: `${2 + unrelated[step.which]++}.0.0` });
            }
            const now = await resolve();
            assert.deepEqual(now, last, `${step.action} ${name} moved the server's installed side`);
          } else {
            const name = ['dep-a', 'dep-b'][step.which];
            removeDist(sp, name);
            distInfo(sp, {
              name,
              version: `${++versions[step.which]}.0.0`,
              ...(name === 'dep-a' ? { requires: ['dep-b'] } : {}),
            });
            const now = await resolve();
            assert.notEqual(now.env, last.env, `an upgrade of ${name} left the environment as it was`);
            assert.ok(now.changedAt > last.changedAt, `an upgrade of ${name} left the change time as it was`);
            last = now;
          }
        }
        fs.rmSync(root, { recursive: true, force: true });
      }),
      { numRuns: 15 },
    );
  });

  it('npm: installs outside the closure never move the installed side; each move of a closure member does', async () => {
    await fc.assert(
      fc.asyncProperty(ops, async (steps: Op[]) => {
        const root = tempDir('lg-closure-npm-');
        const nm = path.join(root, 'app', 'node_modules');
        const versions: Record<string, string> = {
          srv: '1.0.0',
          'dep-a': '1.0.0',
          'dep-b': '1.0.0',
          'unrelated-0': '1.0.0',
          'unrelated-1': '1.0.0',
          'unrelated-2': '1.0.0',
        };
        const deps: Record<string, Record<string, string>> = { srv: { 'dep-a': '*' }, 'dep-a': { 'dep-b': '*' } };
        const writePkg = (name: string) =>
          write(
            path.join(nm, name, 'package.json'),
            JSON.stringify({ name, version: versions[name], dependencies: deps[name] ?? {} }),
          );
        // npm rewrites its hidden lockfile on every install into the tree, related or not.
        const writeLock = () => {
          const packages: Record<string, unknown> = { '': { name: 'app' } };
          for (const [n, v] of Object.entries(versions))
            if (fs.existsSync(path.join(nm, n)))
              packages[`node_modules/${n}`] = { version: v, dependencies: deps[n] ?? {} };
          write(path.join(nm, '.package-lock.json'), JSON.stringify({ name: 'app', lockfileVersion: 3, packages }));
        };
        for (const n of Object.keys(versions)) writePkg(n);
        write(path.join(nm, 'srv', 'dist', 'index.js'), '');
        await tick();
        writeLock();
        const script = path.join(nm, 'srv', 'dist', 'index.js');
        const resolve = async () =>
          facts(
            (
              await resolveInstalled(ctxFor(root, { PATH: path.dirname(process.execPath) }), {
                command: process.execPath,
                args: [script],
              })
            ).installed,
          );
        let last = await resolve();
        for (const step of steps) {
          await tick();
          if (step.kind === 'unrelated') {
            const name = `unrelated-${step.which}`;
            if (step.action === 'remove') fs.rmSync(path.join(nm, name), { recursive: true, force: true });
            else {
              versions[name] = `${Number(versions[name].split('.')[0]) + 1}.0.0`;
              writePkg(name);
            }
            await tick();
            writeLock();
            const now = await resolve();
            assert.deepEqual(now, last, `${step.action} ${name} moved the server's installed side`);
          } else {
            const name = ['dep-a', 'dep-b'][step.which];
            versions[name] = `${Number(versions[name].split('.')[0]) + 1}.0.0`;
            writePkg(name);
            await tick();
            writeLock();
            const now = await resolve();
            assert.notEqual(now.env, last.env, `an upgrade of ${name} left the environment as it was`);
            assert.ok(now.changedAt > last.changedAt, `an upgrade of ${name} left the change time as it was`);
            last = now;
          }
        }
        fs.rmSync(root, { recursive: true, force: true });
      }),
      { numRuns: 15 },
    );
  });
  it('npm workspaces: a rebuild of a linked workspace member moves the installed side and names it; one of a workspace package outside the closure never does', async () => {
    type WsOp = { kind: 'member' | 'outside' | 'unrelated-install'; file: number };
    const wsOps = fc.array(
      fc.record({
        kind: fc.constantFrom('member' as const, 'outside' as const, 'unrelated-install' as const),
        file: fc.integer({ min: 0, max: 2 }),
      }),
      { minLength: 1, maxLength: 5 },
    );
    await fc.assert(
      fc.asyncProperty(wsOps, async (steps: WsOp[]) => {
        const root = tempDir('lg-closure-ws-');
        const ws = path.join(root, 'ws');
        const nm = path.join(ws, 'node_modules');
        const lib = plainPackage(path.join(ws, 'packages', 'lib'), '@acme/lib', '1.0.0');
        const other = plainPackage(path.join(ws, 'packages', 'other'), '@acme/other', '1.0.0');
        const server = plainPackage(path.join(ws, 'packages', 'server'), '@acme/server', '1.0.0', {
          dependencies: { '@acme/lib': '1.0.0' },
        });
        fs.mkdirSync(path.join(nm, '@acme'), { recursive: true });
        for (const name of ['lib', 'other', 'server'])
          fs.symlinkSync(`../../packages/${name}`, path.join(nm, '@acme', name));
        const script = path.join(server, 'dist', 'index.js');
        const resolve = async () => {
          const i = (
            await resolveInstalled(ctxFor(root, { PATH: path.dirname(process.execPath) }), {
              command: process.execPath,
              args: [script],
            })
          ).installed;
          return {
            ...facts(i),
            members: i.state === 'installed' ? JSON.stringify(i.devMembers) : '',
            newest: i.state === 'installed' ? (i.devMembers?.[0]?.newest[0]?.path ?? '') : '',
          };
        };
        let last = await resolve();
        assert.equal(JSON.parse(last.members)?.[0]?.name, '@acme/lib');
        let n = 0;
        for (const step of steps) {
          await tick();
          if (step.kind === 'member') {
            const file = write(path.join(lib, 'dist', `chunk-${step.file}.js`), `// build ${++n}\n`);
            const now = await resolve();
            assert.ok(now.changedAt > last.changedAt, 'a rebuild of the linked member left the change time as it was');
            assert.equal(now.newest, file, 'the rebuilt file is named as the newest of the member');
            assert.equal(now.env, last.env, 'a rebuild without a version bump keeps the fingerprint');
            last = now;
          } else {
            if (step.kind === 'outside') write(path.join(other, 'dist', `chunk-${step.file}.js`), `// build ${++n}\n`);
            else plainPackage(path.join(nm, `unrelated-${step.file}`), `unrelated-${step.file}`, `${++n}.0.0`);
            const now = await resolve();
            assert.deepEqual(now, last, `${step.kind} moved the server's installed side`);
          }
        }
        fs.rmSync(root, { recursive: true, force: true });
      }),
      { numRuns: 15 },
    );
  });
});

describe('versions: a member that leaves the closure is "removed" only when it is gone (property)', function () {
  this.timeout(120_000);

  type Step = 'drop' | 'require' | 'uninstall' | 'reinstall';
  const steps = fc.array(fc.constantFrom<Step>('drop', 'require', 'uninstall', 'reinstall'), {
    minLength: 1,
    maxLength: 6,
  });

  it('npm: a dependency its dependent stops requiring is "no longer a dependency, still installed" while its folder stays', async () => {
    await fc.assert(
      fc.asyncProperty(steps, async (plan: Step[]) => {
        const root = tempDir('lg-closure-left-');
        const nm = path.join(root, 'app', 'node_modules');
        const writePkg = (name: string, deps: Record<string, string> = {}) =>
          write(path.join(nm, name, 'package.json'), JSON.stringify({ name, version: '1.0.0', dependencies: deps }));
        let required = true;
        let present = true;
        writePkg('srv', { 'dep-a': '*' });
        writePkg('dep-a', { 'dep-b': '*' });
        writePkg('dep-b');
        write(path.join(nm, 'srv', 'dist', 'index.js'), '');
        const ctx = ctxFor(root, { PATH: path.dirname(process.execPath) });
        const resolve = async () =>
          (await resolveInstalled(ctx, { command: process.execPath, args: [path.join(nm, 'srv', 'dist', 'index.js')] }))
            .installed;
        const start = await resolve();
        assert.equal(start.state, 'installed');
        if (start.state !== 'installed') return;
        for (const step of plan) {
          if (step === 'drop' || step === 'require') {
            required = step === 'require';
            writePkg('dep-a', required ? { 'dep-b': '*' } : {});
          } else if (step === 'uninstall') {
            present = false;
            fs.rmSync(path.join(nm, 'dep-b'), { recursive: true, force: true });
          } else {
            present = true;
            writePkg('dep-b');
          }
          const now = await resolve();
          assert.equal(now.state, 'installed');
          if (now.state !== 'installed') return;
          const inClosure: boolean = required && present;
          assert.equal(now.environment?.packages['dep-b'] !== undefined, inClosure, JSON.stringify(now.environment));
          const beside = await stillInstalled(ctx, now, ['dep-b']);
          assert.deepEqual(beside, present ? { 'dep-b': '1.0.0' } : {});
          // What the judge says of it against a record taken at the start.
          const { verdict } = judge({
            installed: now,
            processStart: 0,
            firstSeen: {
              name: 'srv',
              version: '1.0.0',
              environment: start.environment,
              firstSeenAt: new Date(0).toISOString(),
            },
            stillInstalled: beside,
          });
          const move =
            verdict.state === 'stale' ? verdict.movedDependencies.find((m) => m.name === 'dep-b') : undefined;
          if (inClosure) assert.equal(move, undefined);
          else {
            assert.ok(move, JSON.stringify(verdict));
            assert.equal(move.stillInstalled, present ? '1.0.0' : undefined);
            if (verdict.state === 'stale')
              assert.match(
                verdict.summary,
                present ? /dep-b 1\.0\.0 -> \(no longer a dependency/ : /dep-b 1\.0\.0 -> \(removed\)/,
              );
          }
        }
        fs.rmSync(root, { recursive: true, force: true });
      }),
      { numRuns: 15 },
    );
  });
});
