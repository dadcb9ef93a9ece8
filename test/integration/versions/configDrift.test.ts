import * as assert from 'node:assert/strict';
import { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { formatStatus } from '../../../src/cli/format/status';
import { stopChildren } from '../../support/liveness';
import { startReady } from '../../support/startup';
import { instanceOf, npxPinnedMemoryCache, project, snapshot, tempDir } from './support';

const MEM = '@modelcontextprotocol/server-memory';

/**
 * The config moved on (issue 11, case 5): a pinned `npx pkg@OLD` edited to `pkg@NEW` while OLD
 * runs. The process no longer runs what its entry launches, and says so.
 */
describe('versions (integration): an entry edited to another version while its old launch runs', function () {
  this.timeout(300_000);
  const started: ChildProcess[] = [];
  afterEach(async () => {
    await stopChildren(started.splice(0));
  });

  it('a real `npx -y pkg@2026.7.4` under an entry now pinned to 2026.8.31: config changed, naming both', async () => {
    const root = tempDir('lg-drift-');
    // A machine that ran the pin before (its npx cache made once per machine): npx's own fetch is
    // npmCacheHistory.test.ts's subject, not this one's.
    await npxPinnedMemoryCache(root, ['2026.7.4']);
    const cache = path.join(root, 'npm-cache');
    const env = {
      npm_config_cache: cache,
      npm_config_update_notifier: 'false',
      MEMORY_FILE_PATH: path.join(root, 'memory.jsonl'),
    };
    const projectDir = project(root, 'memory', 'npx', ['-y', `${MEM}@2026.7.4`], env);
    const home = path.join(root, 'home');
    fs.mkdirSync(home);
    const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
    const child = await startReady(
      npx,
      ['-y', `${MEM}@2026.7.4`],
      { cwd: projectDir, env, ready: /running on stdio/ },
      started,
    );
    const take = () => snapshot(home, projectDir, path.join(root, 'lg'), { npm_config_cache: cache });
    assert.equal((await instanceOf(take, 'memory', child.pid!)).versions?.verdict.state, 'current');

    // The user edits the pin; the running process is what the old line started.
    fs.writeFileSync(
      path.join(projectDir, '.mcp.json'),
      JSON.stringify({ mcpServers: { memory: { command: 'npx', args: ['-y', `${MEM}@2026.8.31`], env } } }, null, 2),
    );
    const drifted = await instanceOf(take, 'memory', child.pid!);
    const v = drifted.versions?.verdict;
    assert.equal(v?.state, 'config-changed', JSON.stringify(drifted.versions));
    if (v?.state !== 'config-changed') return;
    assert.equal(v.running, `${MEM}@2026.7.4`);
    assert.equal(v.configured, `${MEM}@2026.8.31`);
    assert.match(v.summary, /restart it to run the new launch/);
    const text = formatStatus(await take());
    assert.match(
      text,
      new RegExp(
        `CONFIG CHANGED: started with ${MEM.replace('/', '\\/')}@2026\\.7\\.4, configured ${MEM.replace('/', '\\/')}@2026\\.8\\.31`,
      ),
      text,
    );
  });
});
