import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { parseRequirement } from '../../../src/core/launch/spec';
import { parsePythonRunner, resolvePythonRunner } from '../../../src/core/versions/python';
import { ctxFor, tempDir, venv } from './layouts';

/** The extras a launch asks of the server (`uvx 'pkg[extra]'`, `--from 'pkg[extra]==1'`) join its closure. */
describe('versions: a Python runner launch carries its extras into the closure', () => {
  it('reads extras from a requirement spec', () => {
    assert.deepEqual(parseRequirement('mempalace[chroma, cli]==3.1'), { name: 'mempalace', version: '3.1', extras: ['chroma', 'cli'] });
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
