import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { exportsAllow, packageOfSpecifier } from '../../../src/core/versions/nodeImports';
import { nodeSpecifiers } from '../../../src/core/versions/nodeScript';
import { resolveInstalled } from '../../../src/core/versions/resolve';
import { judge } from '../../../src/core/versions/judge';
import { recordedVersions } from '../../../src/guard/host/lockRecord';
import { toResolvedVersion } from '../../../src/guard/host/versionProbe';
import { agedCtx, ctxFor, tempDir, write } from './layouts';

const SDK = '@modelcontextprotocol/sdk';

/** The SDK's `exports` as 1.x publishes it: the package's subpaths through one pattern. */
const SDK1_EXPORTS = {
  '.': { import: './dist/esm/index.js', require: './dist/cjs/index.js' },
  './*': { import: './dist/esm/*', require: './dist/cjs/*' },
};

/** A project as `npm install` in an empty folder leaves it: a package.json of dependencies only, no name or version. */
function project(
  root: string,
  sdkVersion: string,
  sdkExports: unknown = SDK1_EXPORTS,
): { dir: string; script: string } {
  const dir = path.join(root, 'proj');
  write(
    path.join(dir, 'package.json'),
    JSON.stringify({ dependencies: { [SDK]: `^${sdkVersion}`, 'left-pad': '^1.3.0' } }),
  );
  const sdk = path.join(dir, 'node_modules', ...SDK.split('/'));
  write(
    path.join(sdk, 'package.json'),
    JSON.stringify({ name: SDK, version: sdkVersion, exports: sdkExports, dependencies: { zod: '^3.25.0' } }),
  );
  write(path.join(dir, 'node_modules', 'zod', 'package.json'), JSON.stringify({ name: 'zod', version: '3.25.76' }));
  write(
    path.join(dir, 'node_modules', 'left-pad', 'package.json'),
    JSON.stringify({ name: 'left-pad', version: '1.3.0' }),
  );
  const script = write(
    path.join(dir, 'server.mjs'),
    [
      `import { McpServer } from '${SDK}/server/mcp.js';`,
      `import { StdioServerTransport } from '${SDK}/server/stdio.js';`,
      "import { readFile } from 'node:fs/promises';",
      "import path from 'path';",
      "import { tools } from './tools.mjs';",
      '',
    ].join('\n'),
  );
  write(path.join(dir, 'tools.mjs'), "import { z } from 'zod';\nexport const tools = [];\n");
  return { dir, script };
}

describe('versions: what a JavaScript script imports by package name', () => {
  it('names the package and the subpath of a bare specifier; relative paths, URLs, builtins and path aliases are none', () => {
    assert.deepEqual(packageOfSpecifier(`${SDK}/server/mcp.js`), { name: SDK, subpath: './server/mcp.js' });
    assert.deepEqual(packageOfSpecifier('zod'), { name: 'zod', subpath: '.' });
    assert.deepEqual(packageOfSpecifier('lodash/fp/map'), { name: 'lodash', subpath: './fp/map' });
    for (const none of [
      './a.js',
      '../b',
      '/abs/c.js',
      'node:fs',
      'fs',
      'fs/promises',
      'https://x/y.js',
      '#internal',
      '@/lib/x',
      '~/x',
      '@scope',
    ])
      assert.equal(packageOfSpecifier(none), undefined, none);
    assert.deepEqual(
      nodeSpecifiers("import a from 'zod';\nconst b = require('./b');\nimport type { T } from 'types-only';\n"),
      ['zod', './b'],
    );
  });

  it("reads a package's exports as Node does: exact keys, * patterns, folder keys, conditions of '.', null targets", () => {
    assert.equal(exportsAllow(SDK1_EXPORTS, './server/mcp.js'), true);
    assert.equal(exportsAllow(SDK1_EXPORTS, '.'), true);
    assert.equal(exportsAllow({ '.': './index.js', './server': './server.js' }, './server/mcp.js'), false);
    assert.equal(exportsAllow({ import: './index.mjs', require: './index.cjs' }, '.'), true);
    assert.equal(exportsAllow({ import: './index.mjs' }, './server/mcp.js'), false);
    assert.equal(exportsAllow('./index.js', './x.js'), false);
    assert.equal(exportsAllow({ './*': './dist/*', './internal/*': null }, './internal/a.js'), false);
    assert.equal(exportsAllow({ './lib/': './lib/' }, './lib/a.js'), true);
    assert.equal(exportsAllow(undefined, './anything.js'), true);
  });

  it('a script with no package of its own is judged with the closure of what it imports: a dependency installed at another version under it is stale, named with both versions', async () => {
    const root = tempDir();
    const { dir, script } = project(root, '1.32.2');
    const ctx = ctxFor(root);
    const launch = { command: 'node', args: [script] };
    const { installed } = await resolveInstalled(ctx, launch);
    assert.equal(installed.state, 'installed', JSON.stringify(installed));
    if (installed.state !== 'installed') return;
    assert.equal(installed.dev?.script, true);
    // What it imports and what that loads; the project's other dependency (left-pad) is not its code.
    assert.deepEqual(installed.environment?.packages, { [SDK]: '1.32.2', zod: '3.25.76' });
    assert.deepEqual(installed.nodeProject, { dir, imports: [SDK, 'zod'] });
    assert.match(installed.how, /importing @modelcontextprotocol\/sdk 1\.32\.2, zod 3\.25\.76 from /);
    assert.equal(installed.startRisks, undefined);

    const start = Date.now() + 1000;
    const firstSeen = {
      name: installed.name,
      version: installed.version,
      environment: installed.environment,
      firstSeenAt: new Date(start).toISOString(),
    };
    assert.equal(judge({ installed, processStart: start, firstSeen }).verdict.state, 'current');
    // What a guard records of the same script as its child starts (its lock record's versions): the
    // evidence status and the guard's own check both judge a guarded script by.
    const atStart = toResolvedVersion(installed);
    assert.ok(atStart.state === 'known');
    const lock = { versions: recordedVersions(atStart) };
    assert.deepEqual(lock.versions.dependencies, { [SDK]: '1.32.2', zod: '3.25.76' });
    assert.equal(judge({ installed, processStart: start, lock }).verdict.state, 'current');

    // npm install @modelcontextprotocol/sdk@1.25.0 in the project, while it runs.
    write(
      path.join(dir, 'node_modules', ...SDK.split('/'), 'package.json'),
      JSON.stringify({ name: SDK, version: '1.25.0', exports: SDK1_EXPORTS, dependencies: { zod: '^3.25.0' } }),
    );
    const moved = (await resolveInstalled(ctx, launch)).installed;
    const v = judge({ installed: moved, processStart: start, firstSeen, now: start + 60_000 }).verdict;
    assert.equal(v.state, 'stale', JSON.stringify(v));
    assert.ok(v.state === 'stale');
    assert.deepEqual(v.movedDependencies, [{ name: SDK, from: '1.32.2', to: '1.25.0' }]);
    assert.match(v.summary, /@modelcontextprotocol\/sdk 1\.32\.2 -> 1\.25\.0/);
    const guarded = judge({ installed: moved, processStart: start, lock, now: start + 60_000 }).verdict;
    assert.ok(guarded.state === 'stale', JSON.stringify(guarded));
    assert.deepEqual(guarded.movedDependencies, v.movedDependencies);
  });

  /**
   * A script's process and its record as an earlier version of the product wrote it (a first
   * sighting, a guard's lock record): its version, no closure. Everything installed an hour before
   * the read; the process started half an hour ago.
   */
  async function unrecorded(fresh: (file: string) => boolean, change: (dir: string) => void = () => undefined) {
    const root = tempDir();
    const { dir, script } = project(root, '1.32.2');
    change(dir);
    const start = Date.now() - 1_800_000;
    const { installed } = await resolveInstalled(agedCtx(ctxFor(root), fresh), { command: 'node', args: [script] });
    assert.ok(installed.state === 'installed' && installed.environment, JSON.stringify(installed));
    const firstSeen = { name: installed.name, version: installed.version, firstSeenAt: new Date(start).toISOString() };
    const lock = {
      versions: { package: { name: installed.name, version: installed.version, ecosystem: 'npm' as const } },
    };
    const judged = (record: object, inst = installed) =>
      judge({ installed: inst, processStart: start, ...record, now: Date.now() + 10_000 }).verdict;
    return { installed, start, firstSeen, judged, records: [{ firstSeen }, { lock }] };
  }

  it("a record that names no closure (an earlier version's sighting or guard record): a dependency replaced after the start is a change naming it, times not read are unknown", async () => {
    // npm install zod@3.26.0 in the project, while it runs: only zod's files are newer than the start.
    const zod = `${path.sep}node_modules${path.sep}zod${path.sep}`;
    const { installed, start, firstSeen, judged, records } = await unrecorded(
      (f) => f.includes(zod),
      (dir) =>
        write(
          path.join(dir, 'node_modules', 'zod', 'package.json'),
          JSON.stringify({ name: 'zod', version: '3.26.0' }),
        ),
    );
    for (const record of records) {
      const v = judged(record);
      assert.equal(v.state, 'changed', JSON.stringify(v));
      assert.ok(v.state === 'changed');
      assert.match(
        v.summary,
        /^server\.mjs: changed since start: restart .*\(zod 3\.26\.0, which it imports, changed at /,
      );
    }
    // Read while npm may still be writing zod (its files a second old): no verdict yet, judged again
    // once they stop changing, as any change is; an npm seen at work since before it: waits for it to end.
    const zodAt = installed.state === 'installed' ? installed.closureTimes![`zod`] : 0;
    for (const record of records) {
      const early = judge({ installed, processStart: start, ...record, now: zodAt + 1000 }).verdict;
      assert.ok(early.state === 'unknown' && early.settling === true, JSON.stringify(early));
      assert.match(early.reason, /^files of zod, which it imports, changed 1 s ago \(an install may be running\)/);
      const npmAtWork = { installing: { what: 'npm install (pid 4242)', startTime: zodAt - 5000 } };
      const held = judge({ installed, processStart: start, ...record, ...npmAtWork, now: zodAt + 60_000 }).verdict;
      assert.ok(held.state === 'unknown' && held.settling === true, JSON.stringify(held));
      assert.match(held.reason, /^npm install \(pid 4242\) is running: judged once it is done$/);
      // The npm that wrote it seen at work and gone since: the change is complete, judged at once.
      const done = { installedBy: { what: 'npm install (pid 4242)', startTime: zodAt - 5000 } };
      const judgedNow = judge({ installed, processStart: start, ...record, ...done, now: zodAt + 1000 }).verdict;
      assert.equal(judgedNow.state, 'changed', JSON.stringify(judgedNow));
    }
    // A member whose times could not be read: unknown, said.
    const unread = Object.assign({}, installed, { closureTimes: { [SDK]: start - 1000 } });
    const v = judged({ firstSeen }, unread);
    assert.equal(v.state, 'unknown', JSON.stringify(v));
    assert.ok(v.state === 'unknown');
    assert.match(v.reason, /the change time of zod is not known/);
  });

  it("a record that names no closure: its imports' files all older than the start are current, saying so", async () => {
    const { judged, records } = await unrecorded(() => false);
    for (const record of records) {
      const v = judged(record);
      assert.equal(v.state, 'current', JSON.stringify(v));
      assert.ok(v.state === 'current');
      assert.match(v.reason, /its imports' files predate its start/);
    }
  });

  it("a subpath the installed package no longer exports is a restart that will fail, said with the package's version", async () => {
    const root = tempDir();
    const { script } = project(root, '2.0.0', { '.': './dist/index.js', './server': './dist/server/index.js' });
    const { installed } = await resolveInstalled(ctxFor(root), { command: 'node', args: [script] });
    assert.ok(installed.state === 'installed');
    assert.deepEqual(
      installed.startRisks?.map((r) => r.summary),
      [
        `${SDK} 2.0.0 does not export ./server/mcp.js (imported by server.mjs)`,
        `${SDK} 2.0.0 does not export ./server/stdio.js (imported by server.mjs)`,
      ],
    );
  });

  it('a package found nowhere is no claim: a script that imports only what node_modules does not hold is judged by its own files', async () => {
    const root = tempDir();
    const script = write(
      path.join(root, 'alone', 's.mjs'),
      "import x from 'not-installed';\nimport y from '@/alias';\n",
    );
    const { installed } = await resolveInstalled(ctxFor(root), { command: 'node', args: [script] });
    assert.ok(installed.state === 'installed');
    assert.equal(installed.environment, undefined);
    assert.equal(installed.nodeProject, undefined);
    assert.equal(installed.startRisks, undefined);
  });
});
