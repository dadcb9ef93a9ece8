import * as assert from 'node:assert/strict';
import { ensureStartQuestion, startedBy, startLook, startTarget } from '../../../src/extension/viewModel/start';
import { childNodes, rootNodes } from '../../../src/extension/viewModel/tree';
import { treeItem } from '../../../src/extension/viewModel/treeItem';
import { instance, NOW, server, snapshot, source, VSCODE_HERE } from './fixtures';

const here = { product: 'vscode' as const, workspaceFolders: ['/ws/a'], windowPids: [200] };
const ws = source({
  client: 'vscode',
  scope: 'workspace',
  label: 'Workspace',
  file: '/ws/a/.vscode/mcp.json',
  workspaceFolder: '/ws/a',
});
const user = source({ client: 'vscode', scope: 'user', label: 'VS Code', file: '/home/u/.config/Code/User/mcp.json' });

describe('extension view-model: Start', () => {
  it('a server VS Code runs from its config, not running, starts through VS Code by its id', () => {
    assert.deepEqual(startTarget(server('memory', { source: ws }), here, true, ['/ws/a']), {
      kind: 'vscode',
      command: 'workbench.mcp.startServer',
      serverId: 'mcp.config.ws0.memory',
    });
    const kb = startTarget(server('kb', { source: user }), here, true, ['/ws/a']);
    assert.deepEqual(kb?.kind === 'vscode' && kb.serverId, 'mcp.config.usrlocal.kb');
  });

  it('not offered when it runs, is disabled, belongs to an untrusted workspace, or another client owns it', () => {
    assert.equal(
      startTarget(server('memory', { source: ws, instances: [instance(5, { client: VSCODE_HERE })] }), here, true, [
        '/ws/a',
      ]),
      undefined,
    );
    assert.equal(startTarget(server('memory', { source: ws, disabled: true }), here, true, ['/ws/a']), undefined);
    assert.equal(
      startTarget(server('memory', { source: ws }), here, false, ['/ws/a']),
      undefined,
      "untrusted: it would run the workspace's command",
    );
    assert.ok(
      startTarget(server('kb', { source: user }), here, false, ['/ws/a']),
      'a user server starts in an untrusted window too',
    );
    assert.equal(startTarget(server('notes'), here, true, ['/ws/a']), undefined, 'Claude Desktop starts its own');
  });

  it('elsewhere the row says which client starts it', () => {
    assert.equal(
      startedBy(server('notes')),
      'Claude Desktop starts it when it starts (or when you reconnect the server there).',
    );
    assert.equal(
      startedBy(server('kb', { source: source({ client: 'claude-code', label: 'Claude Code' }) })),
      'Claude Code starts it at the start of its next session.',
    );
    assert.match(
      startedBy(server('web', { transport: 'http', url: 'http://127.0.0.1:3001/mcp' })),
      /mcp-lifeguard ensure --http/,
    );
  });

  it("an HTTP server starts through the ensure command line recorded for its port, in any client's config; never in an untrusted workspace; never without a record", () => {
    const recordedLaunch = {
      argv: ['ensure', '--http', '--listen', '127.0.0.1:3001', '--', 'npx', '-y', 'web-mcp', '--label', 'a b'],
      cwd: '/home/u/web',
      recordedAt: '2026-11-20T10:00:00.000Z',
    };
    const web = (over = {}) =>
      server('web', { transport: 'http', url: 'http://127.0.0.1:3001/mcp', recordedLaunch, ...over });
    const t = startTarget(web(), here, true, ['/ws/a']);
    assert.deepEqual(t, { kind: 'ensure', ...recordedLaunch });
    assert.equal(
      startTarget(web({ source: ws }), here, true, ['/ws/a'])?.kind,
      'ensure',
      "not VS Code's start, which would only connect",
    );
    assert.equal(startTarget(web({ source: ws }), here, false, ['/ws/a']), undefined);
    assert.equal(startTarget(web({ instances: [instance(7)] }), here, true, ['/ws/a']), undefined, 'it runs');
    assert.equal(
      startTarget(web({ recordedLaunch: undefined }), here, true, ['/ws/a']),
      undefined,
      "Claude Desktop's HTTP entry with no record",
    );
    if (t?.kind !== 'ensure') return;
    const q = ensureStartQuestion('web', t);
    assert.match(q, /^Start web\? /);
    assert.match(q, /mcp-lifeguard ensure --http --listen 127\.0\.0\.1:3001 -- npx -y web-mcp --label 'a b'/);
    assert.match(q, /in \/home\/u\/web, with VS Code's environment \(no environment value was recorded\)/);
    assert.match(startedBy(web()), /Start here runs that command again/);
  });

  it('the tree: Start on the not-running server VS Code runs; the tooltip says who starts the others', () => {
    const snap = snapshot([server('memory', { source: ws }), server('notes')]);
    const ctx = { trusted: true, now: NOW, guardAvailable: true, window: here };
    const [wsGroup, claudeGroup] = rootNodes(snap);
    const memory = treeItem(childNodes(wsGroup)[0], ctx, ['/ws/a']);
    const notes = treeItem(childNodes(claudeGroup)[0], ctx, ['/ws/a']);
    assert.ok(memory.contextValue.split(' ').includes('start'));
    assert.ok(!notes.contextValue.split(' ').includes('start'));
    assert.match(notes.tooltip ?? '', /Claude Desktop starts it when it starts/);
  });

  describe('what Start says once it looked again', () => {
    const GUARD = '/home/u/.local/bin/mcp-lifeguard run --name pynotes -- /w/venv/bin/python /w/srv.py';
    const guard = { pid: 12070, startTime: NOW - 5_000, commandLine: GUARD };
    const serverProc = instance(12081, {
      client: VSCODE_HERE,
      commandLine: '/w/venv/bin/python /w/srv.py',
      lock: { serverName: 'pynotes' },
      launcherChain: [guard],
    });

    it('a wrapped entry: the server pid the row shows, its guard named as such; the guard alone is still starting', () => {
      assert.deepEqual(startLook('pynotes', server('pynotes', { source: ws, instances: [serverProc] }), false), {
        kind: 'running',
        message: 'pynotes started: pid 12081 (its guard: pid 12070).',
      });
      const guardAlone = instance(12070, { client: VSCODE_HERE, commandLine: GUARD, lock: { serverName: 'pynotes' } });
      assert.deepEqual(startLook('pynotes', server('pynotes', { source: ws, instances: [guardAlone] }), false), {
        kind: 'starting',
      });
    });

    it('a server that dies at import: gone at the next look, or its guard gave up with the error line', () => {
      const gone = startLook('pynotes', server('pynotes', { source: ws }), true);
      assert.equal(gone.kind, 'exited');
      assert.equal(
        gone.kind === 'exited' && gone.message,
        "pynotes exited right after it started; VS Code's output for it says why.",
      );
      // Not seen yet: still starting, not exited.
      assert.deepEqual(startLook('pynotes', server('pynotes', { source: ws }), false), { kind: 'starting' });
      const down = instance(12070, {
        client: VSCODE_HERE,
        commandLine: GUARD,
        lock: { serverName: 'pynotes' },
        verdicts: [
          {
            kind: 'down',
            since: '2026-11-29T13:09:02.000Z',
            reason:
              "its server exited 3 times in a row (exit 1). Its last output: ImportError: cannot import name 'X' from 'pydantic'",
          },
        ],
      });
      const fell = startLook('pynotes', server('pynotes', { source: ws, instances: [down] }), true);
      assert.deepEqual(fell, {
        kind: 'exited',
        why: 'guard',
        message: "pynotes exited right after it started: ImportError: cannot import name 'X' from 'pydantic'.",
      });
    });
  });
});
