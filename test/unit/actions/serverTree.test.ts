import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ownTreeMark, readServerTree, selectServerTree } from '../../../src/core/actions/serverTree';
import { TREE_MARK_VAR } from '../../../src/core/pids/treeMark';
import { commandHash } from '../../../src/core/pids/identity';
import { parseWindowsProcessCsv, ProcessInfo } from '../../../src/core/pids/table';
import { OWN_UID, testMachine } from '../../support/machines';
import { tablesDir } from '../processes/support';

/** The recorded Linux table of a guard's server with what it started (its description says who is who). */
function linuxTree(): ProcessInfo[] {
  const rows = (
    JSON.parse(fs.readFileSync(path.join(tablesDir, 'linux-server-tree.json'), 'utf8')) as {
      processes: ProcessInfo[];
    }
  ).processes;
  // The capture's user is uid 1000; the test's user stands in for them.
  return rows.map((p) => ({ ...p, uid: p.uid === 1000 ? OWN_UID : p.uid === OWN_UID ? 1000 : p.uid }));
}

const rules = { uid: OWN_UID, selfPid: 5000, ancestors: new Set([1000, 900]) };

describe('a server tree: what a stop of a server signals, chosen from one process table', () => {
  it('takes its descendants (a setsid child and what it started too), parents first, each with its exact identity', () => {
    const table = linuxTree();
    const tree = selectServerTree(table, { pid: 5001 }, rules);
    assert.deepEqual(
      tree.members.map((m) => m.pid),
      [5002, 5003, 5004, 5005, 5006],
    );
    const row = table.find((p) => p.pid === 5004)!;
    assert.deepEqual(tree.members[2], { pid: 5004, startTime: row.startTime, commandHash: commandHash(row.argv) });
  });

  it("leaves alone another user's child and all below it, and one with no start time; never a same-named process elsewhere", () => {
    const tree = selectServerTree(linuxTree(), { pid: 5001 }, rules);
    assert.deepEqual(
      tree.leftAlone.map((l) => [l.pid, l.reason]),
      [
        [5007, 'other-user'],
        [5009, 'no-start-time'],
      ],
    );
    const taken = tree.members.map((m) => m.pid);
    for (const pid of [5008, 5010, 5021, 5020, 5000]) assert.ok(!taken.includes(pid), `pid ${pid} is not the server's`);
  });

  it('never takes this process or one it runs under', () => {
    const tree = selectServerTree(linuxTree(), { pid: 5001 }, { ...rules, selfPid: 5003 });
    assert.deepEqual(
      tree.members.map((m) => m.pid),
      [5002],
    );
    assert.deepEqual(
      tree.leftAlone.find((l) => l.pid === 5003)?.reason,
      'protected',
      'and nothing below it is taken either',
    );
  });

  it('reads the same tree from /proc through the Machine', async () => {
    const table = linuxTree().filter((p) => p.pid !== 5009);
    const machine = testMachine({ host: { home: '/home/u', platform: 'linux', env: {} }, processes: table });
    const tree = await readServerTree(machine, { pid: 5001 }, rules);
    assert.ok(!('unreadable' in tree));
    assert.deepEqual(
      tree.members.map((m) => m.pid),
      [5002, 5003, 5004, 5005, 5006],
    );
  });

  it("takes a process that left the tree (a double fork) by the server's mark, with its own children; never one that started before the server", async () => {
    const mark = { [TREE_MARK_VAR]: 'c0ffee', PATH: '/usr/bin' };
    const table = linuxTree().filter((p) => p.pid !== 5009);
    const machine = testMachine({
      host: { home: '/home/u', platform: 'linux', env: {} },
      processes: table,
      environ: { 5002: mark, 5011: mark, 5013: mark, 5021: { [TREE_MARK_VAR]: 'another' } },
    });
    const tree = await readServerTree(machine, { pid: 5001 }, rules, 'c0ffee');
    assert.ok(!('unreadable' in tree));
    assert.deepEqual(
      tree.members.map((m) => m.pid),
      [5002, 5003, 5004, 5005, 5006, 5011, 5012],
    );
    const unmarked = await readServerTree(machine, { pid: 5001 }, rules);
    assert.ok(!('unreadable' in unmarked) && !unmarked.members.some((m) => m.pid === 5011));
  });

  it("takes only what carries a gone server's mark, started since it started: never the children of a process that now has its pid", async () => {
    const mark = { [TREE_MARK_VAR]: 'c0ffee' };
    // The server 5001 is gone and its pid names another process now, whose children 5002..5006 are not its.
    const table = linuxTree().filter((p) => p.pid !== 5009);
    const machine = testMachine({
      host: { home: '/home/u', platform: 'linux', env: {} },
      processes: table,
      environ: { 5011: mark, 5013: mark },
    });
    const serverStart = table.find((p) => p.pid === 5001)!.startTime;
    const tree = await readServerTree(machine, { startTime: serverStart }, rules, 'c0ffee');
    assert.ok(!('unreadable' in tree));
    assert.deepEqual(
      tree.members.map((m) => m.pid),
      [5011, 5012],
    );
    const unmarked = await readServerTree(machine, { startTime: serverStart }, rules);
    assert.ok(!('unreadable' in unmarked));
    assert.deepEqual(unmarked.members, [], 'without a mark a gone server names nothing');
  });

  it("reads a server's own mark from its environment, never one its parent gave it too", () => {
    const table = linuxTree();
    const environ: Record<number, Map<string, string>> = { 5001: new Map([[TREE_MARK_VAR, 'c0ffee']]) };
    assert.equal(
      ownTreeMark(table, 5001, (pid) => environ[pid]),
      'c0ffee',
    );
    environ[5000] = new Map([[TREE_MARK_VAR, 'c0ffee']]);
    assert.equal(
      ownTreeMark(table, 5001, (pid) => environ[pid]),
      undefined,
    );
    assert.equal(
      ownTreeMark(table, 5002, (pid) => environ[pid]),
      undefined,
      'no mark, none read',
    );
  });

  it('Windows: a "child" created before the process its ParentProcessId names is under a reused pid, and is left alone with its own', () => {
    const table = parseWindowsProcessCsv(fs.readFileSync(path.join(tablesDir, 'windows-cim-server-tree.csv'), 'utf8'));
    const tree = selectServerTree(table, { pid: 7201 }, { uid: undefined, selfPid: 7200, ancestors: new Set([7000]) });
    assert.deepEqual(
      tree.members.map((m) => m.pid),
      [7202, 7203],
    );
    assert.deepEqual(
      tree.leftAlone.map((l) => [l.pid, l.reason]),
      [[7204, 'older-than-parent']],
    );
  });
});
