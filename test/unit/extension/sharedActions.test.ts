import * as assert from 'node:assert/strict';
import {
  bulkRestartConfirmation,
  confirmationText,
  guardStepResult,
  planAction,
  PlanStep,
  restartConfirmation,
  stopConfirmation,
  WindowContext,
} from '../../../src/extension/viewModel/actionPlan';
import { listWords } from '../../../src/extension/viewModel/format';
import { restartOutcomeText } from '../../../src/cli/commands/restart';
import { quoted } from '../../../src/core/base/modelText';
import { sessionsKept } from '../../../src/core/actions/restart';
import { instance, server, source, stale } from './fixtures';

const ctx: WindowContext = { trusted: true, workspaceFolders: [], product: 'vscode', windowPids: [200] };
const CODEX = { id: 'codex' as const, name: 'Codex', pid: 500 };

/**
 * One process several clients use (`run --on-conflict share`): seen from Codex's row, it is still
 * Cursor's, Codex's and Claude Code's server. Whatever is done to it is done to each of them, so
 * every confirmation and result names them all, never the one client whose row was clicked.
 */
describe('extension view-model: an action on a shared instance names every client it affects', () => {
  const shared = instance(4953, {
    client: CODEX,
    verdicts: [stale()],
    lock: {
      serverName: 'memory',
      control: '/run/lg/memory.sock',
      attached: [
        { pid: 11, clientName: 'Cursor' },
        { pid: 12, clientName: 'Codex' },
        { pid: 13, clientName: 'Claude Code' },
      ],
    },
  });
  const memory = server('memory', { source: source({ client: 'codex', label: 'Codex' }), instances: [shared] });
  const steps = (action: 'restart' | 'stop'): PlanStep[] => {
    const plan = planAction(action, memory, [shared], ctx, 'instance');
    assert.ok(plan.kind === 'steps', JSON.stringify(plan));
    return plan.steps;
  };

  it("Restart's confirmation and result: each client named, each kept its session", () => {
    const c = restartConfirmation(memory, steps('restart'), true);
    assert.equal(c.detail, 'This restarts pid 4953, shared by Cursor, Codex and Claude Code.');
    assert.doesNotMatch(c.detail, /\(Codex\)/);
    const [step] = steps('restart');
    assert.ok(step.kind === 'guard');
    assert.equal(
      guardStepResult(step, 5000),
      'the guard restarted pid 4953 (new pid 5000); Cursor, Codex and Claude Code kept their sessions',
    );
    // A client alone behind a share host keeps its session, in the singular.
    const alone = { ...step, instance: { ...shared, lock: { ...shared.lock!, attached: [{ clientName: 'Cursor' }] } } };
    assert.equal(guardStepResult(alone, 5000), 'the guard restarted pid 4953 (new pid 5000); Cursor kept its session');
    // A guarded instance one client runs: as before.
    const own = { ...step, instance: { ...shared, lock: { serverName: 'memory', control: '/s' } } };
    assert.equal(guardStepResult(own, 5000), 'the guard restarted it (new pid 5000); the client kept its session');
    // Unwrapped since its client started it: restarted under the guard still, said so.
    const unwrapped = { ...own, instance: { ...own.instance, guardAbove: true as const } };
    assert.equal(
      guardStepResult(unwrapped, 5000),
      `the guard restarted it (new pid 5000); the client kept its session, and it stays guarded until ${own.instance.client.name} restarts it`,
    );
    assert.equal(
      guardStepResult({ ...unwrapped, op: 'shutdown' }, undefined),
      `the guard stopped pid 4953 and ended; ${own.instance.client.name} starts it without the guard next time`,
    );
  });

  it("Stop's confirmation and result: every client loses the server, each named", () => {
    const c = stopConfirmation(memory, steps('stop'), true);
    assert.equal(
      c.detail,
      'This stops pid 4953, shared by Cursor, Codex and Claude Code. Cursor, Codex and Claude Code each lose the server until they start it again.',
    );
    assert.doesNotMatch(c.detail, /Codex will not start it again/);
    const [step] = steps('stop');
    assert.ok(step.kind === 'guard');
    assert.equal(
      guardStepResult(step, undefined),
      'the guard stopped pid 4953, shared by Cursor, Codex and Claude Code',
    );
  });

  it('Restart All Stale and Kill Duplicates name the clients too; a client that gave no name is said so', () => {
    const bulk = bulkRestartConfirmation([{ server: memory, instances: [shared] }], ctx);
    assert.equal(bulk.detail, 'memory: restart pid 4953, shared by Cursor, Codex and Claude Code');
    const nameless = instance(4953, {
      client: CODEX,
      lock: { serverName: 'memory', attached: [{ clientName: 'Cursor' }, { pid: 9 }] },
    });
    assert.equal(
      confirmationText('killDuplicates', memory, [nameless]).detail,
      'This stops the leftover pid 4953, shared by Cursor and an unnamed client; the newest instance of each client keeps running.',
    );
  });

  it('lists names as a sentence does', () => {
    assert.equal(listWords([]), '');
    assert.equal(listWords(['Cursor']), 'Cursor');
    assert.equal(listWords(['Cursor', 'Codex']), 'Cursor and Codex');
    assert.equal(listWords(['Cursor', 'Codex', 'Claude Code']), 'Cursor, Codex and Claude Code');
  });
});

describe("the CLI's and the agent face's restart result on a shared server", () => {
  const restarted = { kind: 'restarted' as const, serverName: 'memory', guardPid: 40, childPid: 41, restarts: 1 };
  it('names each client that kept its session; one client alone as before', () => {
    const shared = { ...restarted, sharedBy: ['cursor', 'codex', undefined] };
    assert.deepEqual(restartOutcomeText(shared).lines, [
      'restarted memory (guard pid 40): server pid 41, restart #1; cursor, codex and an unnamed client kept their sessions',
    ]);
    assert.equal(sessionsKept({ ...restarted, sharedBy: ['cursor'] }), 'cursor kept its session');
    assert.equal(sessionsKept(restarted), 'the client kept its session');
    // The agent face quotes what a lock record says.
    assert.equal(
      sessionsKept(shared, quoted),
      `${quoted('cursor')}, ${quoted('codex')} and an unnamed client kept their sessions`,
    );
  });
});
