import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { distributions, readPythonPackage } from '../../../src/core/versions/python';
import {
  closureOf,
  parseRequirementLine,
  readDistMetadata,
  requiresDist,
  requiresTxt,
} from '../../../src/core/versions/pythonClosure';
import { VersionFs } from '../../../src/core/versions/fs';
import { fixturesDir } from '../../support/repo';
import { ctxFor, distInfo, DistSpec, tempDir, venv, write } from './layouts';

const metadataFixture = (file: string) => fs.readFileSync(path.join(fixturesDir, 'python', 'metadata', file), 'utf8');

/** The closure of `root` in a fixture site-packages, as readPythonPackage computes it. */
async function closureIn(sp: string, root: string, rootExtras: string[] = []) {
  const ctx = ctxFor(path.dirname(sp));
  const dists = await distributions(ctx, sp);
  const metadata = await readDistMetadata(ctx, sp, dists.get(root)!.entry);
  return closureOf(ctx, sp, dists, { name: root, metadata }, rootExtras);
}

function siteWith(dists: DistSpec[]): string {
  return venv(path.join(tempDir('lg-pyclosure-'), 'venv'), dists);
}

describe('versions: Python dependency closure', () => {
  it('parses Requires-Dist values: names, extras asked, extras they belong to', () => {
    assert.deepEqual(parseRequirementLine('pyjwt[crypto]>=2.10.1'), {
      name: 'pyjwt',
      extras: ['crypto'],
      forExtras: [],
    });
    assert.deepEqual(parseRequirementLine("anyio>=4.10; python_version >= '3.14'"), {
      name: 'anyio',
      extras: [],
      forExtras: [],
    });
    assert.deepEqual(
      parseRequirementLine("brotli; (platform_python_implementation == 'CPython') and extra == 'brotli'"),
      { name: 'brotli', extras: [], forExtras: ['brotli'] },
    );
    assert.deepEqual(parseRequirementLine('PySocks!=1.5.7,>=1.5.6; extra == "socks"'), {
      name: 'pysocks',
      extras: [],
      forExtras: ['socks'],
    });
    assert.deepEqual(parseRequirementLine('chardet (<6,>=3.0.2) ; "Use_Chardet" == extra'), {
      name: 'chardet',
      extras: [],
      forExtras: ['use-chardet'],
    });
    assert.deepEqual(parseRequirementLine('Zope.Interface [ Security , tests ]'), {
      name: 'zope-interface',
      extras: ['security', 'tests'],
      forExtras: [],
    });
    assert.deepEqual(parseRequirementLine('pkg @ https://host/a;b/pkg.whl ; extra == "x"'), {
      name: 'pkg',
      extras: [],
      forExtras: ['x'],
    });
    assert.equal(parseRequirementLine('; extra == "x"'), undefined);
  });

  it('reads the Requires-Dist of real METADATA files (mcp, httpx, requests from PyPI)', () => {
    const mcp = requiresDist(metadataFixture('mcp-2.3.0.METADATA'));
    assert.equal(mcp.length, 19);
    assert.deepEqual(
      mcp
        .filter((r) => r.forExtras.length === 0)
        .map((r) => r.name)
        .slice(0, 5),
      ['anyio', 'anyio', 'httpx2', 'jsonschema', 'mcp-types'],
    );
    assert.deepEqual(
      mcp.find((r) => r.name === 'pyjwt'),
      { name: 'pyjwt', extras: ['crypto'], forExtras: [] },
    );
    assert.deepEqual(
      mcp.filter((r) => r.forExtras.length).map((r) => `${r.name}:${r.forExtras.join()}`),
      ['python-dotenv:cli', 'typer:cli', 'rich:rich'],
    );

    const httpx = requiresDist(metadataFixture('httpx-0.28.1.METADATA'));
    assert.deepEqual(
      httpx.filter((r) => r.forExtras.length === 0).map((r) => r.name),
      ['anyio', 'certifi', 'httpcore', 'idna'],
    );
    assert.deepEqual(httpx.find((r) => r.name === 'brotlicffi')?.forExtras, ['brotli']);
    assert.deepEqual(
      httpx.filter((r) => r.forExtras.includes('cli')).map((r) => r.name),
      ['click', 'pygments', 'rich'],
    );

    const requests = requiresDist(metadataFixture('requests-2.34.2.METADATA'));
    assert.deepEqual(
      requests.map((r) => `${r.name}${r.forExtras.length ? `:${r.forExtras.join()}` : ''}`),
      ['charset-normalizer', 'idna', 'urllib3', 'certifi', 'pysocks:socks', 'chardet:use-chardet-on-py3'],
    );
  });

  it("reads an egg-info's requires.txt sections", () => {
    const reqs = requiresTxt('six>=1.0\n\n[:python_version < "3.8"]\nimportlib-metadata\n\n[Security]\ncryptography\n');
    assert.deepEqual(reqs, [
      { name: 'six', extras: [], forExtras: [] },
      { name: 'importlib-metadata', extras: [], forExtras: [] },
      { name: 'cryptography', extras: [], forExtras: ['security'] },
    ]);
  });

  it('follows requirements recursively; extras only when asked; any other marker by presence; missing ones left out', async () => {
    const sp = siteWith([
      {
        name: 'srv',
        version: '1.0',
        requires: [
          'httpx>=0.27',
          "pywin32>=311; sys_platform == 'win32'",
          "uvicorn; sys_platform != 'emscripten'",
          'rich; extra == "rich"',
          'notinstalled>=1',
        ],
      },
      { name: 'httpx', version: '0.28.1', requires: ['anyio', 'h2<5; extra == "http2"', 'click; extra == "cli"'] },
      { name: 'anyio', version: '4.9.0', requires: ['idna>=2.8', "exceptiongroup; python_version < '3.11'"] },
      { name: 'idna', version: '3.10' },
      { name: 'uvicorn', version: '0.34.0' },
      { name: 'h2', version: '4.2.0' },
      { name: 'click', version: '8.1.8' },
      { name: 'rich', version: '14.0.0' },
      { name: 'pip', version: '24.0' },
      { name: 'setuptools', version: '75.0.0' },
    ]);
    const c = await closureIn(sp, 'srv');
    // pywin32 and exceptiongroup: their markers are not evaluated, and they are not installed, so out.
    assert.deepEqual(c.packages, { anyio: '4.9.0', httpx: '0.28.1', idna: '3.10', uvicorn: '0.34.0' });
    assert.equal(typeof c.changedAt, 'number');

    // Extras of the root (when the launch names them) and extras a requirement asks of a dependency.
    const withRich = await closureIn(sp, 'srv', ['Rich']);
    assert.deepEqual(Object.keys(withRich.packages).sort(), ['anyio', 'httpx', 'idna', 'rich', 'uvicorn']);
  });

  it('adds the requirements of an extra when a distribution is reached again with it', async () => {
    const sp = siteWith([
      { name: 'srv', version: '1.0', requires: ['httpx', 'middle'] },
      { name: 'middle', version: '1.0', requires: ['httpx[http2]'] },
      { name: 'httpx', version: '0.28.1', requires: ['h2<5; extra == "http2"', 'click; extra == "cli"'] },
      { name: 'h2', version: '4.2.0', requires: ['hpack'] },
      { name: 'hpack', version: '4.1.0' },
      { name: 'click', version: '8.1.8' },
    ]);
    assert.deepEqual(Object.keys((await closureIn(sp, 'srv')).packages).sort(), ['h2', 'hpack', 'httpx', 'middle']);
  });

  it('ends at a cycle, the root included, and reads each METADATA once', async () => {
    const sp = siteWith([
      { name: 'srv', version: '1.0', requires: ['a'] },
      { name: 'a', version: '1.0', requires: ['b', 'srv'] },
      { name: 'b', version: '2.0', requires: ['a', 'Srv'] },
    ]);
    const reads = new Map<string, number>();
    const base = ctxFor(path.dirname(sp));
    const counting: VersionFs = {
      ...base.fs,
      readText: (p) => (reads.set(p, (reads.get(p) ?? 0) + 1), base.fs.readText(p)),
    };
    const ctx = { ...base, fs: counting };
    const r = await readPythonPackage(ctx, { dir: sp, how: 'venv' }, { hint: 'srv' });
    assert.equal(r?.state, 'installed');
    assert.deepEqual(r?.state === 'installed' && r.environment?.packages, { a: '1.0', b: '2.0' });
    const metadataReads = [...reads].filter(([p]) => p.endsWith('METADATA'));
    assert.equal(metadataReads.length, 3);
    assert.ok(
      metadataReads.every(([, n]) => n === 1),
      JSON.stringify(metadataReads),
    );
  });

  it("reads the METADATA of a queue's members at once, and walks them in the same order", async () => {
    const deps = Array.from({ length: 12 }, (_, i) => `dep${i}`);
    const sp = siteWith([
      { name: 'srv', version: '1.0', requires: deps },
      ...deps.map((name, i) => ({ name, version: `1.${i}`, requires: i === 0 ? ['leaf'] : [] })),
      { name: 'leaf', version: '9.0' },
    ]);
    const base = ctxFor(path.dirname(sp));
    let inFlight = 0;
    let most = 0;
    const tracking: VersionFs = {
      ...base.fs,
      readText: async (p) => {
        most = Math.max(most, ++inFlight);
        try {
          return await base.fs.readText(p);
        } finally {
          inFlight--;
        }
      },
    };
    const ctx = { ...base, fs: tracking };
    const dists = await distributions(ctx, sp);
    const metadata = await readDistMetadata(ctx, sp, dists.get('srv')!.entry);
    most = 0;
    const c = await closureOf(ctx, sp, dists, { name: 'srv', metadata });
    assert.ok(most > 1, `the members' METADATA were read one after another (at most ${most} at once)`);
    // Queue order: the root's requirements first, then what the first of them requires.
    assert.deepEqual(Object.keys(c.packages), [...deps, 'leaf']);
    assert.equal(c.packages.leaf, '9.0');
  });

  it('leaves unrelated distributions and pip out of the environment and of changedAt', async () => {
    const sp = siteWith([
      { name: 'srv', version: '1.0', requires: ['dep'] },
      { name: 'dep', version: '1.0' },
      { name: 'pip', version: '24.0' },
    ]);
    const ctx = ctxFor(path.dirname(sp));
    const read = async () => {
      const r = await readPythonPackage(ctx, { dir: sp, how: 'venv' }, { hint: 'srv' });
      assert.equal(r?.state, 'installed');
      return r?.state === 'installed' ? r : assert.fail('not installed');
    };
    const before = await read();
    assert.deepEqual(before.environment?.packages, { dep: '1.0' });

    // pip upgraded and another package added: both rewrite the site-packages folder, not the closure's files.
    fs.rmSync(path.join(sp, 'pip-24.0.dist-info'), { recursive: true });
    distInfo(sp, { name: 'pip', version: '25.1' });
    distInfo(sp, { name: 'other', version: '3.0', requires: ['dep'] });
    write(path.join(sp, 'stray.pth'), '');
    const after = await read();
    assert.deepEqual(after.environment, before.environment);
    assert.equal(
      after.changedAt,
      before.changedAt,
      'installs outside the closure move neither the folder times it reads nor its fingerprint',
    );

    // A dependency moved: both change.
    fs.rmSync(path.join(sp, 'dep-1.0.dist-info'), { recursive: true });
    distInfo(sp, { name: 'dep', version: '2.0' });
    const moved = await read();
    assert.deepEqual(moved.environment?.packages, { dep: '2.0' });
    const depDir = fs.statSync(path.join(sp, 'dep-2.0.dist-info'));
    assert.ok(
      (moved.changedAt ?? 0) >= Math.max(depDir.mtimeMs, depDir.ctimeMs),
      'the new dependency folder is in changedAt',
    );
  });
});
