import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Snapshot } from '../../../src/core/base/model';
import type { ProcessInfo } from '../../../src/core/pids/table';
import { killDuplicatesPlan } from '../../../src/core/actions/killDuplicates';
import { takeSnapshot } from '../../../src/core/snapshot/engine';
import { OWN_UID, testMachine } from '../../support/machines';
import { tempDir, write } from '../versions/layouts';

/**
 * Hand-written scripts configured by a relative path (`python3 srv.py`) in several places: a
 * Claude Code user entry (no folder), a Claude Code project entry (its folder the project's key),
 * a Cursor project file (its folder the workspace's), a VS Code workspace entry with its `cwd`.
 * Each folder holds a script of its own: they are other servers, never copies of one.
 */
describe('snapshot: relative scripts of other folders are other servers', () => {
  const START = Date.now() - 3600_000;
  const SERVER = 'import sys\nsys.stdin.read()\n';

  function machineFiles() {
    const root = tempDir('lg-relscripts-');
    const home = path.join(root, 'home');
    const [B, C, E, F] = ['B', 'C', 'E', 'F'].map((d) => path.join(root, d));
    for (const d of [B, C, E, F]) write(path.join(d, 'srv.py'), SERVER);
    // One interpreter on PATH by three names, as a distribution installs it.
    const bin = path.join(root, 'bin');
    const real = write(path.join(bin, 'python3.12'), '#!/bin/false\n');
    fs.chmodSync(real, 0o755);
    fs.symlinkSync('python3.12', path.join(bin, 'python3'));
    fs.symlinkSync('python3.12', path.join(bin, 'python'));
    const entry = { command: 'python3', args: ['srv.py'] };
    write(
      path.join(home, '.claude.json'),
      JSON.stringify({
        mcpServers: { 'cc-user-rel': entry },
        projects: { [B]: { mcpServers: { 'cc-project-rel': entry } } },
      }),
    );
    write(path.join(F, '.cursor', 'mcp.json'), JSON.stringify({ mcpServers: { 'cursor-rel': entry } }));
    write(path.join(E, '.vscode', 'mcp.json'), JSON.stringify({ servers: { 'vscode-rel': { ...entry, cwd: E } } }));
    return { root, home, B, C, E, F, bin, real };
  }

  async function take(
    processes: ProcessInfo[],
    cwd: Record<number, string>,
  ): Promise<{ snap: Snapshot; dirs: ReturnType<typeof machineFiles> }> {
    const dirs = machineFiles();
    const host = {
      home: dirs.home,
      platform: 'linux' as const,
      env: { PATH: dirs.bin, MCP_LIFEGUARD_HOME: path.join(dirs.root, 'lg') },
    };
    const resolved = Object.fromEntries(
      Object.entries(cwd).map(([pid, d]) => [pid, (dirs as Record<string, string>)[d]]),
    );
    const exe = Object.fromEntries(processes.filter((p) => /python/.test(p.argv[0])).map((p) => [p.pid, dirs.real]));
    const snap = await takeSnapshot({
      host,
      machine: testMachine({ host, processes, selfPid: 1, cwd: resolved, exe }),
      engine: { registry: false, docker: false },
      workspaceFolders: [dirs.F, dirs.E],
    });
    return { snap, dirs };
  }

  const own = (p: Omit<ProcessInfo, 'uid'>): ProcessInfo => ({ ...p, uid: OWN_UID });
  // Claude Code in B (its project) and in C (no entry of its own: the user entry runs there), Cursor on F.
  const table: ProcessInfo[] = [
    own({ pid: 100, ppid: 1, argv: ['/home/u/.local/bin/claude'], startTime: START - 9000 }),
    own({ pid: 101, ppid: 100, argv: ['python3', 'srv.py'], startTime: START }),
    own({ pid: 110, ppid: 1, argv: ['/home/u/.local/bin/claude'], startTime: START - 9000 }),
    own({ pid: 111, ppid: 110, argv: ['python3', 'srv.py'], startTime: START + 1000 }),
    own({ pid: 200, ppid: 1, argv: ['/opt/Cursor/cursor'], startTime: START - 9000 }),
    own({ pid: 201, ppid: 200, argv: ['python3', 'srv.py'], startTime: START + 2000 }),
  ];
  const cwd = { 101: 'B', 111: 'C', 201: 'F' };

  const claimed = (snap: Snapshot, pid: number) =>
    snap.servers.filter((s) => s.instances.some((i) => i.pid === pid)).map((s) => s.name);

  it('entries naming no folder of their own, or each another folder, are not one server configured in several places', async () => {
    const { snap } = await take(table, cwd);
    assert.deepEqual(snap.launchGroups, []);
    assert.equal(new Set(snap.servers.map((s) => s.identityKey)).size, snap.servers.length);
  });

  it("each process is listed under the entry whose folder holds its script, the user entry's only as undecided, none a duplicate", async () => {
    const { snap } = await take(table, cwd);
    assert.deepEqual(claimed(snap, 101), ['cc-project-rel']);
    assert.deepEqual(claimed(snap, 201), ['cursor-rel']);
    // C's script: no entry names C; the user entry's relative script may be it, undecided.
    assert.deepEqual(claimed(snap, 111), ['cc-user-rel']);
    const all = snap.servers.flatMap((s) => s.instances);
    const verdicts = (pid: number) => all.find((i) => i.pid === pid)?.verdicts ?? [];
    assert.deepEqual(verdicts(101), []);
    assert.deepEqual(verdicts(201), []);
    assert.ok(
      verdicts(111).some((v) => v.kind === 'unknown' && v.question === 'owner'),
      JSON.stringify(verdicts(111)),
    );
    assert.ok(
      !all.some((i) => i.verdicts.some((v) => v.kind === 'duplicate')),
      JSON.stringify(all.map((i) => i.verdicts)),
    );
    assert.deepEqual(killDuplicatesPlan(snap).items, []);
  });

  it('one client running the user entry in two folders runs two scripts: neither is a copy of the other', async () => {
    const { snap } = await take(
      [...table, own({ pid: 112, ppid: 110, argv: ['python3', 'srv.py'], startTime: START + 3000 })],
      { ...cwd, 112: 'E' },
    );
    const all = snap.servers.flatMap((s) => s.instances);
    assert.ok(
      !all.some((i) => i.verdicts.some((v) => v.kind === 'duplicate')),
      JSON.stringify(all.map((i) => [i.pid, i.verdicts])),
    );
    assert.deepEqual(killDuplicatesPlan(snap).items, []);
  });

  it('the same script in the same folder twice under one client is a copy: undecided whose, never stopped in bulk', async () => {
    const { snap } = await take(
      [...table, own({ pid: 113, ppid: 110, argv: ['python3', 'srv.py'], startTime: START + 3000 })],
      { ...cwd, 113: 'C' },
    );
    const older = snap.servers.flatMap((s) => s.instances).find((i) => i.pid === 111);
    assert.ok(
      older?.verdicts.some((v) => v.kind === 'duplicate'),
      JSON.stringify(older?.verdicts),
    );
    assert.deepEqual(killDuplicatesPlan(snap).items, []);
  });

  it("`python srv.py` run by hand in E, the interpreter `python3` names: the VS Code entry's, never dropped", async () => {
    const { snap } = await take(
      [
        ...table,
        own({ pid: 300, ppid: 1, argv: ['bash'], startTime: START - 9000, tty: true }),
        own({ pid: 301, ppid: 300, argv: ['python', 'srv.py'], startTime: START + 4000, tty: true }),
      ],
      { ...cwd, 301: 'E' },
    );
    assert.deepEqual(claimed(snap, 301), ['vscode-rel']);
  });

  it("a process of an entry's command that no entry is proven to run is listed as not configured", async () => {
    const { snap } = await take(
      [
        ...table,
        own({ pid: 300, ppid: 1, argv: ['bash'], startTime: START - 9000, tty: true }),
        // E's script, run by another interpreter than any entry's (not on PATH).
        own({ pid: 301, ppid: 300, argv: ['/opt/other/python3', 'srv.py'], startTime: START + 4000, tty: true }),
      ],
      { ...cwd, 301: 'E' },
    );
    assert.deepEqual(claimed(snap, 301), []);
    assert.deepEqual(
      snap.notConfigured.map((i) => i.pid),
      [301],
    );
  });
});
