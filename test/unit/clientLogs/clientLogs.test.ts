import { liveMachine, currentHostEnv } from '../../../src/core/machine/live';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { HostEnv } from '../../../src/core/base/hostEnv';
import { REDACTED } from '../../../src/core/base/redact';
import { clientServerLog, ClientLogRefused, liveClientLogDeps, locateClientLog } from '../../../src/core/clientLogs';
import type { ClientLogDeps, ClientLogQuery } from '../../../src/core/clientLogs';
import {
  claudeCodeCacheDir,
  claudeCodeFolderName,
  claudeCodeLogTime,
  claudeDesktopLogDirs,
  claudeDesktopLogName,
  clientLogFormat,
  copilotLogDir,
  copilotLogOf,
} from '../../../src/core/clientLogs/locations';
import { openClientLog } from '../../../src/core/machine/clientLogFile';
import { copilotLineIsAbout, renderClaudeCodeLine, renderClientLog } from '../../../src/core/clientLogs/render';
import { repoRoot } from '../../support/repo';
import { makeTempDir } from '../../support/temp';

const FIXTURES = path.join(repoRoot, 'test', 'fixtures', 'client-logs');
const CLAUDE_CODE_LOG = fs.readFileSync(path.join(FIXTURES, 'claude-code-2.1.328.jsonl'), 'utf8');
const COPILOT_LOG = fs.readFileSync(path.join(FIXTURES, 'copilot-cli-1.0.102-debug.log'), 'utf8');
/** What the stored logs' server was given in its entry's env, and the session Claude Code ran it in. */
const DATA = '/tmp/lgexp/cc2/secretdata.json';
const SESSION = '4183dd74-6046-482e-8924-a7b2b2574f19';

const linux = (home: string, env: Record<string, string> = {}): HostEnv => ({ home, platform: 'linux', env });

describe("clientLogs: where each client keeps its servers' logs (paths from the injected host)", () => {
  it("Claude Code's cache folder, as its env-paths derives it on each system", () => {
    assert.equal(claudeCodeCacheDir(linux('/home/u')), '/home/u/.cache/claude-cli-nodejs');
    assert.equal(claudeCodeCacheDir(linux('/home/u', { XDG_CACHE_HOME: '/x/cache' })), '/x/cache/claude-cli-nodejs');
    assert.equal(
      claudeCodeCacheDir({ home: '/Users/u', platform: 'darwin', env: {} }),
      '/Users/u/Library/Caches/claude-cli-nodejs',
    );
    assert.equal(
      claudeCodeCacheDir({
        home: 'C:\\Users\\u',
        platform: 'win32',
        env: { LOCALAPPDATA: 'C:\\Users\\u\\AppData\\Local' },
      }),
      'C:\\Users\\u\\AppData\\Local\\claude-cli-nodejs\\Cache',
    );
  });

  it("Claude Code's folder names: every character but ASCII letters and digits a dash; past 200 a prefix", () => {
    assert.deepEqual(claudeCodeFolderName('/tmp/lgexp/cc2/proj'), { exact: '-tmp-lgexp-cc2-proj' });
    assert.deepEqual(claudeCodeFolderName('mem.é_x'), { exact: 'mem---x' });
    const long = claudeCodeFolderName('a'.repeat(250));
    assert.deepEqual(long, { prefix: `${'a'.repeat(200)}-` });
    assert.equal(claudeCodeLogTime('2026-11-25T03-15-01-312Z.jsonl'), Date.parse('2026-11-25T03:15:01.312Z'));
    for (const bad of ['2026-11-25T03-15-01-312Z.json', 'x.jsonl', '2026-11-25T03:15:01.312Z.jsonl'])
      assert.equal(claudeCodeLogTime(bad), undefined, bad);
  });

  it("Claude Desktop's logs folder per system (public sources), and only plain names", () => {
    assert.deepEqual(claudeDesktopLogDirs({ home: '/Users/u', platform: 'darwin', env: {} }), [
      '/Users/u/Library/Logs/Claude',
    ]);
    assert.deepEqual(
      claudeDesktopLogDirs({
        home: 'C:\\Users\\u',
        platform: 'win32',
        env: { APPDATA: 'C:\\Users\\u\\AppData\\Roaming', LOCALAPPDATA: 'C:\\Users\\u\\AppData\\Local' },
      }),
      [
        'C:\\Users\\u\\AppData\\Roaming\\Claude\\logs',
        'C:\\Users\\u\\AppData\\Local\\Claude\\Logs',
        'C:\\Users\\u\\AppData\\Local\\Packages\\Claude_pzs8sxrjxfjjc\\LocalCache\\Roaming\\Claude\\logs',
      ],
    );
    assert.deepEqual(claudeDesktopLogDirs(linux('/home/u')), ['/home/u/.config/Claude/logs']);
    assert.equal(claudeDesktopLogName('Filesystem'), 'mcp-server-Filesystem.log');
    for (const bad of ['', '..', 'a/b', 'a\\b', 'c:x', 'x\ny']) assert.equal(claudeDesktopLogName(bad), undefined, bad);
  });

  it("Copilot CLI's logs folder ($COPILOT_HOME) and its process logs' names", () => {
    assert.equal(copilotLogDir(linux('/home/u')), '/home/u/.copilot/logs');
    assert.equal(copilotLogDir(linux('/home/u', { COPILOT_HOME: '/c' })), '/c/logs');
    assert.deepEqual(copilotLogOf('process-1795576712232-17524.log'), { startMs: 1795576712232, pid: 17524 });
    assert.deepEqual(copilotLogOf('process-1795576712232-17524.2.log'), {
      startMs: 1795576712232,
      pid: 17524,
      part: 2,
    });
    assert.equal(copilotLogOf('process-1795576712232-unknown.log'), undefined);
  });

  it('which clients keep a log of each server: Claude Code, Claude Desktop (not its extensions), Copilot CLI', () => {
    assert.equal(clientLogFormat('claude-code'), 'claude-code');
    assert.equal(clientLogFormat('claude-desktop'), 'claude-desktop');
    assert.equal(clientLogFormat('claude-desktop', true), undefined);
    assert.equal(clientLogFormat('copilot-cli'), 'copilot-cli');
    for (const none of ['codex', 'gemini-cli', 'cursor', 'vscode', 'terminal', 'unknown'])
      assert.equal(clientLogFormat(none), undefined, none);
  });
});

describe("clientLogs: the clients' own log lines, read for people (stored real text)", () => {
  it("Claude Code 2.1.328's MCP log: each entry as time, level and message; the server's stderr on its own lines", () => {
    const shown = renderClientLog('claude-code', CLAUDE_CODE_LOG.trimEnd().split('\n'));
    assert.deepEqual(shown.slice(0, 4), [
      '2026-11-25T03:15:01.312Z [debug] Starting connection with timeout of 30000ms',
      `2026-11-25T03:15:01.799Z [error] Server stderr: LOGMARKER-cc2 early data=${DATA}`,
      'Knowledge Graph MCP Server running on stdio',
      '2026-11-25T03:15:01.799Z [debug] Successfully connected (transport: stdio) in 495ms',
    ]);
    assert.ok(!shown.some((l) => l.includes('later')), 'Claude Code logs no stderr after the handshake');
    assert.deepEqual(renderClaudeCodeLine('{"partial'), ['{"partial']);
    assert.deepEqual(renderClaudeCodeLine('[1,2]'), ['[1,2]']);
  });

  it("Copilot CLI 1.0.102's process log: only the lines naming the server, its stderr as text", () => {
    const about = COPILOT_LOG.split('\n').filter((l) => copilotLineIsAbout(l, 'm2'));
    const shown = renderClientLog('copilot-cli', about);
    assert.equal(
      shown[0],
      '2026-11-25T03:18:32.438Z [DEBUG] [rust:mcp_engine::agent_host] MCP tool snapshot cache hit {"server":"m2"}',
    );
    assert.equal(shown[1], `2026-11-25T03:18:32.538Z [stderr] LOGMARKER-cp1 early data=/tmp/lgexp/cp/secretdata.json`);
    assert.ok(shown.includes('2026-11-25T03:18:34.541Z [stderr] LOGMARKER-cp1 later 1'));
    assert.ok(!COPILOT_LOG.split('\n').some((l) => copilotLineIsAbout(l, 'm')), 'a name is matched whole');
  });
});

/** A fixture home laid out as each real client lays it out (docs/clients.md). */
function claudeCodeHome() {
  const home = makeTempDir('lg-client-logs-');
  const root = path.join(home, '.cache', 'claude-cli-nodejs');
  const file = (project: string, server: string, name: string, text: string) => {
    const dir = path.join(root, project, `mcp-logs-${server}`);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
    return path.join(dir, name);
  };
  const session = (id: string) => CLAUDE_CODE_LOG.split(SESSION).join(id);
  // The session's own log, an older and a later session's of the same server, another project's and another server's.
  const own = file('-tmp-lgexp-cc2-proj', 'm2', '2026-11-25T03-15-01-312Z.jsonl', CLAUDE_CODE_LOG);
  const older = file('-tmp-lgexp-cc2-proj', 'm2', '2026-11-25T02-00-00-000Z.jsonl', session('older-session'));
  file('-tmp-lgexp-cc2-proj', 'm2', '2026-11-25T04-00-00-000Z.jsonl', session('later-session'));
  const elsewhere = file('-srv-other', 'm2', '2026-11-25T03-14-58-000Z.jsonl', session('other-project-session'));
  file('-tmp-lgexp-cc2-proj', 'm3', '2026-11-25T03-15-01-312Z.jsonl', CLAUDE_CODE_LOG);
  return { home, root, own, older, elsewhere };
}

const STARTED = Date.parse('2026-11-25T03:15:01.500Z');
const query = (o: Partial<ClientLogQuery> = {}): ClientLogQuery => ({
  serverName: 'm2',
  client: 'claude-code',
  pid: 4242,
  startTime: STARTED,
  clientPid: 4200,
  ...o,
});
/** The live lookup on the fixture home, with the process facts (environment, client start) given. */
function deps(env?: Record<string, string>, clientStart?: number): ClientLogDeps {
  return {
    ...liveClientLogDeps(liveMachine({ ...currentHostEnv(), platform: 'linux' })),
    environ: () => (env ? new Map(Object.entries(env)) : undefined),
    startTime: async () => clientStart,
  };
}

describe('clientLogs: which file is the instance’s own (a fixture home in the real layout)', () => {
  it("Claude Code: the log holding the instance's session (CLAUDE_CODE_SESSION_ID), of any project folder", async () => {
    const h = claudeCodeHome();
    const found = await locateClientLog(query(), linux(h.home), deps({ CLAUDE_CODE_SESSION_ID: SESSION }));
    assert.deepEqual(found, {
      found: true,
      format: 'claude-code',
      clientName: 'Claude Code',
      root: h.root,
      file: h.own,
      matchedBy: `its session ${SESSION} (CLAUDE_CODE_SESSION_ID)`,
    });
    const other = await locateClientLog(
      query(),
      linux(h.home),
      deps({ CLAUDE_CODE_SESSION_ID: 'other-project-session' }),
    );
    assert.equal(other.found && other.file, h.elsewhere);
    const none = await locateClientLog(query(), linux(h.home), deps({ CLAUDE_CODE_SESSION_ID: 'later-session' }));
    assert.equal(none.found, false, 'a session that began after the instance is never its own');
  });

  it('Claude Code without the session: the one log begun between its client and it, else nothing', async () => {
    const h = claudeCodeHome();
    const clientStart = Date.parse('2026-11-25T03:15:01.100Z');
    const found = await locateClientLog(query(), linux(h.home), deps(undefined, clientStart));
    assert.equal(found.found && found.file, h.own);
    // A client started earlier: another project's session began in between too: which is its own cannot be told.
    const two = await locateClientLog(query(), linux(h.home), deps(undefined, Date.parse('2026-11-25T03:14:00Z')));
    assert.equal(two.found, false);
    assert.match(!two.found ? two.reason : '', /2 of Claude Code's logs .* cannot be told/);
    const unknown = await locateClientLog(query(), linux(h.home), deps());
    assert.equal(unknown.found, false, 'no session, no client start: no guess');
    const before = await locateClientLog(
      query({ startTime: Date.parse('2026-11-25T01:00:00Z') }),
      linux(h.home),
      deps(undefined, 0),
    );
    assert.match(!before.found ? before.reason : '', /no log of m2 begun before pid 4242 started/);
  });

  it('Claude Desktop: mcp-server-NAME.log in its logs folder, the most recently written of its folders', async () => {
    const home = makeTempDir('lg-client-logs-');
    const mac = { home, platform: 'darwin' as const, env: {} };
    const dir = path.join(home, 'Library', 'Logs', 'Claude');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(
      path.join(dir, 'mcp-server-kb.log'),
      '2026-11-25T03:00:00.000Z [kb] [info] Initializing server...\n',
    );
    fs.writeFileSync(path.join(dir, 'mcp.log'), 'all servers\n');
    const q = query({ client: 'claude-desktop', serverName: 'kb' });
    const found = await locateClientLog(q, mac, deps());
    assert.equal(found.found && found.file, path.join(dir, 'mcp-server-kb.log'));
    assert.equal((await locateClientLog({ ...q, extension: true }, mac, deps())).found, false);
    assert.equal((await locateClientLog({ ...q, serverName: '../kb' }, mac, deps())).found, false);
    // On Windows, of its folders (%APPDATA%, %LOCALAPPDATA%, the Store install's), the file most recently written.
    const win = { home: 'C:\\Users\\u', platform: 'win32' as const, env: {} };
    const stale = 'C:\\Users\\u\\AppData\\Roaming\\Claude\\logs\\mcp-server-kb.log';
    const live = 'C:\\Users\\u\\AppData\\Local\\Claude\\Logs\\mcp-server-kb.log';
    const times: Record<string, number> = { [stale]: 1_000, [live]: 2_000 };
    const onWindows = await locateClientLog(q, win, { ...deps(), mtime: (f) => times[f] });
    assert.deepEqual(onWindows.found && [onWindows.root, onWindows.file], [
      'C:\\Users\\u\\AppData\\Local\\Claude\\Logs',
      live,
    ]);
  });

  it("Copilot CLI: its client's process log, by pid, begun before the instance", async () => {
    const home = makeTempDir('lg-client-logs-');
    const logs = path.join(home, '.copilot', 'logs');
    fs.mkdirSync(logs, { recursive: true });
    for (const name of [
      'process-1795576712232-17524.log',
      'process-1795576712232-17524.1.log',
      'process-1795576712000-999.log',
      'process-1795576999999-17524.log',
    ])
      fs.writeFileSync(path.join(logs, name), COPILOT_LOG);
    const q = query({ client: 'copilot-cli', clientPid: 17524, startTime: Date.parse('2026-11-25T03:18:32.500Z') });
    const found = await locateClientLog(q, linux(home), deps(undefined, 1795576712000));
    assert.deepEqual(found.found && [found.file, found.linesOf], [
      path.join(logs, 'process-1795576712232-17524.log'),
      'm2',
    ]);
  });

  it('Codex and Gemini CLI keep none: nothing is offered, and the reason says so', async () => {
    for (const client of ['codex', 'gemini-cli', 'cursor']) {
      const r = await locateClientLog(query({ client }), linux('/nonexistent'), deps());
      assert.equal(r.found, false);
      assert.match(!r.found ? r.reason : '', /keeps no log|knows of no log/);
    }
  });
});

describe("clientLogs: the end of a client's log, shown masked, never another file", function () {
  before(function () {
    if (process.platform === 'win32') this.skip(); // links and owners as an attacker uses them
  });

  it("the instance's Claude Code log read from its end, the entry's env value masked", async () => {
    const h = claudeCodeHome();
    fs.appendFileSync(
      h.own,
      `${JSON.stringify({ error: `Server stderr: wrote ${DATA}\n`, timestamp: '2026-11-25T03:20:00.000Z', sessionId: SESSION })}\n`,
    );
    const env = { CLAUDE_CODE_SESSION_ID: SESSION, MEMORY_FILE_PATH: DATA };
    const r = await clientServerLog(query(), linux(h.home), {
      lines: 4,
      maxBytes: 1 << 20,
      secrets: new Set([DATA]),
      deps: deps(env),
    });
    assert.ok(r.found);
    assert.deepEqual(r.lines, [
      '2026-11-25T03:15:15.920Z [debug] STDIO connection closed after 14s (cleanly)',
      '2026-11-25T03:15:15.921Z [debug] Cleared connection cache for reconnection',
      '2026-11-25T03:15:15.975Z [debug] MCP server process exited cleanly',
      `2026-11-25T03:20:00.000Z [error] Server stderr: wrote ${REDACTED}`,
    ]);
    // The value the process runs with for its entry's env keys is masked even when no config holds it.
    const all = await clientServerLog(query(), linux(h.home), {
      lines: 50,
      maxBytes: 1 << 20,
      secrets: new Set(),
      envKeys: ['MEMORY_FILE_PATH'],
      deps: deps(env),
    });
    assert.ok(all.found);
    assert.ok(
      all.lines.includes(`2026-11-25T03:15:01.799Z [error] Server stderr: LOGMARKER-cc2 early data=${REDACTED}`),
    );
    assert.ok(!all.lines.join('\n').includes(DATA));
  });

  it("Copilot CLI at its default level: its process log holds none of the server's lines, found but empty", async () => {
    const home = makeTempDir('lg-client-logs-');
    const logs = path.join(home, '.copilot', 'logs');
    fs.mkdirSync(logs, { recursive: true });
    const quiet = COPILOT_LOG.split('\n').filter((l) => !copilotLineIsAbout(l, 'm2'));
    fs.writeFileSync(path.join(logs, 'process-1795576712232-17524.log'), quiet.join('\n'));
    const r = await clientServerLog(
      query({ client: 'copilot-cli', clientPid: 17524, startTime: Date.parse('2026-11-25T03:18:32.500Z') }),
      linux(home),
      { lines: 10, maxBytes: 1 << 20, secrets: new Set(), deps: deps(undefined, 1795576712000) },
    );
    assert.deepEqual(r.found && [r.format, r.lines, r.cut], ['copilot-cli', [], false]);
  });

  it('a value is masked also as JSON spells it (a Claude Desktop log line quoting a message)', async () => {
    const home = makeTempDir('lg-client-logs-');
    const dir = path.join(home, 'Library', 'Logs', 'Claude');
    fs.mkdirSync(dir, { recursive: true });
    const secret = 'C:\\Users\\u\\notes "x".json';
    const message = JSON.stringify({ jsonrpc: '2.0', id: 3, result: { path: secret } });
    assert.ok(!message.includes(secret), 'JSON escapes it');
    fs.writeFileSync(
      path.join(dir, 'mcp-server-kb.log'),
      `2026-11-25T03:00:00.000Z [kb] [info] Message from server: ${message} { metadata: undefined }\n`,
    );
    const r = await clientServerLog(
      query({ client: 'claude-desktop', serverName: 'kb' }),
      { home, platform: 'darwin', env: {} },
      { lines: 10, maxBytes: 1 << 20, secrets: new Set([secret]), deps: deps() },
    );
    assert.ok(r.found);
    assert.deepEqual(r.lines, [
      `2026-11-25T03:00:00.000Z [kb] [info] Message from server: {"jsonrpc":"2.0","id":3,"result":{"path":"${REDACTED}"}} { metadata: undefined }`,
    ]);
  });

  it("a link, a file under a linked folder, another user's file or one outside the folder is refused", async () => {
    const home = makeTempDir('lg-client-logs-');
    const root = path.join(home, 'logs');
    fs.mkdirSync(path.join(root, 'sub'), { recursive: true });
    const secret = path.join(home, 'id_rsa');
    fs.writeFileSync(secret, 'PRIVATE KEY\n');
    fs.symlinkSync(secret, path.join(root, 'link.log'));
    fs.symlinkSync(home, path.join(root, 'up'));
    fs.writeFileSync(path.join(root, 'sub', 'ok.log'), 'fine\n');
    const refused = async (file: string, o = {}) =>
      assert.rejects(openClientLog(root, file, o), (e: unknown) => e instanceof ClientLogRefused, file);
    await refused(path.join(root, 'link.log'));
    await refused(path.join(root, 'up', 'id_rsa'));
    await refused(secret);
    await refused(path.join(root, '..', 'id_rsa'));
    await refused(path.join(root, 'sub', 'ok.log'), { uid: (process.getuid?.() ?? 0) + 1 });
    const opened = await openClientLog(root, path.join(root, 'sub', 'ok.log'));
    assert.ok(opened);
    await opened.handle.close();
    assert.equal(await openClientLog(root, path.join(root, 'sub', 'gone.log')), undefined);
  });
});
