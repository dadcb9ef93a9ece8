import * as assert from 'node:assert/strict';
import type { Instance, Snapshot } from '../../../../src/core/base/model';
import { recordedMachine } from '../../../../src/core/machine/recorded';
import { Engine } from '../../../../src/core/snapshot/engine';
import type { RealCapture } from '../../../support/realMachines';
import {
  claudeDesktopCodeSessions,
  claudeDesktopSpawnsClaudeCmd,
  claudeDesktopTwins,
  cursorNpmGlobalBin,
  npmGlobalShim,
  vscodeClaudeExtension,
  windowsInstallCaptures,
} from '../../../fixtures/captures/real/windowsInstalls';

/** The snapshot a rebuilt machine gives, through the engine a replay uses. */
function replay(c: RealCapture): Promise<Snapshot> {
  return new Engine(recordedMachine(c.record), { registry: false, docker: false }).snapshot(c.request);
}

const instancesOf = (s: Snapshot, name: string, client: string): Instance[] =>
  s.servers.find((x) => x.name === name && x.source.client === client)?.instances ?? [];

/** Who runs each instance, as a user reads it: its pid, its client and that client's pid. */
const owners = (instances: readonly Instance[]) => instances.map((i) => [i.pid, i.client.id, i.client.pid]);

/** An instance whose entry could not be proven is never acted on: none of these should be. */
const undecided = (i: Instance) => i.verdicts.some((v) => v.kind === 'unknown' && v.question === 'owner');

describe('real Windows machines: clients and installs as users run them', () => {
  it('each capture cites its source, says what its user reported and what was filled', () => {
    const all = windowsInstallCaptures();
    assert.ok(all.length >= 5);
    for (const c of all) {
      assert.match(c.source, /^https:\/\/github\.com\/[\w.-]+\/[\w.-]+\/issues\/\d+$/, c.name);
      assert.ok(c.reported.length > 40 && c.filled.length > 40, c.name);
      assert.equal(c.platform, 'win32');
    }
  });

  it("anthropics/claude-code#90596: the twins under Claude Desktop's MSIX package are its duplicate, one kept", async () => {
    const c = claudeDesktopTwins();
    const snap = await replay(c);
    const twins = instancesOf(snap, 'thunderbird', 'claude-desktop');
    assert.deepEqual(owners(twins), [
      [5392, 'claude-desktop', c.app],
      [20668, 'claude-desktop', c.app],
    ]);
    assert.deepEqual(twins.filter(undecided), []);
    const dup = twins.flatMap((i) => i.verdicts).find((v) => v.kind === 'duplicate');
    assert.ok(dup?.kind === 'duplicate', JSON.stringify(twins.map((i) => i.verdicts)));
    assert.deepEqual(
      [dup.client.id, dup.instances.map((i) => i.pid).sort((a, b) => a - b), dup.keep.pid],
      ['claude-desktop', c.twins, 20668],
    );
  });

  it("anthropics/claude-code#89599: Claude Desktop's own server is Claude Desktop's; its Code session's is Claude Code's, hosted by the app and named so", async () => {
    const c = claudeDesktopCodeSessions();
    const snap = await replay(c);
    const desktop = instancesOf(snap, 'filesystem', 'claude-desktop');
    assert.deepEqual(owners(desktop), [[c.desktopServer, 'claude-desktop', 13100]]);
    const session = instancesOf(snap, 'azure-devops', 'claude-code');
    assert.deepEqual(owners(session), [[c.sessionServer, 'claude-code', 13100]]);
    assert.deepEqual(
      [session[0].client.agentHost?.sessionPid, session[0].client.agentHost?.name],
      [15100, 'Claude Desktop'],
      'the bundled claude.exe is the session, the app its host',
    );
    for (const i of [...desktop, ...session])
      assert.deepEqual(i.verdicts, [], `${i.pid}: no duplicate, orphan or doubt`);
  });

  it("anthropics/claude-code#44039: what Claude Desktop runs through cmd.exe is its own; npm's claude.cmd is Claude Code, and its servers are Claude Code's", async () => {
    const c = claudeDesktopSpawnsClaudeCmd();
    const snap = await replay(c);
    assert.deepEqual(owners(instancesOf(snap, 'sequential-thinking', 'claude-code')), [
      [c.codeServer, 'claude-code', c.cli],
    ]);
    // Its built-in Chroma server is in no config read here: not configured, under Claude Desktop.
    assert.deepEqual(owners(snap.notConfigured.filter((i) => i.pid === c.chroma)), [
      [c.chroma, 'claude-desktop', 8800],
    ]);
  });

  it("microsoft/vscode#319910: the server of Claude Code's extension binary is a Claude Code session's under VS Code's extension host", async () => {
    const c = vscodeClaudeExtension();
    const snap = await replay(c);
    const playwright = instancesOf(snap, 'playwright', 'claude-code');
    assert.deepEqual(owners(playwright), [[c.server, 'claude-code', c.extensionHost]]);
    assert.equal(playwright[0].client.agentHost?.sessionPid, c.session);
    assert.deepEqual(playwright.filter(undecided), []);
  });

  it("anaisbetts/mcp-installer#9: `cmd /c ...\\npm\\mcp-installer.cmd` is its entry's process, the shim named on both sides", async () => {
    const c = npmGlobalShim();
    const snap = await replay(c);
    const installer = instancesOf(snap, 'mcp-installer', 'cline');
    assert.deepEqual(owners(installer), [[c.server, 'vscode', 4520]]);
    assert.deepEqual(installer.filter(undecided), []);
    assert.deepEqual(snap.notConfigured, []);
  });

  it("modelcontextprotocol/servers#726: a bin `npm i -g` put on PATH is its entry's server, and the installed side is its package", async () => {
    const c = cursorNpmGlobalBin();
    const snap = await replay(c);
    const server = snap.servers.find((s) => s.name === 'sequential-thinking' && s.source.client === 'cursor');
    assert.deepEqual(owners(server?.instances ?? []), [[c.server, 'cursor', 7340]]);
    assert.deepEqual((server?.instances ?? []).filter(undecided), []);
    assert.deepEqual(snap.notConfigured, [], 'never "Not configured"');
    const installed = server?.installed;
    assert.deepEqual(
      installed?.state === 'installed' ? [installed.ecosystem, installed.name, installed.version] : installed,
      ['npm', '@modelcontextprotocol/server-sequential-thinking', '0.6.2'],
    );
  });
});
