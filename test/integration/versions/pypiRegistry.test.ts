import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { liveFs } from '../../../src/core/machine/liveFs';
import {
  isNewer,
  latestFromPypiDoc,
  pipIndexUrl,
  pypiJsonUrl,
  RegistryChecker,
} from '../../../src/core/versions/registry';
import { makeTempDir } from '../../support/temp';
import { liveNet } from '../../../src/core/machine/liveNet';

/** A release long superseded, so the real index always names a newer one. */
const PINNED = { name: 'mempalace', version: '3.7.0' };

/** Whether PyPI's JSON API answers at all here; the reason when not. */
async function pypiUnreachable(url: string): Promise<string | undefined> {
  try {
    const res = await fetch(url, { method: 'HEAD', signal: AbortSignal.timeout(8000) });
    return res.ok ? undefined : `PyPI answered HTTP ${res.status}`;
  } catch (err) {
    return `PyPI is unreachable (${(err as Error).message})`;
  }
}

/**
 * The update check against the real PyPI, the one place the real JSON shape is read (every other
 * registry test uses a local server). Skipped, with its reason, on a machine without PyPI.
 */
describe('versions (integration): the update check against the real PyPI', function () {
  this.timeout(60_000);

  it('parses the real JSON answer for a pinned package and reports the newer release', async function () {
    const home = makeTempDir('lg-pypi-');
    // A home with no pip.conf and no PIP_INDEX_URL: the default index, as for a user without a mirror.
    const ctx = { host: { home, platform: 'linux' as const, env: { PATH: '' } }, fs: liveFs };
    const url = pypiJsonUrl(await pipIndexUrl(ctx), PINNED.name);
    assert.equal(url, `https://pypi.org/pypi/${PINNED.name}/json`);
    const why = await pypiUnreachable(url);
    if (why) {
      console.log(`      skipped: ${why}`);
      this.skip();
    }

    const doc: unknown = await (await fetch(url, { signal: AbortSignal.timeout(20_000) })).json();
    const latest = latestFromPypiDoc(doc);
    assert.ok(typeof latest === 'string', `PyPI's answer did not parse: ${String(latest)}`);
    assert.match(latest, /^\d+(\.\d+)+$/);
    assert.ok(isNewer('python', latest, PINNED.version), `${latest} should be newer than ${PINNED.version}`);

    // The checker end to end: asks the same URL, caches the answer, reports it with no log line.
    const logs: string[] = [];
    const checker = new RegistryChecker({
      ctx,
      fs: liveFs,
      net: liveNet,
      cacheFile: path.join(home, 'cache', 'registry.json'),
      log: (m) => logs.push(m),
      timeoutMs: 20_000,
    });
    const ref = { ecosystem: 'python' as const, name: PINNED.name, current: PINNED.version };
    await checker.check([ref]);
    assert.deepEqual(logs, []);
    const update = await checker.cached(ref);
    assert.equal(update?.current, PINNED.version);
    assert.equal(update?.registry, url);
    assert.ok(update && isNewer('python', update.latest, PINNED.version), JSON.stringify(update));
  });
});
