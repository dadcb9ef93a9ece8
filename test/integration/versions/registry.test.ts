import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import * as path from 'node:path';
import { takeSnapshot } from '../../../src/core/snapshot';
import {
  isNewer,
  npmDocUrl,
  npmRegistryFor,
  pipIndexUrl,
  pypiJsonUrl,
  RegistryChecker,
} from '../../../src/core/versions/registry';
import { ctxFor, npmPackage, tempDir, write } from '../../unit/versions/layouts';
import { formatStatus } from '../../../src/cli/format/status';
import { toViewInput } from '../../../src/core/report/input';
import { healthReport } from '../../../src/agent/health';
import { childNodes, rootNodes } from '../../../src/extension/viewModel/tree';
import { treeItem } from '../../../src/extension/viewModel/treeItem';
import { testMachine } from '../../support/machines';
import { listenOn } from '../../support/startup';
import { liveFs } from '../../../src/core/machine/liveFs';
import { liveNet } from '../../../src/core/machine/liveNet';

const MEM = '@modelcontextprotocol/server-memory';

interface FakeRegistry {
  url: string;
  requests: string[];
  /** Paths answered so far (a slow answer lands here only once written). */
  answered: string[];
  close(): Promise<void>;
}

/** npm- and PyPI-shaped documents on 127.0.0.1; `/slow/...` answers after 3 s; `/garbage/...` is not JSON. */
async function fakeRegistry(): Promise<FakeRegistry> {
  const requests: string[] = [];
  const answered: string[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const server = http.createServer((req, res) => {
    const url = req.url ?? '';
    requests.push(url);
    const send = (body: string) => {
      if (res.destroyed) return;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(body);
      answered.push(url);
    };
    if (url.startsWith('/slow/')) {
      const t = setTimeout(() => send('{"dist-tags":{"latest":"9.9.9"}}'), 3000);
      timers.add(t);
      return;
    }
    if (url.startsWith('/garbage/')) return send('{"dist-tags": {"latest": "9.9');
    // 64 MiB of a valid package document, streamed without a length: answered only if read whole.
    if (url.startsWith('/big/')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      const filler = `"${'x'.repeat(1024 * 1024 - 3)}",`;
      let left = 64;
      const more = () => {
        while (left > 0 && !res.destroyed) {
          left--;
          if (
            !res.write(
              left === 0 ? `${filler}"end"]}` : left === 63 ? `{"dist-tags":{"latest":"9.9.9"},"x":[${filler}` : filler,
            )
          )
            return void res.once('drain', more);
        }
        if (left === 0 && !res.destroyed) {
          res.end();
          answered.push(url);
        }
      };
      return more();
    }
    // Redirects: within this origin (followed), and to another origin (localhost is not 127.0.0.1).
    if (url.startsWith('/home/')) {
      res.writeHead(302, { location: `/npm/${url.slice('/home/'.length)}` }).end();
      return;
    }
    if (url.startsWith('/away/')) {
      const port = (server.address() as { port: number }).port;
      res.writeHead(302, { location: `http://localhost:${port}/npm/${url.slice('/away/'.length)}` }).end();
      return;
    }
    // An MCP Registry (API v0.1) that lists one server, deprecated, with a newer package version.
    if (url === '/mcp/v0.1/servers/io.example%2Fnotes/versions/latest')
      return send(
        JSON.stringify({
          server: {
            name: 'io.example/notes',
            description: 'notes',
            version: '1.2.0',
            packages: [
              { registryType: 'npm', identifier: 'notes-server', version: '1.2.0', transport: { type: 'stdio' } },
            ],
          },
          _meta: {
            'io.modelcontextprotocol.registry/official': {
              status: 'deprecated',
              statusMessage: 'moved to io.example/notes-next',
              isLatest: true,
            },
          },
        }),
      );
    if (url === `/npm/${'@' + encodeURIComponent(MEM.slice(1))}`)
      return send(JSON.stringify({ name: MEM, 'dist-tags': { latest: '2026.9.1', next: '2027.0.0-rc.1' } }));
    if (url === '/pypi/mempalace/json')
      return send(JSON.stringify({ info: { name: 'mempalace', version: '3.2.0' }, releases: {} }));
    res.writeHead(404).end();
  });
  const port = await listenOn(server);
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    answered,
    close: () =>
      new Promise<void>((r) => {
        timers.forEach(clearTimeout);
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

describe('versions: registry update check', () => {
  let reg: FakeRegistry;
  beforeEach(async () => {
    reg = await fakeRegistry();
  });
  afterEach(async () => {
    await reg.close();
  });

  it('takes the registry URLs from the user npm and pip configuration', async () => {
    const home = tempDir();
    write(
      path.join(home, '.npmrc'),
      'registry=https://npm.example/\n@modelcontextprotocol:registry=https://scoped.example/\n',
    );
    write(path.join(home, '.config', 'pip', 'pip.conf'), '[global]\nindex-url = https://mirror.example/simple\n');
    const ctx = ctxFor(home);
    assert.equal(await npmRegistryFor(ctx, 'left-pad'), 'https://npm.example/');
    assert.equal(await npmRegistryFor(ctx, MEM), 'https://scoped.example/');
    assert.equal(await npmRegistryFor(ctx, MEM, 'http://override/'), 'http://override/');
    assert.equal(await pipIndexUrl(ctx), 'https://mirror.example/simple');
    assert.equal(
      pypiJsonUrl('https://mirror.example/simple/', 'mempalace'),
      'https://mirror.example/pypi/mempalace/json',
    );
    assert.equal(npmDocUrl('https://r.example/', MEM), 'https://r.example/@modelcontextprotocol%2Fserver-memory');
  });

  it('compares releases: newer only, pre-releases never', () => {
    assert.equal(isNewer('npm', '2026.9.1', '2026.8.31'), true);
    assert.equal(isNewer('npm', '2026.8.31', '2026.8.31'), false);
    assert.equal(isNewer('npm', '2027.0.0-rc.1', '2026.8.31'), false);
    assert.equal(isNewer('python', '3.10.0', '3.9.9'), true);
    assert.equal(isNewer('python', '3.1', '3.1.0'), false);
    assert.equal(isNewer('python', '1.0.0rc1', '0.9'), false);
  });

  it('reports a newer release from npm- and PyPI-shaped documents, and asks at most once a day', async () => {
    const home = tempDir();
    write(path.join(home, '.npmrc'), `registry=${reg.url}/npm/\n`);
    const logs: string[] = [];
    let now = new Date('2026-11-21T10:00:00Z');
    const checker = new RegistryChecker({
      ctx: ctxFor(home),
      fs: liveFs,
      net: liveNet,
      cacheFile: path.join(home, 'cache', 'registry.json'),
      overrides: { pypi: `${reg.url}/simple` },
      now: () => now,
      log: (m) => logs.push(m),
    });
    const refs = [
      { ecosystem: 'npm' as const, name: MEM, current: '2026.8.31' },
      { ecosystem: 'python' as const, name: 'mempalace', current: '3.1.0' },
    ];
    assert.equal(await checker.cached(refs[0]), undefined);
    await checker.check(refs);
    assert.equal(logs.length, 0, logs.join('\n'));
    assert.equal((await checker.cached(refs[0]))?.latest, '2026.9.1');
    assert.equal((await checker.cached(refs[1]))?.latest, '3.2.0');
    assert.equal(reg.requests.length, 2);

    // A new process reads the cache from disk and does not ask again the same day.
    const again = new RegistryChecker({
      ctx: ctxFor(home),
      fs: liveFs,
      net: liveNet,
      cacheFile: path.join(home, 'cache', 'registry.json'),
      overrides: { pypi: `${reg.url}/simple` },
      now: () => now,
      log: (m) => logs.push(m),
    });
    assert.equal((await again.cached(refs[1]))?.latest, '3.2.0');
    await again.check(refs);
    assert.equal(reg.requests.length, 2);
    now = new Date('2026-11-22T10:00:01Z');
    await again.check(refs);
    assert.equal(reg.requests.length, 4);
  });

  it('garbage JSON is a logged error and no update', async () => {
    const home = tempDir();
    const logs: string[] = [];
    const checker = new RegistryChecker({
      ctx: ctxFor(home),
      fs: liveFs,
      net: liveNet,
      cacheFile: path.join(home, 'r.json'),
      overrides: { npm: `${reg.url}/garbage/` },
      log: (m) => logs.push(m),
    });
    const ref = { ecosystem: 'npm' as const, name: 'x', current: '1.0.0' };
    await checker.check([ref]);
    assert.equal(logs.length, 1);
    assert.match(
      logs[0],
      /update check for npm package x at http:\/\/127\.0\.0\.1:\d+\/garbage\/x failed: the answer is not JSON/,
    );
    assert.equal(await checker.cached(ref), undefined);
  });

  it('an answer larger than the bound is not read past it; redirects are followed within the registry’s origin only', async () => {
    const home = tempDir();
    const logs: string[] = [];
    const checkerAt = (npm: string) =>
      new RegistryChecker({
        ctx: ctxFor(home),
        fs: liveFs,
        net: liveNet,
        cacheFile: path.join(home, `r-${reg.requests.length}.json`),
        overrides: { npm },
        timeoutMs: 20_000,
        log: (m) => logs.push(m),
      });
    const ref = { ecosystem: 'npm' as const, name: MEM, current: '2026.8.31' };

    const big = checkerAt(`${reg.url}/big/`);
    await big.check([ref]);
    assert.equal(await big.cached(ref), undefined);
    assert.match((await big.said(ref))?.error ?? '', /^the answer is larger than 8 MiB$/);
    assert.ok(!reg.answered.some((u) => u.startsWith('/big/')), 'the rest of the answer was never asked for');

    const away = checkerAt(`${reg.url}/away/`);
    await away.check([ref]);
    assert.equal(await away.cached(ref), undefined, 'an answer from another origin is not credited to this registry');
    assert.match((await away.said(ref))?.error ?? '', /redirected to another origin \(http:\/\/localhost:\d+\)/);
    assert.ok(!reg.requests.some((u) => u.startsWith('/npm/')), 'the other origin was never asked');

    const home302 = checkerAt(`${reg.url}/home/`);
    await home302.check([ref]);
    assert.equal((await home302.cached(ref))?.latest, '2026.9.1');
  });

  it('the MCP Registry an installed package names (mcpName): deprecated with its message and newer, said by every face; a registry that does not list it is passed over', async () => {
    const home = tempDir();
    const project = path.join(home, 'proj');
    const dir = path.join(home, 'nm', 'notes-server');
    write(
      path.join(dir, 'package.json'),
      JSON.stringify({ name: 'notes-server', version: '1.0.0', mcpName: 'io.example/notes', bin: 'dist/index.js' }),
    );
    write(path.join(dir, 'dist', 'index.js'), '#!/usr/bin/env node\n');
    write(
      path.join(project, '.mcp.json'),
      JSON.stringify({
        mcpServers: { notes: { command: process.execPath, args: [path.join(dir, 'dist', 'index.js')] } },
      }),
    );
    const env = {
      PATH: path.dirname(process.execPath),
      MCP_LIFEGUARD_HOME: path.join(home, 'lg'),
      // npm knows nothing newer; the first MCP Registry does not list it, the second does.
      MCP_LIFEGUARD_NPM_REGISTRY: `${reg.url}/none/`,
      MCP_LIFEGUARD_MCP_REGISTRY: `${reg.url}/other, ${reg.url}/mcp`,
    };
    const logs: string[] = [];
    let background: Promise<void> | undefined;
    const host = { home, platform: process.platform, env };
    const take = () =>
      takeSnapshot({
        host,
        // No process runs the server: only its installed package and the registries are read.
        machine: testMachine({ host }),
        workspaceFolders: [project],
        engine: { log: (m) => logs.push(m), onBackground: (p) => (background = p) },
      });
    const first = await take();
    const installed = first.servers.find((s) => s.name === 'notes')?.installed;
    assert.equal(installed?.state === 'installed' && installed.mcpName, 'io.example/notes');
    await background;
    assert.ok(reg.requests.includes('/other/v0.1/servers/io.example%2Fnotes/versions/latest'), reg.requests.join(' '));
    const snap = await take();
    const notes = snap.servers.find((s) => s.name === 'notes')!;
    assert.deepEqual(
      { ...notes.registryStatus, checkedAt: undefined },
      {
        name: 'io.example/notes',
        status: 'deprecated',
        message: 'moved to io.example/notes-next',
        latest: '1.2.0',
        registry: `${reg.url}/mcp`,
        checkedAt: undefined,
      },
    );
    assert.deepEqual(
      { ...notes.updateAvailable, checkedAt: undefined },
      { package: 'notes-server', current: '1.0.0', latest: '1.2.0', registry: `${reg.url}/mcp`, checkedAt: undefined },
    );
    // Every face: status, the agent face, the tree.
    assert.match(
      formatStatus(snap),
      /The MCP Registry says \(1\):\n {2}notes: Deprecated in the MCP Registry \(io\.example\/notes\): moved to io\.example\/notes-next/,
    );
    assert.match(formatStatus(snap), /notes: notes-server 1\.2\.0 is available \(installed: 1\.0\.0\)/);
    const vm = toViewInput(snap);
    const agent = healthReport(vm).servers.find((s) => s.name === 'notes');
    assert.equal(
      agent?.registry,
      'Deprecated in the MCP Registry ("io.example/notes"): "moved to io.example/notes-next"',
    );
    const row = treeItem(
      childNodes(rootNodes(vm).find((n) => n.kind === 'group')!)[0],
      { trusted: true, now: Date.now(), guardAvailable: true },
      [project],
    );
    assert.match(row.description ?? '', /1\.2\.0 available · deprecated$/);
    assert.match(row.tooltip ?? '', /Deprecated in the MCP Registry/);
    // npm's 404 is logged; no MCP Registry failed (the first one's 404 only means it does not list it).
    assert.deepEqual(
      logs.filter((l) => /MCP Registry/.test(l)),
      [],
    );
  });

  it('a slow registry (3 s) times out in the background without delaying the snapshot', async () => {
    const home = tempDir();
    const project = path.join(home, 'proj');
    const pkg = npmPackage(path.join(home, 'nm'), 'slow-server', '1.0.0');
    write(
      path.join(project, '.mcp.json'),
      JSON.stringify({
        mcpServers: { slow: { command: process.execPath, args: [path.join(pkg, 'dist', 'index.js')] } },
      }),
    );
    const logs: string[] = [];
    let background: Promise<void> | undefined;
    const env = {
      PATH: path.dirname(process.execPath),
      MCP_LIFEGUARD_HOME: path.join(home, 'lg'),
      MCP_LIFEGUARD_NPM_REGISTRY: `${reg.url}/slow/`,
    };
    const host = { home, platform: process.platform, env };
    const snapshot = await takeSnapshot({
      host,
      machine: testMachine({ host }),
      workspaceFolders: [project],
      engine: { log: (m) => logs.push(m), onBackground: (p) => (background = p) },
    });
    // The snapshot is back while the registry still holds its answer.
    assert.deepEqual(reg.answered, []);
    const server = snapshot.servers.find((s) => s.name === 'slow');
    assert.equal(server?.installed?.state === 'installed' && server.installed.version, '1.0.0');
    assert.equal(server?.updateAvailable, undefined);
    assert.ok(background, 'a check was started');
    await background;
    assert.equal(logs.length, 1);
    assert.match(logs[0], /slow-server .* failed: no answer within 2000 ms/);
  });
});
