import * as assert from 'node:assert/strict';
import { autoRestartCandidates } from '../../../src/extension/viewModel/autoRestart';
import { instance, server, snapshot, source, stale } from './fixtures';

const trusted = { trusted: true, workspaceFolders: ['/ws/a'] };
const guarded = (pid: number) => instance(pid, { verdicts: [stale()], lock: { serverName: 'm', resourceKey: 'k' } });

describe('extension view-model: automatic restart of stale guarded servers', () => {
  it('never under the default policy', () => {
    assert.deepEqual(
      autoRestartCandidates(snapshot([server('m', { instances: [guarded(1)] })]), 'never', trusted, new Set()),
      [],
    );
  });

  it('only stale instances that run under the guard, each once', () => {
    const s = server('m', {
      instances: [guarded(1), instance(2, { verdicts: [stale()] }), instance(3, { lock: { serverName: 'm' } })],
    });
    const first = autoRestartCandidates(snapshot([s]), 'guardedWhenIdle', trusted, new Set());
    assert.deepEqual(
      first.map((c) => c.instance.pid),
      [1],
    );
    assert.deepEqual(autoRestartCandidates(snapshot([s]), 'guardedWhenIdle', trusted, new Set([first[0].key])), []);
  });

  it('never a server the untrusted workspace defines', () => {
    const ws = source({
      client: 'vscode',
      scope: 'workspace',
      label: 'Workspace',
      file: '/ws/a/.vscode/mcp.json',
      workspaceFolder: '/ws/a',
    });
    const s = server('m', { source: ws, instances: [guarded(1)] });
    assert.deepEqual(
      autoRestartCandidates(snapshot([s]), 'guardedWhenIdle', { ...trusted, trusted: false }, new Set()),
      [],
    );
    assert.equal(autoRestartCandidates(snapshot([s]), 'guardedWhenIdle', trusted, new Set()).length, 1);
  });
});
