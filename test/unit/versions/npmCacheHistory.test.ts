import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  bucketPath,
  contentPath,
  currentEntry,
  parseBucket,
  requestKey,
} from '../../../src/core/versions/cacacheIndex';
import {
  cachedPackument,
  npmCacheHistory,
  npmRegistryFor,
  packumentUrl,
  tarballFetches,
} from '../../../src/core/versions/npmCacheHistory';
import { fixturesDir } from '../../support/repo';
import { ctxFor, tempDir, write } from './layouts';

const MEM = '@modelcontextprotocol/server-memory';
const REG = 'https://registry.npmjs.org/';
/** A cache npm itself wrote (see its README): two tarball fetches and the packument. */
const FIXTURE = path.join(fixturesDir, 'npm-cache');
const ROOT = path.join(FIXTURE, '_cacache');
const tgz = (version: string, registry = REG) => `${registry.replace(/\/$/, '')}/${MEM}/-/server-memory-${version}.tgz`;
const linux = { platform: 'linux' as const };

/** A copy of the fixture cache a test may append to. */
function copyOfFixture(): string {
  const dir = path.join(tempDir('lg-npmcache-'), 'npm-cache');
  fs.cpSync(FIXTURE, dir, { recursive: true });
  return dir;
}

/** Appends one write as cacache's insert does: `\n<sha1(json)>\t<json>`. */
function appendWrite(cacheDir: string, url: string, integrity: string | null, time: number): void {
  const key = requestKey(url);
  const json = JSON.stringify({ key, integrity, time, size: 1, metadata: { url } });
  const file = bucketPath(linux, path.join(cacheDir, '_cacache'), key);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.appendFileSync(file, `\n${createHash('sha1').update(json).digest('hex')}\t${json}`);
}

describe("versions: npm's cache history", () => {
  it('computes the bucket paths npm wrote and parses its lines', () => {
    const key = requestKey(tgz('2026.7.4'));
    assert.equal(key, `make-fetch-happen:request-cache:${tgz('2026.7.4')}`);
    const bucket = bucketPath(linux, ROOT, key);
    assert.equal(
      path.relative(ROOT, bucket),
      'index-v5/95/25/47ff303a7947d6028050962f001614cd04a2815c789a067bba4d4268db62',
    );
    const entries = parseBucket(fs.readFileSync(bucket, 'utf8'));
    assert.equal(entries.length, 1);
    assert.deepEqual(currentEntry(entries, key), {
      key,
      integrity: 'sha512-D+NNzChsOHN72y58ngDmO+TzjJijGi/sSY/gBydhB3TJCcm1XQEozVWwEpruHeXt/HSkMV3Z/BpHDhdt1MLD5w==',
      time: 1795382824092,
      size: 7606,
    });
    // The packument's key escapes a scoped name's slash; a read compacts its bucket, each install appends, the last wins.
    const pkKey = requestKey(packumentUrl(REG, MEM));
    assert.equal(
      pkKey,
      'make-fetch-happen:request-cache:https://registry.npmjs.org/@modelcontextprotocol%2fserver-memory',
    );
    const pk = parseBucket(fs.readFileSync(bucketPath(linux, ROOT, pkKey), 'utf8'));
    assert.equal(pk.length, 2);
    const current = currentEntry(pk, pkKey)!;
    assert.equal(current.time, 1795382837056);
    assert.ok(
      fs.existsSync(contentPath(linux, ROOT, current.integrity!)!),
      'the content file the integrity names is the one npm wrote',
    );
    assert.match(bucketPath({ platform: 'win32' }, 'C:\\c\\_cacache', key), /^C:\\c\\_cacache\\index-v5\\95\\25\\47ff/);
  });

  it('skips torn lines, honours deletions and picks the strongest hash of an integrity', () => {
    const good = fs.readFileSync(bucketPath(linux, ROOT, requestKey(tgz('2026.8.31'))), 'utf8');
    const torn = good.replace('"time":1795382830657', '"time":1795382830658');
    assert.deepEqual(parseBucket(torn), [], 'a line whose hash does not match its JSON is not trusted');
    const key = requestKey(tgz('2026.8.31'));
    const deleted = JSON.stringify({ key, integrity: null, time: 1795382840000 });
    const withDelete = `${good}\n${createHash('sha1').update(deleted).digest('hex')}\t${deleted}`;
    assert.equal(parseBucket(withDelete).length, 2);
    assert.equal(currentEntry(parseBucket(withDelete), key), undefined, 'a deletion shadows the earlier write');
    assert.equal(currentEntry(parseBucket(good), 'another key'), undefined);
    const sha1 = createHash('sha1').update('x').digest('base64');
    const sha512 = createHash('sha512').update('x').digest('base64');
    const file = contentPath(linux, '/c', `sha1-${sha1} sha512-${sha512}`)!;
    assert.equal(file.split('/').slice(0, 4).join('/'), '/c/content-v2/sha512');
    assert.equal(file.split('/').slice(4).join(''), createHash('sha512').update('x').digest('hex'));
    assert.equal(contentPath(linux, '/c', 'md5-abc'), undefined);
  });

  it('reads the real cache: every version of the packument, the two fetched tarballs oldest first', async () => {
    const ctx = ctxFor(tempDir(), { npm_config_cache: FIXTURE });
    const history = await npmCacheHistory(ctx, MEM);
    assert.equal(history.state, 'found', JSON.stringify(history));
    if (history.state !== 'found') return;
    assert.equal(history.registry, REG);
    assert.equal(history.packument.bytes, 9600);
    assert.deepEqual(
      history.fetches.map((f) => [f.version, f.fetchedAt, f.tarball]),
      [
        ['2026.7.4', 1795382824092, tgz('2026.7.4')],
        ['2026.8.31', 1795382830657, tgz('2026.8.31')],
      ],
    );
    const packument = await cachedPackument(ctx, { cacheDir: FIXTURE, registry: REG, name: MEM });
    assert.equal(
      packument.state === 'found' && packument.versions.join(' '),
      '2026.8.31 2026.7.4 2026.1.26 2025.11.25 2025.9.25 2025.8.4 2025.4.25 0.6.2',
    );
  });

  it('says so when the packument is not cached, and finds nothing for a version never fetched', async () => {
    const ctx = ctxFor(tempDir());
    const empty = tempDir();
    const none = await npmCacheHistory(ctxFor(tempDir(), { npm_config_cache: empty }), MEM);
    assert.equal(none.state, 'none');
    assert.match(
      none.state === 'none' ? none.reason : '',
      /holds no packument of @modelcontextprotocol\/server-memory/,
    );
    assert.deepEqual(
      await tarballFetches(ctx, { cacheDir: FIXTURE, registry: REG, name: MEM, versions: ['2026.1.26'] }),
      [],
    );
    // The packument indexed but its content gone (a hand-pruned cache).
    const pruned = copyOfFixture();
    fs.rmSync(path.join(pruned, '_cacache', 'content-v2'), { recursive: true });
    const gone = await cachedPackument(ctx, { cacheDir: pruned, registry: REG, name: MEM });
    assert.match(gone.state === 'none' ? gone.reason : '', /content .* is gone/);
  });

  it('a deleted tarball entry is not cached; every write of a version is kept, oldest first (a refetch does not hide the earlier fetch)', async () => {
    const cacheDir = copyOfFixture();
    appendWrite(cacheDir, tgz('2026.8.31'), null, 1795382840000);
    appendWrite(cacheDir, tgz('2026.7.4'), 'sha512-AAAA', 1795382850000);
    const fetches = await tarballFetches(ctxFor(tempDir()), {
      cacheDir,
      registry: REG,
      name: MEM,
      versions: ['2026.7.4', '2026.8.31'],
    });
    assert.deepEqual(
      fetches.map((f) => [f.version, f.fetchedAt]),
      [
        ['2026.7.4', 1795382824092],
        ['2026.7.4', 1795382850000],
      ],
    );
  });

  it('asks about the installed version too when the cached packument predates it', async () => {
    const cacheDir = copyOfFixture();
    appendWrite(cacheDir, tgz('2026.9.1'), 'sha512-AAAA', 1795382860000);
    const ctx = ctxFor(tempDir(), { npm_config_cache: cacheDir });
    const versions = async (alsoAsk?: string[]) => {
      const h = await npmCacheHistory(ctx, MEM, alsoAsk);
      return h.state === 'found' ? h.fetches.map((f) => f.version) : h.reason;
    };
    assert.deepEqual(await versions(), ['2026.7.4', '2026.8.31']);
    assert.deepEqual(await versions(['2026.9.1', '2026.8.31']), ['2026.7.4', '2026.8.31', '2026.9.1']);
  });

  it("takes the registry from the user's .npmrc (scope first) and finds tarballs under it", async () => {
    const home = tempDir();
    assert.equal(await npmRegistryFor(ctxFor(home), MEM), REG);
    write(
      path.join(home, '.npmrc'),
      'registry=https://mirror.example.test/npm\n@modelcontextprotocol:registry=https://scoped.example.test/\n',
    );
    assert.equal(await npmRegistryFor(ctxFor(home), MEM), 'https://scoped.example.test/');
    assert.equal(await npmRegistryFor(ctxFor(home), 'left-pad'), 'https://mirror.example.test/npm/');
    assert.equal(
      await npmRegistryFor(ctxFor(home, { npm_config_registry: 'https://env.example.test' }), 'left-pad'),
      'https://env.example.test/',
    );
    assert.equal(
      packumentUrl('https://mirror.example.test/npm/', MEM),
      'https://mirror.example.test/npm/@modelcontextprotocol%2fserver-memory',
    );

    // npm rewrites registry.npmjs.org tarball URLs to the configured registry: the fetch is under the mirror's URL.
    const cacheDir = path.join(tempDir(), 'npm-cache');
    const mirror = 'https://mirror.example.test/npm/';
    appendWrite(cacheDir, tgz('2026.7.4', mirror), 'sha512-AAAA', 1000);
    const fetches = await tarballFetches(ctxFor(home), {
      cacheDir,
      registry: mirror,
      name: MEM,
      versions: ['2026.7.4'],
      tarballs: { '2026.7.4': tgz('2026.7.4') },
    });
    assert.deepEqual(
      fetches.map((f) => [f.version, f.tarball]),
      [['2026.7.4', tgz('2026.7.4', mirror)]],
    );
    const elsewhere = await cachedPackument(ctxFor(home), { cacheDir: FIXTURE, registry: mirror, name: MEM });
    assert.match(
      elsewhere.state === 'none' ? elsewhere.reason : '',
      /mirror\.example\.test\/npm\/@modelcontextprotocol%2fserver-memory/,
    );
  });
});
