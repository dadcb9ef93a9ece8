import * as assert from 'node:assert/strict';
import { describeE2e } from './support/harness';
import { paletteEntries, waitForPaletteEntry } from './support/workbench';

describeE2e('e2e: the packaged extension in code-server', (h) => {
  it('loads from the .vsix: its commands are in the Command Palette', async () => {
    const s = await h.start({});
    const page = s.page!;
    await waitForPaletteEntry(page, 'MCP Lifeguard: Show Log', 60000);
    const entries = await paletteEntries(page, 'MCP Lifeguard:');
    assert.ok(entries.includes('MCP Lifeguard: Refresh'), `palette entries: ${JSON.stringify(entries)}`);
  });
});
