import * as assert from 'node:assert/strict';
import { OwnerContext } from '../../../src/extension/viewModel/actionPlan';
import {
  entriesEdit,
  runningRewritten,
  runningSiblings,
  siblingOutcome,
  siblingsSettled,
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

  it("Add to Config appends its entry after every other: none moves, so VS Code stops none and none is waited for; a pin's entries are rewritten as a wrap's", () => {
    const claude = server('claude', { instances: [instance(50, { client: CLAUDE })] });
    const added = { files: ['/ws/.vscode/mcp.json'], rewritten: [] };
    assert.deepEqual(runningSiblings([pynotes, long, claude], added, ctx), []);
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

  it("knows which siblings VS Code stopped once the rewritten entry's old instance is gone, at once, the stopped ones only", () => {
    const notes = server('notes', { source: workspaceFile, instances: [instance(21, { client: VSCODE_HERE })] });
    const edit = entriesEdit([pynotes]);
    const siblings = runningSiblings([pynotes, long, notes], edit, ctx);
    const witnesses = runningRewritten(edit, ctx);
    const seen =
      (...running: (typeof pynotes)[]) =>
      (id: string) =>
        running.find((s) => s.id === id);
    // VS Code has not read the file yet: the rewritten entry's instance still runs, the siblings too.
    assert.equal(siblingsSettled(siblings, witnesses, seen(pynotes, long, notes)), undefined);
    // It read it (the rewritten entry restarted: a new pid): notes, below it, stopped; the other left running.
    const restarted = { ...pynotes, instances: [instance(12, { client: VSCODE_HERE })] };
    assert.deepEqual(
      siblingsSettled(siblings, witnesses, seen(restarted, long))?.map((s) => s.server.name),
      ['notes'],
    );
    // Neither sibling stopped: nothing to start again, known without waiting for a stop that does not come.
    assert.deepEqual(siblingsSettled(siblings, witnesses, seen(restarted, long, notes)), []);
  });

  it('without a rewritten entry VS Code ran here, knows only once every sibling stopped', () => {
    const idle = server('pynotes', { source: workspaceFile });
    const edit = entriesEdit([idle]);
    const siblings = runningSiblings([idle, long], edit, ctx);
    assert.deepEqual(runningRewritten(edit, ctx), []);
    assert.equal(
      siblingsSettled(siblings, [], () => long),
      undefined,
    );
    assert.deepEqual(
      siblingsSettled(siblings, [], () => undefined),
      siblings,
    );
    // Two files, one read (its witness gone), one not yet: not known until the other's sibling stops.
    const other = source({
      client: 'vscode',
      scope: 'workspace',
      label: 'VS Code (workspace)',
      file: '/ws2/.vscode/mcp.json',
      workspaceFolder: '/ws2',
    });
    const wide = { ...ctx, workspaceFolders: ['/ws', '/ws2'] };
    const there = server('there', { source: other, instances: [instance(70, { client: VSCODE_HERE })] });
    const w2 = server('w2', { source: other, instances: [instance(71, { client: VSCODE_HERE })] });
    const both = entriesEdit([pynotes, w2]);
    const sibs = runningSiblings([pynotes, long, w2, there], both, wide);
    const wits = runningRewritten(both, wide);
    assert.equal(sibs.length, 2);
    assert.equal(wits.length, 2);
    assert.equal(
      siblingsSettled(sibs, wits, (id) => [long, w2, there].find((s) => s.id === id)),
      undefined,
    );
    assert.deepEqual(
      siblingsSettled(sibs, wits, (id) => [long, there].find((s) => s.id === id)),
      [],
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
