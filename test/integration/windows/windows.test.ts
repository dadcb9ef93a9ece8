import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Snapshot } from '../../../src/core/base/model';
import { Capture, CAPTURE_FORMAT, replayCapture } from '../../../src/core/capture/capture';
import { windowsCapture } from '../../fixtures/captures/machines';
import { cliPath, fixturesDir } from '../../support/repo';
import { run } from '../../support/run';
import { requireWindowsRuntime, Wine, winPath } from './support/wine';

/**
 * The built CLI and guard under Node for Windows (Wine, a Windows 10 prefix): what only a Windows
 * runtime answers (its path rules, %APPDATA% and %LOCALAPPDATA%, npm's `.cmd` shims, named pipes,
 * lock files under Windows paths). Wine has no PowerShell, so no process table: where a test needs
 * one, it comes from a capture. One wineserver serves the whole file, which is why the suite is
 * one file: a second file in another shard would end this one's wineserver under it.
 */
describe('Windows runtime: the built CLI under Node for Windows (Wine)', function () {
  this.timeout(120_000);
  let wine: Wine | undefined;
  const temps: string[] = [];
  const tempDir = (): string => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'lg-win-'));
    temps.push(d);
    return d;
  };
  const write = (file: string, text: string): void => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  };
  const json = (v: unknown): string => JSON.stringify(v, null, 2);

  before(function () {
    wine = new Wine(requireWindowsRuntime(this));
    wine.start();
  });
  after(() => {
    wine?.stop();
    for (const d of temps) fs.rmSync(d, { recursive: true, force: true });
  });

  it('is Windows as Node sees it: platform win32 on Windows 10', async () => {
    const r = await wine!.node(['-p', "process.platform + ' ' + require('os').release().split('.')[0]"]);
    assert.equal(r.stdout.trim(), 'win32 10', r.stderr);
  });

  describe('status --json on a Windows home (USERPROFILE, APPDATA and LOCALAPPDATA in a temp folder)', () => {
    let snap: Snapshot;
    let stderr: string;
    let home: string;
    before(async () => {
      home = tempDir();
      const roaming = path.join(home, 'AppData', 'Roaming');
      const local = path.join(home, 'AppData', 'Local');
      const npmPrefix = path.join(roaming, 'npm');
      const memoryPkg = path.join(npmPrefix, 'node_modules', '@modelcontextprotocol', 'server-memory');
      write(
        path.join(roaming, 'Claude', 'claude_desktop_config.json'),
        json({ mcpServers: { memory: { command: 'mcp-server-memory' } } }),
      );
      // The Microsoft Store (MSIX) Claude Desktop keeps its config in its package's virtualised AppData.
      write(
        path.join(
          local,
          'Packages',
          'Claude_pzs8sxrjxfjjc',
          'LocalCache',
          'Roaming',
          'Claude',
          'claude_desktop_config.json',
        ),
        json({ mcpServers: { store: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-everything'] } } }),
      );
      write(
        path.join(home, '.cursor', 'mcp.json'),
        json({ mcpServers: { time: { command: 'uvx', args: ['mcp-server-time'] } } }),
      );
      write(
        path.join(roaming, 'Code', 'User', 'mcp.json'),
        json({ servers: { playwright: { type: 'http', url: 'http://127.0.0.1:8931/mcp' } } }),
      );
      // What `npm i -g @modelcontextprotocol/server-memory` leaves in npm's global prefix: the
      // package and its `.cmd` shim (npm's cmd-shim text), the prefix on Path.
      write(
        path.join(memoryPkg, 'package.json'),
        json({
          name: '@modelcontextprotocol/server-memory',
          version: '2026.8.31',
          bin: { 'mcp-server-memory': 'dist/index.js' },
        }),
      );
      write(path.join(memoryPkg, 'dist', 'index.js'), '#!/usr/bin/env node\n');
      write(
        path.join(npmPrefix, 'mcp-server-memory.cmd'),
        '@ECHO off\r\nGOTO start\r\n:find_dp0\r\nSET dp0=%~dp0\r\nEXIT /b\r\n:start\r\nSETLOCAL\r\nCALL :find_dp0\r\n\r\nIF EXIST "%dp0%\\node.exe" (\r\n  SET "_prog=%dp0%\\node.exe"\r\n) ELSE (\r\n  SET "_prog=node"\r\n  SET PATHEXT=%PATHEXT:;.JS;=;%\r\n)\r\n\r\nendLocal & goto #_undefined_# 2>NUL || title %COMSPEC% & "%_prog%"  "%dp0%\\node_modules\\@modelcontextprotocol\\server-memory\\dist\\index.js" %*\r\n',
      );
      const project = path.join(home, 'projects', 'site');
      fs.mkdirSync(project, { recursive: true });
      const r = await wine!.node([winPath(cliPath), 'status', '--json', '--workspace', winPath(project)], {
        winEnv: {
          USERPROFILE: winPath(home),
          APPDATA: winPath(roaming),
          LOCALAPPDATA: winPath(local),
          MCP_LIFEGUARD_HOME: winPath(path.join(home, 'lifeguard')),
          // Wine's own folders, its stand-in powershell.exe among them.
          Path: `${winPath(npmPrefix)};C:\\windows\\system32;C:\\windows;C:\\windows\\system32\\WindowsPowerShell\\v1.0`,
          PATHEXT: '.COM;.EXE;.BAT;.CMD',
        },
      });
      stderr = r.stderr;
      assert.equal(r.code, 0, r.stderr);
      snap = JSON.parse(r.stdout) as Snapshot;
    });

    it("lists each client's servers from where Windows keeps them: %APPDATA%, the MSIX package folder, %USERPROFILE%", () => {
      assert.equal(snap.platform, 'win32');
      const rel = (f: string) => f.slice(winPath(home).length + 1);
      assert.deepEqual(
        snap.servers.map((s) => [s.source.client, s.name, rel(s.source.file ?? '')]).sort(),
        [
          ['claude-desktop', 'memory', 'AppData\\Roaming\\Claude\\claude_desktop_config.json'],
          [
            'claude-desktop',
            'store',
            'AppData\\Local\\Packages\\Claude_pzs8sxrjxfjjc\\LocalCache\\Roaming\\Claude\\claude_desktop_config.json',
          ],
          ['cursor', 'time', '.cursor\\mcp.json'],
          ['vscode', 'playwright', 'AppData\\Roaming\\Code\\User\\mcp.json'],
        ],
        stderr,
      );
    });

    it('reads the `.cmd` shim npm installed on Path to the package it runs', () => {
      const memory = snap.servers.find((s) => s.name === 'memory');
      assert.deepEqual(
        memory?.installed && 'version' in memory.installed
          ? [memory.installed.state, memory.installed.name, memory.installed.version]
          : memory?.installed,
        ['installed', '@modelcontextprotocol/server-memory', '2026.8.31'],
      );
    });

    it('says the process table is unavailable (Wine has no PowerShell), never that nothing runs', () => {
      assert.deepEqual(snap.processes, {
        state: 'unavailable',
        reason: 'the process table could not be read: powershell.exe printed no process table',
      });
    });
  });

  it('replays the Windows capture under Windows Node to the snapshot the same CLI gives from it on Linux', async () => {
    const described = windowsCapture();
    const partial = {
      format: CAPTURE_FORMAT,
      version: 1,
      generator: { name: 'mcp-lifeguard', version: '0.0.0' },
      takenAt: new Date(described.record.clock[0]).toISOString(),
      request: described.request,
      engine: { registry: false, docker: false },
      machine: described.record,
    } as const;
    const file = path.join(tempDir(), 'windows.capture.json');
    const snapshot = await replayCapture({ ...partial, snapshot: {} as Snapshot } as Capture);
    fs.writeFileSync(file, JSON.stringify({ ...partial, snapshot }));
    const onLinux = await run(process.execPath, [cliPath, 'status', '--json', '--replay', file]);
    const onWindows = await wine!.node([winPath(cliPath), 'status', '--json', '--replay', winPath(file)]);
    assert.equal(onWindows.code, 0, onWindows.stderr);
    assert.deepEqual(withoutRunKeys(onWindows.stdout), withoutRunKeys(onLinux));
    // What the two agree on is the capture's machine, not an empty answer.
    const snap = JSON.parse(onLinux) as Snapshot;
    assert.deepEqual(snap.processes, { state: 'ok', count: 12 });
  });

  it('serves one guarded server to two Windows clients over a named pipe, holds its lock and restarts it under them; restarts a guard of its own under its client', async () => {
    const dir = tempDir();
    const args = path.join(dir, 'args.json');
    const out = path.join(dir, 'out.json');
    fs.writeFileSync(
      args,
      JSON.stringify({
        node: winPath(wine!.runtime.nodeExe),
        cli: winPath(cliPath),
        server: winPath(path.join(fixturesDir, 'windows', 'pid-server.cjs')),
        out: winPath(out),
      }),
    );
    const r = await wine!.node([winPath(path.join(fixturesDir, 'windows', 'share-client.cjs')), winPath(args)], {
      winEnv: { MCP_LIFEGUARD_HOME: winPath(path.join(dir, 'lifeguard')) },
      timeoutMs: 100_000,
    });
    assert.equal(r.code, 0, r.stderr);
    const seen = JSON.parse(fs.readFileSync(out, 'utf8')) as ShareClientReport;
    assert.equal(seen.error, undefined);
    // One server for both clients, before and after the restart, each in its one session.
    assert.equal(seen.before.a, seen.before.b);
    assert.equal(seen.after.a, seen.after.b);
    assert.notEqual(seen.after.a, seen.before.a);
    assert.deepEqual(seen.notifications, {
      a: ['notifications/tools/list_changed'],
      b: ['notifications/tools/list_changed'],
    });
    assert.equal(seen.restart.code, 0, seen.restart.stderr);
    // The lock: a live record under %MCP_LIFEGUARD_HOME%\locks, its control endpoint a named pipe, both clients attached.
    const held = seen.locks.json.locks;
    assert.equal(held.length, 1);
    assert.equal(held[0].state, 'live');
    assert.ok(
      held[0].lockPath.startsWith(`${winPath(path.join(dir, 'lifeguard', 'locks'))}\\winpid-`),
      held[0].lockPath,
    );
    assert.match(held[0].record.control, /^\\\\\.\\pipe\\mcp-lifeguard-[0-9a-f]+$/);
    assert.deepEqual(held[0].record.attached.map((c) => c.clientName).sort(), ['client-a', 'client-b']);
    assert.equal(held[0].record.versions.serverInfo.pid, seen.before.a);
    // A launch that does not share is refused while the lock is held, naming the holder.
    assert.equal(seen.refused.code, 1);
    assert.match(
      seen.refused.stderr,
      /winpid is already running under pid \d+ \(lock Z:\\.*\\winpid-[0-9a-f]+\.lock\)/,
    );
    // Both clients left: the share host stopped and released its lock.
    assert.deepEqual(seen.exits, { a: 0, b: 0 });
    assert.deepEqual(
      seen.locksAfter.locks.map((l) => l.state),
      ['free'],
    );
    // A guard of one client's own, restarted through its named pipe: a new server, the same session.
    assert.equal(seen.solo.restart.code, 0, seen.solo.restart.stderr);
    assert.notEqual(seen.solo.after, seen.solo.before);
    assert.equal(typeof seen.solo.after, 'number', JSON.stringify(seen.solo.after));
    assert.deepEqual(seen.solo.notifications, ['notifications/tools/list_changed']);
    assert.equal(seen.solo.exit, 0);
  });
});

/**
 * A snapshot's JSON with its env digests written alike: they are keyed afresh by every process
 * (sources/identity.ts), so two runs never share them, whatever they read.
 */
function withoutRunKeys(json: string): unknown {
  return JSON.parse(json.replace(/(\+env:)[0-9a-f]{16}/g, '$1<digest>'), (key, value: unknown) =>
    key === 'envDigests' && value && typeof value === 'object'
      ? Object.fromEntries(Object.keys(value).map((k) => [k, '<digest>']))
      : value,
  );
}

/** What test/fixtures/windows/share-client.cjs writes. */
interface ShareClientReport {
  error?: string;
  before: { a: number; b: number };
  after: { a: number; b: number };
  notifications: { a: string[]; b: string[] };
  restart: { code: number | string; stdout: string; stderr: string };
  refused: { code: number | string; stderr: string };
  solo: {
    before: number;
    after: number;
    restart: { code: number | string; stderr: string };
    notifications: string[];
    exit: number | null;
  };
  locks: { json: { locks: LockRow[] } };
  locksAfter: { locks: LockRow[] };
  exits: { a: number | null; b: number | null };
}

interface LockRow {
  lockPath: string;
  state: string;
  record: { control: string; attached: Array<{ clientName: string }>; versions: { serverInfo: { pid: number } } };
}
