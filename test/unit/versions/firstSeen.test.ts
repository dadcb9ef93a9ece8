import { liveFs } from '../../../src/core/machine/liveFs';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FirstSeenStore, instanceKey } from '../../../src/core/versions/firstSeen';
import { tempDir } from './layouts';

describe('versions: first-seen store', () => {
  it('persists the first sighting of an instance across loads and never overwrites it', async () => {
    const file = path.join(tempDir(), 'state', 'versions', 'first-seen.json');
    const now = new Date('2026-11-21T10:00:00Z');
    const a = await FirstSeenStore.load(file, { fs: liveFs, platform: process.platform });
    a.record(instanceKey(42, 1000), { name: 'p', version: '1.0', firstSeenAt: now.toISOString() }, now);
    a.record(instanceKey(42, 1000), { name: 'p', version: '2.0', firstSeenAt: now.toISOString() }, now);
    await a.save(now);
    const b = await FirstSeenStore.load(file, { fs: liveFs, platform: process.platform });
    assert.equal(b.get(instanceKey(42, 1000))?.version, '1.0');
    assert.equal(b.get(instanceKey(42, 2000)), undefined, 'a reused pid with another start time is another instance');
    assert.equal((fs.statSync(file).mode & 0o777).toString(8), '600');
  });

  it('reports a garbage file and starts afresh; drops entries unseen for a month', async () => {
    const file = path.join(tempDir(), 'fs.json');
    fs.writeFileSync(file, '{nope');
    const reports: string[] = [];
    const s = await FirstSeenStore.load(file, {
      fs: liveFs,
      platform: process.platform,
      report: (m) => reports.push(m),
    });
    assert.match(reports[0], /not valid JSON/);
    const then = new Date('2026-10-01T00:00:00Z');
    s.record('1@1', { name: 'p', version: '1', firstSeenAt: then.toISOString() }, then);
    await s.save(new Date('2026-11-21T00:00:00Z'));
    assert.equal((await FirstSeenStore.load(file, { fs: liveFs, platform: process.platform })).get('1@1'), undefined);
  });
});
