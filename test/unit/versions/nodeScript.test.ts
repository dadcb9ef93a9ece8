import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { nodeComputedLoads, nodeLocalImports } from '../../../src/core/versions/nodeScript';
import { resolveInstalled } from '../../../src/core/versions/resolve';
import { needsCwd } from '../../../src/core/versions/instanceEvidence';
import { judge } from '../../../src/core/versions/judge';
import { ctxFor, distInfo, tempDir, write } from './layouts';

describe('versions: a JavaScript or TypeScript script no package installs', () => {
  it('tells a load by a computed name from a literal one', () => {
    for (const computed of [
      "require(path.join(dir, name + '.js'))",
      'const m = require(spec);',
      'await import(`./plugins/${name}.js`)',
      'import(pathToFileURL(file).href)',
      "x = require('./a' + suffix)",
    ])
      assert.equal(nodeComputedLoads(computed), true, computed);
    for (const literal of [
      "require('./tools')",
      'import x from "./x.js"',
      'await import(`./plugins/notes.js`)',
      'require.resolve(name)',
      'mod.require(name)',
      '// require(name)',
      'import()',
    ])
      assert.equal(nodeComputedLoads(literal), false, literal);
  });

  it('reads the relative files a source loads: require, import, export from, dynamic import; never type-only imports or comments', () => {
    const src = [
      "const { McpServer } = require('@modelcontextprotocol/sdk/server/mcp.js');",
      "const tools = require('./tools');",
      'import {',
      '  a,',
      '  b,',
      "} from '../lib/ab.js';",
      "import './side-effect';",
      "import type { T } from './types';",
      "export * from './reexport.mjs';",
      "export { x } from './x';",
      "const later = await import('./later.js');",
      "// require('./commented')",
      "/* import './blocked' */",
      "const url = 'http://example.com/./not-a-file';",
      "require('./tools');",
    ].join('\n');
    assert.deepEqual(nodeLocalImports(src), [
      './tools',
      '../lib/ab.js',
      './side-effect',
      './reexport.mjs',
      './x',
      './later.js',
    ]);
  });

  it('is judged by itself and the local files it loads, through whatever launcher is in front of it', async () => {
    const home = tempDir();
    const dir = path.join(home, 'srv');
    const script = write(path.join(dir, 'S.js'), "require('./tools');\n");
    const tools = write(path.join(dir, 'tools.js'), "module.exports = require('./lib');\n");
    const lib = write(path.join(dir, 'lib', 'index.js'), 'module.exports = 1;\n');
    const ts = write(path.join(dir, 'S.ts'), "import { t } from './tools.js';\n");
    const tsTools = write(path.join(dir, 'tools.ts'), 'export const t = 1;\n');
    const bin = path.join(home, 'bin');
    for (const name of ['node', 'nice', 'env', 'sh', 'tsx']) fs.chmodSync(write(path.join(bin, name), ''), 0o755);
    const ctx = ctxFor(home, { PATH: bin });
    const launches: Array<[string, string[], string, string[]]> = [
      ['node', [script], script, [script, tools, lib]],
      ['nice', ['-n', '5', 'node', script], script, [script, tools, lib]],
      ['env', ['FOO=1', 'node', script], script, [script, tools, lib]],
      ['sh', ['-c', `cd ${dir} && node S.js`], script, [script, tools, lib]],
      ['tsx', [ts], ts, [ts, tsTools]],
    ];
    for (const [command, args, loc, files] of launches) {
      const { installed } = await resolveInstalled(ctx, { command, args });
      const said = `${command} ${args.join(' ')}: ${JSON.stringify(installed)}`;
      assert.equal(installed.state, 'installed', said);
      if (installed.state !== 'installed') continue;
      assert.equal(installed.location, loc, said);
      assert.equal(installed.name, path.basename(loc), said);
      assert.equal(installed.version, 'script', said);
      assert.equal(installed.dev?.script, true, said);
      assert.deepEqual(installed.dev?.newest.map((f) => f.path).sort(), [...files].sort(), said);
    }

    // A runner fetching tsx: the script, whether or not a tsx is on PATH here.
    const fetched = (
      await resolveInstalled(ctxFor(home, { PATH: path.join(home, 'none') }), {
        command: 'npx',
        args: ['-y', 'tsx', ts],
      })
    ).installed;
    assert.equal(fetched.state === 'installed' && fetched.location, ts, JSON.stringify(fetched));

    // Files all older than the start: current; one edited after it: changed since start, named.
    const { installed } = await resolveInstalled(ctx, { command: 'nice', args: ['node', script] });
    assert.equal(installed.state, 'installed');
    if (installed.state !== 'installed') return;
    const start = installed.changedAt! + 1000;
    assert.equal(judge({ installed, processStart: start }).verdict.state, 'current');
    const later = new Date(start + 5000);
    fs.utimesSync(lib, later, later);
    const edited = (await resolveInstalled(ctx, { command: 'nice', args: ['node', script] })).installed;
    const v = judge({ installed: edited, processStart: start, now: start + 60_000 }).verdict;
    assert.equal(v.state, 'changed', JSON.stringify(v));
    assert.ok(v.state === 'changed' && v.dev && v.package === 'S.js' && v.changedFiles.some((f) => f.path === lib));
  });

  it("a process's own argv names the script: tsx's child, and ts-node run by node in-process", async () => {
    const home = tempDir();
    const dir = path.join(home, 'srv');
    const script = write(path.join(dir, 'S.ts'), 'export {};\n');
    const ctx = ctxFor(home);
    const launch = { command: 'ts-node', args: ['S.ts'] };
    for (const argv of [
      ['/usr/bin/node', '--require', '/p/preflight.cjs', '--import', 'file:///p/loader.mjs', 'S.ts'],
      ['/usr/bin/node', '/p/node_modules/.bin/ts-node', 'S.ts'],
    ]) {
      const { installed } = await resolveInstalled(ctx, launch, { processArgv: argv, processCwd: dir });
      assert.equal(installed.state === 'installed' && installed.location, script, JSON.stringify(installed));
      assert.equal(installed.state === 'installed' && installed.fromProcess, true);
    }
  });

  it('a Python launch behind nice is the Python one; a bare python after a shell is not taken for the one on PATH', async () => {
    const home = tempDir();
    const prefix = path.join(home, 'py');
    const interp = write(path.join(prefix, 'bin', 'python3.11'), '');
    fs.symlinkSync('python3.11', path.join(prefix, 'bin', 'python3'));
    distInfo(path.join(prefix, 'lib', 'python3.11', 'site-packages'), { name: 'srv', version: '1.0' });
    for (const name of ['nice', 'sh']) fs.chmodSync(write(path.join(prefix, 'bin', name), ''), 0o755);
    const ctx = ctxFor(home, { PATH: path.dirname(interp) });
    const niced = (await resolveInstalled(ctx, { command: 'nice', args: ['-n', '5', 'python3', '-m', 'srv'] }))
      .installed;
    assert.equal(niced.state === 'installed' && `${niced.name} ${niced.version}`, 'srv 1.0', JSON.stringify(niced));
    // The shell may activate another environment first: its python is not known from the text.
    const shell = (await resolveInstalled(ctx, { command: 'sh', args: ['-c', '. /v/bin/activate && python3 -m srv'] }))
      .installed;
    assert.notEqual(shell.state === 'installed' && shell.name, 'srv', JSON.stringify(shell));
  });

  it("finds the script of tsx's child (an option's value is not the script)", () => {
    assert.equal(
      needsCwd(['node', '--require', '/p/preflight.cjs', '--import', 'file:///p/loader.mjs', 'S.ts'], path.posix),
      true,
    );
    assert.equal(needsCwd(['node', '/abs/S.js'], path.posix), false);
    assert.equal(needsCwd(['python3', '-m', 'srv'], path.posix), false);
  });

  it("reads a script's path by the machine's rules: a Windows drive path is absolute there, wherever the engine runs", () => {
    assert.equal(needsCwd(['node.exe', 'C:\\srv\\S.js'], path.win32), false);
    assert.equal(needsCwd(['node.exe', 'srv\\S.js'], path.win32), true);
    assert.equal(needsCwd(['node', 'C:\\srv\\S.js'], path.posix), true);
  });
});
