import * as assert from 'node:assert/strict';
import { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { instanceOf, snapshot, tempDir } from './support';
import { stopChildren } from '../../support/liveness';
import { pastJudgedStart } from '../../support/judgedStart';
import { startReady } from '../../support/startup';

/** A release of a tiny server in its own folder, as a deploy script or Homebrew's Cellar keeps them side by side. */
function release(opt: string, version: string): void {
  const dir = path.join(opt, `x-${version}`);
  fs.mkdirSync(path.join(dir, 'dist'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'x-srv', version }));
  fs.writeFileSync(
    path.join(dir, 'dist', 'index.js'),
    `console.error('x-srv ${version} ready');\nprocess.stdin.resume();\n`,
  );
}

/**
 * A server run through a symbolic link (`opt/x -> x-1.0.0`, Homebrew's `opt/`, stow, a deploy
 * script's `current`), the link re-pointed to another release under the running process: real
 * folders, a real link, a real node process. Both releases were on disk before the start, so only
 * the link changed after it.
 */
describe('versions (integration): a symlinked install switched under a running server', function () {
  this.timeout(120_000);
  const started: ChildProcess[] = [];
  after(async () => {
    await stopChildren(started.splice(0));
  });

  it('a first look after the switch says changed, naming the link; a look that saw it before says stale', async () => {
    const root = tempDir('lg-link-');
    const opt = path.join(root, 'opt');
    release(opt, '1.0.0');
    release(opt, '1.1.0');
    const link = path.join(opt, 'x');
    fs.symlinkSync('x-1.0.0', link);
    const script = path.join(link, 'dist', 'index.js');
    const home = path.join(root, 'home');
    fs.mkdirSync(path.join(home, '.cursor'), { recursive: true });
    fs.writeFileSync(
      path.join(home, '.cursor', 'mcp.json'),
      JSON.stringify({ mcpServers: { x: { command: 'node', args: [script] } } }),
    );
    const project = path.join(root, 'project');
    fs.mkdirSync(project);
    // Two MCP Lifeguard homes: one looks before the switch (it records what the process loaded), one only after.
    const sighted = () => snapshot(home, project, path.join(root, 'lg-sighted'));
    const firstLook = () => snapshot(home, project, path.join(root, 'lg-first'));
    const child = await startReady('node', [script], { cwd: home, ready: /x-srv 1\.0\.0 ready/ }, started);

    const before = await instanceOf(sighted, 'x', child.pid!);
    assert.equal(before.versions?.verdict.state, 'current', JSON.stringify(before.versions));
    assert.equal(before.versions?.running.state === 'known' && before.versions.running.version, '1.0.0');

    await pastJudgedStart(before.startTime ?? Date.now());
    fs.unlinkSync(link);
    fs.symlinkSync('x-1.1.0', link);

    const first = (await instanceOf(firstLook, 'x', child.pid!)).versions;
    assert.equal(first?.verdict.state, 'changed', JSON.stringify(first));
    if (first?.verdict.state === 'changed')
      assert.ok(
        first.verdict.changedFiles.some((f) => f.path === link),
        `names the link: ${JSON.stringify(first.verdict.changedFiles)}`,
      );
    // Nothing recorded the new release as the running one: a later first look says the same.
    assert.notEqual(first?.running.state === 'known' && first.running.version, '1.1.0');
    const again = (await instanceOf(firstLook, 'x', child.pid!)).versions;
    assert.equal(again?.verdict.state, 'changed', JSON.stringify(again));

    const seen = (await instanceOf(sighted, 'x', child.pid!)).versions?.verdict;
    assert.equal(seen?.state, 'stale', JSON.stringify(seen));
    if (seen?.state === 'stale') {
      assert.equal(seen.running, '1.0.0');
      assert.equal(seen.installed, '1.1.0');
    }
  });
});
