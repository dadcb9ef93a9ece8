import * as assert from 'node:assert/strict';
import {
  GuardLifecycleState,
  GuardLifecycleKind,
  isAllowed,
  Lifecycle,
  TRANSITIONS,
} from '../../../src/guard/host/lifecycle';

const KINDS = Object.keys(TRANSITIONS) as GuardLifecycleKind[];
const never = new Promise<never>(() => undefined);

function stateOf(kind: GuardLifecycleKind): GuardLifecycleState {
  switch (kind) {
    case 'starting':
      return { kind, done: Promise.resolve() };
    case 'running':
      return { kind };
    case 'idle':
      return { kind, since: '2026-11-25T12:00:00.000Z' };
    case 'draining':
    case 'restarting':
      return { kind, reason: 'test', done: never };
    case 'failed':
    case 'closing':
      return { kind, reason: 'test' };
    case 'exited':
      return { kind, code: 0 };
  }
}

describe('guard host: lifecycle', () => {
  it('allows exactly the transitions of the table, and refuses (and logs) every other one', () => {
    for (const from of KINDS) {
      for (const to of KINDS) {
        const logged: string[] = [];
        const lifecycle = new Lifecycle(stateOf(from), (line) => logged.push(line));
        const heard: string[] = [];
        lifecycle.onChange((s) => heard.push(s.kind));
        const allowed = TRANSITIONS[from].includes(to);
        assert.equal(lifecycle.to(stateOf(to)), allowed, `${from} -> ${to}`);
        assert.equal(lifecycle.kind, allowed ? to : from, `${from} -> ${to}`);
        assert.deepEqual(heard, allowed ? [to] : []);
        assert.equal(logged.length, allowed ? 0 : 1, `${from} -> ${to}`);
        if (!allowed) assert.match(logged[0], new RegExp(`${from} -> ${to}`));
      }
    }
  });

  it('never leaves exited, never goes back from closing, and reaches exited only from running or closing', () => {
    for (const to of KINDS) assert.equal(isAllowed('exited', to), false);
    assert.deepEqual(TRANSITIONS.closing, ['exited']);
    assert.deepEqual(KINDS.filter((from) => isAllowed(from, 'exited')).sort(), ['closing', 'running']);
    // A failed guard comes back only through a restart; a draining one cannot skip the restart.
    assert.equal(isAllowed('failed', 'running'), false);
    assert.equal(isAllowed('draining', 'running'), false);
    // An idle guard serves again only through a start (a restart without an old child); a running one goes
    // idle (--idle-stop), a starting one too (--lazy-start).
    assert.equal(isAllowed('idle', 'running'), false);
    assert.deepEqual(
      KINDS.filter((from) => isAllowed(from, 'idle')),
      ['starting', 'running'],
    );
  });

  it('knows when the guard is on its way out', () => {
    const lifecycle = new Lifecycle(stateOf('running'), () => undefined);
    assert.equal(lifecycle.isClosing, false);
    lifecycle.to(stateOf('closing'));
    assert.equal(lifecycle.isClosing, true);
    lifecycle.to(stateOf('exited'));
    assert.equal(lifecycle.isClosing, true);
    assert.equal(lifecycle.to(stateOf('running')), false);
  });

  it('stops telling a listener once it unsubscribed', () => {
    const lifecycle = new Lifecycle(stateOf('starting'), () => undefined);
    const heard: string[] = [];
    const off = lifecycle.onChange((s) => heard.push(s.kind));
    lifecycle.to(stateOf('running'));
    off();
    lifecycle.to(stateOf('closing'));
    assert.deepEqual(heard, ['running']);
  });
});
