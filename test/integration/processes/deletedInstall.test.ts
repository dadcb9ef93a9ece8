import * as assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Snapshot } from '../../../src/core/base/model';
import { takeSnapshot } from '../../../src/core/snapshot';
import { until } from '../../support/poll';
import { stopChildren } from '../../support/liveness';
import { makeTempDir } from '../../support/temp';

/** A package installed as npm lays it out: `node_modules/srv` and its bin link `node_modules/.bin/srv`. */
function install(home: string): { bin: string; script: string; pkg: string } {
  const pkg = path.join(home, 'node_modules', 'srv');
  fs.mkdirSync(path.join(pkg, 'dist'), { recursive: true });
  fs.writeFileSync(
    path.join(pkg, 'package.json'),
    JSON.stringify({ name: 'srv', version: '1.0.0', bin: { srv: 'dist/index.js' } }),
  );
  const script = path.join(pkg, 'dist', 'index.js');
  fs.writeFileSync(
    script,
    "#!/usr/bin/env node\nprocess.stdin.resume();\nprocess.stdout.write('ready\\n');\nsetTimeout(() => process.exit(0), 110000);\n",
    {
      mode: 0o755,
    },
  );
  const bin = path.join(home, 'node_modules', '.bin', 'srv');
  fs.mkdirSync(path.dirname(bin), { recursive: true });
  fs.symlinkSync('../srv/dist/index.js', bin);
  return { bin, script, pkg };
}

/**
 * Whose process is it once the files are gone: an entry's own process keeps the path its entry
 * spells, so a process naming another home's deleted install is a stranger's, whether the entry
 * names the bin link or the script, and whether the entry's own install is gone too.
 */
describe('attribution (integration): a deleted install is proof of nothing', function () {
  this.timeout(120_000);
  const started: ChildProcess[] = [];

  before(function () {
    if (process.platform !== 'linux') this.skip();
  });

  afterEach(async () => {
    await stopChildren(started.splice(0));
  });

  function start(args: string[]): ChildProcess {
    // As a client spawns the entry's `node`: found on PATH, named bare.
    const child = spawn('node', args, { stdio: ['pipe', 'ignore', 'ignore'] });
    started.push(child);
    return child;
  }

  function take(home: string, projectDir: string): Promise<Snapshot> {
    return takeSnapshot({
      host: {
        home,
        platform: process.platform,
        env: { ...process.env, HOME: home, MCP_LIFEGUARD_HOME: path.join(home, '.lg') },
      },
      workspaceFolders: [projectDir],
      engine: { registry: false, docker: false },
    });
  }

  /** A server started and past loading its script (it says so), so that deleting its files leaves it running. */
  async function ready(args: string[]): Promise<ChildProcess> {
    const child = spawn('node', args, { stdio: ['pipe', 'pipe', 'ignore'] });
    started.push(child);
    await new Promise<void>((resolve, reject) => {
      child.stdout!.once('data', () => resolve());
      child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code} before it was ready`)));
    });
    return child;
  }

  const pidsOf = (s: Snapshot, name: string): number[] =>
    (s.servers.find((x) => x.name === name)?.instances ?? []).map((i) => i.pid);

  for (const form of ['bin', 'script'] as const)
    it(`an entry naming the ${form === 'bin' ? 'node_modules/.bin link' : 'dist script'}: another home's deleted install is not claimed, with the entry's own install gone or kept; the entry's own process is, its install gone`, async () => {
      const root = makeTempDir('lg-deleted-install-');
      const mine = install(path.join(root, 'home'));
      const theirs = install(path.join(root, 'other-home'));
      const projectDir = path.join(root, 'project');
      fs.mkdirSync(projectDir);
      fs.writeFileSync(
        path.join(projectDir, '.mcp.json'),
        JSON.stringify({ mcpServers: { srv: { command: 'node', args: [mine[form]] } } }),
      );
      const own = start([mine[form]]);
      const stranger = start([theirs[form]]);
      const home = path.join(root, 'home');
      await until("the entry's own process", async () =>
        pidsOf(await take(home, projectDir), 'srv').includes(own.pid!) ? true : undefined,
      );
      fs.rmSync(path.join(root, 'other-home'), { recursive: true, force: true });
      const kept = await take(home, projectDir);
      assert.deepEqual(pidsOf(kept, 'srv'), [own.pid], "the stranger's deleted install is not the entry's");
      // The entry's own package removed (its bin link left dangling): its process still names the entry's path.
      fs.rmSync(mine.pkg, { recursive: true, force: true });
      const gone = await take(home, projectDir);
      assert.deepEqual(
        pidsOf(gone, 'srv'),
        [own.pid],
        `only the entry's own process, both installs gone: ${JSON.stringify(gone.servers.map((s) => s.instances.map((i) => [i.pid, i.commandLine])))}`,
      );
      assert.ok(
        !pidsOf(gone, 'srv').includes(stranger.pid!),
        'a process naming another deleted install is not counted',
      );
    });

  for (const form of ['bin', 'script'] as const)
    it(`an entry naming the ${form === 'bin' ? 'node_modules/.bin link' : 'dist script'}, its own install deleted: another home's install of the same bin, still there, is not claimed; the entry's own process is`, async () => {
      const root = makeTempDir('lg-deleted-own-');
      const mine = install(path.join(root, 'home'));
      const theirs = install(path.join(root, 'other-home'));
      const projectDir = path.join(root, 'project');
      fs.mkdirSync(projectDir);
      fs.writeFileSync(
        path.join(projectDir, '.mcp.json'),
        JSON.stringify({ mcpServers: { srv: { command: 'node', args: [mine[form]] } } }),
      );
      const own = await ready([mine[form]]);
      const stranger = await ready([theirs[form]]);
      const home = path.join(root, 'home');
      await until("the entry's own process", async () =>
        pidsOf(await take(home, projectDir), 'srv').includes(own.pid!) ? true : undefined,
      );
      fs.rmSync(mine.pkg, { recursive: true, force: true });
      const gone = await take(home, projectDir);
      assert.deepEqual(
        pidsOf(gone, 'srv'),
        [own.pid],
        `only the entry's own process: ${JSON.stringify(gone.servers.map((s) => s.instances.map((i) => [i.pid, i.commandLine])))}`,
      );
      assert.ok(
        gone.servers.every((s) => s.instances.every((i) => i.pid !== stranger.pid)),
        "the stranger's process is no entry's",
      );
    });
});
