import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { agentServerLaunch } from '../../../src/extension/viewModel/agentServer';
import { repoRoot } from '../../support/repo';

describe("extension: the agent server offered to VS Code's MCP support", () => {
  it("runs the installed guard as `mcp` for the window's folders; trust is passed only when VS Code grants it", () => {
    const trusted = agentServerLaunch({
      enabled: true,
      launcher: '/h/.mcp-lifeguard/bin/mcp-lifeguard',
      workspaceFolders: ['/w/a', '/w/b'],
      trusted: true,
    });
    assert.deepEqual(trusted, {
      state: 'offered',
      label: 'MCP Lifeguard',
      command: '/h/.mcp-lifeguard/bin/mcp-lifeguard',
      args: ['mcp', '--workspace', '/w/a', '--workspace', '/w/b', '--trust-workspace'],
    });
    const untrusted = agentServerLaunch({ enabled: true, launcher: '/l', workspaceFolders: ['/w/a'], trusted: false });
    assert.deepEqual(untrusted.state === 'offered' && untrusted.args, ['mcp', '--workspace', '/w/a']);
  });

  it("in a remote window, names the remote so the window's user servers are not judged on it", () => {
    const remote = agentServerLaunch({
      enabled: true,
      launcher: '/l',
      workspaceFolders: ['/w/a'],
      trusted: false,
      remoteName: 'wsl',
    });
    assert.deepEqual(remote.state === 'offered' && remote.args, [
      'mcp',
      '--workspace',
      '/w/a',
      '--remote-window',
      'wsl',
    ]);
  });

  it('is withheld, with why, when the setting is off or the guard is not installed', () => {
    assert.match(
      JSON.stringify(agentServerLaunch({ enabled: false, launcher: '/l', workspaceFolders: [], trusted: true })),
      /agentServer\.enabled is off/,
    );
    assert.match(
      JSON.stringify(agentServerLaunch({ enabled: true, launcher: undefined, workspaceFolders: [], trusted: true })),
      /not installed yet/,
    );
  });

  it('the manifest declares the provider id the extension registers, and the setting that turns it off', async () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
      contributes: {
        mcpServerDefinitionProviders: Array<{ id: string }>;
        configuration: { properties: Record<string, { default?: unknown }> };
      };
    };
    const source = fs.readFileSync(path.join(repoRoot, 'src', 'extension', 'agentServerProvider.ts'), 'utf8');
    const id = /AGENT_PROVIDER_ID = '([^']+)'/.exec(source)?.[1];
    assert.deepEqual(
      manifest.contributes.mcpServerDefinitionProviders.map((p) => p.id),
      [id],
    );
    assert.equal(manifest.contributes.configuration.properties['mcpLifeguard.agentServer.enabled'].default, true);
  });
});
