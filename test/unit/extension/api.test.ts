import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { explainServer } from '../../../src/extension/viewModel/explain';
import { repoRoot } from '../../support/repo';
import { instance, server, stale, versionUnknown } from './fixtures';

describe('extension API for other extensions (api/mcp-lifeguard.d.ts)', () => {
  it("explain says whether a server needs a restart, per instance, in Show Evidence's words", () => {
    const s = server('memory', {
      instances: [instance(11, { verdicts: [stale()] }), instance(12, { verdicts: [versionUnknown()] })],
    });
    const e = explainServer(s);
    assert.equal(e.serverId, s.id);
    assert.equal(e.state, 'stale');
    assert.equal(e.needsRestart, true);
    assert.deepEqual(
      e.instances.map((i) => [i.pid, i.client, i.guarded, i.verdicts]),
      [
        [11, 'Claude Desktop', false, ['stale']],
        [12, 'Claude Desktop', false, ['unknown']],
      ],
    );
    assert.match(e.instances[0].whatToDo, /Restart it to load what is installed/);
    assert.match(e.summary[0], /^memory \(Claude Desktop\): stale/);

    const idle = explainServer(server('memory'));
    assert.deepEqual([idle.state, idle.needsRestart, idle.instances], ['notRunning', false, []]);
  });

  it('the copyable .d.ts is self-contained (vscode only), versioned, and documented in docs/vscode.md; activate returns the API', () => {
    const dts = fs.readFileSync(path.join(repoRoot, 'api', 'mcp-lifeguard.d.ts'), 'utf8');
    const imports = [...dts.matchAll(/^import .* from '([^']+)';$/gm)].map((m) => m[1]);
    assert.deepEqual(imports, ['vscode']);
    assert.match(dts, /readonly apiVersion: 1;/);
    for (const member of [
      'snapshot(): LifeguardSnapshot | undefined',
      'readonly onDidChangeSnapshot: Event<LifeguardSnapshot>',
      'explain(serverId: string): ServerExplanation | undefined',
      'restart(serverId: string): Promise<RestartResult>',
    ]) {
      assert.ok(dts.includes(member), member);
    }
    const apiDoc = fs.readFileSync(path.join(repoRoot, 'docs', 'vscode.md'), 'utf8');
    assert.match(apiDoc, /api\/mcp-lifeguard\.d\.ts/);
    assert.match(apiDoc, /getExtension<McpLifeguardApi>\('mcp-lifeguard\.mcp-lifeguard'\)/);
    const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
    assert.equal(`${pkg.publisher}.${pkg.name}`, 'mcp-lifeguard.mcp-lifeguard');
    assert.match(
      fs.readFileSync(path.join(repoRoot, 'src', 'extension', 'extension.ts'), 'utf8'),
      /export function activate\(context: vscode\.ExtensionContext\): McpLifeguardApi/,
    );
  });
});
