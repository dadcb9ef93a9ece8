import * as assert from 'node:assert/strict';
import { childNodes, rootNodes } from '../../../src/extension/viewModel/tree';
import { TreeContext, TreeNode } from '../../../src/extension/viewModel/treeModel';
import { treeItem } from '../../../src/extension/viewModel/treeItem';
import {
  hiddenEntry,
  processIdentity,
  readHiddenList,
  splitHidden,
  withHidden,
} from '../../../src/extension/viewModel/hiddenProcesses';
import { commandLineToCopy } from '../../../src/extension/viewModel/commandLine';
import { clientChoices, filterNote, sourcesSetting } from '../../../src/extension/viewModel/sourcesFilter';
import { addTargets, launchEntry, suggestedName } from '../../../src/extension/viewModel/addToConfig';
import { evidenceSummary, whatToDo } from '../../../src/core/report/evidenceDocument';
import { VmClient } from '../../../src/core/report/input';
import { instance, NOW, orphan, server, snapshot, source } from './fixtures';

const ctx: TreeContext = { trusted: true, now: NOW, guardAvailable: true };
const item = (n: TreeNode) => treeItem(n, ctx, []);
const UNKNOWN: VmClient = { id: 'unknown', name: 'unknown', pid: 1 };
const group = (nodes: TreeNode[]) => nodes.find((n) => n.kind === 'notConfigured');

describe('extension view-model: taming the Not configured group', () => {
  describe('Hide', () => {
    const pytest = instance(501, { commandLine: '/usr/bin/python3 /src/tests/fake_server.py --port 0' });
    const memory = instance(502, { commandLine: 'node /opt/mem/node_modules/@x/server-memory/dist/index.js' });

    it('hides a process by what it runs: the same launch under another pid stays hidden, another launch does not', () => {
      const key = processIdentity(pytest)!;
      assert.match(key, /^[0-9a-f]{32}$/);
      assert.equal(processIdentity({ ...pytest, commandLine: pytest.commandLine }), key);
      assert.equal(processIdentity(instance(999, { commandLine: pytest.commandLine })), key);
      // Other arguments are another server; a launcher in front (env, a shell) is the same one.
      assert.notEqual(processIdentity({ commandLine: '/usr/bin/python3 /src/tests/fake_server.py --port 1' }), key);
      assert.equal(processIdentity({ commandLine: `env ${pytest.commandLine}` }), key);
      assert.notEqual(processIdentity(memory), key);
      assert.equal(processIdentity({ commandLine: '' }), undefined);
    });

    it('what is remembered holds no argument, path or secret: a digest and the program in a few words', () => {
      const secret = instance(7, { commandLine: 'node /home/u/proj/srv.js --api-key=<redacted> /home/u/private' });
      const entry = hiddenEntry(secret, new Date(NOW))!;
      assert.deepEqual(Object.keys(entry).sort(), ['hiddenAt', 'key', 'what']);
      assert.equal(entry.what, 'srv.js');
      assert.doesNotMatch(JSON.stringify(entry), /home|private|api-key|redacted/);
      assert.deepEqual(
        readHiddenList([entry, { key: 1 }, 'x', null]).map((e) => e.key),
        [entry.key],
      );
      assert.deepEqual(readHiddenList(undefined), []);
      assert.equal(withHidden(withHidden([], entry), entry).length, 1);
    });

    it('the group leaves hidden processes out and counts them; with all hidden it stays, empty, saying how many', () => {
      const snap = snapshot([], {
        notConfigured: [pytest, memory, instance(503, { commandLine: pytest.commandLine })],
      });
      const hidden = new Set([processIdentity(pytest)!]);
      assert.deepEqual(
        splitHidden(snap.notConfigured, hidden).shown.map((i) => i.pid),
        [502],
      );
      const g = group(rootNodes(snap, { hidden }))!;
      assert.deepEqual(
        childNodes(g).map((n) => (n.kind === 'unconfigured' ? n.instance.pid : 0)),
        [502],
      );
      assert.equal(item(g).description, '1 · 2 hidden');
      assert.match(item(g).tooltip!, /2 processes hidden: Show Hidden Processes/);
      assert.equal(item(g).collapsible, 'collapsed');

      const all = group(rootNodes(snap, { hidden: new Set([...hidden, processIdentity(memory)!]) }))!;
      assert.equal(item(all).description, '0 · 3 hidden');
      assert.equal(item(all).collapsible, 'none');
      assert.deepEqual(childNodes(all), []);

      const none = group(rootNodes(snap))!;
      assert.equal(item(none).description, '3');
      assert.doesNotMatch(item(none).tooltip!, /hidden/);
    });

    it('Hide and Add to Config are offered on Not configured rows only; Copy Command Line on both kinds of row', () => {
      const snap = snapshot([server('a', { instances: [instance(1)] })], { notConfigured: [pytest] });
      const roots = rootNodes(snap);
      const row = childNodes(group(roots)!)[0];
      const inst = childNodes(childNodes(roots[0])[0])[0];
      const caps = (n: TreeNode) => item(n).contextValue.split(' ');
      for (const cap of ['hide', 'addToConfig', 'copyCommandLine']) assert.ok(caps(row).includes(cap), cap);
      assert.ok(caps(inst).includes('copyCommandLine'));
      assert.ok(!caps(inst).includes('hide') && !caps(inst).includes('addToConfig'));
      const bare = childNodes(
        group(rootNodes(snapshot([], { notConfigured: [instance(4, { commandLine: '' })] })))!,
      )[0];
      assert.ok(!caps(bare).includes('hide') && !caps(bare).includes('copyCommandLine'));
    });
  });

  describe('owner unknown', () => {
    it('an orphan whose starter no known client was says "owner unknown", never that no client talks to it', () => {
      const i = instance(600, { client: UNKNOWN, verdicts: [orphan()] });
      assert.match(whatToDo(i), /^Owner unknown: /);
      assert.doesNotMatch(whatToDo(i), /no client talks to it/);
      const lines = evidenceSummary({ instance: i }).join('\n');
      assert.match(lines, /pid 600 \(owner unknown\)/);
      assert.doesNotMatch(lines, /no client talks to it|\(unknown\)/);
      // A process no client started, not orphaned: its row names no "unknown" client either.
      const snap = snapshot([], { notConfigured: [instance(601, { client: UNKNOWN })] });
      const row = item(childNodes(group(rootNodes(snap))!)[0]);
      assert.match(row.description!, /owner unknown/);
      assert.match(row.tooltip!, /owner unknown/);
      assert.match(
        evidenceSummary({ instance: snap.notConfigured[0] }).join('\n'),
        /pid 601 \(owner unknown\): not configured/,
      );
    });

    it('a known client is still named', () => {
      const i = instance(602, { verdicts: [] });
      assert.match(evidenceSummary({ instance: i }).join('\n'), /pid 602 \(Claude Desktop\)/);
    });
  });

  describe('Copy Command Line', () => {
    it('is the command line with every secret redacted: token flags, token shapes, URL credentials', () => {
      const line =
        "node /srv/index.js --token=sk-abcdefghijklmnopqrstuv --api-key sk-proj-ZYXWVUTSRQPONMLKJIHG --db 'postgres://me:hunter22@db/x' --name demo";
      const copied = commandLineToCopy({ commandLine: line })!;
      assert.doesNotMatch(copied, /sk-|hunter22/);
      assert.match(copied, /^node \/srv\/index\.js --token=<redacted> --api-key <redacted> /);
      assert.match(copied, /--name demo$/);
      // What the engine already redacted stays as it is.
      assert.equal(commandLineToCopy({ commandLine: 'node a.js --token=<redacted>' }), 'node a.js --token=<redacted>');
      assert.equal(commandLineToCopy({ commandLine: '' }), undefined);
    });
  });

  describe('Filter by Client', () => {
    const raw = {
      servers: [
        server('a', { source: source({ client: 'claude-code', label: 'Claude Code' }) }),
        server('b', { source: source({ client: 'claude-code', label: 'Claude Code' }) }),
        server('c', { source: source({ client: 'cursor', label: 'Cursor' }) }),
      ],
      files: [
        {
          file: '/h/.vscode/mcp.json',
          client: 'vscode' as const,
          scope: 'user' as const,
          state: 'read' as const,
          servers: 0,
        },
        {
          file: '/h/.codex/config.toml',
          client: 'codex' as const,
          scope: 'user' as const,
          state: 'missing' as const,
          servers: 0,
        },
      ],
    };

    it('offers the clients with a config, most servers first, each picked while no filter is on', () => {
      assert.deepEqual(
        clientChoices(raw, []).map((c) => [c.name, c.servers, c.picked]),
        [
          ['Claude Code', 2, true],
          ['Cursor', 1, true],
          ['VS Code', 0, true],
        ],
      );
      // With a filter on, only its clients are picked; a client the setting names is offered even without files.
      assert.deepEqual(
        clientChoices(raw, ['cursor', 'zed']).map((c) => [c.client, c.picked]),
        [
          ['claude-code', false],
          ['cursor', true],
          ['vscode', false],
          ['zed', true],
        ],
      );
    });

    it('writes the clients picked; all or none clears the filter', () => {
      const offered = ['claude-code', 'cursor', 'vscode'] as const;
      assert.deepEqual(sourcesSetting(['cursor', 'claude-code'], offered), ['claude-code', 'cursor']);
      assert.deepEqual(sourcesSetting([...offered], offered), []);
      assert.deepEqual(sourcesSetting([], offered), []);
    });

    it('the view says a filter is on, which clients show, and how to see all again', () => {
      assert.equal(filterNote([]), undefined);
      assert.equal(
        filterNote(['claude-code', 'cursor']),
        'Showing only Claude Code, Cursor. Filter by Client... in the title bar shows every client again.',
      );
    });
  });

  describe('Add to Config', () => {
    it('offers each JSON map a new entry can go into, never TOML, YAML, extensions or unread files', () => {
      const claudeJson = '/h/.claude.json';
      const targets = addTargets({
        files: [
          {
            file: '/h/.vscode-server/data/User/mcp.json',
            client: 'vscode',
            scope: 'user',
            state: 'read',
            servers: 0,
            serversAt: ['servers'],
          },
          { file: claudeJson, client: 'claude-code', scope: 'user', state: 'read', servers: 2 },
          { file: '/h/.codex/config.toml', client: 'codex', scope: 'user', state: 'read', servers: 1 },
          {
            file: '/h/.cursor/mcp.json',
            client: 'cursor',
            scope: 'user',
            state: 'missing',
            servers: 0,
            serversAt: ['mcpServers'],
          },
        ],
        servers: [
          server('mem', {
            keyPath: ['mcpServers', 'mem'],
            source: source({ client: 'claude-code', label: 'Claude Code', file: claudeJson }),
          }),
          server('proj', {
            keyPath: ['projects', '/w', 'mcpServers', 'proj'],
            source: source({ client: 'claude-code', label: 'Claude Code (local)', file: claudeJson, scope: 'local' }),
          }),
          server('git', {
            keyPath: ['mcp_servers', 'git'],
            source: source({ client: 'codex', label: 'Codex', file: '/h/.codex/config.toml' }),
          }),
        ],
      });
      assert.deepEqual(
        targets.map((x) => [x.label, x.file, x.serversAt.join('.'), [...x.names]]),
        [
          ['Claude Code', claudeJson, 'mcpServers', ['mem']],
          ['Claude Code (local)', claudeJson, 'projects./w.mcpServers', ['proj']],
          ['VS Code', '/h/.vscode-server/data/User/mcp.json', 'servers', []],
        ],
      );
    });

    it('takes the launch its starter ran, refuses one with a redacted value, and names the entry after what it runs', () => {
      const viaNpx = instance(700, {
        commandLine: 'node /h/.npm/_npx/1/node_modules/@acme/server-notes/dist/index.js',
        launcherChain: [{ pid: 699, commandLine: 'npx -y @acme/server-notes --dir /data' }],
      });
      assert.deepEqual(launchEntry(viaNpx), {
        kind: 'entry',
        command: 'npx',
        args: ['-y', '@acme/server-notes', '--dir', '/data'],
        relative: false,
      });
      assert.equal(launchEntry(instance(701, { commandLine: 'node dist/index.js' })).kind, 'entry');
      assert.equal(
        (launchEntry(instance(701, { commandLine: 'node dist/index.js' })) as { relative: boolean }).relative,
        true,
      );
      const secret = launchEntry(instance(702, { commandLine: 'node /s/srv.js --token=<redacted>' }));
      assert.equal(secret.kind, 'refused');
      assert.match((secret as { reason: string }).reason, /holds a secret/);
      assert.equal(suggestedName(viaNpx, new Set()), 'server-notes');
      assert.equal(suggestedName(viaNpx, new Set(['server-notes', 'server-notes-2'])), 'server-notes-3');
    });
  });
});
