import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pythonComputedImports, pythonImports, resolvePythonScript } from '../../../src/core/versions/pythonScript';
import { pinAdvice, raisesAtImport } from '../../../src/core/versions/pythonStartRisk';
import { judge } from '../../../src/core/versions/judge';
import { judgeInstance } from '../../../src/core/versions/instanceEvidence';
import { scriptRecordsReaders } from '../../../src/core/versions/recordsDigest';
import { liveFs } from '../../../src/core/machine/liveFs';
import { resolveInstalled, type Resolution } from '../../../src/core/versions/resolve';
import { agedCtx, ctxFor, distInfo, removeDist, tempDir, venv, write } from './layouts';

describe('versions: a Python script no package installs', () => {
  it('reads the modules a source imports, absolute and relative, across continuation lines, never its comments', () => {
    const src = [
      'import os, sys',
      'import mcp.server.fastmcp as fm  # the SDK',
      'from mcp.server.fastmcp import (',
      '    FastMCP,',
      '    Context,',
      ')',
      'from . import helpers, store',
      'from .tools import x',
      'from pydantic import \\',
      '    BaseModel',
      '# import not_this',
      'def f():',
      '    import httpx',
    ].join('\n');
    assert.deepEqual(pythonImports(src), {
      absolute: ['os', 'sys', 'mcp', 'pydantic', 'httpx'],
      relative: ['helpers', 'store', 'tools'],
      modules: ['os', 'sys', 'mcp.server.fastmcp', 'pydantic', 'httpx'],
      submodules: ['mcp.server.fastmcp.FastMCP', 'mcp.server.fastmcp.Context', 'pydantic.BaseModel'],
      relativeModules: ['.helpers', '.store', '.tools', '.tools.x'],
    });
  });

  it('tells an import by a computed name from a literal one, and reads a literal import_module as an import', () => {
    for (const computed of [
      "importlib.import_module('plugins.' + name)",
      'import_module(name)',
      'importlib.import_module(f"plugins.{name}")',
      '__import__(mod)',
      'spec = importlib.util.spec_from_file_location(name, path)',
      'runpy.run_path(script)',
    ])
      assert.equal(pythonComputedImports(computed), true, computed);
    for (const literal of [
      "importlib.import_module('plugins.notes')",
      'import plugins.notes',
      '# import_module(name)',
      '__import__("json")',
    ])
      assert.equal(pythonComputedImports(literal), false, literal);
    assert.deepEqual(pythonImports("importlib.import_module('plugins.notes')").modules, ['plugins.notes']);
  });

  it('a file walked only for lying beside a computed import is watched, never read: its imports name no distribution and predict no failed start', async () => {
    const p = project('lg-script-beside-');
    sdk(p.sp, '2.3.0');
    fs.writeFileSync(
      p.script,
      "import importlib\nimport anyio\nplugin = importlib.import_module('plugins.' + 'notes')\n",
    );
    // Beside it: another server of the folder, on the removed API; never imported by this one.
    write(path.join(p.root, 'app', 'other_server.py'), 'from mcp.server.fastmcp import FastMCP\n');
    const r = await resolvePythonScript(ctxFor(p.root), p.py, p.script, true);
    assert.ok(r?.state === 'installed');
    if (r?.state !== 'installed') return;
    assert.equal(r.startRisks, undefined, JSON.stringify(r.startRisks));
    assert.deepEqual(Object.keys(r.environment?.packages ?? {}), ['anyio']);
    assert.deepEqual(r.dev?.computedLoads, [p.script]);
    assert.ok(
      r.dev?.newest.some((f) => f.path.endsWith('other_server.py')),
      'its time is watched',
    );
  });

  it('reads the advice a module gives and whether it raises at import', () => {
    const removed =
      '"""Removed in mcp 2."""\n_MESSAGE = ("No module named ... or pin \'mcp<2\' to keep running v1 code.")\n\nraise ModuleNotFoundError(_MESSAGE, name=__name__)\n';
    assert.equal(pinAdvice(removed), 'mcp<2');
    assert.equal(pinAdvice('pin to "pydantic >= 2.0"'), 'pydantic>=2.0');
    assert.equal(pinAdvice('nothing to say'), undefined);
    assert.equal(raisesAtImport(removed), true);
    assert.equal(raisesAtImport('def f():\n    raise ValueError()\n'), false);
  });

  /** A venv with an SDK of `version`: 1.x has `mcp/server/fastmcp.py`, 2.x keeps it only to raise. */
  function sdk(sp: string, version: string): void {
    distInfo(sp, { name: 'mcp', version, topLevel: 'mcp', requires: ['anyio>=4'] });
    write(path.join(sp, 'mcp', '__init__.py'), '');
    write(path.join(sp, 'mcp', 'server', '__init__.py'), '');
    write(
      path.join(sp, 'mcp', 'server', 'fastmcp.py'),
      version.startsWith('1.')
        ? 'class FastMCP: pass\n'
        : '_M = "pin \'mcp<2\' to keep running v1 code"\nraise ModuleNotFoundError(_M, name=__name__)\n',
    );
  }

  function project(prefix: string) {
    const root = tempDir(prefix);
    const sp = venv(path.join(root, 'venv'), [
      { name: 'anyio', version: '4.16.0', topLevel: 'anyio' },
      { name: 'pip', version: '25.1.1', topLevel: 'pip' },
    ]);
    const script = write(
      path.join(root, 'app', 'srv.py'),
      'import os\nfrom mcp.server.fastmcp import FastMCP\nfrom store import save\n',
    );
    write(path.join(root, 'app', 'store.py'), 'import json\nimport anyio\n');
    return { root, sp, script, py: path.join(root, 'venv', 'bin', 'python') };
  }

  it('run by a bare `python3` from PATH: an instance by its own script (absolute, or in its own folder), a relative one with no folder known never taken as gone', async () => {
    const p = project('lg-script-bare-');
    sdk(p.sp, '2.3.0');
    fs.symlinkSync('python', path.join(p.root, 'venv', 'bin', 'python3'));
    // The home folder holds no srv.py: what was read there before said the server was no longer installed.
    const ctx = ctxFor(path.join(p.root, 'home'), { PATH: path.join(p.root, 'venv', 'bin') });
    const app = path.dirname(p.script);
    const entry = { command: 'python3', args: ['srv.py'] };
    const located = (r: Resolution) =>
      r.installed.state === 'installed' ? r.installed.location : JSON.stringify(r.installed);
    // Claude Code's and Cursor's entries name no folder: what runs depends on the client's, not known here.
    const configured = await resolveInstalled(ctx, entry);
    assert.equal(configured.installed.state, 'unknown', JSON.stringify(configured.installed));
    assert.match(
      configured.installed.state === 'unknown' ? configured.installed.reason : '',
      /srv\.py is relative to a folder not known/,
    );
    // VS Code's `cwd`: that folder's script.
    assert.equal(located(await resolveInstalled(ctx, { ...entry, cwd: app })), p.script);
    // A process whose folder was read (Linux): its script there, from the client or a terminal alike.
    const own = await resolveInstalled(ctx, entry, { processArgv: ['python3', 'srv.py'], processCwd: app });
    assert.equal(located(own), p.script);
    assert.equal(own.installed.state === 'installed' && own.installed.version, 'mcp 2.3.0');
    // By hand with its absolute path, listed under the entry's relative launch: the file it names.
    assert.equal(located(await resolveInstalled(ctx, entry, { processArgv: ['python3', p.script] })), p.script);
    // Its folder not read (macOS, Windows, another user's process): not known, never gone.
    const unread = await resolveInstalled(ctx, entry, { processArgv: ['python3', 'srv.py'] });
    assert.equal(unread.installed.state, 'unknown', JSON.stringify(unread.installed));
    // node's relative script likewise.
    const node = await resolveInstalled(ctx, { command: 'node', args: ['server.js'] });
    assert.equal(node.installed.state, 'unknown', JSON.stringify(node.installed));
  });

  it('is judged by itself, its local modules and the closure of what it imports; named by the SDK it runs on', async () => {
    const p = project('lg-script-');
    sdk(p.sp, '1.30.0');
    const r = await resolvePythonScript(ctxFor(p.root), p.py, p.script, true);
    assert.equal(r?.state, 'installed');
    if (r?.state !== 'installed') return;
    assert.equal(r.name, 'srv.py');
    assert.equal(r.version, 'mcp 1.30.0');
    // pip is in the venv but not imported: an upgrade of it never moves the server.
    assert.deepEqual(r.environment?.packages, { anyio: '4.16.0', mcp: '1.30.0' });
    assert.equal(r.dev?.script, true);
    assert.deepEqual(r.dev?.newest.map((f) => path.basename(f.path)).sort(), ['srv.py', 'store.py']);
    assert.equal(r.startRisks, undefined, 'mcp 1.30.0 has fastmcp');
  });

  it("walks dotted absolute imports through each package, in the script's folder and PYTHONPATH's folders", async () => {
    const p = project('lg-script-roots-');
    sdk(p.sp, '1.30.0');
    const lib = path.join(p.root, 'lib');
    write(path.join(lib, 'shared', '__init__.py'), '');
    write(path.join(lib, 'shared', 'tools.py'), 'import anyio\n');
    write(path.join(p.root, 'app', 'pkg', '__init__.py'), '');
    write(path.join(p.root, 'app', 'pkg', 'store.py'), 'from . import util\n');
    write(path.join(p.root, 'app', 'pkg', 'util.py'), '');
    const script = write(
      path.join(p.root, 'app', 'main.py'),
      'from shared.tools import x\nimport pkg.store\nimport mcp\n',
    );
    const walked = async (roots: string[]) => {
      const r = await resolvePythonScript(ctxFor(p.root), p.py, script, true, { roots });
      assert.equal(r?.state, 'installed');
      return r?.state === 'installed' ? r.dev?.newest.map((f) => path.relative(p.root, f.path)).sort() : [];
    };
    // Six files are walked; the newest five are named, the PYTHONPATH folder's package among them.
    const withLib = await walked([lib]);
    assert.equal(withLib?.length, 5);
    assert.ok(
      withLib?.some((f) => f.startsWith('lib/shared/')),
      JSON.stringify(withLib),
    );
    // Without the PYTHONPATH folder, `shared` is no local code (and no distribution: left out).
    // Without the PYTHONPATH folder, `shared` is no local code (and no distribution: left out); a
    // relative import is the importing file's package's.
    assert.deepEqual(await walked([]), ['app/main.py', 'app/pkg/__init__.py', 'app/pkg/store.py', 'app/pkg/util.py']);
  });

  it('follows `from pkg import mod` into the package folder beside the script (namespace folders too) and `from .. import x` a package up', async () => {
    const p = project('lg-script-from-');
    sdk(p.sp, '1.30.0');
    const app = path.join(p.root, 'app');
    write(path.join(app, 'tools', '__init__.py'), '');
    write(path.join(app, 'tools', 'db.py'), 'from ..shared import common\n');
    write(path.join(app, 'shared', '__init__.py'), '');
    write(path.join(app, 'shared', 'common.py'), '');
    // A folder with no __init__.py: a namespace package.
    write(path.join(app, 'plugins', 'notes.py'), 'from .. import rules\n');
    write(path.join(app, 'rules.py'), '');
    const script = write(
      path.join(app, 'main.py'),
      'from tools import db\nfrom plugins import notes\nfrom mcp.server.fastmcp import FastMCP\n',
    );
    const files = [
      'main.py',
      'tools/__init__.py',
      'tools/db.py',
      'shared/__init__.py',
      'shared/common.py',
      'plugins/notes.py',
      'rules.py',
    ];
    // Each file in turn the newest: the walk reads it (it is named first), so its edit is seen.
    let r: Awaited<ReturnType<typeof resolvePythonScript>>;
    for (const edited of ['tools/db.py', 'plugins/notes.py', 'shared/common.py', 'rules.py']) {
      for (const f of files) fs.utimesSync(path.join(app, f), 1_700_000_000, 1_700_000_000);
      fs.utimesSync(path.join(app, edited), 1_800_000_000, 1_800_000_000);
      r = await resolvePythonScript(ctxFor(p.root), p.py, script, true);
      assert.equal(r?.state === 'installed' && r.dev?.newest[0] && path.relative(app, r.dev.newest[0].path), edited);
    }
    if (r?.state !== 'installed') return;
    // The local package is no distribution: mcp is the only one imported.
    assert.deepEqual(Object.keys(r.environment?.packages ?? {}).sort(), ['anyio', 'mcp']);
  });

  it('walks `import a.b.c` and `from a.b import c` through a namespace folder at the top, beside the script or on PYTHONPATH; a bare folder named like a distribution is not local', async () => {
    const p = project('lg-script-ns-');
    sdk(p.sp, '1.30.0');
    const app = path.join(p.root, 'app');
    const lib = path.join(p.root, 'lib');
    // No __init__.py anywhere: namespace packages, beside the script and on PYTHONPATH.
    write(path.join(app, 'tools', 'store', 'db.py'), 'from . import schema\n');
    write(path.join(app, 'tools', 'store', 'schema.py'), '');
    write(path.join(lib, 'shared', 'names.py'), '');
    // A stray folder named like the SDK: `import mcp` is still site-packages' mcp.
    fs.mkdirSync(path.join(app, 'mcp'), { recursive: true });
    const script = write(
      path.join(app, 'main.py'),
      'import tools.store.db\nfrom shared.names import name\nimport mcp\n',
    );
    const r = await resolvePythonScript(ctxFor(p.root), p.py, script, true, { roots: [lib] });
    assert.equal(r?.state, 'installed');
    if (r?.state !== 'installed') return;
    assert.deepEqual(r.dev?.newest.map((f) => path.relative(p.root, f.path)).sort(), [
      'app/main.py',
      'app/tools/store/db.py',
      'app/tools/store/schema.py',
      'lib/shared/names.py',
    ]);
    assert.equal(r.version, 'mcp 1.30.0');
    assert.deepEqual(Object.keys(r.environment?.packages ?? {}).sort(), ['anyio', 'mcp']);
  });

  it('an SDK upgraded under it moves what it runs, and the module it imports raising at import is a start risk with its pin', async () => {
    const p = project('lg-script-up-');
    sdk(p.sp, '1.30.0');
    const ctx = ctxFor(p.root);
    const before = await resolvePythonScript(ctx, p.py, p.script, true);
    const start = Date.now();
    await new Promise((r) => setTimeout(r, 20));
    for (const e of fs.readdirSync(p.sp)) if (e.startsWith('mcp')) fs.rmSync(path.join(p.sp, e), { recursive: true });
    sdk(p.sp, '2.3.0');
    const after = await resolvePythonScript(ctx, p.py, p.script, true);
    assert.equal(after?.state, 'installed');
    if (before?.state !== 'installed' || after?.state !== 'installed') return;
    assert.deepEqual(after.startRisks, [
      {
        module: 'mcp.server.fastmcp',
        package: 'mcp',
        version: '2.3.0',
        why: 'raises',
        pin: 'mcp<2',
        summary: 'mcp.server.fastmcp raises at import in mcp 2.3.0 (it says to pin mcp<2)',
      },
    ]);
    const { verdict } = judge({
      installed: after,
      processStart: start - 5000,
      lock: {
        versions: {
          package: { name: 'srv.py', version: before.version, ecosystem: 'python' },
          dependencies: before.environment!.packages,
          dependenciesScope: 'closure',
        },
      },
      now: Date.now() + 10_000,
    });
    assert.equal(verdict.state, 'stale');
    assert.ok(
      verdict.state === 'stale' &&
        verdict.movedDependencies.some((m) => m.name === 'mcp' && m.from === '1.30.0' && m.to === '2.3.0'),
    );
  });

  /**
   * A script's process and its record as an earlier version of the product wrote it (a first
   * sighting, a guard's lock record): its version, no closure. Everything installed an hour before
   * the read; the process started half an hour ago.
   */
  async function unrecorded(prefix: string, fresh: (file: string) => boolean, change: (sp: string) => void) {
    const p = project(prefix);
    sdk(p.sp, '1.30.0');
    change(p.sp);
    const start = Date.now() - 1_800_000;
    const ctx = agedCtx(ctxFor(p.root), fresh);
    const installed = await resolvePythonScript(ctx, p.py, p.script, true);
    assert.ok(installed?.state === 'installed' && installed.environment, JSON.stringify(installed));
    const firstSeen = { name: installed.name, version: 'mcp 1.30.0', firstSeenAt: new Date(start).toISOString() };
    const lock = {
      versions: { package: { name: installed.name, version: 'mcp 1.30.0', ecosystem: 'python' as const } },
    };
    const judged = (record: object) =>
      judge({ installed, processStart: start, ...record, now: Date.now() + 10_000 }).verdict;
    return { p, ctx, installed, start, firstSeen, judged, records: [{ firstSeen }, { lock }] };
  }

  it("a record that names no closure (an earlier version's sighting or guard record): a dependency replaced after the start is a change naming it, in a snapshot and a guard alike", async () => {
    // pip install anyio==4.17.0 into the venv, while it runs: only its new dist-info is newer than the start.
    const { p, ctx, installed, start, firstSeen, judged, records } = await unrecorded(
      'lg-script-unrecorded-',
      (f) => f.includes('anyio-4.17.0.dist-info'),
      (sp) => {
        removeDist(sp, 'anyio');
        distInfo(sp, { name: 'anyio', version: '4.17.0', topLevel: 'anyio' });
      },
    );
    const expected = /^srv\.py: changed since start: restart .*\(anyio 4\.17\.0, which it imports, changed at /;
    for (const record of records) {
      const v = judged(record);
      assert.equal(v.state, 'changed', JSON.stringify(v));
      assert.ok(v.state === 'changed');
      assert.match(v.summary, expected);
    }
    // A snapshot's judgement, which also asks its environment's RECORDs (nothing recorded compares with them), says the same.
    const { verdict } = await judgeInstance(
      {
        pid: 4242,
        startTime: start,
        installed,
        files: () => [{ path: path.join(p.sp, 'anyio-4.17.0.dist-info', 'METADATA'), at: Date.now() }],
        firstSeen,
        installing: { known: undefined },
        now: Date.now() + 10_000,
      },
      {
        readMaps: async () => undefined,
        fs: ctx.fs,
        compareReplaced: async () => new Map(),
        ...scriptRecordsReaders(liveFs, path, undefined),
      },
    );
    assert.equal(verdict.state, 'changed', JSON.stringify(verdict));
    assert.ok(verdict.state === 'changed');
    assert.match(verdict.summary, expected);
  });

  it("a record that names no closure: its imports' files all older than the start are current, saying so", async () => {
    const { judged, records } = await unrecorded(
      'lg-script-unrecorded-',
      () => false,
      () => undefined,
    );
    for (const record of records) {
      const v = judged(record);
      assert.equal(v.state, 'current', JSON.stringify(v));
      assert.ok(v.state === 'current');
      assert.match(v.reason, /^runs mcp 1\.30\.0, the installed version; its imports' files predate its start/);
    }
  });

  it('a submodule gone from a regular package is a start risk; one a module file makes up, or a namespace folder, is not', async () => {
    const p = project('lg-script-gone-');
    distInfo(p.sp, { name: 'mcp', version: '3.0.0', topLevel: 'mcp' });
    write(path.join(p.sp, 'mcp', '__init__.py'), '');
    write(path.join(p.sp, 'mcp', 'server', '__init__.py'), '');
    distInfo(p.sp, { name: 'six', version: '1.17.0', topLevel: 'six' });
    // six's package makes `six.moves` up at import: its code names it.
    write(path.join(p.sp, 'six', '__init__.py'), 'import sys\nsys.modules[__name__ + ".moves"] = object()\n');
    distInfo(p.sp, { name: 'google-proto', version: '1.0.0', topLevel: 'google' });
    fs.mkdirSync(path.join(p.sp, 'google', 'protobuf'), { recursive: true });
    fs.writeFileSync(
      p.script,
      'from mcp.server.fastmcp import FastMCP\nfrom six.moves import range\nimport google.protobuf\n',
    );
    const r = await resolvePythonScript(ctxFor(p.root), p.py, p.script, true);
    assert.ok(r?.state === 'installed');
    assert.deepEqual(r.state === 'installed' && r.startRisks?.map((x) => [x.module, x.why, x.summary]), [
      ['mcp.server.fastmcp', 'missing', 'mcp 3.0.0 has no module mcp.server.fastmcp'],
    ]);
  });

  it('a module an importer could provide is no start risk: a finder its package installs, a module __getattr__, a .pth hook naming the package; a hook naming another package is no excuse', async () => {
    const p = project('lg-script-hooks-');
    const pkg = (name: string, init: string) => {
      distInfo(p.sp, { name, version: '1.0.0', topLevel: name });
      write(path.join(p.sp, name, '__init__.py'), init);
      write(path.join(p.sp, name, 'sub', '__init__.py'), '');
    };
    pkg(
      'finder',
      'import sys\nclass F:\n    def find_spec(self, name, path, target=None):\n        return None\nsys.meta_path.append(F())\n',
    );
    pkg('lazy', 'def __getattr__(name):\n    raise AttributeError(name)\n');
    pkg('hooked', '');
    pkg('plain', '');
    // A site hook (.pth `import` line) that installs a finder for `hooked`, and one for nothing of ours.
    write(path.join(p.sp, 'hooked_hook.pth'), 'import _hooked_finder\n');
    write(path.join(p.sp, '_hooked_finder.py'), 'import sys\nPKG = "hooked"\nsys.meta_path.insert(0, object())\n');
    write(path.join(p.sp, 'other.pth'), 'import _other_finder\n');
    write(path.join(p.sp, '_other_finder.py'), 'import sys\nPKG = "unrelated"\nsys.meta_path.insert(0, object())\n');
    fs.writeFileSync(
      p.script,
      'import finder.sub.gen\nfrom lazy.sub.gen import x\nimport hooked.sub.gen\nimport plain.sub.gen\n',
    );
    const r = await resolvePythonScript(ctxFor(p.root), p.py, p.script, true);
    assert.ok(r?.state === 'installed');
    assert.deepEqual(r.state === 'installed' && r.startRisks?.map((x) => [x.module, x.why]), [
      ['plain.sub.gen', 'missing'],
    ]);
  });

  it('a console script an installer wrote outside a venv (pip --user) is its distribution, not a loose script', async () => {
    const p = project('lg-script-console-');
    distInfo(p.sp, { name: 'mcp-server-time', version: '2026.8.18', scripts: ['mcp-server-time'] });
    const wrapper = write(
      path.join(p.root, 'bin', 'mcp-server-time'),
      'import sys\nfrom mcp_server_time import main\nif __name__ == "__main__":\n    sys.exit(main())\n',
    );
    const r = await resolvePythonScript(ctxFor(p.root), p.py, wrapper, true);
    assert.ok(r?.state === 'installed');
    assert.deepEqual(r.state === 'installed' && [r.name, r.version, r.dev], [
      'mcp-server-time',
      '2026.8.18',
      undefined,
    ]);
  });

  it('a script that is gone is missing, named by its file', async () => {
    const p = project('lg-script-gone2-');
    fs.rmSync(p.script);
    const r = await resolvePythonScript(ctxFor(p.root), p.py, p.script, true);
    assert.deepEqual(r && { state: r.state, name: 'name' in r ? r.name : undefined }, {
      state: 'missing',
      name: 'srv.py',
    });
  });
});
