import * as assert from 'node:assert/strict';
import { ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { thisMachine } from '../../../src/core/machine/live';
import { readProcessTable } from '../../../src/core/pids/table';
import { liveFs } from '../../../src/core/machine/liveFs';
import { inferLoaded } from '../../../src/core/versions/inferLoaded';
import { npmCacheHistory } from '../../../src/core/versions/npmCacheHistory';
import { stopChildren } from '../../support/liveness';
import { until } from '../../support/poll';
import { startReady } from '../../support/startup';
import { npmCacheContext, tempDir } from './support';

const MEM = '@modelcontextprotocol/server-memory';
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';

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
 * A real `npx` into a temp npm cache: what the cache then tells of the version's fetch, read the
 * way the engine reads it, and what the inference makes of it. What it tells after a real `npm
 * install` upgrade under a running server is held in firstLook.test.ts, on the same world as the
 * first look that reads it.
 */
describe("versions (integration): what npm's cache remembers", function () {
  this.timeout(600_000);
  const started: ChildProcess[] = [];
  after(async () => {
    await stopChildren(started);
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

    const history = await npmCacheHistory(npmCacheContext(cache, liveFs), MEM);
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
