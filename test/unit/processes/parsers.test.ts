import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseEnviron } from '../../../src/core/processes/environ';
import { parseProcPidStat } from '../../../src/core/pids/identity';
import { localPort, parseLsofPids, parseProcNetTcp } from '../../../src/core/processes/listen';
import { splitWindowsCommandLine } from '../../../src/core/launch/shellWords';
import { parseProcCmdline, parseWindowsProcessCsv } from '../../../src/core/pids/table';
import { recordedTable, tablesDir } from './support';

describe('process table parsers (stored OS output)', () => {
  it('splits /proc/<pid>/cmdline on NUL, and a rewritten title (npm exec) on spaces', () => {
    assert.deepEqual(parseProcCmdline('node\0/a b/x.js\0--flag\0'), ['node', '/a b/x.js', '--flag']);
    assert.deepEqual(parseProcCmdline('npm exec @modelcontextprotocol/server-memory\0\0\0'), [
      'npm',
      'exec',
      '@modelcontextprotocol/server-memory',
    ]);
    assert.deepEqual(parseProcCmdline(''), []);
  });

  it('reads state, ppid, start ticks, rss and tty from /proc/<pid>/stat, with parentheses in the name', () => {
    const text = fs.readFileSync(path.join(tablesDir, 'linux-proc-stat.txt'), 'utf8');
    const parsed = parseProcPidStat(text);
    assert.deepEqual(parsed, {
      state: 'S',
      ppid: 3269,
      startTicks: 36548,
      rssPages: 984,
      cpuTicks: 3,
      kernelThread: false,
      tty: true,
    });
    assert.equal(parseProcPidStat('12 (a) b) S 1 12 12 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 500 0 0')?.tty, false);
    assert.equal(parseProcPidStat('77 (node) Z 1 77 77 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 500 0 0')?.state, 'Z');
  });

  it('tells a kernel thread by the flag the kernel sets (PF_KTHREAD), not by its parent', () => {
    for (const file of ['linux-proc-stat-kthreadd.txt', 'linux-proc-stat-kworker.txt'])
      assert.equal(parseProcPidStat(fs.readFileSync(path.join(tablesDir, file), 'utf8'))?.kernelThread, true, file);
    // In a pid namespace, pid 2 may be any process, and its children have ppid 2: flags 0 is no kernel thread.
    assert.equal(
      parseProcPidStat('7 (node) S 2 7 7 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 500 0 0')?.kernelThread,
      false,
    );
    // Every other flag set but that one (flags is an unsigned int, up to 2^32 - 1).
    assert.equal(
      parseProcPidStat(`8 (x) S 1 8 8 0 -1 ${0xffffffff - 0x00200000} 0 0 0 0 0 0 0 0 20 0 1 0 500 0 0`)?.kernelThread,
      false,
    );
  });

  it('parses a macOS ps table: pid, ppid, uid, rss in KiB, cpu time, tty, lstart and the command', () => {
    const rows = recordedTable('macos-ps');
    assert.equal(rows.length, 11);
    const claude = rows.find((r) => r.pid === 500);
    assert.deepEqual(claude, {
      pid: 500,
      ppid: 1,
      uid: 501,
      memoryBytes: 250000 * 1024,
      cpuMs: (45 * 60 + 10.02) * 1000,
      tty: false,
      startTime: Date.parse('Mon Nov 16 09:00:00 2026'),
      argv: ['/Applications/Claude.app/Contents/MacOS/Claude'],
      argvJoined: true,
    });
  });

  it('parses the Windows CIM CSV: quoted command lines, creation time in ms, private bytes, CPU time', () => {
    const rows = recordedTable('windows-cim');
    assert.equal(rows.length, 10);
    const node = rows.find((r) => r.pid === 7003);
    assert.deepEqual(node?.argv, [
      'C:\\Program Files\\nodejs\\node.exe',
      'C:\\Users\\u\\AppData\\Roaming\\npm\\node_modules\\@modelcontextprotocol\\server-memory\\dist\\index.js',
    ]);
    assert.equal(node?.startTime, 1795202000500);
    assert.equal(node?.memoryBytes, 31457280, 'PrivatePageCount: private bytes');
    // KernelModeTime 1562500 + UserModeTime 12031250, in 100 ns units.
    assert.equal(node?.cpuMs, 1359);
    assert.equal(rows.find((r) => r.pid === 4)?.startTime, undefined);
  });

  it('reads a Windows table of the earlier query (working set, no CPU time) with what it gives', () => {
    const rows = parseWindowsProcessCsv(
      '"ProcessId","ParentProcessId","Created","WorkingSetSize","CommandLine","Name"\r\n' +
        '"7003","7002","1795202000500","52000000","node x.js","node.exe"\r\n' +
        '"7004","7002","1795202000600","","","node.exe"\r\n',
    );
    assert.equal(rows[0].memoryBytes, 52000000);
    assert.equal(rows[0].cpuMs, undefined);
    assert.equal(rows[1].memoryBytes, undefined, 'an empty cell is not a figure');
    assert.deepEqual(rows[1].argv, ['node.exe']);
  });

  it('splits Windows command lines: quotes group, backslashes are literal', () => {
    assert.deepEqual(splitWindowsCommandLine('cmd.exe /d /s /c "npx -y pkg"'), [
      'cmd.exe',
      '/d',
      '/s',
      '/c',
      'npx -y pkg',
    ]);
    assert.deepEqual(splitWindowsCommandLine('"C:\\a b\\node.exe"  x.js ""'), ['C:\\a b\\node.exe', 'x.js', '']);
  });

  it('finds listening sockets in /proc/net/tcp, and pids in lsof -Fp output', () => {
    const text = fs.readFileSync(path.join(tablesDir, 'linux-proc-net-tcp.txt'), 'utf8');
    const listening = parseProcNetTcp(text);
    assert.deepEqual(listening.get(3001), ['918273']);
    assert.equal(listening.has(443), false, 'an established connection is not a listener');
    assert.deepEqual(parseLsofPids('p812\nfcwd\np913\n'), [812, 913]);
  });

  it('knows which URLs are local, and which port', () => {
    assert.deepEqual(localPort('http://localhost:3001/mcp'), { port: 3001 });
    assert.deepEqual(localPort('http://127.0.0.1/sse'), { port: 80 });
    assert.deepEqual(localPort('https://[::1]/mcp'), { port: 443 });
    assert.ok('notLocal' in localPort('https://mcp.example.com/mcp'));
  });

  it('parses /proc/<pid>/environ', () => {
    assert.deepEqual(
      [...parseEnviron('A=1\0TOKEN=x=y\0\0')],
      [
        ['A', '1'],
        ['TOKEN', 'x=y'],
      ],
    );
  });
});
