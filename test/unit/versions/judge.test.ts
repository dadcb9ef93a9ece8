import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { fingerprint } from '../../../src/core/versions/fingerprint';
import { CLOCK_SLACK_MS } from '../../../src/core/versions/clockSlack';
import { judge } from '../../../src/core/versions/judge';
import { SETTLE_MS } from '../../../src/core/versions/settling';
import { VersionEvidence } from '../../../src/core/versions/versionEvidence';
import { Installed } from '../../../src/core/base/versionTypes';

const START = Date.parse('2026-11-20T10:00:00Z');
const installed = (version: string, deps: Record<string, string> = {}, changedAt = START - 60_000): Installed => ({
  state: 'installed',
  ecosystem: 'python',
  name: 'mempalace',
  version,
  how: 'venv /v',
  location: '/v/lib/python3.11/site-packages/mempalace-3.1.dist-info',
  environment: fingerprint(deps),
  changedAt,
});

describe('versions: the stale judgement', () => {
  it('an untouched server is current: its files predate the process', () => {
    const { verdict, running } = judge({ installed: installed('3.1'), processStart: START });
    assert.equal(verdict.state, 'current');
    assert.equal(running.state === 'known' && running.version, '3.1');
  });

  it('a version change against the first sighting is stale, naming both versions and how each was learned', () => {
    const { verdict } = judge({
      installed: installed('3.2', {}, START + 3600_000),
      processStart: START,
      firstSeen: {
        name: 'mempalace',
        version: '3.1',
        environment: fingerprint({}),
        firstSeenAt: '2026-11-20T10:05:00.000Z',
      },
    });
    assert.equal(verdict.state, 'stale');
    if (verdict.state !== 'stale') return;
    assert.equal(verdict.running, '3.1');
    assert.equal(verdict.installed, '3.2');
    assert.equal(verdict.runningLearnedFrom, 'first-seen');
    assert.equal(verdict.installedHow, 'venv /v');
    assert.equal(verdict.since, new Date(START + 3600_000).toISOString());
  });

  it('a dependency upgrade under an unchanged version is stale and names the dependency', () => {
    const { verdict } = judge({
      installed: installed('3.1', { chromadb: '1.5.7', numpy: '2.1.0' }, START + 10_000),
      processStart: START,
      lock: {
        versions: {
          package: { name: 'mempalace', version: '3.1', ecosystem: 'python' },
          dependencies: { chromadb: '0.6.3', numpy: '2.1.0' },
        },
        startedAt: '2026-11-20T10:00:00.000Z',
      },
    });
    assert.equal(verdict.state, 'stale');
    if (verdict.state !== 'stale') return;
    assert.deepEqual(verdict.movedDependencies, [{ name: 'chromadb', from: '0.6.3', to: '1.5.7' }]);
    assert.equal(verdict.runningLearnedFrom, 'lock-record');
    assert.match(verdict.summary, /chromadb 0\.6\.3 -> 1\.5\.7/);
  });

  it('a record written before closures (every package of the environment) is compared only over the closure installed now', () => {
    const lock = {
      versions: {
        package: { name: 'mempalace', version: '3.1', ecosystem: 'python' as const },
        dependencies: { chromadb: '0.6.3', pip: '23.2.1' },
      },
    };
    // pip moved, outside the closure: not a change of this server.
    const noise = judge({
      installed: installed('3.1', { chromadb: '0.6.3' }, START + 10_000),
      processStart: START,
      lock,
    });
    assert.equal(noise.verdict.state, 'current', JSON.stringify(noise.verdict));
    const moved = judge({
      installed: installed('3.1', { chromadb: '1.5.7' }, START + 10_000),
      processStart: START,
      lock,
    });
    assert.deepEqual(moved.verdict.state === 'stale' && moved.verdict.movedDependencies, [
      { name: 'chromadb', from: '0.6.3', to: '1.5.7' },
    ]);
  });

  it('a reinstall of the same version with the same environment is not stale', () => {
    const deps = { chromadb: '0.6.3' };
    const { verdict } = judge({
      installed: installed('3.1', deps, START + 3600_000),
      processStart: START,
      firstSeen: {
        name: 'mempalace',
        version: '3.1',
        environment: fingerprint(deps),
        firstSeenAt: '2026-11-20T10:05:00.000Z',
      },
    });
    assert.equal(verdict.state, 'current');
  });

  it('files rewritten after the start with nothing recorded: changed since start, with the files and times, never stale or fine', () => {
    const changedFiles = [
      {
        path: '/v/lib/python3.11/site-packages/mempalace-3.2.dist-info/METADATA',
        at: new Date(START + 3600_000).toISOString(),
      },
    ];
    const { verdict, running } = judge({
      installed: installed('3.2', {}, START + 3600_000),
      processStart: START,
      changedFiles,
    });
    assert.equal(verdict.state, 'changed');
    assert.equal(running.state, 'unknown');
    if (verdict.state !== 'changed') return;
    assert.equal(verdict.installed, '3.2');
    assert.equal(verdict.dev, false);
    assert.deepEqual(verdict.changedFiles, changedFiles);
    assert.equal(verdict.processStart, new Date(START).toISOString());
    assert.equal(verdict.changedAt, new Date(START + 3600_000).toISOString());
    assert.match(verdict.summary, /changed since start: restart to load what is installed .*METADATA/);
  });

  it('while the files are still changing (an install running) the verdict waits: unknown, settling', () => {
    const changedAt = START + 3600_000;
    const early = judge({
      installed: installed('3.2', {}, changedAt),
      processStart: START,
      now: changedAt + SETTLE_MS - 1,
    });
    assert.equal(early.verdict.state === 'unknown' && early.verdict.settling, true, JSON.stringify(early.verdict));
    const settled = judge({
      installed: installed('3.2', {}, changedAt),
      processStart: START,
      now: changedAt + SETTLE_MS + 1,
      firstSeen: { name: 'mempalace', version: '3.1', firstSeenAt: '2026-11-20T10:05:00.000Z' },
    });
    assert.equal(settled.verdict.state, 'stale');
    // A process started after the install is not waiting on anything.
    const fresh = judge({ installed: installed('3.2', {}, START - 1000), processStart: START, now: START + 10 });
    assert.equal(fresh.verdict.state, 'current');
    // The quiet period is the engine's to set (a test that judges at once sets none).
    const unhurried = judge({
      installed: installed('3.2', {}, changedAt),
      processStart: START,
      now: changedAt + 1,
      settleMs: 0,
      firstSeen: { name: 'mempalace', version: '3.1', firstSeenAt: '2026-11-20T10:05:00.000Z' },
    });
    assert.equal(unhurried.verdict.state, 'stale', JSON.stringify(unhurried.verdict));
  });

  it('a development package is judged by its own files, whatever was recorded', () => {
    const devInst: Installed = {
      ...(installed('0.1.0', {}, START + 60_000) as Extract<Installed, { state: 'installed' }>),
      ecosystem: 'npm',
      name: 'my-server',
      dev: {
        root: '/home/me/dev/my-server',
        how: 'not inside node_modules',
        newest: [{ path: '/home/me/dev/my-server/dist/index.js', at: new Date(START + 60_000).toISOString() }],
      },
    };
    const lock = {
      versions: { package: { name: 'my-server', version: '0.1.0', ecosystem: 'npm' as const } },
      startedAt: new Date(START).toISOString(),
    };
    const { verdict } = judge({ installed: devInst, processStart: START, lock });
    assert.equal(verdict.state, 'changed');
    assert.equal(verdict.state === 'changed' && verdict.dev, true);
    assert.deepEqual(verdict.state === 'changed' && verdict.changedFiles.map((f) => f.path), [
      '/home/me/dev/my-server/dist/index.js',
    ]);
    const untouched = judge({
      installed: { ...devInst, changedAt: START - 60_000 } as Installed,
      processStart: START,
      lock,
    });
    assert.equal(untouched.verdict.state, 'current');
  });

  it("a script whose environment was rewritten at the versions it started with, its own file untouched: its distributions' RECORDs decide (same: current, with the proof; other: changed; none recorded: unknown, never changed); without that evidence, changed as its own code", () => {
    const env = { mcp: '1.30.0', httpx: '0.28.1' };
    const script: Extract<Installed, { state: 'installed' }> = {
      ...(installed('mcp 1.30.0', env, START + 60_000) as Extract<Installed, { state: 'installed' }>),
      name: 'server.py',
      location: '/home/me/server.py',
      sitePackages: '/v/lib/python3.11/site-packages',
      dev: {
        root: '/home/me',
        how: 'a script no package installs',
        newest: [{ path: '/home/me/server.py', at: new Date(START - 3600_000).toISOString() }],
        script: true as const,
      },
    };
    const firstSeen = {
      name: 'server.py',
      version: 'mcp 1.30.0',
      environment: fingerprint(env),
      firstSeenAt: new Date(START + 1000).toISOString(),
    };
    const changedFiles = [
      { path: '/v/lib/python3.11/site-packages/mcp/__init__.py', at: new Date(START + 60_000).toISOString() },
    ];
    const judged = (check?: 'identical' | 'differs' | 'unverified') =>
      judge({
        installed: script,
        processStart: START,
        firstSeen,
        changedFiles,
        // As the snapshot's reader gives it (recordsDigest.ts): other RECORDs come as contentMoved too.
        ...(check ? { closureContent: { check, how: `the RECORDs: ${check}` } } : {}),
        ...(check === 'differs' ? { contentMoved: true } : {}),
      }).verdict;
    const same = judged('identical');
    assert.equal(same.state, 'current', JSON.stringify(same));
    assert.match(same.state === 'current' ? same.reason : '', /; the RECORDs: identical$/);
    const other = judged('differs');
    assert.equal(other.state, 'changed', JSON.stringify(other));
    assert.equal(other.state === 'changed' && other.dev, false, 'not its own source files');
    const unread = judged('unverified');
    assert.equal(unread.state, 'unknown', JSON.stringify(unread));
    assert.equal(unread.state === 'unknown' && unread.reason, 'the RECORDs: unverified');
    const ownCode = judged();
    assert.equal(ownCode.state === 'changed' && ownCode.dev, true, JSON.stringify(ownCode));
  });

  it("a development checkout whose closure was read once by its tree walk (members named by folder) and once by npm's hidden lockfile is the same closure: a rebuild is changed, not stale", () => {
    const byFolder = fingerprint({
      '/home/me/dev/my-server/node_modules/zod': '3.25.76',
      '/home/me/dev/my-server/node_modules/a/node_modules/b': '1.0.0',
    });
    const byLockfile = fingerprint({ zod: '3.25.76', 'a > b': '1.0.0' });
    const devInst = (environment: typeof byFolder): Installed => ({
      ...(installed('0.1.0', {}, START + 60_000) as Extract<Installed, { state: 'installed' }>),
      ecosystem: 'npm',
      name: 'my-server',
      environment,
      dev: {
        root: '/home/me/dev/my-server',
        how: 'not inside node_modules',
        newest: [{ path: '/home/me/dev/my-server/dist/index.js', at: new Date(START + 60_000).toISOString() }],
      },
    });
    for (const [was, now] of [
      [byLockfile, byFolder],
      [byFolder, byLockfile],
    ]) {
      const seen = {
        name: 'my-server',
        version: '0.1.0',
        environment: was,
        firstSeenAt: new Date(START + 1000).toISOString(),
      };
      const { verdict } = judge({ installed: devInst(now), processStart: START, firstSeen: seen });
      assert.equal(verdict.state, 'changed', JSON.stringify(verdict));
    }
    // A member that really moved is still named, read either way.
    const moved = judge({
      installed: devInst(fingerprint({ zod: '4.1.0', 'a > b': '1.0.0' })),
      processStart: START,
      firstSeen: {
        name: 'my-server',
        version: '0.1.0',
        environment: byFolder,
        firstSeenAt: new Date(START).toISOString(),
      },
    }).verdict;
    assert.equal(
      moved.state === 'stale' && moved.movedDependencies.map((m) => `${m.name} ${m.from} -> ${m.to}`).join(),
      'zod 3.25.76 -> 4.1.0',
    );
  });

  it('a development package whose recorded version differs from the one on disk now is stale naming both, not changed', () => {
    const devInst: Installed = {
      ...(installed('1.1.0', {}, START + 60_000) as Extract<Installed, { state: 'installed' }>),
      ecosystem: 'npm',
      name: 'my-server',
      dev: {
        root: '/home/me/dev/my-server',
        how: 'not inside node_modules',
        newest: [{ path: '/home/me/dev/my-server/dist/index.js', at: new Date(START + 60_000).toISOString() }],
      },
    };
    const seen = { name: 'my-server', version: '1.0.0', firstSeenAt: new Date(START + 1000).toISOString() };
    const bySighting = judge({ installed: devInst, processStart: START, firstSeen: seen }).verdict;
    assert.equal(bySighting.state, 'stale', JSON.stringify(bySighting));
    if (bySighting.state !== 'stale') return;
    assert.equal(`${bySighting.running} -> ${bySighting.installed}`, '1.0.0 -> 1.1.0');
    assert.equal(bySighting.runningLearnedFrom, 'first-seen');
    assert.match(bySighting.summary, /runs 1\.0\.0 but 1\.1\.0 is installed/);
    const lock = {
      versions: { package: { name: 'my-server', version: '1.0.0', ecosystem: 'npm' as const } },
      startedAt: new Date(START).toISOString(),
    };
    const byLock = judge({ installed: devInst, processStart: START, lock }).verdict;
    assert.equal(byLock.state === 'stale' && `${byLock.running} -> ${byLock.installed}`, '1.0.0 -> 1.1.0');
    // The same version recorded: a rebuild, judged by its files as before.
    const rebuilt = judge({ installed: devInst, processStart: START, firstSeen: { ...seen, version: '1.1.0' } });
    assert.equal(rebuilt.verdict.state === 'changed' && rebuilt.verdict.dev, true);
  });

  it("npm's cache history: another version loaded is stale (inferred); the same one is current only when the lockfile vouches for the dependencies", () => {
    const inferred = {
      version: '2026.7.4',
      how: "npm's cache fetched server-memory-2026.7.4.tgz before the process started",
    };
    const other = judge({ installed: installed('2026.8.31', {}, START + 60_000), processStart: START, inferred });
    assert.equal(other.verdict.state, 'stale');
    if (other.verdict.state !== 'stale') return;
    assert.equal(other.verdict.running, '2026.7.4');
    assert.equal(other.verdict.runningLearnedFrom, 'npm-cache');
    assert.equal(other.verdict.inferred, true);
    const same = { version: '2026.8.31', how: inferred.how };
    assert.equal(
      judge({ installed: installed('2026.8.31', {}, START + 60_000), processStart: START, inferred: same }).verdict
        .state,
      'changed',
    );
    const vouched = judge({
      installed: installed('2026.8.31', {}, START + 60_000),
      processStart: START,
      inferred: { ...same, closureHow: 'package-lock.json unchanged since before the start' },
    });
    assert.equal(vouched.verdict.state, 'current');
  });

  it("uv's cache and pipx's log: an inferred other version is stale naming both and the source; the same one is current only with the closure vouched for", () => {
    for (const source of ['uv-cache', 'pipx-log'] as const) {
      const how = `${source} says 2026.8.18 was loaded`;
      const up = judge({
        installed: installed('2026.10.19', {}, START + 60_000),
        processStart: START,
        inferred: { version: '2026.8.18', how, source },
      });
      assert.equal(up.verdict.state, 'stale');
      if (up.verdict.state !== 'stale') return;
      assert.equal(up.verdict.running, '2026.8.18');
      assert.equal(up.verdict.installed, '2026.10.19');
      assert.equal(up.verdict.runningLearnedFrom, source);
      assert.equal(up.verdict.inferred, true);
      assert.match(up.verdict.summary, new RegExp(`inferred: ${how}`));
      const same = { version: '2026.10.19', how, source };
      assert.equal(
        judge({ installed: installed('2026.10.19', {}, START + 60_000), processStart: START, inferred: same }).verdict
          .state,
        'changed',
      );
      const vouched = judge({
        installed: installed('2026.10.19', {}, START + 60_000),
        processStart: START,
        inferred: { ...same, closureHow: "uv's cache unpacked no other version of its dependencies" },
      });
      assert.equal(vouched.verdict.state, 'current');
      assert.match(vouched.verdict.state === 'current' ? vouched.verdict.reason : '', /no other version/);
    }
  });

  it("npm's cache proving a dependency moved: stale naming the move (inferred), even when the lockfile would vouch; a move that does not end at the installed version is not proof", () => {
    const inferred = {
      version: '2026.8.31',
      how: "npm's cache fetched server-memory-2026.8.31.tgz before the process started",
      moved: [{ name: 'pkce-challenge', from: '5.0.0', to: '5.0.1' }],
      movedHow:
        "dependencies from npm's cache: pkce-challenge: npm's cache fetched pkce-challenge-5.0.0.tgz before the process started",
    };
    const inst = installed('2026.8.31', { 'pkce-challenge': '5.0.1', zod: '4.1.0' }, START + 60_000);
    const { verdict, running } = judge({ installed: inst, processStart: START, inferred });
    assert.equal(verdict.state, 'stale', JSON.stringify(verdict));
    if (verdict.state !== 'stale') return;
    assert.equal(`${verdict.running} -> ${verdict.installed}`, '2026.8.31 -> 2026.8.31');
    assert.deepEqual(verdict.movedDependencies, [{ name: 'pkce-challenge', from: '5.0.0', to: '5.0.1' }]);
    assert.equal(verdict.inferred, true);
    assert.equal(verdict.runningLearnedFrom, 'npm-cache');
    assert.match(verdict.runningHow, /dependencies from npm's cache: pkce-challenge/);
    assert.match(
      verdict.summary,
      /its dependencies moved; dependencies: pkce-challenge 5\.0\.0 -> 5\.0\.1; inferred: /,
    );
    assert.equal(running.state === 'known' && running.source, 'npm-cache');
    const vouched = judge({ installed: inst, processStart: START, inferred: { ...inferred, closureHow: 'lockfile' } });
    assert.equal(vouched.verdict.state, 'stale');
    // A move whose new version is not the one installed now (the tree moved again since) proves nothing.
    const elsewhere = judge({
      installed: installed('2026.8.31', { 'pkce-challenge': '6.0.0' }, START + 60_000),
      processStart: START,
      inferred,
    });
    assert.equal(elsewhere.verdict.state, 'changed', JSON.stringify(elsewhere.verdict));
    assert.doesNotMatch(JSON.stringify(elsewhere), /dependencies from npm's cache/);
    // A recorded running side comes first: the cache is not asked for it.
    const recorded = judge({
      installed: inst,
      processStart: START,
      inferred,
      firstSeen: {
        name: 'mempalace',
        version: '2026.8.31',
        environment: fingerprint({ 'pkce-challenge': '5.0.1', zod: '4.1.0' }),
        firstSeenAt: new Date(START).toISOString(),
      },
    });
    assert.equal(recorded.verdict.state, 'current');
  });

  it('a recorded dependency that left the closure but is still installed is named "no longer a dependency", not "removed"', () => {
    const seen = {
      name: 'mempalace',
      version: '3.1',
      environment: fingerprint({ chromadb: '0.6.3', six: '1.16.0' }),
      firstSeenAt: new Date(START).toISOString(),
    };
    const evidence = {
      installed: installed('3.2', { chromadb: '0.6.3' }, START + 60_000),
      processStart: START,
      firstSeen: seen,
    };
    const beside = judge({ ...evidence, stillInstalled: { six: '1.16.0' } }).verdict;
    assert.equal(beside.state, 'stale');
    if (beside.state !== 'stale') return;
    assert.deepEqual(beside.movedDependencies, [{ name: 'six', from: '1.16.0', stillInstalled: '1.16.0' }]);
    assert.match(beside.summary, /six 1\.16\.0 -> \(no longer a dependency, still installed\)/);
    assert.doesNotMatch(beside.summary, /removed/);
    const gone = judge(evidence).verdict;
    assert.match(gone.state === 'stale' ? gone.summary : '', /six 1\.16\.0 -> \(removed\)/);
    // A dependency still installed is not "gone": a running installer holds the verdict only for a change it may be making.
    const installing = { what: 'pip install (pid 1)', startTime: START + 120_000 };
    assert.equal(
      judge({ ...evidence, stillInstalled: { six: '1.16.0' }, installing, now: START + 200_000 }).verdict.state,
      'stale',
    );
    assert.equal(judge({ ...evidence, installing, now: START + 200_000 }).verdict.state, 'unknown');
  });

  it('a closure read empty while every member it lost is still installed beside the package is no move (an install rewriting the tree)', () => {
    const seen = {
      name: 'mempalace',
      version: '3.1',
      environment: fingerprint({ '@modelcontextprotocol/sdk': '1.32.2', zod: '4.6.7' }),
      firstSeenAt: new Date(START).toISOString(),
    };
    const stillInstalled = { '@modelcontextprotocol/sdk': '1.32.2', zod: '4.6.7' };
    // Node's lookups found none of its dependencies (npm ci had not written them yet), each is there now.
    const empty = judge({
      installed: installed('3.1', {}, START + 60_000),
      processStart: START,
      firstSeen: seen,
      stillInstalled,
    });
    assert.equal(empty.verdict.state, 'current', JSON.stringify(empty.verdict));
    // One member of several leaving while it stays installed is a move, said so.
    const one = judge({
      installed: installed('3.1', { zod: '4.6.7' }, START + 60_000),
      processStart: START,
      firstSeen: seen,
      stillInstalled: { '@modelcontextprotocol/sdk': '1.32.2' },
    }).verdict;
    assert.match(one.state === 'stale' ? one.summary : JSON.stringify(one), /no longer a dependency, still installed/);
    // An empty closure whose members are gone is a move too ("removed").
    const gone = judge({
      installed: installed('3.1', {}, START + 60_000),
      processStart: START,
      firstSeen: seen,
    }).verdict;
    assert.match(gone.state === 'stale' ? gone.summary : JSON.stringify(gone), /removed/);
  });

  it('an uninstalled package is stale ("installed: missing") when the running side is known', () => {
    const { verdict } = judge({
      installed: { state: 'missing', ecosystem: 'npm', name: 'x', how: 'npx x: not in the cache' },
      processStart: START,
      firstSeen: { name: 'x', version: '1.0.0', firstSeenAt: '2026-11-20T10:05:00.000Z' },
    });
    assert.equal(verdict.state === 'stale' && verdict.installed, 'missing');
    const noRecord = judge({
      installed: { state: 'missing', ecosystem: 'python', name: 'x', how: 'h' },
      processStart: START,
    });
    assert.equal(noRecord.verdict.state, 'unknown');
  });

  it('a replaced mapped file proves stale when nothing recorded what the process loaded', () => {
    const so = '/v/lib/python3.11/site-packages/chromadb/_native.so';
    const { verdict } = judge({
      installed: installed('3.1', {}, START + 3600_000),
      processStart: START,
      replacedFiles: [so],
    });
    assert.equal(verdict.state, 'stale');
    assert.equal(verdict.state === 'stale' && verdict.running, 'unknown');
    assert.deepEqual(verdict.state === 'stale' && verdict.replacedFiles, [so]);
    // File times that look older than the process (within the clocks' slack) do not outweigh a replaced file.
    const close = judge({ installed: installed('3.1', {}, START + 1000), processStart: START, replacedFiles: [so] });
    assert.equal(close.verdict.state, 'stale');
    // The same version and environment recorded: a reinstall rewrote the file, the code is the same.
    const reinstall = judge({
      installed: installed('3.1', {}, START + 3600_000),
      processStart: START,
      unverifiedFiles: [so],
      firstSeen: {
        name: 'mempalace',
        version: '3.1',
        environment: fingerprint({}),
        firstSeenAt: '2026-11-20T10:05:00.000Z',
      },
    });
    assert.equal(reinstall.verdict.state, 'current');
    assert.match(reinstall.verdict.state === 'current' ? reinstall.verdict.reason : '', /reinstalled since it started/);
    // Content that could not be compared, nothing recorded: changed since start, not stale.
    const unverified = judge({
      installed: installed('3.1', {}, START + 3600_000),
      processStart: START,
      unverifiedFiles: [so],
    });
    assert.equal(unverified.verdict.state, 'changed');
    assert.deepEqual(unverified.verdict.state === 'changed' && unverified.verdict.changedFiles.map((f) => f.path), [
      so,
    ]);
    // Identical content, nothing recorded, nothing else changed after the start: the same code.
    const identical = judge({
      installed: installed('3.1', {}, START - 60_000),
      processStart: START,
      identicalFiles: [so],
    });
    assert.equal(identical.verdict.state, 'current');
  });

  it("ignores a server's self-reported version that neither names the package nor matches the disk", () => {
    const { verdict } = judge({
      installed: installed('3.1', {}, START + 3600_000),
      processStart: START,
      serverInfo: { name: 'memory-server', version: '0.6.3' },
    });
    assert.equal(verdict.state, 'changed');
    const named = judge({
      installed: installed('3.1', {}, START + 3600_000),
      processStart: START,
      serverInfo: { name: 'mempalace', version: '3.0' },
    });
    assert.equal(named.verdict.state === 'stale' && named.verdict.runningLearnedFrom, 'server-info');
  });

  it('docker: the container runs another image id than the tag points to now', () => {
    const { verdict } = judge({
      installed: {
        state: 'installed',
        ecosystem: 'docker',
        name: 'mcp/fetch',
        version: 'sha256:new',
        how: 'docker image inspect mcp/fetch',
        location: 'mcp/fetch',
      },
      processStart: START,
      reported: { state: 'known', version: 'sha256:old', source: 'docker-inspect', how: 'docker inspect c1' },
    });
    assert.equal(verdict.state === 'stale' && `${verdict.running} -> ${verdict.installed}`, 'sha256:old -> sha256:new');
  });

  it('property: no combination of evidence yields stale without positive evidence of changed code', () => {
    const version = fc.constantFrom('1.0.0', '1.1.0', '2.0.0');
    const deps = fc.dictionary(fc.constantFrom('a', 'b', 'c'), version, { maxKeys: 3 });
    const time = fc.option(fc.integer({ min: START - 100_000, max: START + 100_000 }), { nil: undefined });
    const name = fc.constantFrom('pkg', '@s/pkg', 'other');
    const inst: fc.Arbitrary<Installed> = fc.oneof(
      fc.record({
        state: fc.constant('installed' as const),
        ecosystem: fc.constantFrom('npm' as const, 'python' as const),
        name,
        version,
        how: fc.constant('h'),
        location: fc.constant('/l'),
        environment: fc.option(deps.map(fingerprint), { nil: undefined }),
        changedAt: time,
        fromProcess: fc.option(fc.boolean(), { nil: undefined }),
      }),
      fc.record({
        state: fc.constant('missing' as const),
        ecosystem: fc.constantFrom('npm' as const, 'python' as const),
        name,
        how: fc.constant('h'),
        fromProcess: fc.option(fc.boolean(), { nil: undefined }),
      }),
      fc.record({
        state: fc.constant('unversioned' as const),
        ecosystem: fc.constant('binary' as const),
        path: fc.constant('/bin/x'),
        mtime: fc.integer({ min: START - 100_000, max: START + 100_000 }),
        how: fc.constant('h'),
      }),
      fc.record({ state: fc.constant('unknown' as const), reason: fc.constant('r') }),
    );
    const evidence: fc.Arbitrary<VersionEvidence> = fc.record(
      {
        installed: inst,
        processStart: time,
        lock: fc.record({
          versions: fc.record(
            {
              package: fc.option(fc.record({ name, version, ecosystem: fc.constant('npm' as const) }), {
                nil: undefined,
              }),
              dependencies: fc.option(deps, { nil: undefined }),
            },
            { requiredKeys: [] },
          ),
        }),
        serverInfo: fc.record({ name, version }),
        firstSeen: fc.record({
          name,
          version,
          environment: fc.option(deps.map(fingerprint), { nil: undefined }),
          firstSeenAt: fc.constant('2026-11-20T10:00:00.000Z'),
        }),
        reported: fc.oneof(
          fc.record({
            state: fc.constant('known' as const),
            version,
            source: fc.constant('docker-inspect' as const),
            how: fc.constant('h'),
          }),
          fc.record({ state: fc.constant('unknown' as const), reason: fc.constant('r') }),
        ),
        replacedFiles: fc.array(fc.constant('/l/x.so'), { maxLength: 1 }),
        inferred: fc.record(
          {
            version,
            how: fc.constant('h'),
            moved: fc.array(fc.record({ name: fc.constantFrom('a', 'b', 'c'), from: version, to: version }), {
              maxLength: 2,
            }),
            movedHow: fc.constant('m'),
          },
          { requiredKeys: ['version', 'how'] },
        ),
        // Said of moves only: a dependency still installed beside the closure never makes a verdict stale by itself.
        stillInstalled: fc.dictionary(fc.constantFrom('a', 'b', 'c'), version, { maxKeys: 2 }),
        now: fc.integer({ min: START - 100_000, max: START + 110_000 }),
        installing: fc.record({ what: fc.constant('npm ci (pid 9)'), startTime: time }, { requiredKeys: ['what'] }),
        installedBy: fc.record({ what: fc.constant('npm i (pid 8)'), startTime: time }, { requiredKeys: ['what'] }),
      },
      { requiredKeys: ['installed'] },
    );
    fc.assert(
      fc.property(evidence, (e) => {
        const { verdict } = judge(e);
        if (verdict.state !== 'stale') return true;
        // An oracle written apart from the judge: some recorded running side differs from the disk, or the disk proves a change.
        const i = e.installed;
        const recorded: Array<{ version: string; deps?: Record<string, string> }> = [];
        if (e.lock?.versions.package)
          recorded.push({ version: e.lock.versions.package.version, deps: e.lock.versions.dependencies });
        if (e.serverInfo) recorded.push({ version: e.serverInfo.version });
        if (e.firstSeen) recorded.push({ version: e.firstSeen.version, deps: e.firstSeen.environment?.packages });
        if (e.reported?.state === 'known') recorded.push({ version: e.reported.version });
        // An inference from npm's cache: another version, or a member moved to the version installed now.
        const inferredProof =
          i.state === 'installed' &&
          !!e.inferred &&
          (e.inferred.version !== i.version ||
            (e.inferred.moved ?? []).some(
              (m) => m.from !== m.to && m.to !== undefined && i.environment?.packages[m.name] === m.to,
            ));
        const proof =
          inferredProof ||
          (e.replacedFiles?.length ?? 0) > 0 ||
          (i.state === 'missing' && (recorded.length > 0 || i.fromProcess === true)) ||
          (i.state === 'unversioned' && e.processStart !== undefined && i.mtime > e.processStart + CLOCK_SLACK_MS) ||
          (i.state === 'installed' &&
            recorded.some(
              (r) =>
                r.version !== i.version ||
                (r.deps !== undefined &&
                  i.environment !== undefined &&
                  JSON.stringify(fingerprint(r.deps).packages) !== JSON.stringify(i.environment.packages)),
            ));
        return proof;
      }),
      { numRuns: 5000 },
    );
  });

  it('property: an installer known to be done only ends the quiet period (the verdict is the one given once the files have been quiet); one still at work that began before the change always holds it', () => {
    const version = fc.constantFrom('1.0.0', '1.1.0');
    const evidence = fc.record({
      version,
      recorded: fc.option(version, { nil: undefined }),
      changedAt: fc.integer({ min: START - 10_000, max: START + 100_000 }),
      age: fc.integer({ min: 0, max: 2 * SETTLE_MS }),
      doneStart: fc.option(fc.integer({ min: START - 10_000, max: START + 100_000 }), { nil: undefined }),
      runningStart: fc.integer({ min: START - 10_000, max: START + 100_000 }),
    });
    fc.assert(
      fc.property(evidence, (x) => {
        const base: VersionEvidence = {
          installed: installed(x.version, {}, x.changedAt),
          processStart: START,
          now: x.changedAt + x.age,
          ...(x.recorded
            ? { firstSeen: { name: 'mempalace', version: x.recorded, firstSeenAt: '2026-11-20T10:05:00.000Z' } }
            : {}),
        };
        const done = judge({ ...base, installedBy: { what: 'npm i (pid 8)', startTime: x.doneStart } }).verdict;
        const quiet = judge({ ...base, now: x.changedAt + SETTLE_MS }).verdict;
        const before = x.doneStart === undefined || x.changedAt >= x.doneStart - CLOCK_SLACK_MS;
        const plain = judge(base).verdict;
        if (JSON.stringify(done) !== JSON.stringify(before ? quiet : plain)) return false;
        const changed = x.changedAt > START + CLOCK_SLACK_MS;
        const running = judge({ ...base, installing: { what: 'npm ci (pid 9)', startTime: x.runningStart } }).verdict;
        if (changed && x.changedAt >= x.runningStart - CLOCK_SLACK_MS)
          return running.state === 'unknown' && running.settling === true;
        return true;
      }),
      { numRuns: 3000 },
    );
  });

  it('property: an instance whose files changed after it started is never current without a record or an inference saying it is the same code', () => {
    const version = fc.constantFrom('1.0.0', '1.1.0');
    const deps = fc.dictionary(fc.constantFrom('a', 'b'), version, { maxKeys: 2 });
    const evidence = fc.record(
      {
        version,
        env: deps,
        changedAt: fc.integer({ min: START - 100_000, max: START + 100_000 }),
        dev: fc.boolean(),
        firstSeen: fc.option(fc.record({ version, env: deps }), { nil: undefined }),
        lock: fc.option(fc.record({ version, env: deps }), { nil: undefined }),
        inferred: fc.option(
          fc.record({
            version,
            vouched: fc.boolean(),
            source: fc.constantFrom(undefined, 'npm-cache' as const, 'uv-cache' as const, 'pipx-log' as const),
          }),
          { nil: undefined },
        ),
        identical: fc.boolean(),
        unverified: fc.boolean(),
        // A workspace package linked into the closure (or an editable dependency), rebuilt at this time.
        member: fc.option(fc.integer({ min: START - 100_000, max: START + 100_000 }), { nil: undefined }),
      },
      { requiredKeys: ['version', 'env', 'changedAt', 'dev', 'identical', 'unverified'] },
    );
    fc.assert(
      fc.property(evidence, (x) => {
        const inst: Installed = {
          // The installed side's change time covers its development members' files, as resolution gives it.
          ...(installed(x.version, x.env, Math.max(x.changedAt, x.member ?? -Infinity)) as Extract<
            Installed,
            { state: 'installed' }
          >),
          ...(x.dev ? { dev: { root: '/dev/x', how: 'h', newest: [] } } : {}),
          ...(x.member !== undefined
            ? {
                devMembers: [
                  {
                    name: 'lib',
                    version: '1.0.0',
                    root: '/ws/lib',
                    how: 'h',
                    newest: [{ path: '/ws/lib/dist/index.js', at: new Date(x.member).toISOString() }],
                  },
                ],
              }
            : {}),
        };
        const e: VersionEvidence = {
          installed: inst,
          processStart: START,
          ...(x.firstSeen
            ? {
                firstSeen: {
                  name: 'mempalace',
                  version: x.firstSeen.version,
                  environment: fingerprint(x.firstSeen.env),
                  firstSeenAt: '2026-11-20T10:05:00.000Z',
                },
              }
            : {}),
          ...(x.lock
            ? {
                lock: {
                  versions: {
                    package: { name: 'mempalace', version: x.lock.version, ecosystem: 'python' as const },
                    dependencies: x.lock.env,
                    dependenciesScope: 'closure' as const,
                  },
                },
              }
            : {}),
          ...(x.inferred
            ? {
                inferred: {
                  version: x.inferred.version,
                  how: 'h',
                  ...(x.inferred.vouched ? { closureHow: 'lockfile' } : {}),
                  ...(x.inferred.source ? { source: x.inferred.source } : {}),
                },
              }
            : {}),
          ...(x.identical ? { identicalFiles: ['/v/x.so'] } : {}),
          ...(x.unverified ? { unverifiedFiles: ['/v/y.so'] } : {}),
        };
        const { verdict, running } = judge(e);
        // An inference is said as one, with the history it came from (npm's or uv's cache, pipx's log).
        if (running.state === 'known' && running.inferred) {
          if (running.source !== (x.inferred?.source ?? 'npm-cache')) return false;
          if (verdict.state === 'stale' && (!verdict.inferred || verdict.runningLearnedFrom !== running.source))
            return false;
        }
        const memberChanged = x.member !== undefined && x.member > START + CLOCK_SLACK_MS;
        // A development member changed after the start is never current, and only stale on a version or environment move.
        if (memberChanged && verdict.state !== 'changed' && verdict.state !== 'stale') return false;
        const changedAfterStart = x.changedAt > START + CLOCK_SLACK_MS || x.unverified || memberChanged;
        if (verdict.state !== 'current' || !changedAfterStart) return true;
        // Fine after a change needs a record of the same code, or a vouched inference; never for a dev package.
        const same = (r: { version: string; env: Record<string, string> } | undefined) =>
          !!r &&
          r.version === x.version &&
          JSON.stringify(fingerprint(r.env).packages) === JSON.stringify(fingerprint(x.env).packages);
        const record = x.lock ? same(x.lock) : same(x.firstSeen);
        const inferredSame =
          !x.lock && !x.firstSeen && !!x.inferred && x.inferred.vouched && x.inferred.version === x.version;
        return !(x.dev && x.changedAt > START + CLOCK_SLACK_MS) && !memberChanged && (record || inferredSame);
      }),
      { numRuns: 3000 },
    );
  });
});
