import { noFiles } from '../../support/machines';
import * as assert from 'node:assert/strict';
import type { Installed } from '../../../src/core/base/versionTypes';
import type { GoBuildInfo } from '../../../src/core/versions/goBuildInfo';
import { judgeInstance, InstanceFacts, InstanceReaders } from '../../../src/core/versions/instanceEvidence';
import type { ContentCheck } from '../../../src/core/versions/mappedContent';
import { replacedWithin } from '../../../src/core/versions/maps';

const START = Date.parse('2026-11-20T10:00:00Z');
const EXE = '/home/u/go/bin/mcp-foo';
/** What /proc/<pid>/maps says of a static Go binary renamed over while it runs. */
const MAPS = [
  `00400000-0049a000 r-xp 00000000 fd:01 1312 ${EXE} (deleted)`,
  `0049a000-00536000 r--p 0009a000 fd:01 1312 ${EXE} (deleted)`,
  `00536000-00552000 rw-p 00136000 fd:01 1312 ${EXE} (deleted)`,
  '7ffd4a1b9000-7ffd4a1da000 rw-p 00000000 00:00 0 [stack]',
].join('\n');

const goInstalled = (version: string, changedAt: number): Installed => ({
  state: 'installed',
  ecosystem: 'binary',
  name: 'example.com/foo',
  version,
  how: `executable ${EXE}, Go build information (go1.22.3): module example.com/foo ${version}`,
  location: EXE,
  changedAt,
});

const plain = (mtime: number): Installed => ({
  state: 'unversioned',
  ecosystem: 'binary',
  path: EXE,
  mtime,
  how: `executable ${EXE}`,
});

function facts(installed: Installed, changedAt: number): InstanceFacts {
  return {
    pid: 4242,
    startTime: START,
    installed,
    files: () => [{ path: EXE, at: changedAt }],
    installing: { known: undefined },
    now: changedAt + 60_000,
  };
}

function readers(check: ContentCheck, running?: GoBuildInfo): InstanceReaders {
  return {
    readMaps: async () => MAPS,
    fs: noFiles,
    compareReplaced: async (_pid, _text, paths) => new Map(paths.map((p) => [p, { check, counterpart: p }])),
    runningBuild: async () => running,
  };
}

const built = (version: string, path = 'example.com/foo'): GoBuildInfo => ({
  goVersion: 'go1.22.3',
  path,
  main: { path, version },
  deps: [],
});

describe('versions: a server that is a compiled binary, judged by content and build information', () => {
  it('a binary is its own root: its replaced mapping speaks for it, a file beside it does not', () => {
    assert.deepEqual(replacedWithin([EXE, `${EXE}-old`, '/home/u/go/bin/other'], [EXE]), [EXE]);
  });

  it('a Go binary replaced by the same bytes is current, said with the content proof', async () => {
    const at = START + 30_000;
    const { verdict, running, replaced } = await judgeInstance(
      facts(goInstalled('v1.0.0', at), at),
      readers('identical', built('v1.0.0')),
    );
    assert.deepEqual(replaced, []);
    assert.equal(verdict.state, 'current', JSON.stringify(verdict));
    assert.equal(
      verdict.state === 'current' && verdict.reason,
      `runs v1.0.0, the installed version; files it mapped were reinstalled since it started: ${EXE}`,
    );
    assert.equal(running.state === 'known' && running.source, 'build-info');
  });

  it('without its build information read, the same bytes still vouch for the version installed', async () => {
    const at = START + 30_000;
    const { verdict, running } = await judgeInstance(facts(goInstalled('v1.0.0', at), at), readers('identical'));
    assert.equal(verdict.state, 'current', JSON.stringify(verdict));
    assert.match(
      running.state === 'known' ? running.how : '',
      /reinstall with identical content: \/home\/u\/go\/bin\/mcp-foo/,
    );
  });

  it('go install of another release: stale, the module with both versions, the running one from the executable it runs', async () => {
    const at = START + 30_000;
    const { verdict } = await judgeInstance(facts(goInstalled('v1.1.0', at), at), readers('differs', built('v1.0.0')));
    assert.equal(verdict.state, 'stale', JSON.stringify(verdict));
    if (verdict.state !== 'stale') return;
    assert.equal(verdict.package, 'example.com/foo');
    assert.equal(verdict.ecosystem, 'binary');
    assert.equal(verdict.running, 'v1.0.0');
    assert.equal(verdict.installed, 'v1.1.0');
    assert.equal(verdict.runningLearnedFrom, 'build-info');
    assert.deepEqual(verdict.replacedFiles, [EXE]);
    assert.match(verdict.summary, /^example\.com\/foo: runs v1\.0\.0 but v1\.1\.0 is installed/);
  });

  it("another module's build information (a launcher or a guard runs another executable) is not this binary's version", async () => {
    const at = START + 30_000;
    const { verdict, running } = await judgeInstance(
      facts(goInstalled('v1.1.0', at), at),
      readers('differs', built('v9.9.9', 'example.com/other')),
    );
    assert.equal(running.state, 'unknown');
    assert.equal(verdict.state, 'stale');
    assert.equal(verdict.state === 'stale' && verdict.running, 'unknown');
  });

  it('the executable is read only when the binary changed after the start', async () => {
    let asked = 0;
    const r = readers('identical', built('v1.0.0'));
    const { verdict } = await judgeInstance(facts(goInstalled('v1.0.0', START - 60_000), START - 60_000), {
      ...r,
      runningBuild: async () => {
        asked++;
        return built('v1.0.0');
      },
    });
    assert.equal(asked, 0);
    assert.equal(verdict.state, 'current');
  });

  it('a binary with no version (a Rust or C server, a Go build of a checkout) replaced by the same bytes is current', async () => {
    const at = START + 30_000;
    const { verdict } = await judgeInstance(facts(plain(at), at), readers('identical'));
    assert.equal(verdict.state, 'current', JSON.stringify(verdict));
    assert.equal(
      verdict.state === 'current' && verdict.reason,
      `the executable was reinstalled since it started with identical content: ${EXE}`,
    );
  });

  it('a binary with no version replaced by other bytes is stale, naming the replaced file; not compared: stale by its time', async () => {
    const at = START + 30_000;
    const differs = await judgeInstance(facts(plain(at), at), readers('differs'));
    assert.equal(differs.verdict.state, 'stale');
    assert.deepEqual(differs.verdict.state === 'stale' && differs.verdict.replacedFiles, [EXE]);
    const unverified = await judgeInstance(facts(plain(at), at), readers('unverified'));
    assert.equal(unverified.verdict.state, 'stale', JSON.stringify(unverified.verdict));
  });
});
