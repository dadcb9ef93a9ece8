import * as assert from 'node:assert/strict';
import { SessionStore } from '../../../src/core/http/sessionStore';
import { EventStreams } from '../../../src/guard/http/eventStreams';

describe('EventStreams', function () {
  function setup(max: number): {
    store: SessionStore;
    streams: EventStreams;
    ended: string[];
    open: (key: string) => () => void;
  } {
    const store = SessionStore.inMemory();
    const streams = new EventStreams(max, (keys) => store.firstToForget(keys));
    const ended: string[] = [];
    return { store, streams, ended, open: (key) => streams.add(key, () => ended.push(key)) };
  }
  const session = {
    upstream: 'u',
    initialize: { jsonrpc: '2.0', method: 'initialize', params: {} },
    epoch: 0,
    createdAt: '2026-01-01T00:00:00.000Z',
  };

  it('a second stream of a session ends the first', function () {
    const { store, streams, ended, open } = setup(4);
    store.set('a', { ...session });
    open('a');
    open('a');
    assert.deepEqual(ended, ['a']);
    assert.equal(streams.size, 1);
  });

  it('past the limit, the stream of a session never used for a call goes first, whatever its age', function () {
    const { store, streams, ended, open } = setup(2);
    store.set('worker', { ...session });
    store.set('idle', { ...session });
    store.touch('worker', true);
    open('worker');
    open('idle');
    store.set('newcomer', { ...session });
    open('newcomer');
    assert.deepEqual(ended, ['idle']);
    // Among used sessions, the least recently used one goes.
    store.touch('newcomer', true);
    store.touch('worker', true);
    store.set('third', { ...session });
    store.touch('third', true);
    open('third');
    assert.deepEqual(ended, ['idle', 'newcomer']);
    assert.equal(streams.size, 2);
  });

  it('a stream whose session is forgotten goes before any other', function () {
    const { store, ended, open } = setup(2);
    store.set('kept', { ...session });
    open('kept');
    open('unknown:1');
    store.set('next', { ...session });
    open('next');
    assert.deepEqual(ended, ['unknown:1']);
  });

  it('a stream that is over frees its place without ending the newer one of its session', function () {
    const { store, streams, ended, open } = setup(2);
    store.set('a', { ...session });
    const releaseFirst = open('a');
    open('a');
    releaseFirst();
    assert.equal(streams.size, 1);
    assert.deepEqual(ended, ['a']);
  });
});
