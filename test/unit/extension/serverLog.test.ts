import { liveMachine, currentHostEnv } from '../../../src/core/machine/live';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { clientServerLog, liveClientLogDeps } from '../../../src/core/clientLogs';
import { clientLogDocument, serverLogTarget } from '../../../src/extension/viewModel/serverLog';
import { childNodes, rootNodes } from '../../../src/extension/viewModel/tree';
import { TreeContext, TreeNode } from '../../../src/extension/viewModel/treeModel';
import { treeItem } from '../../../src/extension/viewModel/treeItem';
import { repoRoot } from '../../support/repo';
import { makeTempDir } from '../../support/temp';
import { instance, NOW, server, snapshot, source, VSCODE_HERE, VSCODE_OTHER } from './fixtures';

const LOGS = '/home/u/.local/state/mcp-lifeguard/logs';
const FILE = `${LOGS}/notes-0123456789abcdef.stderr.log`;
const here = { product: 'vscode' as const, workspaceFolders: ['/ws/a'], windowPids: [200] };
const CODEX = { id: 'codex' as const, name: 'Codex', pid: 600 };
const CLAUDE_CODE = { id: 'claude-code' as const, name: 'Claude Code', pid: 700 };
const claudeCodeSource = source({
  client: 'claude-code',
  scope: 'local',
  label: 'Claude Code (local)',
  file: '/home/u/.claude.json',
});
const guarded = (pid: number, serverLog = FILE) => instance(pid, { lock: { serverName: 'notes', serverLog } });
const vsWorkspace = source({
  client: 'vscode',
  scope: 'workspace',
  label: 'Workspace',
  file: '/ws/a/.vscode/mcp.json',
  workspaceFolder: '/ws/a',
});

describe('extension view-model: Show Server Log', () => {
  it("a guarded instance opens its guard's log; a server row its first guarded instance's", () => {
    const s = server('notes', { instances: [instance(1), guarded(2)] });
    assert.deepEqual(serverLogTarget(s, s.instances[1], here, LOGS), { kind: 'file', file: FILE });
    assert.deepEqual(serverLogTarget(s, undefined, here, LOGS), { kind: 'file', file: FILE });
    const codex = server('notes', { instances: [instance(1, { client: CODEX })] });
    assert.equal(
      serverLogTarget(codex, codex.instances[0], here, LOGS),
      undefined,
      'an unguarded instance of a client that keeps no log of its servers has none',
    );
  });

  it("never opens a file a lock record names outside MCP Lifeguard's logs folder", () => {
    for (const bad of [
      '/etc/shadow',
      `${LOGS}/../../x.stderr.log`,
      `${LOGS}-evil/x.stderr.log`,
      `${LOGS}/notes.json`,
    ]) {
      const s = server('notes', { instances: [guarded(2, bad)] });
      assert.equal(serverLogTarget(s, s.instances[0], here, LOGS), undefined, bad);
    }
  });

  it("a server VS Code runs from its config opens VS Code's own output for it, for this window's instance", () => {
    const s = server('memory', {
      source: vsWorkspace,
      instances: [instance(5, { client: VSCODE_HERE }), instance(6, { client: VSCODE_OTHER })],
    });
    const target = { kind: 'vscode', command: 'workbench.mcp.showOutput', serverId: 'mcp.config.ws0.memory' };
    assert.deepEqual(serverLogTarget(s, undefined, here, LOGS), target);
    assert.deepEqual(serverLogTarget(s, s.instances[0], here, LOGS), target);
    assert.equal(
      serverLogTarget(s, s.instances[1], here, LOGS),
      undefined,
      "another window's instance: not this window's output",
    );
    assert.deepEqual(
      serverLogTarget(server('memory', { source: vsWorkspace }), undefined, here, LOGS),
      target,
      'not running: its output is still there',
    );
  });

  it('the tree offers Show Server Log exactly where it has a target', () => {
    const ctx: TreeContext = { trusted: true, now: NOW, guardAvailable: true, window: here, logsDir: LOGS };
    const s = server('notes', {
      instances: [instance(1, { client: CODEX }), guarded(2), instance(4), instance(5, { client: CLAUDE_CODE })],
    });
    const serverNode = childNodes(rootNodes(snapshot([s])).find((n) => n.kind === 'group')!)[0];
    const caps = (n: TreeNode) => treeItem(n, ctx, ['/ws/a']).contextValue.split(' ');
    assert.ok(caps(serverNode).includes('serverLog'));
    const rows = childNodes(serverNode);
    const row = (pid: number) => rows.find((n) => n.kind === 'instance' && n.instance.pid === pid)!;
    assert.ok(!caps(row(1)).includes('serverLog'), 'Codex keeps no log of its servers');
    assert.ok(caps(row(2)).includes('serverLog'), "the guard's log");
    assert.ok(caps(row(4)).includes('serverLog'), "Claude Desktop's own log of its entry");
    assert.ok(
      !caps(row(5)).includes('serverLog'),
      "Claude Code's log is named after its own entries, not Claude Desktop's",
    );
    const bare = childNodes(
      rootNodes(snapshot([server('other', { instances: [instance(3, { client: CODEX })] })])).find(
        (n) => n.kind === 'group',
      )!,
    )[0];
    assert.ok(!caps(bare).includes('serverLog'));
  });

  it("an unguarded instance of a client that keeps a log of its servers: that client's own log", () => {
    const s = server('marked', {
      source: claudeCodeSource,
      envKeys: ['MEMORY_FILE_PATH'],
      instances: [instance(701, { client: CLAUDE_CODE }), instance(702, { client: CODEX }), guarded(703)],
    });
    const own = {
      kind: 'client',
      clientName: 'Claude Code',
      query: { serverName: 'marked', client: 'claude-code', pid: 701, startTime: NOW - 3 * 3_600_000, clientPid: 700 },
      envKeys: ['MEMORY_FILE_PATH'],
    };
    assert.deepEqual(serverLogTarget(s, s.instances[0], here, LOGS), own);
    assert.equal(serverLogTarget(s, s.instances[1], here, LOGS), undefined, 'Codex keeps no log of its servers');
    assert.deepEqual(serverLogTarget(s, s.instances[2], here, LOGS), { kind: 'file', file: FILE }, 'the guard first');
    assert.deepEqual(serverLogTarget(s, undefined, here, LOGS), { kind: 'file', file: FILE });
    const unguarded = { ...s, instances: s.instances.slice(0, 2) };
    assert.deepEqual(serverLogTarget(unguarded, undefined, here, LOGS), own, "a server row: its first such instance's");
    const extension = server('kb', { source: source({ extension: { id: 'kb' } as never }), instances: [instance(9)] });
    assert.equal(
      serverLogTarget(extension, extension.instances[0], here, LOGS),
      undefined,
      "an extension's log is not known",
    );
    assert.deepEqual(serverLogTarget(server('kb', { instances: [instance(9)] }), undefined, here, LOGS), {
      kind: 'client',
      clientName: 'Claude Desktop',
      query: { serverName: 'kb', client: 'claude-desktop', pid: 9, startTime: NOW - 3 * 3_600_000, clientPid: 100 },
      envKeys: [],
    });
  });

  it("chooses the client's file of that instance (a fixture home as Claude Code 2.1.328 lays it out) and shows its end, masked", async () => {
    const home = makeTempDir('lg-vm-client-log-');
    const folder = path.join(home, '.cache', 'claude-cli-nodejs', '-srv-proj', 'mcp-logs-marked');
    fs.mkdirSync(folder, { recursive: true });
    const stored = fs.readFileSync(
      path.join(repoRoot, 'test', 'fixtures', 'client-logs', 'claude-code-2.1.328.jsonl'),
      'utf8',
    );
    const file = path.join(folder, '2026-11-25T03-15-01-312Z.jsonl');
    fs.writeFileSync(file, stored);
    fs.writeFileSync(
      path.join(folder, '2026-11-25T04-00-00-000Z.jsonl'),
      stored.split('4183dd74').join('a-later-session'),
    );
    const s = server('marked', {
      source: claudeCodeSource,
      envKeys: ['MEMORY_FILE_PATH'],
      instances: [instance(701, { client: CLAUDE_CODE, startTime: Date.parse('2026-11-25T03:15:01.500Z') })],
    });
    const target = serverLogTarget(s, s.instances[0], here, LOGS);
    assert.ok(target?.kind === 'client');
    const data = '/tmp/lgexp/cc2/secretdata.json';
    const log = await clientServerLog(
      target.query,
      { home, platform: 'linux', env: {} },
      {
        lines: 50,
        maxBytes: 1 << 20,
        secrets: new Set(),
        envKeys: target.envKeys,
        deps: {
          ...liveClientLogDeps(liveMachine({ ...currentHostEnv(), platform: 'linux' })),
          environ: () =>
            new Map([
              ['CLAUDE_CODE_SESSION_ID', '4183dd74-6046-482e-8924-a7b2b2574f19'],
              ['MEMORY_FILE_PATH', data],
            ]),
          startTime: async () => undefined,
        },
      },
    );
    assert.ok(log.found);
    assert.equal(log.file, file);
    const doc = clientLogDocument(s, s.instances[0], log);
    assert.equal(doc.kind, 'document');
    assert.ok(doc.kind === 'document');
    assert.equal(doc.name, 'marked-pid-701-claude-code');
    assert.match(doc.text, /^Claude Code's log of marked \(pid 701\): .*2026-11-25T03-15-01-312Z\.jsonl\n/);
    assert.ok(doc.text.includes('[error] Server stderr: LOGMARKER-cc2 early data=<redacted>\n'), doc.text);
    assert.ok(!doc.text.includes(data));
    assert.ok(doc.text.endsWith('[debug] MCP server process exited cleanly\n'));
    const quiet = clientLogDocument(s, s.instances[0], {
      found: true,
      format: 'copilot-cli',
      clientName: 'Copilot CLI',
      root: '/h/.copilot/logs',
      file: '/h/.copilot/logs/process-1-2.log',
      matchedBy: "its client's process, pid 2",
      linesOf: 'marked',
      lines: [],
      size: 10,
      cut: false,
    });
    assert.ok(quiet.kind === 'document' && /only at --log-level debug or all/.test(quiet.text), JSON.stringify(quiet));
    const none = clientLogDocument(s, s.instances[0], { found: false, reason: 'Claude Code has no log of marked' });
    assert.deepEqual(none, {
      kind: 'message',
      text: 'No log of marked (pid 701) to show: Claude Code has no log of marked.',
    });
  });
});
