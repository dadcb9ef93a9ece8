import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { controlStatus } from '../../../src/core/control';
import { pastJudgedStart } from '../../support/judgedStart';
import { sleep, until } from '../../support/poll';
import { MEM, NPM, npmEnv, npmWorld, run } from '../versions/support';
import { connectGuarded, GuardedClient, liveRecords, tempHome } from './support';

/** A process's state letter from /proc (R, S, Z...), or undefined once it is gone. */
function processState(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
  } catch {
    return undefined;
  }
}

/**
 * `--when-stale restart-when-idle` judges staleness as the engine does (one judgement): while
 * `npm ci` removes and rewrites the tree under a guarded server, the verdict waits for the
 * installer (settling); the restart comes once, after the install is done. The project has a
 * postinstall step that takes a while, as a native build does: the tree is in place, the
 * installer still runs, quiet for six times the guard's quiet period (the tests' short one,
 * support/settle.ts, given by guardEnv): only the wait for the installer holds the restart back.
 */
const BUILD_MS = 3000;

/** The project's package.json, depending on server-memory at `version`, with the slow postinstall step. */
function manifest(version: string): string {
  return JSON.stringify(
    {
      name: 'lg-ci-project',
      version: '1.0.0',
      private: true,
      dependencies: { [MEM]: version },
      scripts: { postinstall: 'node -e "setTimeout(() => {}, Number(process.env.LG_BUILD_MS || 0))"' },
    },
    null,
    2,
  );
}

describe('guard: restart-when-idle through a real `npm ci`', function () {
  this.timeout(600_000);
  let root: string;
  let g: GuardedClient | undefined;

  before(() => {
    root = tempHome();
  });
  after(async () => {
    await g?.client.close().catch(() => undefined);
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('never restarts the server while npm ci runs, and restarts it exactly once after', async () => {
    const prefix = path.join(root, 'p');
    // The project as real npm installed it at 2026.7.4, with its npm cache (made once per machine,
    // versions/support.ts npmWorld): the move to the new release below is this test's own real npm.
    await npmWorld(root, 'guard-npm-ci-project-2026.7.4', async (dir) => {
      const p = path.join(dir, 'p');
      fs.mkdirSync(p);
      fs.writeFileSync(path.join(p, 'package.json'), manifest('2026.7.4'));
      await run(NPM, ['install', '--prefix', p], { env: npmEnv(dir) });
    });
    const script = path.join(prefix, 'node_modules', MEM, 'dist', 'index.js');

    g = await connectGuarded(
      root,
      ['--when-stale', 'restart-when-idle', '--stale-interval', '0.2', '--', process.execPath, script],
      { env: { MEMORY_FILE_PATH: path.join(root, 'memory.jsonl') } },
    );
    const restarts: number[] = [];
    // Whether `npm ci` still ran when a restart was announced: its process alive (not exited, not a
    // zombie waiting for this test to reap it). Read the instant the announcement arrives, so a
    // restart announced while it runs is caught however the two processes' ends are timed.
    const npm: { pid?: number } = {};
    const whileNpmRan: string[] = [];
    g.transport.stderr?.on('data', (d: Buffer) => {
      for (const line of d.toString().split('\n'))
        if (/mcp-lifeguard run: restarting server-memory: /.test(line)) {
          restarts.push(Date.now());
          const state = npm.pid !== undefined ? processState(npm.pid) : undefined;
          if (state !== undefined && state !== 'Z') whileNpmRan.push(`${line} (npm ci pid ${npm.pid} state ${state})`);
        }
    });
    const entity = (name: string) => ({
      name: 'create_entities',
      arguments: { entities: [{ name, entityType: 't', observations: [] }] },
    });
    await g.client.callTool(entity('before'));
    const [atStart] = await liveRecords(root);
    assert.equal(atStart.versions?.package?.version, '2026.7.4');
    // File times after the start must be told from it (process start times are coarse).
    await pastJudgedStart(atStart.child?.startTime);

    // The project moves to the new release: the lockfile first (node_modules untouched), then `npm ci`.
    fs.writeFileSync(path.join(prefix, 'package.json'), manifest('2026.8.31'));
    await run(NPM, ['install', '--prefix', prefix, '--package-lock-only'], { env: npmEnv(root) });
    await sleep(1000);
    assert.deepEqual(restarts, [], 'a lockfile written is no new code');
    const ciStarted = Date.now();
    const ci = spawn(NPM, ['ci', '--prefix', prefix], {
      env: { ...npmEnv(root), LG_BUILD_MS: String(BUILD_MS) },
      stdio: 'ignore',
    });
    npm.pid = ci.pid;
    const code = await new Promise<number | null>((resolve) => ci.on('exit', resolve));
    const ciEnded = Date.now();
    assert.equal(code, 0, 'npm ci succeeded');
    assert.ok(ciEnded - ciStarted > BUILD_MS);
    // Before its postinstall step ended (BUILD_MS in) npm ci surely ran; after that, its process says.
    assert.deepEqual(
      restarts.filter((t) => t - ciStarted < BUILD_MS).map((t) => t - ciStarted),
      [],
      `no restart while npm ci ran (it ran from 0 to ${ciEnded - ciStarted} ms):\n${g.stderr()}`,
    );
    assert.deepEqual(whileNpmRan, [], g.stderr());

    await until(
      () => `a restart after npm ci:\n${g!.stderr()}`,
      () => restarts.length > 0,
      60_000,
      100,
    );
    // The restart done (the old server stopped, the new one verified), ten more checks (every
    // 200 ms) find the new child current: no second restart.
    let last = '';
    await until(
      () => `the restart to be done (last status: ${last})`,
      async () => {
        const s = await controlStatus(atStart.control!);
        last = JSON.stringify(s);
        return s.ok && s.result.state === 'running' && s.result.restarts > 0;
      },
      60_000,
      100,
    );
    await sleep(2000);
    assert.equal(restarts.length, 1, g.stderr());
    assert.match(
      g.stderr(),
      /restarting server-memory: Stale: runs @modelcontextprotocol\/server-memory 2026\.7\.4, but 2026\.8\.31 is installed \(--when-stale restart-when-idle\)/,
    );
    const status = await controlStatus(atStart.control!);
    assert.equal(status.ok && status.result.restarts, 1, JSON.stringify(status));
    await g.client.callTool(entity('after'));
    const [now] = await liveRecords(root);
    assert.equal(now.versions?.package?.version, '2026.8.31');
  });
});
