import * as assert from 'node:assert/strict';
import { OwnerContext } from '../../../src/extension/viewModel/actionPlan';
import {
  entriesEdit,
  runningRewritten,
  runningSiblings,
  siblingOutcome,
  stoppedSiblings,
} from '../../../src/extension/viewModel/fileSiblings';
import { CLAUDE, instance, server, source, VSCODE_HERE, VSCODE_OTHER } from './fixtures';

const ctx: OwnerContext = { workspaceFolders: ['/ws'], product: 'vscode', windowPids: [200] };
const workspaceFile = source({
  client: 'vscode',
  scope: 'workspace',
  label: 'VS Code (workspace)',
  file: '/ws/.vscode/mcp.json',
  workspaceFolder: '/ws',
});

describe("extension view-model: an edited file's other servers, which VS Code stops when it reads the file again", () => {
  const pynotes = server('pynotes', { source: workspaceFile, instances: [instance(11, { client: VSCODE_HERE })] });
  const long = server('an-unusually-long-name', {
    source: workspaceFile,
    instances: [instance(31171, { client: VSCODE_HERE })],
  });

  it("names the file's other servers this window ran before the write, with VS Code's id and those instances", () => {
    const elsewhere = server('elsewhere', {
      source: workspaceFile,
      instances: [instance(40, { client: VSCODE_OTHER })],
    });
    const idle = server('idle', { source: workspaceFile });
    const claude = server('claude', { instances: [instance(50, { client: CLAUDE })] });
    const siblings = runningSiblings([pynotes, long, elsewhere, idle, claude], entriesEdit([pynotes]), ctx);
    assert.deepEqual(
      siblings.map((s) => [s.server.name, s.serverId, s.instances.map((i) => i.pid)]),
      [['an-unusually-long-name', 'mcp.config.ws0.an-unusually-long-name', [31171]]],
    );
    // Two entries of the file rewritten together (Share): neither is the other's sibling.
    assert.deepEqual(runningSiblings([pynotes, long], entriesEdit([pynotes, long]), ctx), []);
    // A file VS Code does not run servers from (Claude Desktop's): VS Code reads nothing again.
    assert.deepEqual(runningSiblings([claude, long], entriesEdit([claude]), ctx), []);
  });

  it("Add to Config rewrites no entry: every server of its file that VS Code ran here is a sibling; a pin's entries are rewritten as a wrap's", () => {
    const claude = server('claude', { instances: [instance(50, { client: CLAUDE })] });
    const added = { files: ['/ws/.vscode/mcp.json'], rewritten: [] };
    assert.deepEqual(
      runningSiblings([pynotes, long, claude], added, ctx).map((s) => s.server.name),
      ['pynotes', 'an-unusually-long-name'],
    );
    // Added to Claude Desktop's file: VS Code reads nothing again.
    assert.deepEqual(runningSiblings([pynotes, long, claude], { files: [claude.source.file], rewritten: [] }, ctx), []);
    assert.deepEqual(entriesEdit([pynotes, claude]), {
      files: ['/ws/.vscode/mcp.json', claude.source.file],
      rewritten: [pynotes, claude],
    });
  });

  it("the rewritten entries VS Code ran here are its to start again (a pin's Upgrade); another client's or another window's are not", () => {
    const claude = server('time', { instances: [instance(50, { client: CLAUDE })] });
    const elsewhere = server('elsewhere', {
      source: workspaceFile,
      instances: [instance(40, { client: VSCODE_OTHER })],
    });
    const both = server('both', {
      source: workspaceFile,
      instances: [instance(60, { client: VSCODE_HERE }), instance(61, { client: VSCODE_OTHER })],
    });
    assert.deepEqual(
      runningRewritten(entriesEdit([pynotes, claude, elsewhere, both]), ctx).map((s) => [
        s.server.name,
        s.serverId,
        s.instances.map((i) => i.pid),
      ]),
      [
        ['pynotes', 'mcp.config.ws0.pynotes', [11]],
        ['both', 'mcp.config.ws0.both', [60]],
      ],
    );
    // Add to Config rewrites none.
    assert.deepEqual(runningRewritten({ files: [workspaceFile.file], rewritten: [] }, ctx), []);
  });

  it('a sibling is stopped once none of its instances (pid and start time) runs; one VS Code left running is not', () => {
    const [sibling] = runningSiblings([pynotes, long], entriesEdit([pynotes]), ctx);
    assert.deepEqual(
      stoppedSiblings([sibling], () => long),
      [],
    );
    assert.deepEqual(
      stoppedSiblings([sibling], () => undefined),
      [sibling],
    );
    const samePidLater = instance(31171, { client: VSCODE_HERE, startTime: long.instances[0].startTime! + 1000 });
    assert.deepEqual(
      stoppedSiblings([sibling], () => ({ ...long, instances: [samePidLater] })),
      [sibling],
    );
  });

  it('says VS Code stopped it when it read the file again, and that it runs again or where to start it', () => {
    const [sibling] = runningSiblings([pynotes, long], entriesEdit([pynotes]), ctx);
    assert.equal(
      siblingOutcome(sibling, { started: true, pids: [31250] }),
      'VS Code stopped an-unusually-long-name when it read mcp.json again; it runs again (pid 31171 → 31250).',
    );
    assert.equal(
      siblingOutcome(sibling, { started: false, seen: 'VS Code stopped it; it has not started it again yet' }),
      'VS Code stopped an-unusually-long-name when it read mcp.json again and did not start it again (VS Code stopped it; it has not started it again yet); start it from MCP: List Servers.',
    );
  });
});
