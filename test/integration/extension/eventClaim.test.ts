import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { CLAIM_LIFE_MS, claimEvent, markerPath, sweepClaims } from '../../../src/extension/eventClaim';

const run = promisify(execFile);

describe('extension: one notification per event across windows', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lg-claim-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('the first claim wins, the second sees it taken, another event is free', () => {
    assert.deepEqual(claimEvent(dir, 'stale:a:p@2'), { kind: 'claimed' });
    assert.deepEqual(claimEvent(dir, 'stale:a:p@2'), { kind: 'taken' });
    assert.deepEqual(claimEvent(dir, 'stale:a:p@3'), { kind: 'claimed' });
    const marker = JSON.parse(fs.readFileSync(markerPath(dir, 'stale:a:p@2'), 'utf8'));
    assert.equal(marker.eventId, 'stale:a:p@2');
  });

  it('a sweep removes the markers older than their life (the event is news again), keeps the rest and anything not a marker', () => {
    assert.equal(sweepClaims(dir), 0, 'no marker folder yet');
    claimEvent(dir, 'old');
    claimEvent(dir, 'new');
    const old = markerPath(dir, 'old');
    const longAgo = new Date(Date.now() - CLAIM_LIFE_MS - 60_000);
    fs.utimesSync(old, longAgo, longAgo);
    const other = path.join(path.dirname(old), 'notes.txt');
    fs.writeFileSync(other, '');
    fs.utimesSync(other, longAgo, longAgo);
    assert.equal(sweepClaims(dir), 1);
    assert.ok(!fs.existsSync(old) && fs.existsSync(markerPath(dir, 'new')) && fs.existsSync(other));
    assert.deepEqual(claimEvent(dir, 'old'), { kind: 'claimed' });
    assert.deepEqual(claimEvent(dir, 'new'), { kind: 'taken' });
  });

  it('a state dir that cannot be created is an error, not a silent "taken"', () => {
    const file = path.join(dir, 'a-file');
    fs.writeFileSync(file, '');
    assert.equal(claimEvent(path.join(file, 'state'), 'x').kind, 'error');
  });

  it('two processes deciding the same events notify each event exactly once', async () => {
    const child = path.join(__dirname, 'claimChild.ts');
    const startAt = String(Date.now() + 1500);
    const outs = await Promise.all(
      [0, 1].map(() =>
        run(process.execPath, ['--require', 'tsx/cjs', child, dir, startAt], {
          cwd: path.join(__dirname, '..', '..', '..'),
        }),
      ),
    );
    const [a, b] = outs.map((o) => JSON.parse(o.stdout) as string[]);
    assert.equal(a.length + b.length, 20, `a=${a.length} b=${b.length}`);
    assert.equal(new Set([...a, ...b]).size, 20);
  });
});
