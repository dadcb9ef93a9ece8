import * as assert from 'node:assert/strict';
import type { Instance } from '../../../src/core/base/model';
import { versionDoctor } from '../../../src/core/report/versionDoctor';
import { noFiles } from '../../support/machines';
import { copyOnDisk, placeOf } from '../../../src/core/versions/copies';
import { doctorText } from '../../../src/cli/format/doctor';
import { stdioConfig } from '../processes/support';
import { entry, GLOBAL, heldBack, instance, MEM, npm, NPX, PROJECT } from './doctorFacts';

describe('doctor: every source of a server version in one answer', () => {
  it('names the pin that kept an upgrade from taking effect, the shadowing project copy, and the instance to restart', () => {
    const a = versionDoctor(heldBack());
    assert.deepEqual(a.findings, [
      `Windsurf's entry memory (/home/u/windsurf.json) pins ${MEM}@2026.7.4 for npx: it runs 2026.7.4 while the npm global install has 2026.8.31 (npm global prefix /usr/local); upgrading elsewhere does not change it (mcp-lifeguard upgrade memory rewrites the pin)`,
      `the project copy 2026.7.4 (local node_modules of /w/app) shadows the npm global 2026.8.31: npx and the project's own bin run it there`,
      `pid 41 (Cursor) runs 2026.7.4 while 2026.8.31 is installed: it started before 2026.8.31 was installed there (${MEM} 2026.7.4 -> 2026.8.31): restart it to run what is installed; its entry memory in Cursor runs mcp-server-memory; ${MEM} 2026.8.31 is installed there (npm global prefix /usr/local)`,
      'the entries named memory run different versions: Cursor 2026.8.31, Windsurf 2026.7.4',
    ]);
    assert.deepEqual(
      a.instances.map((i) => [i.pid, i.runs, i.installed, i.from, i.needsRestart]),
      [
        [41, '2026.7.4', '2026.8.31', 'npm global prefix /usr/local', true],
        [42, '2026.7.4', undefined, 'npx cache /home/u/.npm/_npx/0a1b', false],
      ],
    );
    assert.equal(
      a.instances[1].reason,
      `its entry memory in Windsurf pins ${MEM}@2026.7.4 for npx: it runs that version whatever else is installed (2026.7.4 in npx cache /home/u/.npm/_npx/0a1b)`,
    );
    assert.deepEqual(
      a.copies.map((c) => [c.place, c.usedBy, c.shadows]),
      [
        ['npm-global', ['memory in Cursor'], undefined],
        ['npm-project', [], '2026.8.31'],
        ['npx-cache', ['memory in Windsurf'], undefined],
      ],
    );
    assert.deepEqual(
      a.entries.map((e) => [e.client, e.runner, e.pin, e.resolves, e.launch]),
      [
        ['Cursor', undefined, undefined, '2026.8.31', 'mcp-server-memory'],
        ['Windsurf', 'npx', '2026.7.4', '2026.7.4', `npx -y ${MEM}@2026.7.4`],
      ],
    );
    assert.deepEqual(a.newest, { version: '2026.8.31', source: 'npm' });
  });

  it('a newer release than any copy here is said, with what installs it; a pin to the newest holds nothing back', () => {
    const f = heldBack();
    f.releases = [{ source: 'npm', registry: 'r', latest: '2026.9.1', checkedAt: 't' }];
    f.entries = f.entries.slice(1);
    const a = versionDoctor(f);
    assert.ok(
      a.findings.includes(
        `${MEM} 2026.9.1 is the newest release (npm); the newest installed here is 2026.8.31 (mcp-lifeguard upgrade memory installs it the way it was installed)`,
      ),
      a.findings.join('\n'),
    );
    const pinnedNew = heldBack();
    pinnedNew.entries = [
      entry('windsurf', 'Windsurf', 'npx', ['-y', `${MEM}@2026.8.31`], npm(`${NPX}x`, '2026.8.31', 'npx cache y')),
    ];
    pinnedNew.copies = pinnedNew.copies.filter((c) => c.place !== 'npm-project');
    assert.deepEqual(versionDoctor(pinnedNew).findings, []);
  });

  it('a pinned entry whose release is on no disk says why it is unknown, never a bare `?`', () => {
    const f = heldBack();
    const reason =
      "its entry pins @modelcontextprotocol/server-memory 2026.7.4, which neither the uv tool it ran from (2026.8.31 now) nor uv's cache holds: uvx fetches 2026.7.4 at its next start";
    f.entries = [
      entry('windsurf', 'Windsurf', 'npx', ['-y', `${MEM}@2026.7.4`], {
        state: 'unknown',
        ecosystem: 'npm',
        name: MEM,
        reason,
      }),
    ];
    const [e] = versionDoctor(f).entries;
    assert.equal(e.resolves, undefined);
    assert.equal(
      e.reason,
      `pins ${MEM}@2026.7.4 for npx: it runs that version whatever else is installed; what it resolves to is unknown: ${reason}`,
    );
  });

  it('a guard-wrapped entry is read by the launch it wraps; secrets in it stay masked', () => {
    const f = heldBack();
    f.entries = [
      entry(
        'windsurf',
        'Windsurf',
        '/usr/bin/node',
        ['/lg/cli.js', 'run', '--name', 'memory', '--', 'npx', '-y', `${MEM}@2026.7.4`, '--api-key=s3cret'],
        npm(NPX, '2026.7.4', 'npx cache /home/u/.npm/_npx/0a1b'),
      ),
    ];
    const a = versionDoctor(f);
    assert.equal(a.entries[0].pin, '2026.7.4');
    assert.equal(a.entries[0].launch, `npx -y ${MEM}@2026.7.4 --api-key=<redacted>`);
    assert.ok(!JSON.stringify(a).includes('s3cret'));
  });

  it('copies are placed by the words of the resolver that found them, else by their folder: npm global, project, npx, uv tool, uvx, pipx, venv', () => {
    assert.deepEqual(
      [
        GLOBAL,
        PROJECT,
        NPX,
        '/h/.local/share/uv/tools/mcp-server-time/lib/python3.12/site-packages/mcp_server_time-1.dist-info',
        '/h/.cache/uv/archive-v0/abc/lib/python3.12/site-packages/x.dist-info',
        '/h/.local/share/pipx/venvs/x/lib/python3.12/site-packages/x.dist-info',
        '/w/.venv/lib/python3.12/site-packages/x.dist-info',
      ].map((location) => placeOf({ how: `package.json above ${location}`, location })),
      ['npm-global', 'npm-project', 'npx-cache', 'uv-tool', 'uvx-cache', 'pipx', 'venv'],
    );
    // The resolver's own words win: a uv tool folder moved by UV_TOOL_DIR is still a uv tool.
    assert.equal(
      placeOf({ how: 'uv tool /opt/tools/x', location: '/opt/tools/x/lib/python3.12/site-packages/x.dist-info' }),
      'uv-tool',
    );
  });

  it("a copy under a folder named `lib` is a project's when that folder has a package.json, a global prefix's when it has none", async () => {
    const host = { home: '/h', platform: 'linux' as const, env: {} };
    const fs = {
      ...noFiles,
      stat: async (file: string) =>
        file === '/w/lib/package.json'
          ? { kind: 'file' as const, size: 40, mtimeMs: 0, ctimeMs: 0, ino: 1, dev: 1 }
          : undefined,
    };
    const at = (dir: string) =>
      copyOnDisk(
        { host, fs },
        {
          state: 'installed',
          ecosystem: 'npm',
          name: MEM,
          version: '2026.7.4',
          location: `${dir}/node_modules/${MEM}`,
          how: `package.json above ${dir}/node_modules/${MEM}/dist/index.js`,
        },
      );
    assert.equal((await at('/w/lib'))?.place, 'npm-project');
    assert.equal((await at('/usr/local/lib'))?.place, 'npm-global');
  });

  it("the CLI's text: what runs, what is installed where, each entry, the newest release, why", () => {
    const lines = doctorText(versionDoctor(heldBack()));
    assert.deepEqual(lines.slice(0, 9), [
      `memory: ${MEM} (npm)`,
      '',
      'Running (2):',
      `  pid 41 (Cursor) runs 2026.7.4 from npm global prefix /usr/local: it started before 2026.8.31 was installed there (${MEM} 2026.7.4 -> 2026.8.31): restart it to run what is installed; its entry memory in Cursor runs mcp-server-memory; ${MEM} 2026.8.31 is installed there (npm global prefix /usr/local)`,
      `  pid 42 (Cursor) runs 2026.7.4 from npx cache /home/u/.npm/_npx/0a1b: its entry memory in Windsurf pins ${MEM}@2026.7.4 for npx: it runs that version whatever else is installed (2026.7.4 in npx cache /home/u/.npm/_npx/0a1b)`,
      'Installed (3):',
      '  2026.8.31  npm global: npm global prefix /usr/local  (used by memory in Cursor)',
      '  2026.7.4   project: local node_modules of /w/app  (shadows the npm global 2026.8.31)',
      '  2026.7.4   npx cache: npx cache /home/u/.npm/_npx/0a1b  (used by memory in Windsurf)',
    ]);
    assert.ok(lines.includes('  npm: 2026.8.31 (https://registry.npmjs.org/x, asked 2026-11-25T10:00:00Z)'));
    assert.ok(
      lines.includes(
        '  MCP Registry: no answer (HTTP 500) (https://registry.modelcontextprotocol.io, asked 2026-11-25T10:00:00Z)',
      ),
    );
    assert.equal(lines.filter((l) => l.startsWith('  - ')).length, 4);
  });

  it('an instance no known client started is said so, never by the id `unknown`', () => {
    const facts = heldBack();
    const first = facts.entries[0].instances[0];
    facts.entries[0].instances[0] = { ...first, client: { id: 'unknown', name: 'unknown' } };
    const answer = versionDoctor(facts);
    assert.equal(answer.instances.find((i) => i.pid === 41)?.client, 'no known client');
    const lines = doctorText(answer);
    assert.ok(
      lines.some((l) => l.startsWith('  pid 41 (no known client) runs 2026.7.4')),
      lines.join('\n'),
    );
    assert.ok(!lines.some((l) => l.includes('(unknown)')), lines.join('\n'));
  });

  it("a shared server's process is listed once, named by the clients it serves (as the tree says it), under the first entry that has it", () => {
    const facts = heldBack();
    const shared: Instance = {
      ...facts.entries[0].instances[0],
      client: { id: 'unknown', name: 'unknown' },
      lock: {
        serverName: 'memory',
        resourceKey: 'data:1',
        attached: [{ clientName: 'Claude Desktop' }, { clientName: 'Cursor' }],
      },
    };
    facts.entries[0].instances = [shared];
    facts.entries[1].instances = [shared];
    const answer = versionDoctor(facts);
    assert.deepEqual(
      answer.instances.map((i) => [i.pid, i.client]),
      [[41, 'Claude Desktop and Cursor']],
    );
  });

  it('a script server says what status says: what moved under each instance, that a restart will probably fail, and the way back', () => {
    const installed = {
      state: 'installed' as const,
      ecosystem: 'python' as const,
      name: 'srv.py',
      version: 'mcp 2.3.0',
      how: 'the script /w/srv.py',
      location: '/w/srv.py',
      dev: { root: '/w', how: 'a script', script: true as const, newest: [] },
      startRisks: [
        {
          module: 'mcp.server.fastmcp',
          package: 'mcp',
          version: '2.3.0',
          why: 'raises' as const,
          pin: 'mcp<2',
          summary: 'mcp.server.fastmcp raises at import in mcp 2.3.0 (it says to pin mcp<2)',
        },
      ],
    };
    const stale = {
      state: 'stale' as const,
      package: 'srv.py',
      ecosystem: 'python' as const,
      running: 'mcp 1.30.0',
      installed: 'mcp 2.3.0',
      movedDependencies: [
        { name: 'mcp', from: '1.30.0', to: '2.3.0' },
        { name: 'httpx', from: '0.28.1' },
        { name: 'httpx2', to: '2.16.2' },
        { name: 'certifi', from: '2026.10.19.post1', stillInstalled: '2026.10.19.post1' },
      ],
      replacedFiles: [],
      runningHow: 'lock record',
      installedHow: 'the script /w/srv.py',
      summary:
        'srv.py: runs mcp 1.30.0 but mcp 2.3.0 is installed; dependencies: mcp 1.30.0 -> 2.3.0, httpx 0.28.1 -> (removed), httpx2 (absent) -> 2.16.2, certifi 2026.10.19.post1 -> (no longer a dependency, still installed)',
    };
    const notes = { ...entry('cursor', 'Cursor', '/w/.venv/bin/python', ['/w/srv.py'], installed), name: 'notes' };
    notes.instances = [instance(51, installed, stale, 'mcp 1.30.0')];
    const a = versionDoctor({
      server: 'notes',
      script: { location: '/w/srv.py', how: 'the script /w/srv.py, with what it imports from venv /w/.venv' },
      entries: [notes],
      copies: [],
      releases: [],
    });
    const text = doctorText(a).join('\n');
    // Opened by what it runs, as status judges it: a script has nothing to trace, but it has what it runs.
    assert.deepEqual(doctorText(a).slice(0, 2), [
      'notes: a script no package installs',
      '  It runs the script /w/srv.py, with what it imports from venv /w/.venv.',
    ]);
    assert.doesNotMatch(text, /No package to trace/);
    assert.match(
      text,
      /pid 51 \(Cursor\) runs mcp 1\.30\.0, installed mcp 2\.3\.0\n {4}moved since it started: mcp 1\.30\.0 -> 2\.3\.0/,
    );
    // A dependency removed or added is said as status says it, never as a missing value.
    assert.match(
      text,
      /moved since it started: httpx 0\.28\.1 -> \(removed\)\n {4}moved since it started: httpx2 \(absent\) -> 2\.16\.2/,
    );
    // One that only left the closure and is still installed is no longer a dependency, never removed.
    assert.match(
      text,
      /moved since it started: certifi 2026\.10\.19\.post1 -> \(no longer a dependency, still installed\)/,
    );
    assert.doesNotMatch(text, /certifi [^\n]*removed/);
    assert.doesNotMatch(text, /undefined/);
    // The Why line counts the moves listed above, never lists them again; what runs and the version found are apart.
    const why = text.slice(text.indexOf('Why:'));
    assert.match(
      why,
      /pid 51 \(Cursor\) runs mcp 1\.30\.0: it started before mcp 2\.3\.0 was installed there \(4 dependencies moved since it started, listed under pid 51\)/,
    );
    assert.doesNotMatch(why, /httpx/);
    assert.match(
      why,
      /its entry notes in Cursor runs \/w\/srv\.py with \/w\/\.venv\/bin\/python; mcp 2\.3\.0 is installed there/,
    );
    assert.doesNotMatch(text, /which is mcp/);
    assert.match(
      text,
      /Restart will probably fail: mcp\.server\.fastmcp raises at import .*: do not restart pid 51 yet; mcp-lifeguard rollback notes installs again what it started with/,
    );
  });

  it('a JavaScript script whose dependency moved: what it runs and imports, the move with both versions, the way back; never "No package to trace"', () => {
    const installed = {
      state: 'installed' as const,
      ecosystem: 'npm' as const,
      name: 'server.mjs',
      version: 'script',
      how: 'the script /w/proj/server.mjs, importing @modelcontextprotocol/sdk 1.25.0 from /w/proj/node_modules',
      location: '/w/proj/server.mjs',
      nodeProject: { dir: '/w/proj', imports: ['@modelcontextprotocol/sdk'] },
      dev: { root: '/w/proj', how: 'a script', script: true as const, newest: [] },
    };
    const stale = {
      state: 'stale' as const,
      package: 'server.mjs',
      ecosystem: 'npm' as const,
      running: 'script',
      installed: 'script',
      movedDependencies: [{ name: '@modelcontextprotocol/sdk', from: '1.32.2', to: '1.25.0' }],
      replacedFiles: [],
      runningHow: 'first seen',
      installedHow: installed.how,
      summary:
        'server.mjs: runs script, still installed, but its dependencies moved; dependencies: @modelcontextprotocol/sdk 1.32.2 -> 1.25.0',
    };
    const proj = { ...entry('cursor', 'Cursor', 'node', ['/w/proj/server.mjs'], installed), name: 'proj' };
    proj.instances = [instance(61, installed, stale, 'script')];
    const text = doctorText(
      versionDoctor({
        server: 'proj',
        script: { location: installed.location, how: installed.how },
        entries: [proj],
        copies: [],
        releases: [],
      }),
    ).join('\n');
    assert.doesNotMatch(text, /No package to trace/);
    assert.match(
      text,
      /^proj: a script no package installs\n {2}It runs the script \/w\/proj\/server\.mjs, importing @modelcontextprotocol\/sdk 1\.25\.0 from \/w\/proj\/node_modules\.$/m,
    );
    assert.match(text, /^ {4}moved since it started: @modelcontextprotocol\/sdk 1\.32\.2 -> 1\.25\.0$/m);
    assert.match(text, /pid 61 \(Cursor\) runs script: it started before its dependencies moved \(/);
    assert.doesNotMatch(text, /before script was installed/);
    assert.match(text, /mcp-lifeguard rollback proj installs again what pid 61 started with/);
  });

  it('a server with no package to trace says why', () => {
    const c = stdioConfig('web', 'cursor', 'x', []);
    const a = versionDoctor({
      server: 'web',
      noPackage: 'it is an HTTP server: its version is what it says when asked',
      entries: [{ ...c, instances: [] }],
      copies: [],
      releases: [],
    });
    assert.deepEqual(doctorText(a).slice(0, 2), [
      'web',
      '  No package to trace: it is an HTTP server: its version is what it says when asked.',
    ]);
  });
});
