import * as assert from 'node:assert/strict';
import { assertReplaysWithCpuTime, instancesOf, replayCapture as replay } from '../../../support/replayCapture';
import {
  cheIcalExtension,
  claudeDesktopBundledClaudeCode,
  laravelBoostUnderHerd,
  macArgumentCaptures,
  obsidianVaultInICloudDrive,
  smitheryObsidianVaultInICloud,
} from '../../../fixtures/captures/real/macArguments';

describe('real macOS machines: arguments with spaces, as ps joins them', () => {
  it('each capture cites its source, says what its user reported and what was filled', () => {
    for (const c of macArgumentCaptures()) {
      assert.match(c.source, /^https:\/\/github\.com\/[\w.-]+\/[\w.-]+\/issues\/\d+$/, c.name);
      assert.ok(c.reported.length > 40 && c.filled.length > 40, c.name);
      assert.equal(c.platform, 'darwin');
    }
  });

  it('replays every capture without reading /proc, each process with its CPU time', async () => {
    await assertReplaysWithCpuTime(macArgumentCaptures());
  });

  it("a Claude Desktop extension run from Claude Extensions (anthropics/claude-code#58239) is its entry's instance", async () => {
    const { snap } = await replay(cheIcalExtension());
    const ext = instancesOf(snap, 'che-ical-mcp', 'claude-desktop');
    assert.deepEqual(
      ext.map((i) => [i.pid, i.client.id, i.cpuMs]),
      [[2306, 'claude-desktop', 3870]],
    );
    // One argument, quoted as a shell would need it.
    assert.equal(
      ext[0].commandLine,
      "'/Users/che/Library/Application Support/Claude/Claude Extensions/local.mcpb.che-cheng.che-ical-mcp/server/CheICalMCP'",
    );
  });

  it("a server run by Herd's PHP from Application Support (laravel/boost#550) is Codex's entry's instance", async () => {
    const { snap } = await replay(laravelBoostUnderHerd());
    assert.deepEqual(
      instancesOf(snap, 'laravel-boost', 'codex').map((i) => [i.pid, i.client.id]),
      [[5180, 'codex']],
    );
  });

  it("Claude Desktop's bundled Claude Code (anthropics/claude-code#59178) is a Claude Code session: its server is Claude Code's, Claude Desktop's own server stays Claude Desktop's", async () => {
    const { snap } = await replay(claudeDesktopBundledClaudeCode());
    const tickets = instancesOf(snap, 'tickets', 'claude-code');
    assert.deepEqual(
      tickets.map((i) => [i.pid, i.client.id, i.client.agentHost?.sessionPid]),
      [[3140, 'claude-code', 3101]],
    );
    assert.deepEqual(
      instancesOf(snap, 'notes', 'claude-desktop').map((i) => [i.pid, i.client.id]),
      [[3051, 'claude-desktop']],
    );
  });

  it('a vault in iCloud Drive as the argument (Piotr1215/mcp-obsidian#9) matches the Claude Code entry that names it', async () => {
    const { snap } = await replay(obsidianVaultInICloudDrive());
    const obsidian = instancesOf(snap, 'obsidian', 'claude-code');
    assert.deepEqual(
      obsidian.map((i) => [i.pid, i.client.id]),
      [[8042, 'claude-code']],
    );
    assert.equal(
      obsidian[0].commandLine,
      "node /Users/fg/dev/mcp-obsidian/src/index.js '/Users/fg/Library/Mobile Documents/com~apple~CloudDocs/Obsidian'",
    );
  });

  it('a JSON argument with a space (smithery-ai/mcp-obsidian#20) matches its entry by the line as ps prints it', async () => {
    const { snap } = await replay(smitheryObsidianVaultInICloud());
    assert.deepEqual(
      instancesOf(snap, 'mcp-obsidian', 'claude-desktop').map((i) => [
        i.pid,
        i.client.id,
        i.launcherChain.map((l) => l.pid),
      ]),
      [[6031, 'claude-desktop', [6020]]],
    );
  });
});
