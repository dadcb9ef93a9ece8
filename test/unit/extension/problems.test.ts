import * as assert from 'node:assert/strict';
import { problemsByFile } from '../../../src/extension/viewModel/problems';
import { shownPath } from '../../../src/core/base/hostEnv';

describe('extension view-model: config problems for the Problems panel', () => {
  it('groups by file with 0-based positions, files outside the workspace included', () => {
    const m = problemsByFile([
      { file: '/home/u/.cursor/mcp.json', line: 6, column: 7, severity: 'error', message: 'Expected comma' },
      { file: '/home/u/.cursor/mcp.json', line: 9, severity: 'warning', message: 'unknown key' },
      { file: '/ws/a/.vscode/mcp.json', severity: 'error', message: 'permission denied' },
    ]);
    assert.deepEqual([...m.keys()], ['/home/u/.cursor/mcp.json', '/ws/a/.vscode/mcp.json']);
    assert.deepEqual(m.get('/home/u/.cursor/mcp.json'), [
      { line: 5, character: 6, severity: 'error', message: 'Expected comma' },
      { line: 8, character: 0, severity: 'warning', message: 'unknown key' },
    ]);
    assert.deepEqual(m.get('/ws/a/.vscode/mcp.json'), [
      { line: 0, character: 0, severity: 'error', message: 'permission denied' },
    ]);
  });

  it('paths are shown whole, the home folder as ~ (never a look-alike prefix)', () => {
    assert.equal(shownPath('/home/u/.cursor/mcp.json', '/home/u'), '~/.cursor/mcp.json');
    assert.equal(shownPath('/home/user2/.cursor/mcp.json', '/home/u'), '/home/user2/.cursor/mcp.json');
    assert.equal(shownPath('/ws/a/.vscode/mcp.json', undefined), '/ws/a/.vscode/mcp.json');
  });
});
