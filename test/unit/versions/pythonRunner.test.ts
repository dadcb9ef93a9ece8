import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseRequirement } from '../../../src/core/launch/spec';
import { inRunnerEnvironment, parsePythonRunner, resolvePythonRunner } from '../../../src/core/versions/python';
import { resolveInstalled } from '../../../src/core/versions/resolve';
import { ctxFor, tempDir, venv, write } from './layouts';

/** The extras a launch asks of the server (`uvx 'pkg[extra]'`, `--from 'pkg[extra]==1'`) join its closure. */
describe('versions: a Python runner launch carries its extras into the closure', () => {
  it('reads extras from a requirement spec', () => {
    assert.deepEqual(parseRequirement('mempalace[chroma, cli]==3.1'), {
      name: 'mempalace',
      version: '3.1',
      extras: ['chroma', 'cli'],
    });
    assert.deepEqual(parseRequirement('srv'), { name: 'srv' });
    assert.deepEqual(parseRequirement('srv[]'), { name: 'srv' });
  });

  it('uvx srv[rich] and --from srv[rich]==1.0 have rich in the closure; plain uvx srv does not', async () => {
    const home = tempDir();
    const cache = path.join(home, '.cache', 'uv');
    venv(path.join(cache, 'archive-v0', 'AbCdEf'), [
      { name: 'srv', version: '1.0', scripts: ['srv'], requires: ['anyio', 'rich; extra == "rich"'] },
      { name: 'anyio', version: '4.9.0' },
      { name: 'rich', version: '14.0.0' },
    ]);
    const ctx = ctxFor(home, { UV_CACHE_DIR: cache, UV_TOOL_DIR: path.join(home, 'tools') });
    const closure = async (args: string[]) => {
      const r = parsePythonRunner({ command: 'uvx', args })!;
      const installed = await resolvePythonRunner(ctx, r);
      assert.equal(installed.state, 'installed', JSON.stringify(installed));
      return installed.state === 'installed' ? installed.environment?.packages : undefined;
    };
    assert.deepEqual(await closure(['srv']), { anyio: '4.9.0' });
    assert.deepEqual(await closure(['srv[rich]']), { anyio: '4.9.0', rich: '14.0.0' });
    assert.deepEqual(await closure(['--from', 'srv[Rich]==1.0', 'srv']), { anyio: '4.9.0', rich: '14.0.0' });
  });
});

/** A process running from one uvx environment while the launch now resolves to another (uv builds one per resolution). */
describe('versions: a process in a uvx environment is judged against what its launch runs now', () => {
  it("the installed side is the newest cached environment of the launch, not the process's own", async () => {
    const home = tempDir();
    const cache = path.join(home, '.cache', 'uv');
    const oldEnv = path.join(cache, 'archive-v0', 'OldOldOld');
    venv(oldEnv, [{ name: 'srv', version: '1.0', scripts: ['srv'] }]);
    const ctx = ctxFor(home, { UV_CACHE_DIR: cache, UV_TOOL_DIR: path.join(home, 'tools') });
    const processArgv = [path.join(oldEnv, 'bin', 'python'), path.join(oldEnv, 'bin', 'srv')];
    write(path.join(oldEnv, 'bin', 'srv'), '#!python\n');
    const launch = { command: 'uvx', args: ['srv'] };
    const only = await resolveInstalled(ctx, launch, { processArgv });
    assert.equal(only.installed.state === 'installed' && only.installed.version, '1.0');

    // Built later, so its files are newer (the newest matching environment is the one uvx runs).
    await new Promise((resolve) => setTimeout(resolve, 20));
    const newEnv = path.join(cache, 'archive-v0', 'NewNewNew');
    venv(newEnv, [{ name: 'srv', version: '2.0', scripts: ['srv'] }]);
    const now = await resolveInstalled(ctx, launch, { processArgv });
    assert.equal(now.installed.state === 'installed' && now.installed.version, '2.0');
    assert.equal(now.installed.state === 'installed' && now.installed.how, `uvx environment ${newEnv}`);
    assert.ok(
      inRunnerEnvironment(processArgv[1]) && !inRunnerEnvironment(path.join(home, 'tools', 'srv', 'bin', 'srv')),
    );
  });
});

/** uvx reuses an installed `uv tool` that satisfies the entry's pin: the pin says what the entry runs next, not the tool. */
describe('versions: a pinned uvx entry whose process runs from a uv tool is judged against its pin', () => {
  it('the tool while it has the pinned release; once the tool moved, the pin in uv’s cache, else not known (its wheel in uv’s cache named, else uvx fetches it), never the tool’s release', async () => {
    const home = tempDir();
    const cache = path.join(home, '.cache', 'uv');
    const tools = path.join(home, '.local', 'share', 'uv', 'tools');
    const tool = path.join(tools, 'srv');
    venv(tool, [{ name: 'srv', version: '1.0', scripts: ['srv'] }]);
    write(path.join(tool, 'bin', 'srv'), '#!python\n');
    const ctx = ctxFor(home, { UV_CACHE_DIR: cache, UV_TOOL_DIR: tools });
    const processArgv = [path.join(tool, 'bin', 'python'), path.join(tool, 'bin', 'srv')];
    const pinned = { command: 'uvx', args: ['srv@1.0'] };
    const before = await resolveInstalled(ctx, pinned, { processArgv });
    assert.equal(before.installed.state === 'installed' && before.installed.how, `uv tool ${tool}`);

    // The tool upgraded for another entry (`uv tool install srv==2.0`): the pin still holds 1.0.
    fs.rmSync(path.join(tool, 'lib'), { recursive: true });
    venv(tool, [{ name: 'srv', version: '2.0', scripts: ['srv'] }]);
    const moved = await resolveInstalled(ctx, pinned, { processArgv });
    assert.equal(moved.installed.state, 'unknown', JSON.stringify(moved.installed));
    assert.match(moved.installed.state === 'unknown' ? moved.installed.reason : '', /pins srv 1\.0.*uvx fetches 1\.0/);
    // An unpinned entry follows the tool.
    const loose = await resolveInstalled(ctx, { command: 'uvx', args: ['srv'] }, { processArgv });
    assert.equal(loose.installed.state === 'installed' && loose.installed.version, '2.0');

    // The tool's own install unpacked the wheel of 1.0 in uv's cache: uvx builds its next environment
    // from it. The release is named; what that environment will hold is not known until then.
    const wheel = path.join(cache, 'archive-v0', 'Wheel10');
    fs.mkdirSync(path.join(wheel, 'srv-1.0.dist-info'), { recursive: true });
    fs.mkdirSync(path.join(cache, 'wheels-v5', 'pypi', 'srv'), { recursive: true });
    fs.symlinkSync(wheel, path.join(cache, 'wheels-v5', 'pypi', 'srv', '1.0-py3-none-any'));
    const fromWheel = await resolveInstalled(ctx, pinned, { processArgv });
    assert.ok(fromWheel.installed.state === 'unknown', JSON.stringify(fromWheel.installed));
    assert.match(
      fromWheel.installed.reason,
      /^its entry pins srv 1\.0, which the uv tool it ran from no longer holds \(2\.0 now\); uv's cache holds the wheel of srv 1\.0 \(.*Wheel10, unpacked .*\): uvx builds its environment from it at its next start/,
    );
    // Another release's wheel is not the pin's.
    fs.rmSync(path.join(cache, 'wheels-v5', 'pypi', 'srv', '1.0-py3-none-any'));
    fs.symlinkSync(wheel, path.join(cache, 'wheels-v5', 'pypi', 'srv', '2.0-py3-none-any'));
    const other = (await resolveInstalled(ctx, pinned, { processArgv })).installed;
    assert.match(other.state === 'unknown' ? other.reason : '', /nor uv's cache holds: uvx fetches 1\.0/);

    const env = path.join(cache, 'archive-v0', 'Pinned');
    venv(env, [{ name: 'srv', version: '1.0', scripts: ['srv'] }]);
    const cached = await resolveInstalled(ctx, pinned, { processArgv });
    assert.equal(cached.installed.state === 'installed' && cached.installed.how, `uvx environment ${env}`);
  });
});
