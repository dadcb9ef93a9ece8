import * as assert from 'node:assert/strict';
import { ChildProcess, execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { instanceOf, MEM, memoryGlobal, memoryInProject, NPM, npmEnv, run, snapshot, tempDir } from './support';
import { moveSdk, SDK, sdkScriptProject } from './sdkScriptProject';
import { cliPath } from '../../support/repo';
import { stopChildren } from '../../support/liveness';
import { startReady } from '../../support/startup';
import { pastJudgedStart } from '../../support/judgedStart';
import { testSettleEnv } from '../../support/settle';

/** `mcp-lifeguard rollback` as a user runs it: from the project folder, with this test's home and npm cache. */
function rollback(
  args: string[],
  o: { root: string; home: string; lg: string; cwd: string; PATH?: string; env?: Record<string, string> },
): Promise<{ code: number; stdout: string; stderr: string }> {
  return lifeguard(['rollback', ...args], o);
}

/** The CLI as a user runs it from a folder, with this test's home and npm cache. */
function lifeguard(
  args: string[],
  o: { root: string; home: string; lg: string; cwd: string; PATH?: string; env?: Record<string, string> },
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) =>
    execFile(
      process.execPath,
      [cliPath, ...args],
      {
        cwd: o.cwd,
        env: {
          ...npmEnv(o.root),
          HOME: o.home,
          MCP_LIFEGUARD_HOME: o.lg,
          // The tests' quiet period: the look after the install waits half a second for its files, not four.
          ...testSettleEnv,
          ...(o.PATH ? { PATH: o.PATH } : {}),
          ...o.env,
        },
      },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    ),
  );
}

/**
 * Roll back with real npm: server-memory 2026.7.4 running, 2026.8.31 installed under it (stale),
 * `rollback` shows `npm install ...@2026.7.4` where it was installed and, with --yes, runs it: the
 * same process is current again. A project's install and a global prefix.
 */
describe('rollback (real npm): the version a running server started with, installed again where it was', function () {
  this.timeout(300_000);
  const started: ChildProcess[] = [];
  after(async () => {
    await stopChildren(started);
  });

  async function rolledBack(o: {
    root: string;
    home: string;
    projectDir: string;
    pid: number;
    PATH?: string;
    extraEnv?: Record<string, string>;
    upgrade(): Promise<unknown>;
    where: RegExp;
    /** Checks made on the stale instance before the rollback runs for real. */
    beforeRollback?(o: { lg: string }): Promise<void>;
  }) {
    const lg = path.join(o.root, 'lg');
    const take = () => snapshot(o.home, o.projectDir, lg, { ...(o.PATH ? { PATH: o.PATH } : {}), ...o.extraEnv });
    const first = await instanceOf(take, 'memory', o.pid);
    assert.equal(first.versions?.verdict.state, 'current', JSON.stringify(first.versions));
    await pastJudgedStart(first.startTime);
    await o.upgrade();
    const up = await instanceOf(take, 'memory', o.pid);
    assert.equal(up.versions?.verdict.state, 'stale', JSON.stringify(up.versions));

    const shown = await rollback(['memory', '--trust-workspace'], { ...o, lg, cwd: o.projectDir });
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, new RegExp(`^memory: back to what pid ${o.pid} started with \\(npm `, 'm'));
    assert.match(shown.stdout, /^ {2}@modelcontextprotocol\/server-memory 2026\.8\.31 -> 2026\.7\.4$/m);
    assert.match(shown.stdout, o.where);
    assert.match(shown.stdout, /Nothing was run/);
    assert.equal((await instanceOf(take, 'memory', o.pid)).versions?.verdict.state, 'stale', 'nothing ran');
    await o.beforeRollback?.({ lg });

    const done = await rollback(['memory', '--trust-workspace', '--yes'], { ...o, lg, cwd: o.projectDir });
    assert.equal(done.code, 0, `${done.stdout}\n${done.stderr}`);
    const back = await instanceOf(take, 'memory', o.pid);
    assert.equal(back.versions?.verdict.state, 'current', JSON.stringify(back.versions));
    assert.equal(back.versions?.installed.state === 'installed' && back.versions.installed.version, '2026.7.4');
  }

  it('a project\'s install: npm install in its folder; an installer that changes nothing first: said so, not "rolled back", and nothing restarted', async () => {
    const root = tempDir('lg-rollback-proj-');
    const { prefix, bin, env, projectDir, home } = await memoryInProject(root, '2026.7.4');
    const child = await startReady(bin, [], { cwd: projectDir, env, ready: /running on stdio/ }, started);
    await rolledBack({
      root,
      home,
      projectDir,
      pid: child.pid!,
      upgrade: () => run(NPM, ['install', '--prefix', prefix, `${MEM}@2026.8.31`], { env: npmEnv(root) }),
      where: new RegExp(
        // Exact in the project's package.json: its next `npm update` keeps what was rolled back to.
        `^ {2}cd ${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} && \\S*npm install --save-exact @modelcontextprotocol/server-memory@2026\\.7\\.4$`,
        'm',
      ),
      beforeRollback: async ({ lg }) => {
        // npm told to change nothing (a dry run from the user's own configuration) exits 0.
        const done = await rollback(['memory', '--trust-workspace', '--yes'], {
          root,
          home,
          lg,
          cwd: projectDir,
          env: { npm_config_dry_run: 'true' },
        });
        assert.equal(done.code, 1, `${done.stdout}\n${done.stderr}`);
        assert.doesNotMatch(done.stdout, /rolled back/);
        assert.match(
          done.stderr,
          /memory: the command ran and changed nothing \(@modelcontextprotocol\/server-memory 2026\.8\.31 is still installed, as before\); nothing was restarted/,
        );
        // npm that fails (offline, with an empty cache): its own error line said, as the extension's toast says it.
        const failed = await rollback(['memory', '--trust-workspace', '--yes'], {
          root,
          home,
          lg,
          cwd: projectDir,
          env: { npm_config_offline: 'true', npm_config_cache: path.join(root, 'empty-npm-cache') },
        });
        assert.equal(failed.code, 1, `${failed.stdout}\n${failed.stderr}`);
        assert.match(
          failed.stderr,
          /^mcp-lifeguard rollback: memory: the command exited with 1 \(npm error request to \S+ failed: cache mode is 'only-if-cached' but no cached response is available\.\); nothing was restarted$/m,
        );
        const after = await instanceOf(() => snapshot(home, projectDir, lg), 'memory', child.pid!);
        assert.equal(after.versions?.verdict.state, 'stale', 'the same process, still running what it ran');
      },
    });
  });

  it('a global install: npm install --global into its prefix', async () => {
    const root = tempDir('lg-rollback-g-');
    const { globalPrefix, binDir, PATH, env, projectDir, home } = await memoryGlobal(root, '2026.7.4');
    const child = await startReady(
      path.join(binDir, 'mcp-server-memory'),
      [],
      { cwd: projectDir, env: { ...env, PATH }, ready: /running on stdio/ },
      started,
    );
    await rolledBack({
      root,
      home,
      projectDir,
      pid: child.pid!,
      PATH,
      extraEnv: { npm_config_prefix: globalPrefix },
      upgrade: () => run(NPM, ['install', '-g', '--prefix', globalPrefix, `${MEM}@2026.8.31`], { env: npmEnv(root) }),
      where: new RegExp(
        `npm install --global --prefix ${globalPrefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} @modelcontextprotocol/server-memory@2026\\.7\\.4`,
      ),
    });
  });
});

/**
 * A script server no package installs, in a project `npm install` made (a package.json of
 * dependencies only): its SDK moved by a real `npm install` under it is seen, named with both
 * versions, and `rollback` puts the old one back with the project's npm.
 */
describe("rollback (real npm): a script server's imported package, put back in its project", function () {
  this.timeout(300_000);
  const started: ChildProcess[] = [];
  after(async () => {
    await stopChildren(started);
  });

  it('status names the moved SDK; doctor explains the script; rollback --yes runs npm install in the project; then current', async () => {
    const root = tempDir('lg-rollback-script-');
    const { proj, script } = await sdkScriptProject(root);
    const home = path.join(root, 'home');
    fs.mkdirSync(path.join(home, '.cursor'), { recursive: true });
    fs.writeFileSync(
      path.join(home, '.cursor', 'mcp.json'),
      JSON.stringify({ mcpServers: { proj: { command: process.execPath, args: [script] } } }),
    );
    const lg = path.join(root, 'lg');
    const take = () => snapshot(home, proj, lg);
    const child = await startReady(process.execPath, [script], { cwd: proj, ready: /proj running on stdio/ }, started);
    const pid = child.pid!;

    const first = await instanceOf(take, 'proj', pid);
    assert.equal(first.versions?.verdict.state, 'current', JSON.stringify(first.versions));
    const sdkOf = (i: typeof first) =>
      i.versions?.installed.state === 'installed' ? i.versions.installed.environment?.packages[SDK] : undefined;
    assert.equal(sdkOf(first), '1.32.2', JSON.stringify(first.versions?.installed));
    await pastJudgedStart(first.startTime);

    await moveSdk(root, proj);
    const moved = await instanceOf(take, 'proj', pid);
    const v = moved.versions?.verdict;
    assert.equal(v?.state, 'stale', JSON.stringify(moved.versions));
    assert.deepEqual(v?.state === 'stale' && v.movedDependencies.find((m) => m.name === SDK), {
      name: SDK,
      from: '1.32.2',
      to: '1.25.0',
    });

    const cli = (args: string[]) => lifeguard(args, { root, home, lg, cwd: proj });
    const status = await cli(['status']);
    assert.match(
      status.stdout,
      /STALE: runs script, its dependencies moved: @modelcontextprotocol\/sdk 1\.32\.2 -> 1\.25\.0/,
    );
    const doctor = await cli(['doctor', 'proj']);
    assert.doesNotMatch(doctor.stdout, /No package to trace/);
    assert.match(doctor.stdout, /^proj: a script no package installs$/m);
    assert.match(doctor.stdout, /^ {4}moved since it started: @modelcontextprotocol\/sdk 1\.32\.2 -> 1\.25\.0$/m);
    assert.match(doctor.stdout, new RegExp(`mcp-lifeguard rollback proj installs again what pid ${pid} started with`));

    const done = await cli(['rollback', 'proj', '--yes']);
    assert.equal(done.code, 0, `${done.stdout}\n${done.stderr}`);
    assert.match(done.stdout, new RegExp(`^proj: back to what pid ${pid} started with \\(npm project `, 'm'));
    assert.match(done.stdout, /^ {2}@modelcontextprotocol\/sdk 1\.25\.0 -> 1\.32\.2$/m);
    // The SDK first, then what npm would otherwise keep where the upgrade put it.
    assert.match(done.stdout, /npm install --save-exact @modelcontextprotocol\/sdk@1\.32\.2( [@\w./-]+@[\d.]+)*$/m);
    // Saved exact: the project's next `npm update` keeps what was rolled back to.
    assert.equal(JSON.parse(fs.readFileSync(path.join(proj, 'package.json'), 'utf8')).dependencies[SDK], '1.32.2');
    const back = await instanceOf(take, 'proj', pid);
    assert.equal(back.versions?.verdict.state, 'current', JSON.stringify(back.versions));
    assert.equal(sdkOf(back), '1.32.2');
    assert.equal(
      JSON.parse(fs.readFileSync(path.join(proj, 'node_modules', ...SDK.split('/'), 'package.json'), 'utf8')).version,
      '1.32.2',
    );
  });
});
