import * as assert from 'node:assert/strict';
import { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Instance } from '../../../src/core/base/model';
import { pastJudgedStart } from '../../support/judgedStart';
import { stopChildren } from '../../support/liveness';
import { startReady } from '../../support/startup';
import { npmTool } from '../../support/toolCache';
import { instanceOf, MEM, project, run, snapshot, tempDir } from './support';

/** Pinned releases of the package managers, from npm; a change here downloads once more. */
const PNPM = '12.21.0';

function staleNames(i: Instance): string {
  const v = i.versions?.verdict;
  return v?.state === 'stale' ? `${v.package} ${v.running} -> ${v.installed}` : JSON.stringify(i.versions?.verdict);
}

/**
 * Package managers that keep the releases they no longer install: pnpm leaves the old folder of a
 * package in its virtual store after an upgrade. A running server is judged against what its
 * project resolves now, never against the folder it runs from. Real tools and the real
 * server-memory from npm, every cache and store under the test's own temp folder.
 */
describe('versions (integration): a server run from a release its package manager keeps is judged against what the project resolves now', function () {
  this.timeout(600_000);
  const started: ChildProcess[] = [];
  afterEach(async () => {
    await stopChildren(started.splice(0));
  });

  it('pnpm: after `pnpm add` of the next release under a running server, the old store folder pnpm keeps reads stale naming both versions, also on a first look', async () => {
    const pnpm = path.join(await npmTool('pnpm', PNPM), 'pnpm');
    const root = tempDir('lg-pnpm-kept-');
    const app = path.join(root, 'app');
    fs.mkdirSync(app);
    fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }));
    const pnpmAdd = (spec: string) =>
      run(
        pnpm,
        [
          'add',
          spec,
          '--store-dir',
          path.join(root, 'pnpm-store'),
          '--cache-dir',
          path.join(root, 'pnpm-cache'),
          '--reporter',
          'silent',
        ],
        { cwd: app, env: { ...process.env, npm_config_update_notifier: 'false' } },
      );
    await pnpmAdd(`${MEM}@2026.7.4`);
    const bin = path.join(app, 'node_modules', '.bin', 'mcp-server-memory');
    const env = { MEMORY_FILE_PATH: path.join(root, 'memory.jsonl') };
    const projectDir = project(root, 'memory', bin, [], env);
    const home = path.join(root, 'home');
    fs.mkdirSync(home);
    const take = (lgHome = path.join(root, 'lg')) => snapshot(home, projectDir, lgHome);

    const child = await startReady(bin, [], { cwd: projectDir, env, ready: /running on stdio/ }, started);
    const before = await instanceOf(() => take(), 'memory', child.pid!);
    assert.equal(before.versions?.verdict.state, 'current', JSON.stringify(before.versions));

    await pastJudgedStart(before.startTime);
    await pnpmAdd(`${MEM}@2026.8.31`);
    const store = path.join(app, 'node_modules', '.pnpm');
    assert.ok(
      fs.readdirSync(store).some((d) => d.startsWith('@modelcontextprotocol+server-memory@2026.7.4')),
      'pnpm keeps the old release in its store',
    );

    const after = await instanceOf(() => take(), 'memory', child.pid!);
    assert.equal(staleNames(after), `${MEM} 2026.7.4 -> 2026.8.31`);
    const installed = after.versions?.installed;
    assert.ok(
      installed?.state === 'installed' && installed.location.includes('server-memory@2026.8.31'),
      JSON.stringify(installed),
    );

    // A first look (nothing recorded of the process): its own command line names the release it runs.
    const fresh = await take(path.join(root, 'lg-fresh'));
    const first = fresh.servers.find((s) => s.name === 'memory')?.instances.find((i) => i.pid === child.pid);
    assert.ok(first, `still the entry's instance: ${JSON.stringify(fresh.notConfigured.map((n) => n.commandLine))}`);
    assert.equal(staleNames(first), `${MEM} 2026.7.4 -> 2026.8.31`);
    assert.equal(first.versions?.running.state === 'known' && first.versions.running.source, 'launch-pin');
  });
});
