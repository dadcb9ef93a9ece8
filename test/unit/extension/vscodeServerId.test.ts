import * as assert from 'node:assert/strict';
import { vscodeServerId } from '../../../src/extension/viewModel/vscodeServerId';
import { server, source } from './fixtures';

const win = { product: 'vscode' as const, workspaceFolders: ['/ws/a', '/ws/b'] };
const id = (
  src: Parameters<typeof source>[0],
  w: { product: 'vscode' | 'vscode-insiders'; workspaceFolders: string[] } = win,
) => vscodeServerId(server('memory', { source: source(src) }), w);

describe('extension view-model: VS Code MCP server ids', () => {
  it('user mcp.json, profiles and legacy settings are usrlocal', () => {
    assert.equal(
      id({ client: 'vscode', scope: 'user', file: '/h/.config/Code/User/mcp.json' }),
      'mcp.config.usrlocal.memory',
    );
    assert.equal(
      id({ client: 'vscode', scope: 'user', file: '/h/.config/Code/User/settings.json' }),
      'mcp.config.usrlocal.memory',
    );
    assert.equal(
      id({ client: 'vscode', scope: 'profile', file: '/h/.config/Code/User/profiles/x/mcp.json', profile: 'x' }),
      'mcp.config.usrlocal.memory',
    );
  });

  it("user files of the other product are not this window's", () => {
    assert.equal(
      id({ client: 'vscode-insiders', scope: 'user', file: '/h/.config/Code - Insiders/User/mcp.json' }),
      undefined,
    );
    assert.equal(
      id(
        { client: 'vscode-insiders', scope: 'user', file: '/h/.config/Code - Insiders/User/mcp.json' },
        { ...win, product: 'vscode-insiders' },
      ),
      'mcp.config.usrlocal.memory',
    );
  });

  it('remote user mcp.json is usrremote', () => {
    assert.equal(
      id({ client: 'vscode', scope: 'user', file: '/h/.vscode-server/data/User/mcp.json' }),
      'mcp.config.usrremote.memory',
    );
  });

  it('workspace folders by index; .code-workspace; .mcp.json', () => {
    assert.equal(
      id({ client: 'vscode', scope: 'workspace', file: '/ws/b/.vscode/mcp.json', workspaceFolder: '/ws/b' }),
      'mcp.config.ws1.memory',
    );
    assert.equal(
      id({ client: 'vscode', scope: 'workspace', file: '/ws/a/x.code-workspace', workspaceFolder: '/ws/a' }),
      'mcp.config.workspace.memory',
    );
    assert.equal(
      id({ client: 'claude-code', scope: 'project', file: '/ws/b/.mcp.json', workspaceFolder: '/ws/b' }),
      'workspace-dot-mcp.1.memory',
    );
    // A folder this window does not have open: no id rather than a wrong one.
    assert.equal(
      id({ client: 'vscode', scope: 'workspace', file: '/other/.vscode/mcp.json', workspaceFolder: '/other' }),
      undefined,
    );
  });

  it("other clients' configs have no VS Code id", () => {
    assert.equal(id({ client: 'claude-desktop', scope: 'user' }), undefined);
    assert.equal(id({ client: 'claude-code', scope: 'user', file: '/h/.claude.json' }), undefined);
    assert.equal(
      id({ client: 'cursor', scope: 'workspace', file: '/ws/a/.cursor/mcp.json', workspaceFolder: '/ws/a' }),
      undefined,
    );
  });
});
