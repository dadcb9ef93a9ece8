import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import type { LockRecord, RecordedServerInfo } from '../../../src/core/locks/types';
import type { HostEnv } from '../../../src/core/base/hostEnv';
import type { ProcessInfo } from '../../../src/core/pids/table';
import { takeSnapshot } from '../../../src/core/snapshot/engine';
import { OWN_UID, testMachine, writeLockRecords } from '../../support/machines';
import { npmPackage, tempDir, write } from './layouts';

/**
 * The snapshot's version step on a recorded process table: which evidence reaches the verdict,
 * with everything else (files, first-seen store) real.
 */
describe('versions: in the snapshot', () => {
  const START = Date.now() - 3600_000;
  /** Judged as a later snapshot would, once the files just written have settled. */
  const settled = () => new Date(Date.now() + 60_000);

  function setup() {
    const home = tempDir();
    const pkg = npmPackage(path.join(home, 'app', 'node_modules'), 'srv', '2.0.0');
    const script = path.join(pkg, 'dist', 'index.js');
    const project = path.join(home, 'project');
    write(
      path.join(project, '.mcp.json'),
      JSON.stringify({ mcpServers: { srv: { command: process.execPath, args: [script] } } }),
    );
    const host = {
      home,
      platform: process.platform,
      env: { PATH: path.dirname(process.execPath), MCP_LIFEGUARD_HOME: path.join(home, 'lg') },
    };
    const processes: ProcessInfo[] = [
      { pid: 4242, ppid: 4000, argv: [process.execPath, script], startTime: START, uid: OWN_UID },
      { pid: 4000, ppid: 1, argv: ['/usr/bin/code'], startTime: START - 1000, uid: OWN_UID },
    ];
    return { home, pkg, project, host, processes };
  }

  /**
   * One snapshot of the project on a machine whose process table is `processes`, its live lock
   * records `locks`, each process's maps `maps`, and its clock `now`.
   */
  async function take(o: {
    host: HostEnv;
    project: string;
    processes: ProcessInfo[];
    locks?: LockRecord[];
    maps?: string;
    now?: () => Date;
    firstSeenFile?: string;
  }) {
    await writeLockRecords(o.host, o.locks ?? []);
    return takeSnapshot({
      host: o.host,
      machine: testMachine({
        host: o.host,
        processes: o.processes,
        selfPid: 1,
        maps: Object.fromEntries(o.processes.map((p) => [p.pid, o.maps])),
        ...(o.now ? { now: () => o.now!().getTime() } : {}),
      }),
      engine: { registry: false, docker: false, ...(o.firstSeenFile ? { firstSeenFile: o.firstSeenFile } : {}) },
      workspaceFolders: [o.project],
    });
  }

  const record = (over: Partial<LockRecord>): LockRecord => ({
    protocol: 1,
    pid: 4242,
    startTime: START,
    serverName: 'srv',
    resourceKey: 'k',
    command: [],
    cwd: '/',
    startedAt: new Date(START).toISOString(),
    ...over,
  });

  it('takes the running version from the lock record written at start', async () => {
    const { host, project, processes } = setup();
    const snap = await take({
      host,
      project,
      processes,
      now: settled,
      locks: [record({ versions: { package: { name: 'srv', version: '1.0.0', ecosystem: 'npm' } } })],
    });
    const server = snap.servers.find((s) => s.name === 'srv')!;
    assert.equal(server.installed?.state === 'installed' && server.installed.version, '2.0.0');
    const v = server.instances[0]?.versions;
    assert.equal(v?.verdict.state, 'stale', JSON.stringify(v));
    assert.equal(v?.verdict.state === 'stale' && v.verdict.runningLearnedFrom, 'lock-record');
    assert.equal(v?.verdict.state === 'stale' && `${v.verdict.running} -> ${v.verdict.installed}`, '1.0.0 -> 2.0.0');
  });

  it('ignores a lock record of another process (same pid, another start time)', async () => {
    const { host, project, processes } = setup();
    const snap = await take({
      host,
      project,
      processes,
      now: settled,
      locks: [
        record({
          startTime: START - 86_400_000,
          versions: { package: { name: 'srv', version: '1.0.0', ecosystem: 'npm' } },
        }),
      ],
    });
    const v = snap.servers.find((s) => s.name === 'srv')!.instances[0]?.versions;
    // The package was written after this (recorded) process started, and nothing says what it loaded.
    assert.equal(v?.verdict.state, 'changed', JSON.stringify(v));
    assert.ok(
      v?.verdict.state === 'changed' &&
        v.verdict.changedFiles.some((f) => f.path.endsWith(path.join('srv', 'package.json'))),
      JSON.stringify(v?.verdict),
    );
  });

  describe("a guarded child's serverInfo, from its guard's lock record", () => {
    /** The guard (4100) runs the server (4242): the record is the guard's, its serverInfo names the child that said it. */
    function guarded() {
      const base = setup();
      const guardArgv = [
        process.execPath,
        '/x/bin/mcp-lifeguard.js',
        'run',
        '--',
        process.execPath,
        path.join(base.pkg, 'dist', 'index.js'),
      ];
      // The entry as wrapping writes it: the guard, then the server's own launch.
      write(
        path.join(base.project, '.mcp.json'),
        JSON.stringify({ mcpServers: { srv: { command: guardArgv[0], args: guardArgv.slice(1) } } }),
      );
      const [child, code] = base.processes;
      const guard = { pid: 4100, ppid: code.pid, argv: guardArgv, startTime: START - 500, uid: OWN_UID };
      return { ...base, processes: [{ ...child, ppid: guard.pid }, guard, code] };
    }
    const stated = (over: Partial<RecordedServerInfo> = {}): LockRecord =>
      record({
        pid: 4100,
        startTime: START - 500,
        child: { pid: 4242, startTime: START },
        versions: {
          serverInfo: { name: 'srv', version: '1.0.0', era: 'modern', how: 'result _meta', pid: 4242, ...over },
        },
      });
    const versionsWith = async (lock: LockRecord) => {
      const { host, project, processes } = guarded();
      const snap = await take({ host, project, processes, now: settled, locks: [lock] });
      const instance = snap.servers.find((s) => s.name === 'srv')!.instances[0];
      assert.deepEqual(
        instance?.launcherChain.map((s) => s.pid),
        [4100],
        'the guard is the launcher',
      );
      return instance.versions;
    };

    it('is evidence when it names this child, and a trusted one gives the running version', async () => {
      const v = await versionsWith(stated());
      assert.deepEqual(v?.serverInfo, {
        name: 'srv',
        version: '1.0.0',
        era: 'modern',
        how: "a result's _meta, relayed by the guard (its lock record)",
      });
      assert.equal(
        v?.verdict.state === 'stale' &&
          `${v.verdict.running} -> ${v.verdict.installed} (${v.verdict.runningLearnedFrom})`,
        '1.0.0 -> 2.0.0 (server-info)',
        JSON.stringify(v),
      );
      assert.match(v?.running.state === 'known' ? v.running.how : '', /lock record/);
    });

    it('a legacy initialize answer counts the same way, era legacy', async () => {
      const v = await versionsWith(stated({ era: 'legacy', how: 'initialize', version: '2.0.0' }));
      assert.deepEqual(v?.serverInfo, {
        name: 'srv',
        version: '2.0.0',
        era: 'legacy',
        how: 'the initialize answer, relayed by the guard (its lock record)',
      });
      assert.equal(v?.verdict.state, 'current', JSON.stringify(v));
    });

    it("is ignored when it is another process's (an earlier child)", async () => {
      const v = await versionsWith(stated({ pid: 4243 }));
      assert.equal(v?.serverInfo, undefined);
      // Nothing says what it loaded, and the package was written after it started.
      assert.equal(v?.verdict.state, 'changed', JSON.stringify(v));
    });

    it('an untrusted statement (another name, a version unlike the disk) is shown but never the running version', async () => {
      const v = await versionsWith(stated({ name: 'some-framework', version: '0.0.1' }));
      assert.equal(v?.serverInfo?.version, '0.0.1');
      assert.notEqual(v?.running.state === 'known' && v.running.source, 'server-info');
      assert.equal(v?.verdict.state, 'changed', JSON.stringify(v));
    });
  });

  it('a deleted mapping inside the package tree proves replaced code; one outside it says nothing', async () => {
    const { host, project, processes, home } = setup();
    const inside = `7f00-7f10 r-xp 00000000 08:01 99 ${path.join(home, 'app', 'node_modules', 'srv', 'build', 'addon.node')} (deleted)\n`;
    const outside = '7f00-7f10 r-xp 00000000 08:01 99 /usr/lib/libssl.so.3 (deleted)\n';
    const takeWith = (maps: string) =>
      take({ host, project, processes, now: settled, maps, firstSeenFile: path.join(tempDir(), 'fs.json') });
    const a = (await takeWith(inside)).servers.find((s) => s.name === 'srv')!.instances[0]?.versions;
    assert.equal(a?.verdict.state, 'stale', JSON.stringify(a));
    assert.equal(a?.verdict.state === 'stale' && a.verdict.replacedFiles.length, 1);
    const b = (await takeWith(outside)).servers.find((s) => s.name === 'srv')!.instances[0]?.versions;
    // Outside the package it proves nothing: the package's own files changed after the start decide.
    assert.equal(b?.verdict.state, 'changed');
    assert.deepEqual(b?.verdict.state === 'changed' && b.verdict.identicalFiles, []);
  });

  it('records a first sighting only when the files predate the process, and reads it back in a later run', async () => {
    const { host, project, home } = setup();
    // A process that started after the package was installed (its start time is later than the files').
    const startedLater = Date.now() + 5000;
    const late: ProcessInfo[] = [
      {
        pid: 5151,
        ppid: 1,
        argv: [process.execPath, path.join(home, 'app', 'node_modules', 'srv', 'dist', 'index.js')],
        startTime: startedLater,
        uid: OWN_UID,
      },
    ];
    const first = await take({ host, project, processes: late });
    assert.equal(first.servers[0].instances[0]?.versions?.verdict.state, 'current');
    npmPackage(path.join(home, 'app', 'node_modules'), 'srv', '2.1.0');
    const second = await take({ host, project, processes: late });
    const v = second.servers[0].instances[0]?.versions;
    assert.equal(
      v?.verdict.state === 'stale' &&
        `${v.verdict.running} -> ${v.verdict.installed} (${v.verdict.runningLearnedFrom})`,
      '2.0.0 -> 2.1.0 (first-seen)',
    );
  });
});
