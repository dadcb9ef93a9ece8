import * as assert from 'node:assert/strict';
import type { Instance, ServerStatus, Snapshot } from '../../../src/core/base/model';
import type { ClientId } from '../../../src/core/base/model';
import type { Installed, InstanceVersions, VersionVerdict } from '../../../src/core/base/versionTypes';
import { applyInstall } from '../../../src/core/actions/applyInstall';
import { installServes, serversOfInstall, servesText } from '../../../src/core/actions/installServes';
import { rollbackPlan, rollbackText } from '../../../src/core/actions/rollback';
import { upgradePlan, upgradeText } from '../../../src/core/actions/upgrade';
import { facts } from './installFacts';
import { stdioConfig } from '../processes/support';

type Inst = Extract<Installed, { state: 'installed' }>;

const GLOBAL = '/usr/local/lib/node_modules/@acme/srv';
const npmAt = (location: string, version = '1.0.0'): Inst => ({
  state: 'installed',
  ecosystem: 'npm',
  name: '@acme/srv',
  version,
  how: 'x',
  location,
});

const stale = { state: 'stale', summary: 's' } as unknown as VersionVerdict;

function instance(pid: number, client: string, guarded: boolean, verdict: VersionVerdict = stale): Instance {
  return {
    pid,
    client: { id: 'x', name: client },
    verdicts: [],
    ...(guarded ? { lock: { serverName: 'x', resourceKey: 'k' } } : {}),
    versions: { verdict } as unknown as InstanceVersions,
  } as unknown as Instance;
}

function entry(name: string, client: ClientId, installed: Inst, instances: Instance[] = []): ServerStatus {
  return { ...stdioConfig(name, client, 'srv', []), installed, instances };
}

/** Five entries in three clients run the one global install; one runs another copy. */
function machine(): ServerStatus[] {
  return [
    entry('srv', 'vscode', npmAt(GLOBAL)),
    entry('srv-work', 'vscode', npmAt(GLOBAL)),
    entry('srv', 'claude-desktop', npmAt(GLOBAL)),
    entry('acme', 'claude-desktop', npmAt(GLOBAL)),
    entry('srv', 'cursor', npmAt(GLOBAL)),
    entry('srv-dev', 'cursor', npmAt('/w/app/node_modules/@acme/srv')),
  ];
}

describe('one install, all its users: Upgrade and Roll back name and restart every entry it serves', () => {
  it('the entries that run the same package from the same place, in any client, each once', () => {
    const servers = machine();
    const serves = installServes(servers, npmAt(GLOBAL));
    assert.deepEqual(
      serves.map((s) => `${s.name} (${s.client})`),
      ['srv (vscode)', 'srv-work (vscode)', 'srv (claude-desktop)', 'acme (claude-desktop)', 'srv (cursor)'],
    );
    assert.deepEqual(
      installServes(servers, npmAt('/w/app/node_modules/@acme/srv')).map((s) => s.name),
      ['srv-dev'],
    );
  });

  it("Python: another version's dist-info in the same site-packages is the same install (names compared normalized)", () => {
    const site = '/v/lib/python3.12/site-packages';
    const py = (name: string, version: string, location: string): Inst => ({
      state: 'installed',
      ecosystem: 'python',
      name,
      version,
      how: 'x',
      location,
      sitePackages: site,
    });
    const servers = [
      entry('a', 'vscode', py('mcp-srv', '1.0', `${site}/mcp_srv-1.0.dist-info`)),
      entry('b', 'cursor', py('mcp_srv', '2.0', `${site}/mcp_srv-2.0.dist-info`)),
      entry('c', 'cursor', py('other', '2.0', `${site}/other-2.0.dist-info`)),
    ];
    assert.deepEqual(
      serversOfInstall(servers, py('MCP.srv', '1.0', `${site}/mcp_srv-1.0.dist-info`)).map((s) => s.name),
      ['a', 'b'],
    );
  });

  it("the upgrade's plan lists every entry and client the install serves before it runs", () => {
    const servers = machine();
    const plan = upgradePlan(
      { ...servers[0], updateAvailable: undefined },
      '2.0.0',
      facts([], [], { npm: '/usr/bin/npm' }),
    );
    assert.ok(plan.kind === 'install');
    const text = upgradeText(plan, installServes(servers, npmAt(GLOBAL)));
    assert.deepEqual(text.slice(2, 8), [
      '  the same install runs 5 entries in 3 clients: each gets the new code',
      '    srv in vscode',
      '    srv-work in vscode',
      '    srv in claude-desktop',
      '    acme in claude-desktop',
      '    srv in cursor',
    ]);
    assert.match(text[text.length - 1], /then restart each guarded instance/);
    // An install only its own entry runs says nothing more.
    assert.equal(upgradeText(plan, installServes(servers, npmAt('/w/app/node_modules/@acme/srv'))).length, 3);
  });

  it("a client's user file and its workspace file are one client in the count; each entry keeps its place", () => {
    const at = (name: string, client: ClientId, label: string, file: string): ServerStatus => {
      const s = entry(name, client, npmAt(GLOBAL));
      return { ...s, source: { ...s.source, label, file } };
    };
    const serves = installServes(
      [
        at('srv', 'cursor', 'Cursor', '/h/.cursor/mcp.json'),
        at('srv', 'cursor', 'Cursor (workspace)', '/w/.cursor/mcp.json'),
        at('srv', 'vscode', 'VS Code (workspace)', '/w/.vscode/mcp.json'),
        at('srv', 'vscode', 'VS Code', '/h/.config/Code/User/mcp.json'),
      ],
      npmAt(GLOBAL),
    );
    assert.deepEqual(servesText(serves), [
      '  the same install runs 4 entries in 2 clients: each gets the new code',
      '    srv in Cursor',
      '    srv in Cursor (workspace)',
      '    srv in VS Code (workspace)',
      '    srv in VS Code',
    ]);
  });

  it("the roll back's plan lists them too", () => {
    const servers = machine();
    const plan = rollbackPlan(servers[0], facts([], [], { npm: '/usr/bin/npm' }), {
      server: 'srv',
      package: '@acme/srv',
      from: '0.9.0',
      to: '1.0.0',
      at: '2026-01-01T00:00:00.000Z',
    });
    assert.ok(plan.kind === 'plan');
    const text = rollbackText(plan, installServes(servers, npmAt(GLOBAL)));
    assert.ok(text.includes('  the same install runs 5 entries in 3 clients: each goes back with it'), text.join('\n'));
    assert.ok(text.includes('    acme in claude-desktop'));
  });

  it("after the install, a sibling entry's guard restarts too and its unguarded instance is named with its client", async () => {
    const servers = [
      entry('srv', 'vscode', npmAt(GLOBAL, '2.0.0'), [instance(10, 'VS Code', true)]),
      entry('acme', 'claude-desktop', npmAt(GLOBAL, '2.0.0'), [
        instance(20, 'Claude Desktop', true),
        instance(21, 'Claude Desktop', false),
      ]),
      entry('srv', 'cursor', npmAt(GLOBAL, '2.0.0'), [
        instance(30, 'Cursor', true, { state: 'current', reason: 'x' } as VersionVerdict),
      ]),
      entry('other', 'cursor', npmAt('/w/app/node_modules/@acme/srv', '2.0.0'), [instance(40, 'Cursor', true)]),
    ];
    const restarted: number[] = [];
    const result = await applyInstall(
      'srv',
      { command: 'npm', args: [] },
      {
        run: () => Promise.resolve({ exitCode: 0 }),
        look: () => Promise.resolve({ servers } as unknown as Snapshot),
        restart: (pid) => {
          restarted.push(pid);
          return Promise.resolve([]);
        },
      },
      { before: npmAt(GLOBAL) },
    );
    assert.ok(result.kind === 'done');
    assert.deepEqual(restarted, [10, 20]);
    assert.deepEqual(
      result.left.map((l) => `${l.pid} ${l.client}`),
      ['21 Claude Desktop'],
    );
  });
});
