import * as assert from 'node:assert/strict';
import { runningInstaller } from '../../../src/core/versions/installers';
import { judge } from '../../../src/core/versions/judge';

const p = (pid: number, argv: string[], startTime?: number) => ({
  pid,
  argv,
  ...(startTime !== undefined ? { startTime } : {}),
});

describe('versions: installers running now', () => {
  it('knows npm, pnpm, yarn, pip, uv and pipx writing a tree, as the process table shows them (npm retitles itself)', () => {
    assert.equal(runningInstaller([p(10, ['npm', 'ci'])], 'npm')?.what, 'npm ci (pid 10)');
    assert.equal(
      runningInstaller([p(11, ['/usr/bin/node', '/usr/lib/node_modules/npm/bin/npm-cli.js', 'install', 'x'])], 'npm')
        ?.what,
      'npm install (pid 11)',
    );
    assert.equal(
      runningInstaller([p(12, ['node', '/h/.cache/pnpm/pnpm.cjs', 'add', 'x'])], 'npm')?.what,
      'pnpm add (pid 12)',
    );
    assert.equal(runningInstaller([p(13, ['yarn'])], 'npm')?.what, 'yarn (pid 13)');
    assert.equal(
      runningInstaller([p(14, ['/v/bin/python', '-m', 'pip', 'install', '-U', 'pip'])], 'python')?.what,
      'pip install (pid 14)',
    );
    assert.equal(
      runningInstaller([p(15, ['pip3.11', 'uninstall', '-y', 'x'])], 'python')?.what,
      'pip uninstall (pid 15)',
    );
    assert.equal(runningInstaller([p(16, ['uv', 'tool', 'upgrade', 'x'])], 'python')?.what, 'uv tool (pid 16)');
    assert.equal(runningInstaller([p(17, ['pipx', 'inject', 'x', 'y'])], 'python')?.what, 'pipx inject (pid 17)');
  });

  it('ignores `uv tool run` / `uv tool uvx` (what uvx runs, a server) and read-only uv pip verbs; uv tool install and uv pip sync write', () => {
    assert.equal(
      runningInstaller(
        [
          p(1, ['/x/uv', 'tool', 'uvx', 'mcp-server-time@1']),
          p(2, ['uv', 'tool', 'run', '--from', 'x', 'x']),
          p(3, ['uv', 'pip', 'list']),
          p(4, ['uv', 'tool', 'list']),
        ],
        'python',
      ),
      undefined,
    );
    assert.equal(
      runningInstaller([p(5, ['uv', 'tool', 'install', '--reinstall', 'x'])], 'python')?.what,
      'uv tool (pid 5)',
    );
    assert.equal(runningInstaller([p(6, ['uv', 'pip', 'sync', 'r.txt'])], 'python')?.what, 'uv pip (pid 6)');
  });

  it('ignores runners that only start a server (npx, npm exec, uvx, pipx run) and the other ecosystem', () => {
    assert.equal(
      runningInstaller(
        [
          p(1, ['npm', 'exec', 'pkg@1']),
          p(2, ['npx', '-y', 'pkg']),
          p(3, ['uvx', 'x']),
          p(4, ['pipx', 'run', 'x']),
          p(5, ['npm', 'ls']),
        ],
        'npm',
      ),
      undefined,
    );
    assert.equal(runningInstaller([p(6, ['npm', 'ci'])], 'python'), undefined);
    assert.equal(runningInstaller([p(7, ['node', 'server.js', 'install'])], 'npm'), undefined);
  });

  it('holds a verdict as settling only for a change the installer may be writing', () => {
    const START = Date.parse('2026-11-20T10:00:00Z');
    const installed = {
      state: 'installed' as const,
      ecosystem: 'npm' as const,
      name: 'srv',
      version: '2.0.0',
      how: 'h',
      location: '/app/node_modules/srv',
      changedAt: START + 60_000,
    };
    const now = START + 600_000;
    const during = judge({
      installed,
      processStart: START,
      now,
      installing: { what: 'npm ci (pid 9)', startTime: START + 50_000 },
    });
    assert.equal(
      during.verdict.state === 'unknown' && during.verdict.reason,
      'npm ci (pid 9) is running: judged once it is done',
    );
    // An installer that started after the change did not write it: the change is judged.
    const later = judge({
      installed,
      processStart: START,
      now,
      installing: { what: 'npm install (pid 9)', startTime: START + 300_000 },
    });
    assert.equal(later.verdict.state, 'changed');
    // Nothing changed since the start: nothing to wait for.
    const untouched = judge({
      installed: { ...installed, changedAt: START - 1000 },
      processStart: START,
      now,
      installing: { what: 'npm ci (pid 9)' },
    });
    assert.equal(untouched.verdict.state, 'current');
  });

  it('holds a verdict while an installer runs and dependencies the process had are gone (their folders carry no time); a moved one alone is judged', () => {
    const START = Date.parse('2026-11-20T10:00:00Z');
    const now = START + 600_000;
    const env = (packages: Record<string, string>) => ({
      scope: 'closure' as const,
      hash: JSON.stringify(packages),
      packages,
    });
    const installed = {
      state: 'installed' as const,
      ecosystem: 'python' as const,
      name: 'srv',
      version: '1.0',
      how: 'h',
      location: '/v/site-packages',
      changedAt: START - 5000,
      environment: env({ anyio: '4.9.0' }),
    };
    const firstSeen = {
      name: 'srv',
      version: '1.0',
      firstSeenAt: new Date(START).toISOString(),
      environment: env({ anyio: '4.9.0', httpx: '0.28.1' }),
    };
    const installing = { what: 'pip install (pid 9)', startTime: START + 300_000 };
    const during = judge({ installed, processStart: START, now, firstSeen, installing });
    assert.equal(
      during.verdict.state === 'unknown' && during.verdict.settling && during.verdict.reason,
      'pip install (pid 9) is running: judged once it is done',
    );
    const done = judge({ installed, processStart: START, now, firstSeen });
    assert.equal(done.verdict.state, 'stale');
    // A dependency that moved to another version with an unrelated installer running: judged (the change has a time, before the installer).
    const moved = judge({
      installed: { ...installed, environment: env({ anyio: '4.9.0', httpx: '0.27.0' }) },
      processStart: START,
      now,
      firstSeen,
      installing,
    });
    assert.equal(moved.verdict.state, 'stale');
  });
});
