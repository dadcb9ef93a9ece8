import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseLaunch } from '../../../src/core/launch/parse';
import { descendToMain } from '../../../src/core/processes/launchChain';
import { launchKeyOf } from '../../../src/core/processes/argv';
import { configDrift, launchedPackage } from '../../../src/core/versions/configDrift';
import {
  escapeModulePath,
  goVersionValid,
  newestRelease,
  parseGoRun,
  resolveGoRun,
} from '../../../src/core/versions/goRun';
import { resolveInstalled } from '../../../src/core/versions/resolve';
import { ProcessTree } from '../../../src/core/processes/tree';
import type { ProcessInfo } from '../../../src/core/pids/table';
import { ctxFor, tempDir } from './layouts';

describe('versions: go run module@version, read as a runner of the module it builds', () => {
  it('parses `go run [build flags] pkg@query [args]` as a package Go fetches and runs; a folder or a file is a program', () => {
    const t = parseLaunch(['go', 'run', '-tags', 'prod', '-trimpath', 'example.com/x/cmd/srv@v1.2.3', '--port', '1']);
    assert.deepEqual(t.target, {
      kind: 'package',
      runner: 'go-run',
      ecosystem: 'go',
      spec: 'example.com/x/cmd/srv@v1.2.3',
      name: 'example.com/x/cmd/srv',
      version: 'v1.2.3',
      args: ['--port', '1'],
    });
    assert.equal(t.spawns, true);
    assert.equal(parseLaunch(['/usr/local/go/bin/go', 'run', 'example.com/x@latest']).target.kind, 'package');
    for (const argv of [
      ['go', 'run', '.'],
      ['go', 'run', 'main.go'],
      ['go', 'run', './cmd/srv'],
      ['go', 'run', 'example.com/x'],
      ['go', 'build', 'example.com/x@v1.0.0'],
    ])
      assert.equal(parseLaunch(argv).target.kind, 'program', argv.join(' '));
    assert.deepEqual(launchKeyOf(['go', 'run', 'example.com/x@v1.0.0', '-v']), {
      key: 'gorun:example.com/x',
      args: ['-v'],
      runner: true,
    });
    // The pin is no part of the key: an entry edited to another release still names its process.
    assert.equal(
      launchKeyOf(['go', 'run', 'example.com/x@v1.1.0'])?.key,
      launchKeyOf(['/usr/local/go/bin/go', 'run', 'example.com/x@latest'])?.key,
    );
  });

  it('the instance is the binary go built, below go', () => {
    const proc = (pid: number, ppid: number, argv: string[]): ProcessInfo => ({ pid, ppid, argv });
    const go = proc(10, 1, ['go', 'run', 'example.com/mcpbin@v1.0.0']);
    const built = proc(11, 10, ['/tmp/go-build123/b001/exe/mcpbin']);
    const { main, chain } = descendToMain(go, new ProcessTree([go, built]));
    assert.equal(main.pid, 11);
    assert.deepEqual(
      chain.map((p) => p.pid),
      [10],
    );
  });

  it('an edited pin is a config drift of the module', () => {
    const now = launchedPackage(['go', 'run', 'example.com/x@v1.1.0']);
    assert.deepEqual(configDrift(now, [['go', 'run', 'example.com/x@v1.0.0'], ['/tmp/go-build1/b001/exe/x']]), {
      package: 'example.com/x',
      running: 'example.com/x@v1.0.0',
      configured: 'example.com/x@v1.1.0',
    });
    assert.equal(configDrift(now, [['go', 'run', 'example.com/x@v1.1.0']]), undefined);
  });

  it("@latest picks the newest release fetched, a pre-release only when there is no release; the cache's spelling", () => {
    assert.equal(newestRelease(['v1.0.0', 'v1.10.0', 'v1.9.0', 'v2.0.0-rc.1']), 'v1.10.0');
    assert.equal(newestRelease(['v2.0.0-rc.1', 'v2.0.0-rc.2']), 'v2.0.0-rc.2');
    assert.equal(newestRelease(['v0.0.0-20260101000000-abcdef123456', 'v0.1.0']), 'v0.1.0');
    assert.equal(newestRelease(['latest', 'list']), undefined);
    assert.equal(goVersionValid('v1.2.3'), true);
    assert.equal(goVersionValid('v2.0.0+incompatible'), true);
    assert.equal(goVersionValid('latest'), false);
    assert.equal(goVersionValid('1.2.3'), false);
    assert.equal(escapeModulePath('github.com/BurntSushi/toml'), 'github.com/!burnt!sushi/toml');
  });

  it("resolves a pin to that release, @latest to the newest in GOMODCACHE, the module found by the cache's folders", async () => {
    const home = tempDir();
    const cache = path.join(home, 'modcache');
    const dl = path.join(cache, 'cache', 'download', 'example.com', '!mcp', '@v');
    fs.mkdirSync(dl, { recursive: true });
    for (const v of ['v1.0.0', 'v1.1.0']) fs.writeFileSync(path.join(dl, `${v}.zip`), '');
    fs.writeFileSync(path.join(dl, 'v1.2.0.info'), '{}'); // asked about, never fetched
    const ctx = ctxFor(home, { GOMODCACHE: cache });

    const pinned = await resolveGoRun(
      ctx,
      parseGoRun({ command: 'go', args: ['run', 'example.com/Mcp/cmd/srv@v1.0.0'] })!,
    );
    assert.equal(
      pinned.state === 'installed' && `${pinned.name} ${pinned.version} ${pinned.builtBy}`,
      'example.com/Mcp v1.0.0 go-run',
    );
    const latest = (await resolveInstalled(ctx, { command: 'go', args: ['run', 'example.com/Mcp/cmd/srv@latest'] }))
      .installed;
    assert.equal(latest.state === 'installed' && latest.version, 'v1.1.0', JSON.stringify(latest));
    assert.match(latest.state === 'installed' ? latest.how : '', /newest release of example\.com\/Mcp Go has fetched/);
    const branch = await resolveGoRun(ctx, parseGoRun({ command: 'go', args: ['run', 'example.com/Mcp@main'] })!);
    assert.equal(branch.state, 'unknown');
    const none = (
      await resolveInstalled(ctxFor(home, { GOPATH: path.join(home, 'gp') }), {
        command: 'go',
        args: ['run', 'example.com/other@latest'],
      })
    ).installed;
    assert.equal(none.state, 'unknown');
    assert.match(none.state === 'unknown' ? none.reason : '', /gp\/pkg\/mod/);
  });
});
