import * as assert from 'node:assert/strict';
import { decideNotifications, NotificationSettings } from '../../../src/extension/viewModel/notifications';
import { changed, instance, server, snapshot, stale } from './fixtures';

const on: NotificationSettings = { onUpgrade: true, onRegistryUpdate: true };
const fresh = { seen: new Set<string>(), muted: new Set<string>() };

describe('extension view-model: notification decisions', () => {
  const memory = server('server-memory', { instances: [instance(1, { verdicts: [stale()] }), instance(2, { verdicts: [stale()] }), instance(3)] });

  it('a newly stale server gives one notification naming versions and the count', () => {
    const n = decideNotifications(snapshot([memory]), fresh, on);
    assert.equal(n.length, 1);
    assert.ok(n[0].kind === 'stale');
    assert.equal(n[0].message, 'server-memory was upgraded 2026.7.4 -> 2026.8.31; 2 running instances still run 2026.7.4.');
    assert.deepEqual(n[0].actions, ['Restart', 'Show', 'Not now', "Don't Ask for This Server"]);
    assert.deepEqual(n[0].pids, [1, 2]);
  });

  it('is not repeated once seen, but a later upgrade is a new event', () => {
    const [first] = decideNotifications(snapshot([memory]), fresh, on);
    assert.deepEqual(decideNotifications(snapshot([memory]), { seen: new Set([first.eventId]), muted: new Set() }, on), []);
    const again = server('server-memory', { instances: [instance(1, { verdicts: [stale('2026.8.31', '2026.9.1')] })] });
    const n = decideNotifications(snapshot([again]), { seen: new Set([first.eventId]), muted: new Set() }, on);
    assert.equal(n.length, 1);
    assert.equal(n[0].message, 'server-memory was upgraded 2026.8.31 -> 2026.9.1; 1 running instance still runs 2026.8.31.');
  });

  it('respects "Don\'t ask for this server" and the setting', () => {
    assert.deepEqual(decideNotifications(snapshot([memory]), { seen: new Set(), muted: new Set([memory.id]) }, on), []);
    assert.deepEqual(decideNotifications(snapshot([memory]), fresh, { ...on, onUpgrade: false }), []);
  });

  it('changed since start is its own event and says what happened, not "upgraded"; a verdict still settling never notifies', () => {
    const ch = server('server-memory', { instances: [instance(1, { verdicts: [changed()] })] });
    const [n] = decideNotifications(snapshot([ch]), fresh, on);
    assert.ok(n?.kind === 'stale');
    assert.equal(n.message, 'server-memory: the files of @modelcontextprotocol/server-memory changed after 1 running instance started; restart to load what is installed.');
    assert.match(n.eventId, /^changed:/);
    const settling = server('server-memory', { instances: [instance(1, { verdicts: [{ kind: 'unknown', question: 'stale', reason: 'npm ci (pid 9) is running', settling: true }] })] });
    assert.deepEqual(decideNotifications(snapshot([settling]), fresh, on), []);
  });

  it('nothing for fresh or unknown instances', () => {
    const s = server('m', { instances: [instance(1), instance(2, { verdicts: [{ kind: 'unknown', question: 'stale', reason: 'no record' }] })] });
    assert.deepEqual(decideNotifications(snapshot([s]), fresh, on), []);
  });

  it('registry updates: once per package version, even when several servers use it', () => {
    const u = { package: '@modelcontextprotocol/server-memory', installed: '2026.8.31', latest: '2026.9.1' };
    const snap = snapshot([server('a', { updateAvailable: u }), server('b', { updateAvailable: u })]);
    const n = decideNotifications(snap, fresh, on);
    assert.equal(n.length, 1);
    assert.ok(n[0].kind === 'update');
    assert.equal(n[0].message, '@modelcontextprotocol/server-memory 2026.9.1 is available (a uses 2026.8.31).');
    assert.deepEqual(decideNotifications(snap, { seen: new Set([n[0].eventId]), muted: new Set() }, on), []);
    assert.deepEqual(decideNotifications(snap, fresh, { ...on, onRegistryUpdate: false }), []);
  });
});
