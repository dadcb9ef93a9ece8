import * as assert from 'node:assert/strict';
import { AMBIGUOUS_WINDOW_MS, inferLoaded, LoadedFacts } from '../../../src/core/versions/inferLoaded';
import type { TarballFetch } from '../../../src/core/versions/npmCacheHistory';

const T = Date.UTC(2026, 6, 10, 9, 0, 0);
const MIN = 60_000;
const DAY = 24 * 60 * MIN;

function fetch(version: string, fetchedAt: number): TarballFetch {
  return {
    version,
    fetchedAt,
    tarball: `https://registry.npmjs.org/@modelcontextprotocol/server-memory/-/server-memory-${version}.tgz`,
    bucket: '/c/_cacache/index-v5/x',
  };
}

interface Row {
  name: string;
  fetches: TarballFetch[];
  facts: LoadedFacts;
  /** The version inferred, or a pattern the `none` reason must match. */
  expect: string | RegExp;
}

const upgrade: LoadedFacts = { installedVersion: '2026.8.31', changedAt: T + 30 * DAY + MIN, processStart: T + DAY };

const rows: Row[] = [
  {
    name: 'a same-version reinstall that fetched the tarball again after the start (`npm ci`): the earlier fetch still tells',
    fetches: [fetch('2026.8.31', T), fetch('2026.8.31', T + 30 * DAY)],
    facts: upgrade,
    expect: '2026.8.31',
  },
  {
    name: 'an upgrade from the cache with the old version refetched after the start: the installed one never came after, none',
    fetches: [fetch('2026.8.31', T - DAY), fetch('2026.7.4', T), fetch('2026.7.4', T + 30 * DAY)],
    facts: upgrade,
    expect: /fetched before it too/,
  },
  {
    name: 'install, start, upgrade through the cache: the old version',
    fetches: [fetch('2026.7.4', T), fetch('2026.8.31', T + 30 * DAY)],
    facts: upgrade,
    expect: '2026.7.4',
  },
  {
    name: 'an older version fetched long before does not blur the last one',
    fetches: [fetch('2026.1.26', T - 100 * DAY), fetch('2026.7.4', T), fetch('2026.8.31', T + 30 * DAY)],
    facts: upgrade,
    expect: '2026.7.4',
  },
  {
    name: 'npx fetched the version a second before it spawned',
    fetches: [fetch('2026.7.4', T + DAY - 1000), fetch('2026.8.31', T + 30 * DAY)],
    facts: upgrade,
    expect: '2026.7.4',
  },
  {
    name: 'a fetch a second after the coarse start time still counts as before it',
    fetches: [fetch('2026.7.4', T + DAY + 1000), fetch('2026.8.31', T + 30 * DAY)],
    facts: upgrade,
    expect: '2026.7.4',
  },
  {
    name: 'a downgrade is told the same way',
    fetches: [fetch('2026.8.31', T), fetch('2026.7.4', T + 30 * DAY)],
    facts: { ...upgrade, installedVersion: '2026.7.4' },
    expect: '2026.8.31',
  },
  {
    name: 'nothing fetched before the start',
    fetches: [fetch('2026.8.31', T + 30 * DAY)],
    facts: upgrade,
    expect: /fetched no version of the package before the process started/,
  },
  { name: 'no fetches at all', fetches: [], facts: upgrade, expect: /fetched no version/ },
  {
    name: 'the installed files are older than the process',
    fetches: [fetch('2026.7.4', T)],
    facts: { ...upgrade, changedAt: T + DAY - 1 },
    expect: /are older than the process started/,
  },
  {
    name: 'two versions fetched within a minute before the start',
    fetches: [
      fetch('2026.7.4', T),
      fetch('2026.1.26', T + AMBIGUOUS_WINDOW_MS - 1000),
      fetch('2026.8.31', T + 30 * DAY),
    ],
    facts: upgrade,
    expect: /too close together/,
  },
  {
    name: 'the installed version fetched right after the start (the start time is coarse): not an upgrade after it',
    fetches: [fetch('2026.7.4', T), fetch('2026.8.31', T + DAY + 500)],
    facts: upgrade,
    expect: /may have been started on either/,
  },
  {
    name: 'two versions fetched around the start',
    fetches: [fetch('2026.7.4', T + DAY - 3000), fetch('2026.1.26', T + DAY + 500), fetch('2026.8.31', T + 30 * DAY)],
    facts: upgrade,
    expect: /too close together/,
  },
  {
    name: 'a same-version reinstall from the cache: the installed version',
    fetches: [fetch('2026.8.31', T)],
    facts: upgrade,
    expect: '2026.8.31',
  },
  {
    name: 'same version last, but another fetched before the start too (another project may have fetched it)',
    fetches: [fetch('2026.7.4', T - 10 * DAY), fetch('2026.8.31', T)],
    facts: upgrade,
    expect: /may have been started on either/,
  },
  {
    name: 'a different version last, but the installed one was never fetched into this cache',
    fetches: [fetch('2026.7.4', T)],
    facts: upgrade,
    expect: /never fetched into it/,
  },
  {
    name: 'a different version last, but the installed one came from the cache (fetched before the start)',
    fetches: [fetch('2026.8.31', T - 10 * DAY), fetch('2026.7.4', T)],
    facts: upgrade,
    expect: /fetched before it too/,
  },
];

describe('versions: the loaded version inferred from npm cache fetches', () => {
  for (const row of rows) {
    it(row.name, () => {
      const got = inferLoaded(row.fetches, row.facts);
      if (typeof row.expect === 'string') {
        assert.equal(got.state, 'inferred', JSON.stringify(got));
        assert.equal(got.state === 'inferred' && got.version, row.expect);
      } else {
        assert.equal(got.state, 'none', JSON.stringify(got));
        assert.match(got.state === 'none' ? got.reason : '', row.expect);
      }
    });
  }

  it('names the files and the times in its evidence', () => {
    const got = inferLoaded([fetch('2026.7.4', T), fetch('2026.8.31', T + 30 * DAY)], upgrade);
    assert.equal(
      got.state === 'inferred' && got.evidence,
      "npm's cache fetched server-memory-2026.7.4.tgz at 2026-07-10T09:00:00.000Z, before the process started at 2026-07-11T09:00:00.000Z; server-memory-2026.8.31.tgz at 2026-08-09T09:00:00.000Z, after it",
    );
  });

  it('without a change time it still answers from the fetches alone', () => {
    const got = inferLoaded([fetch('2026.7.4', T), fetch('2026.8.31', T + 30 * DAY)], {
      installedVersion: '2026.8.31',
      processStart: T + DAY,
    });
    assert.equal(got.state === 'inferred' && got.version, '2026.7.4');
  });
});
