import * as assert from 'node:assert/strict';
import {
  bulkRestartConfirmation,
  confirmationText,
  planAction,
  restartConfirmation,
  stopConfirmation,
  restartEffect,
  verifyVsCodeStep,
  runsAsEdited,
  WindowContext,
} from '../../../src/extension/viewModel/actionPlan';
import { CLAUDE, instance, server, source, stale, TERMINAL, VSCODE_HERE, VSCODE_OTHER } from './fixtures';
import { bulkRestartTargets } from '../../../src/core/report/state';
import { english, useTranslator } from '../../../src/extension/viewModel/l10n';

const ctx: WindowContext = {
  trusted: true,
  workspaceFolders: ['/ws/a', '/ws/b'],
  product: 'vscode',
  windowPids: [200, 199],
};
const vscodeUser = source({
  client: 'vscode',
  scope: 'user',
  label: 'VS Code User',
  file: '/h/.config/Code/User/mcp.json',
});

describe('extension view-model: restart and stop plans by owner', () => {
  it("guarded instances go to the guard's control endpoint, whatever the client", () => {
    const i = instance(1, { client: VSCODE_HERE, lock: { serverName: 'm', control: '/run/lg/m.sock' } });
    const plan = planAction('restart', server('m', { source: vscodeUser, instances: [i] }), [i], ctx);
    assert.deepEqual(plan, {
      kind: 'steps',
      steps: [{ kind: 'guard', op: 'restart', endpoint: '/run/lg/m.sock', instance: i }],
    });
    const stop = planAction('stop', server('m', { instances: [i] }), [i], ctx);
    assert.equal(stop.kind === 'steps' && stop.steps[0].kind === 'guard' && stop.steps[0].op, 'shutdown');
  });

  it("VS Code's own servers in this window use VS Code's command with the server id", () => {
    const i = instance(1, { client: VSCODE_HERE });
    const plan = planAction('restart', server('memory', { source: vscodeUser, instances: [i] }), [i], ctx);
    assert.deepEqual(plan, {
      kind: 'steps',
      steps: [
        {
          kind: 'vscode',
          command: 'workbench.mcp.restartServer',
          serverId: 'mcp.config.usrlocal.memory',
          instances: [i],
        },
      ],
    });
    const stop = planAction('stop', server('memory', { source: vscodeUser, instances: [i] }), [i], ctx);
    assert.equal(
      stop.kind === 'steps' && stop.steps[0].kind === 'vscode' && stop.steps[0].command,
      'workbench.mcp.stopServer',
    );
  });

  it("another VS Code window's instance, or one VS Code cannot name, is terminated", () => {
    const other = instance(1, { client: VSCODE_OTHER });
    const plan = planAction('restart', server('memory', { source: vscodeUser, instances: [other] }), [other], ctx);
    assert.equal(plan.kind, 'steps');
    assert.equal(plan.kind === 'steps' && plan.steps[0].kind, 'terminate');
    // A Claude Desktop config is not one this VS Code runs, even when VS Code launched it.
    const mine = instance(2, { client: VSCODE_HERE });
    const p2 = planAction('restart', server('memory', { instances: [mine] }), [mine], ctx);
    assert.equal(p2.kind === 'steps' && p2.steps[0].kind, 'terminate');
  });

  it("other clients' unguarded instances: terminate, name the client that must reconnect, offer Wrap", () => {
    const a = instance(1, { client: CLAUDE });
    const b = instance(2, { client: TERMINAL });
    const c = instance(3, { client: CLAUDE });
    const plan = planAction('restart', server('memory', { instances: [a, b, c] }), [a, b, c], ctx);
    assert.equal(plan.kind, 'steps');
    if (plan.kind !== 'steps') return;
    assert.equal(plan.steps.length, 2);
    const [claude, term] = plan.steps;
    assert.ok(claude.kind === 'terminate' && term.kind === 'terminate');
    assert.deepEqual(
      claude.instances.map((i) => i.pid),
      [1, 3],
    );
    assert.equal(claude.afterward, 'Claude Desktop will start it again on its next restart. That loads the new code.');
    assert.equal(claude.offerWrap, true);
    assert.match(term.afterward, /started from a terminal/);
    const http = planAction('stop', server('h', { transport: 'http', instances: [a] }), [a], ctx);
    assert.ok(http.kind === 'steps' && http.steps[0].kind === 'terminate' && http.steps[0].offerWrap === false);
  });

  it('mixes owners in one plan: guard, this window, others', () => {
    const g = instance(1, { client: CLAUDE, lock: { serverName: 'm', control: '/s' } });
    const v = instance(2, { client: VSCODE_HERE });
    const o = instance(3, { client: CLAUDE });
    const plan = planAction('restart', server('m', { source: vscodeUser, instances: [g, v, o] }), [g, v, o], ctx);
    assert.deepEqual(plan.kind === 'steps' && plan.steps.map((s) => s.kind), ['guard', 'vscode', 'terminate']);
  });

  it('a guarded instance whose endpoint is unknown is treated by its owner', () => {
    const i = instance(1, { client: CLAUDE, lock: { serverName: 'm' } });
    const plan = planAction('restart', server('m', { instances: [i] }), [i], ctx);
    assert.ok(plan.kind === 'steps' && plan.steps[0].kind === 'terminate' && plan.steps[0].offerWrap === false);
  });

  it('untrusted workspace: restart of a workspace server is blocked, stop is allowed', () => {
    const ws = source({
      client: 'vscode',
      scope: 'workspace',
      label: 'Workspace',
      file: '/ws/a/.vscode/mcp.json',
      workspaceFolder: '/ws/a',
    });
    const i = instance(1, { client: VSCODE_HERE });
    const s = server('w', { source: ws, instances: [i] });
    const blocked = planAction('restart', s, [i], { ...ctx, trusted: false });
    assert.equal(blocked.kind, 'blocked');
    assert.match(blocked.kind === 'blocked' ? blocked.reason : '', /not trusted/);
    const stop = planAction('stop', s, [i], { ...ctx, trusted: false });
    assert.deepEqual(stop.kind === 'steps' && stop.steps[0], {
      kind: 'vscode',
      command: 'workbench.mcp.stopServer',
      serverId: 'mcp.config.ws0.w',
      instances: [i],
    });
    // A file inside a workspace folder counts as the workspace's even under another scope.
    const inside = server('x', {
      source: source({ client: 'cursor', scope: 'user', file: '/ws/a/.cursor/mcp.json' }),
      instances: [i],
    });
    assert.equal(planAction('restart', inside, [i], { ...ctx, trusted: false }).kind, 'blocked');
  });

  it('nothing to do without instances', () => {
    assert.equal(planAction('restart', server('m'), [], ctx).kind, 'nothing');
  });

  it("verifies VS Code's restart in the next snapshot", () => {
    const old = instance(1, { startTime: 10 });
    assert.deepEqual(verifyVsCodeStep('restart', [old], server('m', { instances: [instance(5, { startTime: 20 })] })), {
      kind: 'done',
      newPids: [5],
    });
    assert.deepEqual(verifyVsCodeStep('restart', [old], server('m', { instances: [instance(1, { startTime: 10 })] })), {
      kind: 'unchanged',
      stillRunning: [1],
    });
    // The pid was reused by a new process: that is a restart, not the old one still running.
    assert.deepEqual(verifyVsCodeStep('restart', [old], server('m', { instances: [instance(1, { startTime: 30 })] })), {
      kind: 'done',
      newPids: [1],
    });
    assert.deepEqual(verifyVsCodeStep('restart', [old], server('m')), { kind: 'notStarted' });
    assert.deepEqual(verifyVsCodeStep('stop', [old], undefined), { kind: 'done', newPids: [] });
    assert.deepEqual(verifyVsCodeStep('stop', [old], server('m', { instances: [old] })), {
      kind: 'unchanged',
      stillRunning: [1],
    });
  });

  it("after Wrap or Unwrap, VS Code's restart is done only by a process of the entry as now written", () => {
    const old = instance(1, { startTime: 10 });
    const plain = instance(5, { startTime: 20 });
    const guarded = instance(6, { startTime: 21, lock: { serverName: 'm' } });
    // VS Code restarted the entry as it read it before the Wrap: not done, and said as such.
    assert.deepEqual(verifyVsCodeStep('restart', [old], server('m', { instances: [plain] }), { kind: 'guarded' }), {
      kind: 'oldEntry',
      pids: [5],
    });
    assert.deepEqual(
      verifyVsCodeStep('restart', [old], server('m', { instances: [plain, guarded] }), { kind: 'guarded' }),
      {
        kind: 'done',
        newPids: [6],
      },
    );
    // After an Unwrap the guarded copy of the old entry is not the restart either.
    assert.deepEqual(verifyVsCodeStep('restart', [old], server('m', { instances: [guarded] }), { kind: 'unguarded' }), {
      kind: 'oldEntry',
      pids: [6],
    });
    assert.deepEqual(verifyVsCodeStep('restart', [old], server('m', { instances: [plain] }), { kind: 'unguarded' }), {
      kind: 'done',
      newPids: [5],
    });
    assert.deepEqual(verifyVsCodeStep('restart', [old], server('m'), { kind: 'guarded' }), { kind: 'notStarted' });
  });

  it("after a pin's Upgrade or Roll Back, VS Code's restart is done only by a process started with the release now pinned", () => {
    const old = instance(1, { startTime: 10 });
    const pinned = { kind: 'pinned', package: 'mcp-server-time', ecosystem: 'python', version: '2026.10.19' } as const;
    // uvx's uv names the pin, the server below it runs the release: read in the launcher chain.
    const launched = (pid: number, version: string) =>
      instance(pid, {
        startTime: 20 + pid,
        commandLine: '/home/u/.local/share/uv/tools/mcp-server-time/bin/python /home/u/.local/bin/mcp-server-time',
        launcherChain: [{ pid: pid - 1, commandLine: `/home/u/.local/bin/uv tool uvx mcp-server-time@${version}` }],
      });
    const before = launched(5, '2026.8.18');
    const now = launched(7, '2026.10.19');
    assert.equal(runsAsEdited(now, pinned), true);
    assert.equal(runsAsEdited(before, pinned), false);
    // npx names it in its own title (`npm exec pkg@2.0.0`); a Python pin written with == counts the same.
    const npx = instance(9, { commandLine: 'npm exec @modelcontextprotocol/server-memory@2026.8.31' });
    assert.equal(
      runsAsEdited(npx, {
        kind: 'pinned',
        package: '@modelcontextprotocol/server-memory',
        ecosystem: 'npm',
        version: '2026.8.31',
      }),
      true,
    );
    assert.equal(
      runsAsEdited(instance(10, { commandLine: 'uvx mcp_server_time==2026.10.19' }), pinned),
      true,
      'a Python name is compared normalised',
    );
    // VS Code restarted the entry as it read it before the write: not done, and said as such.
    assert.deepEqual(verifyVsCodeStep('restart', [old], server('t', { instances: [before] }), pinned), {
      kind: 'oldEntry',
      pids: [5],
    });
    assert.deepEqual(verifyVsCodeStep('restart', [old], server('t', { instances: [before, now] }), pinned), {
      kind: 'done',
      newPids: [7],
    });
  });

  it('confirmation names every pid and client', () => {
    const t = confirmationText('killDuplicates', server('memory'), [
      instance(4242),
      instance(4300, { client: VSCODE_HERE }),
    ]);
    assert.equal(t.message, 'Kill duplicate instances of memory?');
    assert.match(t.detail, /pid 4242 \(Claude Desktop\), pid 4300 \(VS Code\)/);
    assert.equal(confirmationText('stop', server('m'), [instance(1)]).button, 'Stop');
    assert.equal(
      confirmationText('restart', server('m'), [instance(1)]).detail,
      'This restarts pid 1 (Claude Desktop).',
    );
  });
});

describe('extension view-model: Restart All Stale targets', () => {
  it('leaves out a stale instance whose entry the engine could not decide, keeps the decided ones', () => {
    const undecided = instance(41, {
      verdicts: [
        stale(),
        {
          kind: 'unknown',
          question: 'owner',
          reason: "claimed by 'a' (/w/.vscode/mcp.json) and 'b' (/home/u/.claude.json)",
        },
      ],
    });
    const decided = instance(42, { verdicts: [stale()] });
    const current = instance(43);
    assert.deepEqual(
      bulkRestartTargets(server('memory', { instances: [undecided, decided, current] })).map((i) => i.pid),
      [42],
    );
  });

  it("Restart of another client's unguarded instance says beforehand that it only stops it, and offers Wrap first", () => {
    const i = instance(25397, { client: CLAUDE });
    const s = server('memory', { instances: [i] });
    assert.equal(restartEffect(s, i, ctx), 'stop');
    const plan = planAction('restart', s, [i], ctx);
    assert.ok(plan.kind === 'steps');
    const t = restartConfirmation(s, plan.steps, true);
    assert.equal(t.message, 'Stop pid 25397 of memory?');
    assert.equal(
      t.detail,
      'This stops pid 25397 (Claude Desktop); it cannot be restarted from here. Claude Desktop will not start it again until it restarts. Wrap with Guard first to restart without breaking the client.',
    );
    assert.equal(t.button, 'Stop');
    assert.equal(t.wrapButton, 'Wrap with Guard, then Stop');
    // Without the guard installed nothing is offered that cannot be done.
    const noGuard = restartConfirmation(s, plan.steps, false);
    assert.equal(noGuard.wrapButton, undefined);
    assert.doesNotMatch(noGuard.detail, /Wrap/);
  });

  it('a real restart is called one; a mixed plan names both', () => {
    const g = instance(1, { client: CLAUDE, lock: { serverName: 'm', control: '/s' } });
    const o = instance(3, { client: CLAUDE });
    const s = server('m', { instances: [g, o] });
    assert.equal(restartEffect(s, g, ctx), 'restart');
    const only = planAction('restart', s, [g], ctx);
    assert.ok(only.kind === 'steps');
    assert.deepEqual(restartConfirmation(s, only.steps, true), {
      message: 'Restart m?',
      detail: 'This restarts pid 1 (Claude Desktop).',
      button: 'Restart',
    });
    const mixed = planAction('restart', s, [g, o], ctx);
    assert.ok(mixed.kind === 'steps');
    const t = restartConfirmation(s, mixed.steps, true);
    assert.equal(t.button, 'Restart and Stop');
    assert.match(
      t.detail,
      /^This restarts pid 1 \(Claude Desktop\) and stops pid 3 \(Claude Desktop\)\. Claude Desktop will not start it again/,
    );
    const mine = instance(2, { client: VSCODE_HERE });
    assert.equal(restartEffect(server('v', { source: vscodeUser, instances: [mine] }), mine, ctx), 'restart');
  });

  it("Restart All Stale's confirmation counts restarts and stops apart", () => {
    const g = instance(1, { client: CLAUDE, lock: { serverName: 'a' }, verdicts: [stale()] });
    const o = instance(2, { client: TERMINAL, verdicts: [stale()] });
    const t = bulkRestartConfirmation(
      [
        { server: server('a', { instances: [g] }), instances: [g] },
        { server: server('b', { instances: [o] }), instances: [o] },
      ],
      ctx,
    );
    assert.equal(t.message, 'Restart 1 and stop 1 stale instance?');
    assert.equal(t.button, 'Restart and Stop');
    assert.equal(
      t.detail,
      'a: restart pid 1 (Claude Desktop)\nb: stop pid 2 (Nothing starts it again: it was started from a terminal, start it there)',
    );
    // A client whose session ends names both ways it starts again, with no brackets inside the brackets.
    const cc = instance(3, { client: { id: 'claude-code', name: 'Claude Code', pid: 9 }, verdicts: [stale()] });
    const session = bulkRestartConfirmation([{ server: server('c', { instances: [cc] }), instances: [cc] }], ctx);
    assert.equal(
      session.detail,
      'c: stop pid 3 (Claude Code will not start it again until its next session, or until you reconnect the server there)',
    );
    const onlyStops = bulkRestartConfirmation([{ server: server('b', { instances: [o] }), instances: [o] }], ctx);
    assert.deepEqual([onlyStops.message, onlyStops.button], ['Stop 1 stale instance?', 'Stop']);
  });

  it('a stop said in brackets is its own translated message, none of it cut; as a sentence, its stop is translated too', () => {
    // A language whose sentences end otherwise: every message translated, a full stop as `。`.
    useTranslator((m, ...a) => `«${english(m, ...a).replace(/\.$/, '。')}»`);
    try {
      const o = instance(2, { client: TERMINAL, verdicts: [stale()] });
      const bulk = bulkRestartConfirmation([{ server: server('b', { instances: [o] }), instances: [o] }], ctx);
      assert.equal(
        bulk.detail,
        'b: «stop pid 2 («Nothing starts it again: it was started from a terminal, start it there»)»',
      );
      const stop = planAction('stop', server('b', { instances: [o] }), [o], ctx);
      assert.ok(stop.kind === 'steps');
      assert.match(
        stopConfirmation(server('b'), stop.steps, false).detail,
        /««Nothing starts it again: it was started from a terminal, start it there»。»/,
      );
    } finally {
      useTranslator(english);
    }
  });

  it('a server-wide Stop or Restart leaves an undecided instance alone (acted on from its own row only), and says so when it is all there is', () => {
    const owner = { kind: 'unknown' as const, question: 'owner' as const, reason: "Codex's config cannot be read" };
    const mine = instance(1, { client: CLAUDE });
    const undecided = instance(2, { client: CLAUDE, verdicts: [owner] });
    const s = server('memory', { instances: [mine, undecided] });
    const plan = planAction('stop', s, s.instances, ctx);
    assert.ok(plan.kind === 'steps');
    assert.deepEqual(
      plan.steps.flatMap((st) => (st.kind === 'guard' ? [st.instance.pid] : st.instances.map((i) => i.pid))),
      [1],
    );
    const alone = planAction('restart', server('memory', { instances: [undecided] }), [undecided], ctx);
    assert.ok(
      alone.kind === 'nothing' && /which entry started pid 2 is undecided/.test(alone.reason),
      JSON.stringify(alone),
    );
    // From its own row, the user names that one process: it is planned.
    const row = planAction('stop', s, [undecided], ctx, 'instance');
    assert.ok(row.kind === 'steps' && row.steps.length === 1);
  });
});
