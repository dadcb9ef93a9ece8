import * as assert from 'node:assert/strict';
import { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { instanceOf, project, PYTHON, run, snapshot, tempDir } from './support';
import { NEW, OLD, staleVerdict, startMcp, TIME, timeWheels, toolHome, uvToolEnv } from './pythonTools';
import { killAll, stopChildren } from '../../support/liveness';
import { pastFirstLookHorizon, pastJudgedStart, startTimeOf } from '../../support/judgedStart';
import { uvBin } from '../../support/toolCache';

/**
 * Real uv (from PyPI) running and installing a real MCP server from PyPI (`mcp-server-time` at two
 * releases), offline from cached wheelhouses, with uv's cache, tool and bin folders in a temp home.
 */
describe('versions (integration): uvx and uv tool with a real server from PyPI', function () {
  this.timeout(600_000);
  const started: ChildProcess[] = [];
  const roots: string[] = [];
  after(async () => {
    await stopChildren(started);
    for (const r of roots) await killAll([], path.basename(r));
  });

  async function setup(prefix: string) {
    const root = tempDir(prefix);
    roots.push(root);
    const [bin, wheels] = await Promise.all([uvBin(PYTHON), timeWheels()]);
    const { home, env: homeEnv } = toolHome(root);
    const uvEnv: Record<string, string> = { ...homeEnv, ...uvToolEnv(home, wheels) };
    const env = { ...process.env, ...uvEnv, PATH: `${bin}${path.delimiter}${process.env.PATH}` };
    const uv = path.join(bin, 'uv');
    const uvx = path.join(bin, 'uvx');
    const take = (projectDir: string) => () => snapshot(home, projectDir, path.join(root, 'lg'), uvEnv);
    /** `installed.how` of an environment in this test's uv cache. */
    const inUvCache = new RegExp(
      `uvx environment ${uvEnv.UV_CACHE_DIR.replace(/[\\/.]/g, '\\$&')}[\\\\/](archive-v\\d+|environments-v\\d+)[\\\\/]`,
    );
    return { root, home, env, uv, uvx, uvEnv, take, inUvCache };
  }

  it('uvx mcp-server-time@latest: unpinned, so the entry resolves to the newest release uv ran, and its instance is proven and current', async () => {
    const { root, env, uvx, uvEnv, take } = await setup('lg-uvx-latest-');
    const projectDir = project(root, 'time', 'uvx', [`${TIME}@latest`], uvEnv);
    const server = await startMcp(uvx, [`${TIME}@latest`], projectDir, env, started);
    const inst = await instanceOf(take(projectDir), 'time', server.pid!);
    assert.ok(
      !inst.verdicts.some((v) => v.kind === 'unknown' && v.question === 'owner'),
      JSON.stringify(inst.verdicts),
    );
    const installed = inst.versions?.installed;
    assert.equal(installed?.state === 'installed' && installed.version, NEW, JSON.stringify(inst.versions));
    assert.equal(inst.versions?.verdict.state, 'current', JSON.stringify(inst.versions));
    await stopChildren([server]);
  });

  it("uvx mcp-server-time@OLD: current; the entry then names @NEW (built in uv's cache): stale naming both and the cache", async () => {
    const { root, env, uvx, uvEnv, take, inUvCache } = await setup('lg-uvx-');
    const projectDir = project(root, 'time', 'uvx', [`${TIME}@${OLD}`], uvEnv);
    const server = await startMcp(uvx, [`${TIME}@${OLD}`], projectDir, env, started);
    const before = await instanceOf(take(projectDir), 'time', server.pid!);
    assert.equal(before.versions?.verdict.state, 'current', JSON.stringify(before.versions));
    const installed = before.versions?.installed;
    assert.equal(installed?.state === 'installed' && installed.version, OLD);
    assert.match(
      installed?.state === 'installed' ? installed.how : '',
      /uvx environment .*[\\/]uv[\\/](archive-v\d+|environments-v\d+)[\\/]/,
    );
    assert.equal(before.versions?.running.state === 'known' && before.versions.running.version, OLD);

    // The newer release's environment built once by uvx (fills uv's cache: the one `uvx ${TIME}@${NEW}`
    // runs; its own interpreter is run, which loads none of the server's code), and the entry now asks for it.
    await run(uvx, ['--from', `${TIME}==${NEW}`, 'python', '-c', ''], { env });
    project(root, 'time', 'uvx', [`${TIME}@${NEW}`], uvEnv);
    // The launch now resolves to NEW's environment in uv's cache: a restart runs it.
    const v = staleVerdict(await instanceOf(take(projectDir), 'time', server.pid!), 'after the entry named NEW');
    assert.equal(v.running, OLD);
    assert.equal(v.installed, NEW);
    assert.match(v.installedHow, inUvCache);
    await stopChildren([server]);
  });

  it('uv run --with mcp-server-time==OLD: current, read in the environment uv layers; the entry then names ==NEW: stale naming both', async () => {
    const { root, env, uv, uvEnv, take } = await setup('lg-uvrun-with-');
    const args = (v: string) => ['run', '--python', PYTHON, '--with', `${TIME}==${v}`, TIME];
    const projectDir = project(root, 'time', uv, args(OLD), uvEnv);
    const server = await startMcp(uv, args(OLD), projectDir, env, started);
    const look = take(projectDir);
    const before = await instanceOf(look, 'time', server.pid!);
    assert.equal(before.versions?.verdict.state, 'current', JSON.stringify(before.versions));
    const installed = before.versions?.installed;
    assert.equal(installed?.state === 'installed' && installed.name, TIME, JSON.stringify(before.versions));
    assert.equal(installed?.state === 'installed' && installed.version, OLD, JSON.stringify(before.versions));
    assert.equal(before.versions?.running.state === 'known' && before.versions.running.version, OLD);

    // The newer release's layered environment built once the same way (fills uv's cache; its interpreter
    // is run, which loads none of the server's code), and the entry now asks for it.
    await run(uv, [...args(NEW).slice(0, -1), 'python', '-c', ''], { env, cwd: projectDir });
    project(root, 'time', uv, args(NEW), uvEnv);
    const v = staleVerdict(await instanceOf(look, 'time', server.pid!), 'after the entry named NEW');
    assert.equal(v.package, TIME);
    assert.equal(v.running, OLD);
    assert.equal(v.installed, NEW);
    assert.match(
      v.installedHow,
      new RegExp(
        `^uv run --with environment ${uvEnv.UV_CACHE_DIR.replace(/[\\/.]/g, '\\$&')}[\\\\/]archive-v\\d+[\\\\/]`,
      ),
    );
    await stopChildren([server]);
  });

  it('uv run --with mcp-server-time python -m mcp_server_time: the distribution in the layered environment, current', async () => {
    const { root, env, uv, uvEnv, take } = await setup('lg-uvrun-with-m-');
    const args = ['run', '--python', PYTHON, '--with', `${TIME}==${OLD}`, 'python', '-m', 'mcp_server_time'];
    const projectDir = project(root, 'time', uv, args, uvEnv);
    const server = await startMcp(uv, args, projectDir, env, started);
    const i = await instanceOf(take(projectDir), 'time', server.pid!);
    assert.equal(i.versions?.verdict.state, 'current', JSON.stringify(i.versions));
    const installed = i.versions?.installed;
    assert.equal(installed?.state === 'installed' && installed.version, OLD, JSON.stringify(i.versions));
    await stopChildren([server]);
  });

  it("uvx mcp-server-time (unpinned) started on OLD; a later uvx run builds NEW in uv's cache: stale naming both and the cache", async () => {
    const { root, env, uvx, uvEnv, take, inUvCache } = await setup('lg-uvx-latest-');
    const [oldWheels, newWheels] = await timeWheels();
    // Only OLD can be found when the server starts (the entry's index); NEW appears on an index later.
    const projectDir = project(root, 'time', 'uvx', [TIME], { ...uvEnv, UV_FIND_LINKS: oldWheels });
    const server = await startMcp(uvx, [TIME], projectDir, { ...env, UV_FIND_LINKS: oldWheels }, started);
    const look = take(projectDir);
    const before = await instanceOf(look, 'time', server.pid!);
    assert.equal(before.versions?.verdict.state, 'current', JSON.stringify(before.versions));
    assert.equal(
      before.versions?.running.state === 'known' && before.versions.running.version,
      OLD,
      JSON.stringify(before.versions),
    );

    await pastJudgedStart(before.startTime);
    // The environment `uvx ${TIME}` now resolves to, built (its interpreter run: none of the server's code loaded).
    await run(uvx, ['--from', TIME, 'python', '-c', ''], {
      env: { ...env, UV_FIND_LINKS: `${oldWheels},${newWheels}` },
    });
    const v = staleVerdict(await instanceOf(look, 'time', server.pid!), 'after uvx built the newer release');
    assert.equal(v.running, OLD);
    assert.equal(v.installed, NEW);
    assert.match(v.installedHow, inUvCache);
    await stopChildren([server]);
  });

  it("uvx mcp-server-time@OLD run from the uv tool, then the tool moves to NEW: the release is named from the wheel uv's cache holds, its unknown said with that reason", async () => {
    const { root, env, uv, uvx, uvEnv, take } = await setup('lg-uvxpin-tool-');
    await run(uv, ['tool', 'install', `${TIME}==${OLD}`], { env });
    const projectDir = project(root, 'time', 'uvx', [`${TIME}@${OLD}`], uvEnv);
    const look = take(projectDir);
    // uvx reuses the installed tool that satisfies the pin.
    const server = await startMcp(uvx, [`${TIME}@${OLD}`], projectDir, env, started);
    const before = await instanceOf(look, 'time', server.pid!);
    const was = before.versions?.installed;
    assert.match(was?.state === 'installed' ? was.how : '', /^uv tool /, JSON.stringify(before.versions));
    await pastJudgedStart(before.startTime);
    // The tool moves on for another entry: no environment of OLD is left, only its wheel in uv's cache.
    await run(uv, ['tool', 'install', `${TIME}==${NEW}`], { env });
    const after = await instanceOf(look, 'time', server.pid!);
    const now = after.versions?.installed;
    assert.ok(now?.state === 'unknown', JSON.stringify(after.versions));
    assert.match(
      now.reason,
      new RegExp(
        `uv's cache holds the wheel of ${TIME} ${OLD.replace(/\./g, '\\.')} \\(.*archive-v\\d+.*, unpacked .*\\): uvx builds its environment from it at its next start`,
      ),
    );
    // Said with that reason: neither a guess nor a bare `?`.
    const v = after.versions?.verdict;
    assert.ok(v?.state === 'unknown', JSON.stringify(v));
    assert.match(v.reason, /uv's cache holds the wheel of/);
    await stopChildren([server]);
  });

  it("uvx mcp-server-time@OLD run from the uv tool, the tool moved to NEW, then another uvx of @OLD builds OLD's environment in the same cache: still current, never changed", async () => {
    const { root, env, uv, uvx, uvEnv, take, inUvCache } = await setup('lg-uvxpin-rebuilt-');
    await run(uv, ['tool', 'install', `${TIME}==${OLD}`], { env });
    const projectDir = project(root, 'time', 'uvx', [`${TIME}@${OLD}`], uvEnv);
    const look = take(projectDir);
    const server = await startMcp(uvx, [`${TIME}@${OLD}`], projectDir, env, started);
    const before = await instanceOf(look, 'time', server.pid!);
    assert.equal(before.versions?.verdict.state, 'current', JSON.stringify(before.versions));
    await pastJudgedStart(before.startTime);
    await run(uv, ['tool', 'install', `${TIME}==${NEW}`], { env });
    // Another client's entry of the same pin starts: uvx builds OLD's environment in uv's cache, after
    // this instance started. Its RECORD differs from the tool's in its launcher's row alone.
    const other = await startMcp(uvx, [`${TIME}@${OLD}`], projectDir, env, started);
    const after = await instanceOf(look, 'time', server.pid!);
    const now = after.versions?.installed;
    assert.match(now?.state === 'installed' ? now.how : '', inUvCache, JSON.stringify(after.versions));
    assert.equal(after.versions?.verdict.state, 'current', JSON.stringify(after.versions));
    await stopChildren([server, other]);
  });

  it("uv tool install OLD: current; uv tool upgrade: stale naming both, and at a first look inferred from uv's cache; --reinstall of the same: current", async () => {
    const { root, env, uv, uvEnv, take, home } = await setup('lg-uvtool-');
    await run(uv, ['tool', 'install', `${TIME}==${OLD}`], { env });
    const bin = path.join(uvEnv.UV_TOOL_BIN_DIR, TIME);
    assert.ok(fs.existsSync(bin), `uv put the tool's bin at ${bin}`);
    const projectDir = project(root, 'time', bin, [], uvEnv);
    const look = take(projectDir);
    const toolDir = path.join(uvEnv.UV_TOOL_DIR, TIME);

    const first = await startMcp(bin, [], projectDir, env, started);
    const before = await instanceOf(look, 'time', first.pid!);
    assert.equal(before.versions?.verdict.state, 'current', JSON.stringify(before.versions));
    const inst = before.versions?.installed;
    assert.equal(inst?.state === 'installed' && inst.version, OLD);
    assert.equal(inst?.state === 'installed' && inst.how, `uv tool ${toolDir}`);

    // uv's cache unpacks the new release clearly after the start (process start times are coarse), so a first look can tell.
    await pastFirstLookHorizon(before.startTime);
    await run(uv, ['tool', 'install', `${TIME}==${NEW}`], { env });
    const v = staleVerdict(await instanceOf(look, 'time', first.pid!), 'after the upgrade');
    assert.equal(v.package, TIME);
    assert.equal(v.running, OLD);
    assert.equal(v.installed, NEW);
    assert.match(v.installedHow, new RegExp(`uv tool ${toolDir.replace(/[\\/.]/g, '\\$&')}`));
    assert.ok(
      v.movedDependencies.some((d) => d.name === 'mcp'),
      JSON.stringify(v.movedDependencies),
    );

    // The first look after the upgrade (a fresh state folder: nothing of ours saw the process before it).
    const firstLook = () => snapshot(home, projectDir, path.join(root, 'lg-first'), uvEnv);
    const inferred = staleVerdict(
      await instanceOf(firstLook, 'time', first.pid!),
      'at the first look after the upgrade',
    );
    assert.equal(inferred.running, OLD);
    assert.equal(inferred.installed, NEW);
    assert.equal(inferred.inferred, true);
    assert.equal(inferred.runningLearnedFrom, 'uv-cache');
    assert.match(
      inferred.runningHow,
      new RegExp(
        `uv's cache unpacked ${TIME} ${OLD.replace(/\./g, '\\.')} \\(.*archive-v0.*\\) at .*, (before|as) the process started`,
      ),
    );
    assert.match(inferred.summary, /inferred: /);

    await stopChildren([first]);
    const second = await startMcp(bin, [], projectDir, env, started);
    const fresh = await instanceOf(look, 'time', second.pid!);
    assert.equal(fresh.versions?.verdict.state, 'current', JSON.stringify(fresh.versions));
    await pastJudgedStart(fresh.startTime);
    await run(uv, ['tool', 'install', '--reinstall', `${TIME}==${NEW}`], { env });
    const reinstalled = await instanceOf(look, 'time', second.pid!);
    assert.equal(reinstalled.versions?.verdict.state, 'current', JSON.stringify(reinstalled.versions));
    await stopChildren([second]);
  });

  it("the first look after uv tool install --reinstall of the same release: current, inferred from uv's cache", async () => {
    const { root, env, uv, uvEnv, home } = await setup('lg-uvtool-again-');
    await run(uv, ['tool', 'install', `${TIME}==${NEW}`], { env });
    const bin = path.join(uvEnv.UV_TOOL_BIN_DIR, TIME);
    const projectDir = project(root, 'time', bin, [], uvEnv);
    const server = await startMcp(bin, [], projectDir, env, started);
    // uv's cache unpacks the new release clearly after the start (process start times are coarse).
    await pastFirstLookHorizon(await startTimeOf(server.pid!));
    await run(uv, ['tool', 'install', '--reinstall', `${TIME}==${NEW}`], { env });
    const look = () => snapshot(home, projectDir, path.join(root, 'lg-first'), uvEnv);
    const i = await instanceOf(look, 'time', server.pid!);
    const v = i.versions?.verdict;
    assert.equal(v?.state, 'current', JSON.stringify(i.versions));
    assert.match(v?.state === 'current' ? v.reason : '', /uv's cache unpacked no other version of/);
    assert.equal(i.versions?.running.state === 'known' && i.versions.running.inferred, true);
    await stopChildren([server]);
  });

  it("a venv uv pip installed, upgraded with uv pip install before the first look: stale naming both, inferred from uv's cache", async () => {
    const { root, env, uv, uvEnv, home } = await setup('lg-uvpip-first-');
    const venv = path.join(root, 'venv');
    await run(uv, ['venv', '--python', PYTHON, venv], { env });
    const py = path.join(venv, 'bin', 'python');
    await run(uv, ['pip', 'install', '--python', py, `${TIME}==${OLD}`], { env });
    const bin = path.join(venv, 'bin', TIME);
    const projectDir = project(root, 'time', bin, [], uvEnv);
    const server = await startMcp(bin, [], projectDir, env, started);
    // uv's cache unpacks the new release clearly after the start (process start times are coarse).
    await pastFirstLookHorizon(await startTimeOf(server.pid!));
    await run(uv, ['pip', 'install', '--python', py, `${TIME}==${NEW}`], { env });
    const look = () => snapshot(home, projectDir, path.join(root, 'lg-first'), uvEnv);
    const v = staleVerdict(await instanceOf(look, 'time', server.pid!), 'at the first look after uv pip install');
    assert.equal(v.running, OLD);
    assert.equal(v.installed, NEW);
    assert.equal(v.runningLearnedFrom, 'uv-cache');
    await stopChildren([server]);
  });
});
