import * as assert from 'node:assert/strict';
import { wrapSupport } from '../../../src/core/configEdit/guardCommand';
import { addTargets } from '../../../src/extension/viewModel/addToConfig';
import { server, source } from '../extension/fixtures';

/** A Gemini CLI or Qwen Code extension's entries are the extension's: no config editor rewrites or adds to its manifest. */

const extensionSource = source({
  client: 'gemini-cli',
  label: 'Gemini CLI extension',
  file: '/home/u/.gemini/extensions/memo/gemini-extension.json',
  addOn: { kind: 'cli-extension', name: 'memo', version: '1.0.0', root: '/home/u/.gemini/extensions/memo' },
});

describe('config editors: a Gemini CLI or Qwen Code extension’s entries', () => {
  it('Wrap with Guard says why it cannot rewrite one; the same entry outside an extension can be', () => {
    assert.deepEqual(wrapSupport(server('memory', { source: extensionSource })), {
      supported: false,
      reason: "Gemini CLI and Qwen Code replace an extension's manifest when they update it",
    });
    const { addOn: _extension, ...plain } = extensionSource;
    assert.deepEqual(wrapSupport(server('memory', { source: plain })), { supported: true });
  });

  it('Add to Config offers no extension manifest as a place for a new server', () => {
    const files = [
      {
        file: extensionSource.file,
        client: 'gemini-cli' as const,
        scope: 'user' as const,
        state: 'read' as const,
        servers: 1,
      },
    ];
    assert.deepEqual(addTargets({ files, servers: [server('memory', { source: extensionSource })] }), []);
    const { addOn: _extension, ...plain } = extensionSource;
    assert.equal(addTargets({ files, servers: [server('memory', { source: plain })] }).length, 1);
  });
});
