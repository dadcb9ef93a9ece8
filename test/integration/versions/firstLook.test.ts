import * as assert from 'node:assert/strict';
import { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Instance } from '../../../src/core/base/model';
import { formatStatus } from '../../../src/cli/format/status';
import {
  instanceOf,
  MEM,
  memoryGlobal,
  memoryInProject,
  NPM,
  npmEnv,
  npmCacheContext,
  NPX,
  npxMemoryCache,
  project,
  run,
  snapshot,
  tempDir,
} from './support';
import { liveFs } from '../../../src/core/machine/liveFs';
import { SETTLE_ENV_VAR } from '../../../src/core/versions/engineCore';
import type { VersionFs } from '../../../src/core/versions/fs';
import { inferLoaded, START_SLACK_MS } from '../../../src/core/versions/inferLoaded';
import { npmCacheHistory } from '../../../src/core/versions/npmCacheHistory';
import { readNpmPackage } from '../../../src/core/versions/npmPackages';
import { SETTLE_MS } from '../../../src/core/versions/settling';
import { pastFirstLookHorizon, pastJudgedStart, startTimeOf } from '../../support/judgedStart';
import { stopChildren } from '../../support/liveness';
import { sleep } from '../../support/poll';
import { startReady } from '../../support/startup';

/** The reads a lookup made: folders listed and bytes of files read, to show it stays bounded. */
function countingFs(): { fs: VersionFs; listed: string[]; read: Map<string, number> } {
  const listed: string[] = [];
  const read = new Map<string, number>();
  const fs: VersionFs = {
    ...liveFs,
    readdir: (p) => {
      listed.push(p);
      return liveFs.readdir(p);
    },
    readText: async (p) => {
      const text = await liveFs.readText(p);
      if (text !== undefined) read.set(p, Buffer.byteLength(text));
      return text;
    },
  };
  return { fs, listed, read };
}

/** The product's own quiet period, for the tests whose subject is the wait during an install. */
const productSettle = { [SETTLE_ENV_VAR]: String(SETTLE_MS) };

/**
 * The first look: MCP Lifeguard run for the first time (a fresh state folder every snapshot) after
 * a real npm upgrade under a running server. Nothing of ours saw the process start, so the verdict
 * must come from what the machine still knows (npm's cache), else say "changed since start": never
 * "current", never `ok`.
 */
describe('versions (integration): the first look after an upgrade', function () {
  this.timeout(600_000);
  const started: ChildProcess[] = [];
  afterEach(async () => {
    await stopChildren(started.splice(0));
  });

  let looks = 0;
  /** A snapshot as a first run sees it: an empty state folder of its own. */
  const firstLook =
    (root: string, home: string, projectDir: string, extra: Record<string, string> = {}) =>
    () =>
      snapshot(home, projectDir, path.join(root, `lg-first-${++looks}`), {
        npm_config_cache: path.join(root, 'npm-cache'),
        ...extra,
      });

  function row(text: string, pid: number): string {
    return text.split('\n').find((l) => new RegExp(`^\\s+memory\\s+${pid}\\s`).test(l)) ?? '';
  }

  it("a project install upgraded before the first look: npm's cache tells both fetches around the start (bounded reads); stale, the running version inferred from it; with the cache cleaned, changed since start", async () => {
    const root = tempDir('lg-first-');
    const { prefix, bin, env, projectDir, home } = await memoryInProject(root, '2026.7.4');
    const child = await startReady(bin, [], { cwd: projectDir, env, ready: /running on stdio/ }, started);
    const processStart = await startTimeOf(child.pid!);
    // npm's cache fetches the new release clearly after the start (process start times are coarse).
    await pastFirstLookHorizon(processStart);
    await run(NPM, ['install', '--prefix', prefix, `${MEM}@2026.8.31`], { env: npmEnv(root) });

    // What npm's cache itself remembers, read the way the engine reads it: both fetches, oldest first.
    const cache = path.join(root, 'npm-cache');
    const counted = countingFs();
    const ctx = npmCacheContext(cache, counted.fs);
    const history = await npmCacheHistory(ctx, MEM);
    assert.equal(history.state, 'found', JSON.stringify(history));
    if (history.state !== 'found') return;
    assert.deepEqual(
      history.fetches.map((f) => f.version),
      ['2026.7.4', '2026.8.31'],
      'both fetches, oldest first',
    );
    const [old, now] = history.fetches;
    // The start time is known to about a second: "before" reaches START_SLACK_MS past it.
    assert.ok(
      old.fetchedAt < processStart + START_SLACK_MS && processStart + START_SLACK_MS < now.fetchedAt,
      JSON.stringify({ old, processStart, now }),
    );
    assert.equal(counted.listed.length, 0, `never lists a folder: ${counted.listed.join(', ')}`);
    // The packument it read lists both versions (the read files are the packument's bucket, its content, and the tarball buckets).
    assert.ok([...counted.read.keys()].some((f) => f === history.packument.file));
    const upgraded = await readNpmPackage(ctx, path.join(prefix, 'node_modules', MEM), 'test');
    assert.equal(upgraded?.state === 'installed' && upgraded.version, '2026.8.31');
    const changedAt = upgraded?.state === 'installed' ? upgraded.changedAt : undefined;
    assert.ok(
      changedAt !== undefined && changedAt > processStart,
      'the upgrade changed the installed files after the start',
    );
    const loaded = inferLoaded(history.fetches, { installedVersion: '2026.8.31', changedAt, processStart });
    assert.equal(loaded.state === 'inferred' && loaded.version, '2026.7.4', JSON.stringify(loaded));
    assert.match(
      loaded.state === 'inferred' ? loaded.evidence : '',
      /server-memory-2026\.7\.4\.tgz at .* (before|as) the process started at .*; server-memory-2026\.8\.31\.tgz at .*, after it/,
    );
    // The first look: stale, the running version inferred from the cache.
    const take = firstLook(root, home, projectDir);
    const inferred = await instanceOf(take, 'memory', child.pid!);
    const v = inferred.versions?.verdict;
    assert.equal(v?.state, 'stale', JSON.stringify(inferred.versions));
    if (v?.state !== 'stale') return;
    assert.equal(`${v.running} -> ${v.installed}`, '2026.7.4 -> 2026.8.31');
    assert.equal(v.runningLearnedFrom, 'npm-cache');
    assert.equal(v.inferred, true);
    assert.match(v.runningHow, /2026\.7\.4/);
    const text = formatStatus(await take());
    assert.match(
      row(text, child.pid!),
      /2026\.7\.4\s+2026\.8\.31\s+STALE: runs 2026\.7\.4, installed 2026\.8\.31 \(inferred\)/,
      text,
    );

    // npm's cache forgotten: nothing tells what the process loaded. Changed since start, with the files.
    fs.rmSync(path.join(root, 'npm-cache', '_cacache'), { recursive: true, force: true });
    const bare = await instanceOf(take, 'memory', child.pid!);
    const b = bare.versions?.verdict;
    assert.equal(b?.state, 'changed', JSON.stringify(bare.versions));
    if (b?.state !== 'changed') return;
    assert.equal(b.installed, '2026.8.31');
    assert.equal(bare.versions?.running.state, 'unknown');
    assert.ok(
      b.changedFiles.some((f) => f.path === path.join(prefix, 'node_modules', MEM, 'package.json')),
      JSON.stringify(b.changedFiles),
    );
    // The latest moment it may have begun: its start time plus the fraction of a second start times read early.
    const lag = Date.parse(b.processStart) - bare.startTime!;
    assert.ok(lag >= 0 && lag <= 1000, `${b.processStart} vs ${new Date(bare.startTime!).toISOString()}`);
    const bareText = formatStatus(await take());
    assert.match(
      row(bareText, child.pid!),
      /\?\s+2026\.8\.31\s+CHANGED SINCE START: restart to load what is installed/,
      bareText,
    );
    assert.doesNotMatch(row(bareText, child.pid!), /\sok$/);
  });

  it('a global install: upgraded before the first look is stale (inferred); uninstalled under it, stale with "missing"', async () => {
    const root = tempDir('lg-first-g-');
    const { globalPrefix, binDir, PATH, env, projectDir, home } = await memoryGlobal(root, '2026.7.4');
    const child = await startReady(
      path.join(binDir, 'mcp-server-memory'),
      [],
      { cwd: projectDir, env: { ...env, PATH }, ready: /running on stdio/ },
      started,
    );
    await pastFirstLookHorizon(await startTimeOf(child.pid!));
    await run(NPM, ['install', '-g', '--prefix', globalPrefix, `${MEM}@2026.8.31`], { env: npmEnv(root) });
    const take = firstLook(root, home, projectDir, { PATH, npm_config_prefix: globalPrefix });
    const up = await instanceOf(take, 'memory', child.pid!);
    const v = up.versions?.verdict;
    assert.equal(
      v?.state === 'stale' && `${v.running} -> ${v.installed} (${v.runningLearnedFrom})`,
      '2026.7.4 -> 2026.8.31 (npm-cache)',
      JSON.stringify(up.versions),
    );

    await run(NPM, ['uninstall', '-g', '--prefix', globalPrefix, MEM], { env: npmEnv(root) });
    const gone = await instanceOf(take, 'memory', child.pid!);
    const g = gone.versions?.verdict;
    assert.equal(g?.state, 'stale', JSON.stringify(gone.versions));
    assert.equal(g?.state === 'stale' && g.installed, 'missing');
    assert.match(g?.state === 'stale' ? g.summary : '', /the code it was started from is gone/);
  });

  it("an npx cache folder whose package was replaced in place before the first look: stale, inferred from npm's cache", async () => {
    const root = tempDir('lg-first-npx-');
    await npxMemoryCache(root);
    const env = {
      npm_config_cache: path.join(root, 'npm-cache'),
      npm_config_update_notifier: 'false',
      MEMORY_FILE_PATH: path.join(root, 'memory.jsonl'),
    };
    // Unpinned, as most configs are: npx installs the latest release into `_npx/<hash>`.
    const projectDir = project(root, 'memory', 'npx', ['-y', MEM], env);
    const home = path.join(root, 'home');
    fs.mkdirSync(home);
    const child = await startReady(NPX, ['-y', MEM], { cwd: projectDir, env, ready: /running on stdio/ }, started);
    const take = firstLook(root, home, projectDir);
    const before = await instanceOf(take, 'memory', child.pid!);
    const inst = before.versions?.installed;
    assert.ok(
      inst?.state === 'installed' && inst.location.startsWith(path.join(root, 'npm-cache', '_npx')),
      JSON.stringify(before.versions),
    );
    if (inst?.state !== 'installed') return;
    const latest = inst.version;
    assert.equal(before.versions?.verdict.state, 'current');
    await pastFirstLookHorizon(before.startTime);
    // What a later npx run does to that folder when it resolves another release: reinstall in place.
    const npxDir = inst.location.slice(0, inst.location.indexOf(`${path.sep}node_modules${path.sep}`));
    await run(NPM, ['install', '--prefix', npxDir, `${MEM}@2026.7.4`], { env: npmEnv(root) });
    const after = await instanceOf(take, 'memory', child.pid!);
    const v = after.versions?.verdict;
    assert.equal(
      v?.state === 'stale' && `${v.running} -> ${v.installed} (${v.runningLearnedFrom})`,
      `${latest} -> 2026.7.4 (npm-cache)`,
      JSON.stringify(after.versions),
    );
  });

  it("a same-version `npm ci` under a watched server is never judged mid-install, and reads current after, a first look too; a dependency then removed before the server's own package is settling, then stale", async () => {
    const root = tempDir('lg-first-ci-');
    const { prefix, bin, env, projectDir, home } = await memoryInProject(root, '2026.8.31');
    const child = await startReady(bin, [], { cwd: projectDir, env, ready: /running on stdio/ }, started);
    const lg = path.join(root, 'lg');
    // The wait during an install is the subject: the product's quiet period.
    const watched = () =>
      snapshot(home, projectDir, lg, { npm_config_cache: path.join(root, 'npm-cache'), ...productSettle });
    const current = await instanceOf(watched, 'memory', child.pid!);
    assert.equal(current.versions?.verdict.state, 'current');
    await pastJudgedStart(current.startTime);

    // Snapshots while `npm ci` removes and rewrites the tree (bounded: the install ends, then 2 more).
    const seen: string[] = [];
    let done = false;
    const ci = run(NPM, ['ci', '--prefix', prefix], { env: npmEnv(root) }).finally(() => (done = true));
    let after = 0;
    while (after < 2) {
      const s = await watched();
      const i: Instance | undefined = s.servers
        .find((x) => x.name === 'memory')
        ?.instances.find((x) => x.pid === child.pid);
      const verdict = i?.versions?.verdict;
      if (verdict)
        seen.push(
          verdict.state === 'unknown' && verdict.settling
            ? 'settling'
            : verdict.state === 'stale' || verdict.state === 'changed'
              ? `${verdict.state} ${JSON.stringify(i?.versions)}`
              : verdict.state,
        );
      if (done) after++;
      await sleep(200);
    }
    await ci;
    // A verdict seen mid-install is "settling" or the final one, never stale or changed.
    assert.ok(seen.length > 0);
    assert.deepEqual(
      seen.filter((x) => x.startsWith('stale') || x.startsWith('changed')),
      [],
      seen.join(', '),
    );
    const final = await instanceOf(watched, 'memory', child.pid!);
    assert.equal(final.versions?.verdict.state, 'current', JSON.stringify(final.versions));

    // A first look after the reinstall: npm's cache fetched no other version, and the project's
    // lockfile (which `npm ci` does not rewrite) predates the start: the same code.
    const first = await instanceOf(firstLook(root, home, projectDir), 'memory', child.pid!);
    assert.equal(first.versions?.verdict.state, 'current', JSON.stringify(first.versions));
    assert.match(
      first.versions?.verdict.state === 'current' ? first.versions.verdict.reason : '',
      /package-lock\.json unchanged since before the process started/,
    );

    // A dependency removed before the server's own package (the order `npm ci` may clear
    // node_modules in): the snapshot right after the removal is within the quiet period.
    const nm = path.join(prefix, 'node_modules');
    fs.rmSync(path.join(nm, '.package-lock.json'));
    fs.rmSync(path.join(nm, '@modelcontextprotocol', 'sdk'), { recursive: true });
    const s = await watched();
    const removing = s.servers.find((x) => x.name === 'memory')?.instances.find((i) => i.pid === child.pid)
      ?.versions?.verdict;
    assert.ok(removing?.state === 'unknown' && removing.settling, JSON.stringify(removing));
    // Once the tree stops changing, a dependency that stays gone is a change of what would load.
    const settled = (await instanceOf(watched, 'memory', child.pid!)).versions?.verdict;
    assert.equal(settled?.state, 'stale', JSON.stringify(settled));
    assert.ok(
      settled?.state === 'stale' &&
        settled.movedDependencies.some((d) => d.name === '@modelcontextprotocol/sdk' && d.to === undefined),
      JSON.stringify(settled),
    );
  });
});
