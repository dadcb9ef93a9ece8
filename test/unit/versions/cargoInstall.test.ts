import { noFiles } from '../../support/machines';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Installed } from '../../../src/core/base/versionTypes';
import { isCargoRecordOf, packageOfBin, parseCrates2 } from '../../../src/core/versions/cargoInstall';
import { judgeInstance, InstanceFacts, InstanceReaders } from '../../../src/core/versions/instanceEvidence';
import { resolveInstalled } from '../../../src/core/versions/resolve';
import { ctxFor, tempDir } from './layouts';
import type { ContentCheck } from '../../../src/core/versions/mappedContent';
import { fixturesDir } from '../../support/repo';

/** What cargo 1.95 wrote after `cargo install --path crate --root root` of mcpcrate 0.2.0 (test/support/cargoCrate.ts). */
const CRATES2 = fs.readFileSync(path.join(fixturesDir, 'cargo', 'crates2.json'), 'utf8');
const CRATES_TOML = fs.readFileSync(path.join(fixturesDir, 'cargo', 'crates.toml'), 'utf8');

const START = Date.parse('2026-11-20T10:00:00Z');
const ROOT = '/home/u/.cargo';
const EXE = `${ROOT}/bin/mcpcrate`;
const MAPS = [
  `55d0c0a00000-55d0c0a0c000 r--p 00000000 fd:01 1312 ${EXE} (deleted)`,
  `55d0c0a0c000-55d0c0a4e000 r-xp 0000c000 fd:01 1312 ${EXE} (deleted)`,
  '7ffd4a1b9000-7ffd4a1da000 rw-p 00000000 00:00 0 [stack]',
].join('\n');

const cargoInstalled = (version: string, changedAt: number): Installed => ({
  state: 'installed',
  ecosystem: 'binary',
  name: 'mcpcrate',
  version,
  how: `executable ${EXE}, cargo install's records ${ROOT}/.crates2.json: mcpcrate ${version} (registry+https://github.com/rust-lang/crates.io-index)`,
  location: EXE,
  changedAt,
});

function facts(installed: Installed, changed: Array<{ path: string; at: number }>): InstanceFacts {
  return {
    pid: 4242,
    startTime: START,
    installed,
    files: () => changed,
    installing: { known: undefined },
    now: START + 120_000,
  };
}

function readers(check: ContentCheck): InstanceReaders {
  return {
    readMaps: async () => MAPS,
    fs: noFiles,
    compareReplaced: async (_pid, _text, paths) => new Map(paths.map((p) => [p, { check, counterpart: p }])),
  };
}

describe("versions: a binary cargo installed, named by cargo's records", () => {
  it('.crates2.json: each package with its version, source and bins (as cargo writes it)', () => {
    assert.deepEqual(parseCrates2(CRATES2), [
      { name: 'mcpcrate', version: '0.2.0', source: 'path+file:///tmp/cargotry/crate', bins: ['mcpcrate'] },
    ]);
    assert.deepEqual(parseCrates2('not json'), []);
    assert.deepEqual(parseCrates2('{"installs": {"no version here": {"bins": ["x"]}, "y 1.0.0 (s)": {}}}'), []);
  });

  it('the package of a bin: by its file name, `.exe` or not', () => {
    const packages = parseCrates2(
      JSON.stringify({
        installs: { 'ripgrep 14.1.1 (s)': { bins: ['rg.exe'] }, 'mcpcrate 0.2.0 (s)': { bins: ['mcpcrate'] } },
      }),
    );
    assert.equal(packageOfBin(packages, 'rg')?.name, 'ripgrep');
    assert.equal(packageOfBin(packages, 'rg.exe')?.name, 'ripgrep');
    assert.equal(packageOfBin(packages, 'mcpcrate.exe')?.version, '0.2.0');
    assert.equal(packageOfBin(packages, 'ripgrep'), undefined); // a package name is not a bin
  });

  it("cargo's records are those of the root the binary is in, and only when it is in a bin folder", () => {
    assert.equal(isCargoRecordOf(`${ROOT}/.crates2.json`, EXE, '/'), true);
    assert.equal(isCargoRecordOf(`${ROOT}/.crates.toml`, EXE, '/'), true);
    assert.equal(isCargoRecordOf('/other/.crates2.json', EXE, '/'), false);
    assert.equal(isCargoRecordOf(`${ROOT}/bin/.crates2.json`, EXE, '/'), false);
    assert.equal(isCargoRecordOf('/opt/x/.crates2.json', '/opt/x/mcpcrate', '/'), false);
    assert.equal(
      isCargoRecordOf('C:\\Users\\u\\.cargo\\.crates2.json', 'C:\\Users\\u\\.cargo\\bin\\m.exe', '\\'),
      true,
    );
  });

  it('cargo install of the same bytes again (the records rewritten too): current, even at a first look', async () => {
    const at = START + 30_000;
    const changed = [
      { path: EXE, at },
      { path: `${ROOT}/.crates2.json`, at },
    ];
    const { verdict, running } = await judgeInstance(facts(cargoInstalled('0.1.0', at), changed), readers('identical'));
    assert.equal(verdict.state, 'current', JSON.stringify(verdict));
    assert.match(verdict.state === 'current' ? verdict.reason : '', /^runs 0\.1\.0, the installed version/);
    assert.match(running.state === 'known' ? running.how : '', /reinstall with identical content/);
  });

  it('the same bytes do not explain another file that changed (a folder beside the binary)', async () => {
    const at = START + 30_000;
    const changed = [
      { path: EXE, at },
      { path: '/home/u/other/.crates2.json', at },
    ];
    const { verdict } = await judgeInstance(facts(cargoInstalled('0.1.0', at), changed), readers('identical'));
    assert.equal(verdict.state, 'changed', JSON.stringify(verdict));
  });

  it('another release installed and no sighting before: stale by content, the running version not invented', async () => {
    const at = START + 30_000;
    const changed = [
      { path: EXE, at },
      { path: `${ROOT}/.crates2.json`, at },
    ];
    const { verdict } = await judgeInstance(facts(cargoInstalled('0.2.0', at), changed), readers('differs'));
    assert.equal(verdict.state, 'stale', JSON.stringify(verdict));
    if (verdict.state !== 'stale') return;
    assert.equal(verdict.running, 'unknown');
    assert.equal(verdict.installed, '0.2.0');
    assert.deepEqual(verdict.replacedFiles, [EXE]);
  });

  it('another release installed, 0.1.0 recorded at the first sighting: stale naming both', async () => {
    const at = START + 30_000;
    const { verdict } = await judgeInstance(
      {
        ...facts(cargoInstalled('0.2.0', at), [{ path: EXE, at }]),
        firstSeen: { name: 'mcpcrate', version: '0.1.0', firstSeenAt: new Date(START + 1000).toISOString() },
      },
      readers('differs'),
    );
    assert.equal(verdict.state, 'stale', JSON.stringify(verdict));
    if (verdict.state !== 'stale') return;
    assert.equal(verdict.running, '0.1.0');
    assert.equal(verdict.installed, '0.2.0');
    assert.equal(verdict.runningLearnedFrom, 'first-seen');
    assert.match(verdict.summary, /^mcpcrate: runs 0\.1\.0 but 0\.2\.0 is installed/);
  });

  it('resolves a launch by name on PATH, or a link into ~/.cargo/bin, to the package cargo recorded for that bin', async () => {
    const home = tempDir();
    const root = path.join(home, '.cargo');
    fs.mkdirSync(path.join(root, 'bin'), { recursive: true });
    fs.writeFileSync(path.join(root, '.crates2.json'), CRATES2);
    const exe = path.join(root, 'bin', 'mcpcrate');
    fs.writeFileSync(exe, 'ELF', { mode: 0o755 });
    fs.writeFileSync(path.join(root, 'bin', 'other'), 'ELF', { mode: 0o755 });
    const local = path.join(home, '.local', 'bin');
    fs.mkdirSync(local, { recursive: true });
    fs.symlinkSync(exe, path.join(local, 'mcp-linked'));

    const ctx = ctxFor(home, { PATH: `${path.join(root, 'bin')}${path.delimiter}${local}` });
    const byName = (await resolveInstalled(ctx, { command: 'mcpcrate', args: [] })).installed;
    assert.deepEqual(byName.state === 'installed' && [byName.ecosystem, byName.name, byName.version, byName.location], [
      'binary',
      'mcpcrate',
      '0.2.0',
      exe,
    ]);
    assert.equal(
      byName.state === 'installed' && byName.how,
      `executable ${exe}, cargo install's records ${root}/.crates2.json: mcpcrate 0.2.0 (path+file:///tmp/cargotry/crate)`,
    );
    const linked = (await resolveInstalled(ctx, { command: 'mcp-linked', args: [] })).installed;
    assert.equal(linked.state === 'installed' && linked.version, '0.2.0', JSON.stringify(linked));
    // A binary in the same folder that cargo's records do not list is a plain executable.
    const other = (await resolveInstalled(ctx, { command: 'other', args: [] })).installed;
    assert.equal(other.state, 'unversioned', JSON.stringify(other));
    // Only .crates.toml (a cargo older than 1.41): not read, a plain executable.
    fs.rmSync(path.join(root, '.crates2.json'));
    fs.writeFileSync(path.join(root, '.crates.toml'), CRATES_TOML);
    const fromToml = (
      await resolveInstalled(ctxFor(home, { PATH: path.join(root, 'bin') }), { command: exe, args: [] })
    ).installed;
    assert.equal(fromToml.state, 'unversioned', JSON.stringify(fromToml));
  });
});
