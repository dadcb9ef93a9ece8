import * as assert from 'node:assert/strict';
import { ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { currentHostEnv } from '../../../src/core/base/hostEnv';
import { thisMachine } from '../../../src/core/machine/live';
import { readProcessTable } from '../../../src/core/pids/table';
import { VersionFs } from '../../../src/core/versions/fs';
import { liveFs } from '../../../src/core/machine/liveFs';
import { inferLoaded, START_SLACK_MS } from '../../../src/core/versions/inferLoaded';
import { ResolveContext } from '../../../src/core/versions/lookup';
import { npmCacheHistory } from '../../../src/core/versions/npmCacheHistory';
import { readNpmPackage } from '../../../src/core/versions/npmPackages';
import { stopChildren } from '../../support/liveness';
import { sleep, until } from '../../support/poll';
import { startReady } from '../../support/startup';
import { run, tempDir } from './support';

const MEM = '@modelcontextprotocol/server-memory';
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';

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

/** The user's npm configuration, as the engine reads it, with the test's cache. */
function ctxWith(cache: string, fs: VersionFs): ResolveContext {
  return { host: currentHostEnv({ ...process.env, npm_config_cache: cache }), fs };
}

/** The start time of the process whose command line names the package (a wrapper's child, e.g. under npx). */
async function startOf(root: number, matches: (argv: string[]) => boolean): Promise<number> {
  return until(
    `a process under ${root} running the server`,
    async () => {
      const table = await readProcessTable(thisMachine());
      if (table.state !== 'ok') return undefined;
      const under = new Set([root]);
      for (let grew = true; grew;) {
        grew = false;
        for (const p of table.processes) {
          if (!under.has(p.ppid) || under.has(p.pid)) continue;
          under.add(p.pid);
          grew = true;
        }
      }
      return table.processes.find((p) => under.has(p.pid) && matches(p.argv) && p.startTime !== undefined)?.startTime;
    },
    30_000,
    200,
  );
}

/**
 * Real `npm install` and `npx` into a temp npm cache: what the cache then tells of each version's
 * fetch, read the way the engine reads it, and what the inference makes of it.
 */
describe("versions (integration): what npm's cache remembers", function () {
  this.timeout(600_000);
  const started: ChildProcess[] = [];
  after(async () => {
    await stopChildren(started);
  });

  it('tells the version a running server was started on after an in-place upgrade', async () => {
    const root = tempDir('lg-npmcache-');
    const cache = path.join(root, 'npm-cache');
    const prefix = path.join(root, 'prefix');
    const npmEnv = {
      ...process.env,
      npm_config_cache: cache,
      npm_config_audit: 'false',
      npm_config_fund: 'false',
      npm_config_update_notifier: 'false',
    };
    await run(npm, ['install', '--prefix', prefix, `${MEM}@2026.7.4`], { env: npmEnv });
    const bin = path.join(prefix, 'node_modules', '.bin', 'mcp-server-memory');
    const child = await startReady(
      bin,
      [],
      { cwd: root, env: { MEMORY_FILE_PATH: path.join(root, 'memory.jsonl') }, ready: /running on stdio/ },
      started,
    );
    const processStart = await startOf(child.pid!, (argv) =>
      argv.some((a) => a.includes('server-memory') || a.includes('mcp-server-memory')),
    );
    // An upgrade a human makes is seconds after the start at least; the start time itself is coarse.
    while (Date.now() < processStart + START_SLACK_MS + 1000) await sleep(200);
    await run(npm, ['install', '--prefix', prefix, `${MEM}@2026.8.31`], { env: npmEnv });

    const counted = countingFs();
    const ctx = ctxWith(cache, counted.fs);
    const history = await npmCacheHistory(ctx, MEM);
    assert.equal(history.state, 'found', JSON.stringify(history));
    if (history.state !== 'found') return;
    const fetched = history.fetches.map((f) => f.version);
    assert.deepEqual(fetched, ['2026.7.4', '2026.8.31'], 'both fetches, oldest first');
    const [old, now] = history.fetches;
    // The start time is known to about a second: "before" reaches START_SLACK_MS past it.
    assert.ok(
      old.fetchedAt < processStart + START_SLACK_MS && processStart + START_SLACK_MS < now.fetchedAt,
      JSON.stringify({ old, processStart, now }),
    );
    assert.equal(counted.listed.length, 0, `never lists a folder: ${counted.listed.join(', ')}`);
    // The packument it read lists both versions (the read files are the packument's bucket, its content, and the tarball buckets).
    assert.ok([...counted.read.keys()].some((f) => f === history.packument.file));
    const installed = await readNpmPackage(ctx, path.join(prefix, 'node_modules', MEM), 'test');
    assert.equal(installed?.state === 'installed' && installed.version, '2026.8.31');
    const changedAt = installed?.state === 'installed' ? installed.changedAt : undefined;
    assert.ok(
      changedAt !== undefined && changedAt > processStart,
      'the upgrade changed the installed files after the start',
    );

    const inferred = inferLoaded(history.fetches, { installedVersion: '2026.8.31', changedAt, processStart });
    assert.equal(inferred.state, 'inferred', JSON.stringify(inferred));
    assert.equal(inferred.state === 'inferred' && inferred.version, '2026.7.4');
    assert.match(
      inferred.state === 'inferred' ? inferred.evidence : '',
      /server-memory-2026\.7\.4\.tgz at .* (before|as) the process started at .*; server-memory-2026\.8\.31\.tgz at .*, after it/,
    );

    // Reinstalling the old version takes it from the cache: no new fetch, so the cache cannot tell it from an upgrade.
    await run(npm, ['install', '--prefix', prefix, `${MEM}@2026.7.4`], { env: npmEnv });
    const again = await npmCacheHistory(ctxWith(cache, liveFs), MEM);
    assert.equal(
      again.state === 'found' && again.fetches.find((f) => f.version === '2026.7.4')?.fetchedAt,
      old.fetchedAt,
    );
    await stopChildren([child]);
  });

  it('sees an `npx -y pkg@version` fetch the same way, made after npx started and before the server did', async () => {
    const root = tempDir('lg-npmcache-npx-');
    const cache = path.join(root, 'npm-cache');
    const env = {
      npm_config_cache: cache,
      npm_config_update_notifier: 'false',
      MEMORY_FILE_PATH: path.join(root, 'memory.jsonl'),
    };
    const child = await startReady(
      npx,
      ['-y', `${MEM}@2026.7.4`],
      { cwd: root, env, ready: /running on stdio/ },
      started,
    );
    const npxStart = await startOf(child.pid!, (argv) => argv.some((a) => a.includes(`${MEM}@2026.7.4`)));
    const serverStart = await startOf(child.pid!, (argv) =>
      argv.some((a) => /server-memory[\\/]dist[\\/]index\.js$|mcp-server-memory$/.test(a)),
    );

    const history = await npmCacheHistory(ctxWith(cache, liveFs), MEM);
    assert.equal(history.state, 'found', JSON.stringify(history));
    if (history.state !== 'found') return;
    assert.deepEqual(
      history.fetches.map((f) => f.version),
      ['2026.7.4'],
    );
    const [fetch] = history.fetches;
    // npx itself starts before it fetches: the start that counts is the server's, not the wrapper's.
    assert.ok(npxStart <= fetch.fetchedAt, JSON.stringify({ npxStart, fetch, serverStart }));
    const inferred = inferLoaded(history.fetches, { installedVersion: '2026.7.4', processStart: serverStart });
    assert.equal(inferred.state === 'inferred' && inferred.version, '2026.7.4', JSON.stringify(inferred));
    await stopChildren([child]);
  });
});
