import * as assert from 'node:assert/strict';
import type { Instance, ServerStatus, Snapshot } from '../../../src/core/base/model';
import { toViewInput } from '../../../src/core/report/input';
import { keepIdleInstalled } from '../../../src/core/snapshot/idleInstalled';
import { Cap } from '../../../src/extension/viewModel/contextValues';
import { serverCaps } from '../../../src/extension/viewModel/serverItem';
import { entry, GLOBAL, npm } from '../report/doctorFacts';

const IDLE = { kind: 'idle' as const, since: '2026-11-25T09:00:00.000Z', afterMs: 600_000 };
const copy = npm(GLOBAL, '2026.8.31', 'npm global prefix /usr/local');

/** The guard process of a wrapped `npx -y` entry: serving (its server's versions read) or idle (none). */
function guard(state: 'serving' | 'idle', startTime = 1000): Instance {
  return {
    pid: 40,
    ppid: 1,
    startTime,
    commandLine: 'mcp-lifeguard run --idle-stop 600 -- npx -y @modelcontextprotocol/server-memory',
    commandHash: 'h',
    client: { id: 'cursor', name: 'Cursor' },
    launcherChain: [],
    matchedBy: 'k',
    verdicts: state === 'idle' ? [IDLE] : [],
    ...(state === 'serving'
      ? {
          versions: {
            installed: copy,
            running: { state: 'known', version: '2026.8.31', source: 'first-seen', how: 'first seen' },
            verdict: { state: 'current', reason: 'x' },
          },
        }
      : {}),
  } as Instance;
}

function snapshotOf(server: ServerStatus): Snapshot {
  return {
    schemaVersion: 1,
    generator: { name: 'mcp-lifeguard', version: '0' },
    takenAt: '2026-11-25T10:00:00.000Z',
    platform: 'linux',
    workspaceFolders: [],
    servers: [server],
    notConfigured: [],
    processes: { state: 'ok' },
    launchGroups: [],
    files: [],
    diagnostics: [],
  } as unknown as Snapshot;
}

/** The entry as the engine reads it: `npx -y` from a client's folder resolves to no copy on its own. */
const wrapped = (instances: Instance[]) => {
  const s = entry(
    'cursor',
    'Cursor',
    '/h/bin/mcp-lifeguard',
    ['run', '--idle-stop', '600', '--', 'npx', '-y', 'x'],
    copy,
    instances,
  );
  return {
    ...s,
    id: 'cursor:user:/home/u/cursor.json#memory',
    installed: { state: 'missing', ecosystem: 'npm', how: 'npx -y x: not in the npx cache' },
  } as ServerStatus;
};

const ctx = { trusted: true, now: 0, guardAvailable: true };

describe('an idle guarded server keeps the version its server last ran from, and its Upgrade', () => {
  it('the guard that served keeps the installed version and the row its version actions once idle', () => {
    const serving = snapshotOf(wrapped([guard('serving')]));
    const idle = keepIdleInstalled(serving, snapshotOf(wrapped([guard('idle')])));
    console.log(JSON.stringify(idle.servers[0].installed), JSON.stringify(idle.servers[0].instances[0].verdicts));
    const [s] = toViewInput(idle).servers;
    assert.equal(s.installedVersion, '2026.8.31');
    assert.equal(s.upgradable, true);
    const caps = serverCaps(s, ctx, []);
    for (const cap of [Cap.upgrade, Cap.rollback, Cap.versions]) assert.ok(caps.includes(cap), cap);
    // And the snapshot after: still idle, still known.
    const later = keepIdleInstalled(idle, snapshotOf(wrapped([guard('idle')])));
    assert.equal(toViewInput(later).servers[0].installedVersion, '2026.8.31');
  });

  it('without a snapshot of it serving, another guard process, or a newer reading, nothing is carried', () => {
    const serving = snapshotOf(wrapped([guard('serving')]));
    const alone = toViewInput(keepIdleInstalled(undefined, snapshotOf(wrapped([guard('idle')])))).servers[0];
    assert.equal(alone.installedVersion, undefined);
    assert.ok(!serverCaps(alone, ctx, []).includes(Cap.upgrade));
    // The guard restarted (same pid, another start): what it serves is not known yet.
    const other = keepIdleInstalled(serving, snapshotOf(wrapped([guard('idle', 2000)])));
    assert.equal(toViewInput(other).servers[0].installedVersion, undefined);
    // A reading of its own wins.
    const read = snapshotOf({
      ...wrapped([guard('idle')]),
      installed: npm(GLOBAL, '2026.9.1', 'npm global prefix /usr/local'),
    });
    assert.equal(toViewInput(keepIdleInstalled(serving, read)).servers[0].installedVersion, '2026.9.1');
  });
});
