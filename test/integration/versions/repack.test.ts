import * as assert from 'node:assert/strict';
import { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { instanceOf, NPM, npmEnv, run, snapshot, tempDir } from './support';
import { stopChildren } from '../../support/liveness';
import { pastJudgedStart } from '../../support/judgedStart';
import { startReady } from '../../support/startup';

/** A tiny server package packed by the real npm: `code` is its script's text. */
async function pack(root: string, code: string, into: string): Promise<string> {
  const src = path.join(root, 'src-pkg');
  fs.rmSync(src, { recursive: true, force: true });
  fs.mkdirSync(path.join(src, 'bin'), { recursive: true });
  fs.writeFileSync(
    path.join(src, 'package.json'),
    JSON.stringify({ name: 'lg-repack-srv', version: '1.0.0', bin: { 'lg-repack-srv': 'bin/srv.js' } }),
  );
  fs.writeFileSync(path.join(src, 'bin', 'srv.js'), `#!/usr/bin/env node\n${code}`);
  fs.mkdirSync(into, { recursive: true });
  const out = await run(NPM, ['pack', '--silent', '--pack-destination', into], { cwd: src, env: npmEnv(root) });
  return path.join(into, out.trim().split('\n').pop()!);
}

const SERVER = (says: string) => `console.error('lg-repack-srv ready: ${says}');\nprocess.stdin.resume();\n`;

/**
 * A release packed again without a version bump (`npm i -g ./pkg-1.0.0.tgz` of other code), with
 * the real npm, under a running process an earlier look saw: the same version, other files.
 */
describe('versions (integration): the same version reinstalled under a running server', function () {
  this.timeout(180_000);
  const started: ChildProcess[] = [];
  afterEach(async () => {
    await stopChildren(started.splice(0));
  });

  async function setUp(name: string) {
    const root = tempDir(name);
    const prefix = path.join(root, 'prefix');
    const tgz = await pack(root, SERVER('first build'), path.join(root, 'first'));
    await run(NPM, ['install', '-g', '--prefix', prefix, tgz], { env: npmEnv(root) });
    const bin = path.join(prefix, 'bin', 'lg-repack-srv');
    const home = path.join(root, 'home');
    fs.mkdirSync(path.join(home, '.cursor'), { recursive: true });
    fs.writeFileSync(
      path.join(home, '.cursor', 'mcp.json'),
      JSON.stringify({ mcpServers: { repack: { command: bin, args: [] } } }),
    );
    const project = path.join(root, 'project');
    fs.mkdirSync(project);
    const take = () => snapshot(home, project, path.join(root, 'lg'));
    const child = await startReady(bin, [], { cwd: home, ready: /lg-repack-srv ready/ }, started);
    const seen = await instanceOf(take, 'repack', child.pid!);
    assert.equal(seen.versions?.verdict.state, 'current', JSON.stringify(seen.versions));
    await pastJudgedStart(seen.startTime ?? Date.now());
    return { root, prefix, tgz, take, pid: child.pid! };
  }

  it('packed again with other code: the look that saw it says changed, never current', async () => {
    const s = await setUp('lg-repack-');
    const again = await pack(s.root, SERVER('second build, other code'), path.join(s.root, 'second'));
    await run(NPM, ['install', '-g', '--prefix', s.prefix, again], { env: npmEnv(s.root) });
    const v = (await instanceOf(s.take, 'repack', s.pid)).versions?.verdict;
    assert.equal(v?.state, 'changed', JSON.stringify(v));
  });

  it('the very same tarball installed again: current, the same code', async () => {
    const s = await setUp('lg-reinstall-');
    await run(NPM, ['install', '-g', '--prefix', s.prefix, s.tgz], { env: npmEnv(s.root) });
    const v = (await instanceOf(s.take, 'repack', s.pid)).versions?.verdict;
    assert.equal(v?.state, 'current', JSON.stringify(v));
  });
});
