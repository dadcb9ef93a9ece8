import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { jsonServerMapAdapter } from '../../../src/core/sources/jsonc';
import { evidenceSummary } from '../../../src/core/report/evidenceDocument';
import { counts } from '../../../src/core/report/state';
import {
  planAction,
  restartConfirmation,
  stepVerb,
  stopConfirmation,
  unconfiguredStopSteps,
  WindowContext,
} from '../../../src/extension/viewModel/actionPlan';
import { agentServerLaunch, agentServerNews } from '../../../src/extension/viewModel/agentServer';
import { describeProgram } from '../../../src/extension/viewModel/notConfigured';
import { startLook } from '../../../src/extension/viewModel/start';
import { problemsByFile } from '../../../src/extension/viewModel/problems';
import { statusBarModel } from '../../../src/extension/viewModel/statusBar';
import { childNodes, rootNodes } from '../../../src/extension/viewModel/tree';
import { treeItem } from '../../../src/extension/viewModel/treeItem';
import { TreeContext } from '../../../src/extension/viewModel/treeModel';
import { CommandId } from '../../../src/extension/commandIds';
import { repoRoot } from '../../support/repo';
import { CLAUDE, instance, NOW, server, snapshot, stale } from './fixtures';

/** The loose ends a walk through the extension in code-server found, each held by its view-model. */
const WINDOW: WindowContext = { trusted: true, workspaceFolders: ['/ws/a'], product: 'vscode', windowPids: [200] };
const ctx: TreeContext = { trusted: true, now: NOW, guardAvailable: true };

describe('extension loose ends', () => {
  it('every Stop path says who will not start the server again and offers Wrap with Guard, then Stop', () => {
    const s = server('notes', { instances: [instance(25397, { client: CLAUDE })] });
    const plan = planAction('stop', s, s.instances, WINDOW);
    assert.equal(plan.kind, 'steps');
    const steps = plan.kind === 'steps' ? plan.steps : [];
    // The server row's Stop (and the palette's) and the instance row's Stop build the same plan.
    for (const instances of [s.instances, [s.instances[0]]]) {
      const p = planAction('stop', s, instances, WINDOW);
      const t = stopConfirmation(s, p.kind === 'steps' ? p.steps : [], true);
      assert.equal(t.message, 'Stop notes?');
      assert.match(
        t.detail,
        /This stops pid 25397 \(Claude Desktop\)\. Claude Desktop will not start it again until it restarts\./,
      );
      assert.equal(t.wrapButton, 'Wrap with Guard, then Stop');
      assert.equal(t.button, 'Stop');
    }
    // Without the guard installed, no wrap; the warning stays.
    const noGuard = stopConfirmation(s, steps, false);
    assert.equal(noGuard.wrapButton, undefined);
    assert.match(noGuard.detail, /will not start it again/);
    // The same words as Restart's confirmation when it only stops.
    const restartPlan = planAction('restart', s, s.instances, WINDOW);
    assert.match(
      restartConfirmation(s, restartPlan.kind === 'steps' ? restartPlan.steps : [], true).detail,
      /Claude Desktop will not start it again until it restarts/,
    );
    // A not-configured process: who will not start it again, and no wrap (there is no entry to wrap).
    const lone = unconfiguredStopSteps(instance(77, { client: { id: 'terminal', name: 'terminal', pid: 4 } }));
    const t = stopConfirmation({ name: 'pid 77' }, lone, true);
    assert.match(t.detail, /This stops pid 77 \(terminal\)\. Nothing starts it again: it was started from a terminal/);
    assert.equal(t.wrapButton, undefined);
  });

  it('Start says which pid started', () => {
    const one = startLook('memory', server('memory', { instances: [instance(4242)] }), false);
    assert.deepEqual(one, { kind: 'running', message: 'memory started: pid 4242.' });
    const two = startLook('memory', server('memory', { instances: [instance(1), instance(2)] }), false);
    assert.deepEqual(two, { kind: 'running', message: 'memory started: pid 1, 2.' });
  });

  it('one ",," typo is one config problem, though the parser reports two errors at the place', () => {
    const text =
      '{\n  "mcpServers": {\n    "a": { "command": "node", "args": ["x.js"] },,\n    "b": { "command": "npx" }\n  }\n}\n';
    const parsed = jsonServerMapAdapter(['mcpServers'])(text);
    const file = '/home/u/.cursor/mcp.json';
    const diagnostics = parsed.diagnostics.map((d) => ({ ...d, file, client: 'cursor' as const }));
    // The parser's two errors there are one diagnostic already; the views merge a place's diagnostics too.
    assert.equal(diagnostics.filter((d) => d.severity === 'error').length, 1, JSON.stringify(diagnostics));
    const snap = snapshot([server('a')], { diagnostics });
    assert.equal(counts(snap).problems, 1);
    const bar = statusBarModel({ state: 'ready', snapshot: snap }, { alwaysShow: false });
    assert.ok(bar.visible && /1 config problem\b/.test(bar.accessibility), bar.visible ? bar.accessibility : '');
    const problems = rootNodes(snap).find((n) => n.kind === 'problems')!;
    assert.equal(treeItem(problems, ctx, []).description, '1');
    assert.equal(childNodes(problems).length, 1);
    assert.match(treeItem(childNodes(problems)[0], ctx, []).label, /property name expected; .*value expected/);
    // VS Code's Problems panel gets the same one entry.
    assert.equal(
      problemsByFile(diagnostics)
        .get(file)
        ?.filter((p) => p.severity === 'error').length,
      1,
    );
  });

  it('the log says "agent server not offered" only when it is not, once per change', () => {
    const pending = agentServerLaunch({ enabled: true, launcher: undefined, workspaceFolders: [], trusted: true });
    const offered = agentServerLaunch({
      enabled: true,
      launcher: '/bin/mcp-lifeguard',
      workspaceFolders: [],
      trusted: true,
    });
    const off = agentServerLaunch({
      enabled: false,
      launcher: '/bin/mcp-lifeguard',
      workspaceFolders: [],
      trusted: true,
    });
    const lines = [undefined, pending, pending, offered, offered, off, off, offered]
      .slice(1)
      .map((l, i, all) => agentServerNews(i === 0 ? undefined : all[i - 1], l!));
    assert.deepEqual(lines, [
      undefined,
      undefined,
      'agent server offered to VS Code\'s MCP support as "MCP Lifeguard" (MCP: List Servers)',
      undefined,
      'agent server not offered: the setting mcpLifeguard.agentServer.enabled is off',
      undefined,
      'agent server offered to VS Code\'s MCP support as "MCP Lifeguard" (MCP: List Servers)',
    ]);
  });

  it("a restart that only stops another client's instance is logged as a stop", () => {
    const s = server('notes', { instances: [instance(25397, { client: CLAUDE })] });
    const plan = planAction('restart', s, s.instances, WINDOW);
    assert.equal(plan.kind, 'steps');
    assert.deepEqual(plan.kind === 'steps' && plan.steps.map((step) => stepVerb('restart', step)), ['stop']);
    const guarded = server('g', { instances: [instance(5, { lock: { control: '/run/x.sock' } as never })] });
    const gp = planAction('restart', guarded, guarded.instances, WINDOW);
    assert.deepEqual(gp.kind === 'steps' && gp.steps.map((step) => stepVerb('restart', step)), ['restart']);
  });

  it('a Not configured row names the program a .bin link runs, not ".bin"', () => {
    assert.equal(describeProgram('node /home/u/app/node_modules/.bin/mcp-server-memory'), 'mcp-server-memory');
    assert.equal(describeProgram('/home/u/app/node_modules/.bin/mcp-server-everything stdio'), 'mcp-server-everything');
    assert.equal(
      describeProgram('node /srv/node_modules/@modelcontextprotocol/server-memory/dist/index.js'),
      '@modelcontextprotocol/server-memory',
    );
  });

  it('Enter on an instance row (or a not-configured one) opens Show Evidence for it', () => {
    const s = server('memory', { instances: [instance(11, { verdicts: [stale()] })] });
    const lone = instance(99, { startTime: NOW - 60_000 });
    const snap = snapshot([s], { notConfigured: [lone] });
    const serverNode = childNodes(rootNodes(snap).find((n) => n.kind === 'group')!)[0];
    const row = childNodes(serverNode)[0];
    assert.deepEqual(treeItem(row, ctx, []).command, {
      command: CommandId.showEvidence,
      title: 'Show Evidence',
      arguments: [row],
    });
    const unconfigured = childNodes(rootNodes(snap).find((n) => n.kind === 'notConfigured')!)[0];
    assert.deepEqual(treeItem(unconfigured, ctx, []).command, {
      command: CommandId.showEvidence,
      title: 'Show Evidence',
      arguments: [unconfigured],
    });
  });

  it('Restart All Stale Servers is in the Command Palette only while something is stale', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
    const entry = pkg.contributes.menus.commandPalette.find(
      (m: { command: string }) => m.command === CommandId.restartAllStale,
    );
    assert.equal(entry.when, 'mcpLifeguard.hasStale');
  });

  it('a Not configured process is never called "ok": its evidence says it is not configured and not judged', () => {
    const lines = evidenceSummary({ instance: instance(99) });
    assert.equal(lines[0], 'Not configured: matches no config entry');
    assert.match(lines[1], /^pid 99 \(Claude Desktop\): not configured; what it runs is not judged$/);
    assert.ok(!lines.some((l) => /\bok\b|runs what is installed/.test(l)), lines.join('\n'));
  });
});
