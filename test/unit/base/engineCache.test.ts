import * as assert from 'node:assert/strict';
import { cacheStatsLine, EngineCache } from '../../../src/core/base/engineCache';

describe("the engine's cache: named buckets, one eviction rule, counters for the log", () => {
  it('a full bucket lets its oldest entry go first, and counts it', () => {
    const cache = new EngineCache(() => 0);
    const b = cache.bucket<string, number>('resolutions', { limit: 2 });
    b.set('a', 1);
    b.set('b', 2);
    b.set('c', 3);
    assert.equal(b.get('a'), undefined);
    assert.deepEqual([b.get('b'), b.get('c')], [2, 3]);
    assert.deepEqual(cache.stats().resolutions, { size: 2, hits: 2, misses: 1, evictions: 1 });
  });

  it('an answer older than its bucket allows is asked again; a younger one is kept', () => {
    let now = 1000;
    const cache = new EngineCache(() => now);
    const b = cache.bucket<string, string>('docker', { limit: 10, ttlMs: 500 });
    b.set('image', 'v1');
    now += 499;
    assert.equal(b.get('image'), 'v1');
    now += 1;
    assert.equal(b.get('image'), undefined);
    assert.equal(b.stats.size, 0, 'the aged entry is gone');
  });

  it('the same name gives the same bucket, and each engine its own', () => {
    const one = new EngineCache();
    one.bucket<string, number>('x', { limit: 5 }).set('k', 1);
    assert.equal(one.bucket<string, number>('x', { limit: 5 }).get('k'), 1);
    assert.equal(new EngineCache().bucket<string, number>('x', { limit: 5 }).get('k'), undefined);
  });

  it('its counters read as one log line, buckets by name, evictions only where there were some', () => {
    const cache = new EngineCache(() => 0);
    const r = cache.bucket<string, number>('resolutions', { limit: 1 });
    r.set('a', 1);
    r.set('b', 2);
    r.get('b');
    cache.bucket<string, number>('docker', { limit: 3 }).get('none');
    assert.equal(
      cacheStatsLine(cache.stats()),
      'docker 0 (0 hits, 1 misses), resolutions 1 (1 hits, 0 misses, 1 evicted)',
    );
    assert.equal(cacheStatsLine(new EngineCache().stats()), 'empty');
  });
});
