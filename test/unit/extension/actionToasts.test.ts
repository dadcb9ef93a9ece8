import * as assert from 'node:assert/strict';
import {
  decideNotifications,
  installEventIds,
  NotificationSettings,
  ownedByAction,
  pinEventIds,
} from '../../../src/extension/viewModel/notifications';
import { configDrift, launchedPackage } from '../../../src/core/versions/configDrift';
import { versionVerdict } from '../../../src/core/report/input';
import type { InstanceVersions } from '../../../src/core/base/versionTypes';
import {
  installFailedText,
  pinLeft,
  pinLeftText,
  pinQuestionDetail,
  pinRestartText,
  stillOld,
  stillOldAction,
  stillOldTargets,
  stillOldText,
} from '../../../src/extension/viewModel/installOutcome';
import { entriesEdit, runningRewritten } from '../../../src/extension/viewModel/fileSiblings';
import { actionResult } from '../../../src/extension/viewModel/actionResult';
import { restartRiskConfirmation } from '../../../src/extension/viewModel/actionPlan';
import { OwnActions } from '../../../src/extension/ownActions';
import { installerErrorLine } from '../../../src/core/actions/runInstaller';
import { ranOld } from '../../../src/core/actions/upgrade';
import type { Instance, ServerStatus } from '../../../src/core/base/model';
import type { VmClient } from '../../../src/core/report/input';
import { CLAUDE, instance, server, snapshot, source, stale, VSCODE_HERE } from './fixtures';

const on: NotificationSettings = { onUpgrade: true, onRegistryUpdate: true };
const fresh = { seen: new Set<string>(), muted: new Set<string>() };
const CURSOR: VmClient = { id: 'cursor', name: 'Cursor', pid: 500 };
const MEM = '@modelcontextprotocol/server-memory';

describe("extension: the window's own Upgrade, Roll Back and Restart say their consequences once", () => {
  // What the walk saw after Roll Back: the guard had restarted its server (now ok on 2026.7.4), and a
  // notification beside the result said an instance of unknown origin still ran 2026.8.31.
  const rolledBack = server('memory', {
    instances: [
      instance(11, {
        client: { id: 'unknown', name: 'unknown' },
        verdicts: [stale('2026.8.31', '2026.7.4')],
        lock: { serverName: 'memory' },
      }),
    ],
  });

  it("an install's package events are its result's: not notified while it runs, whatever the spelling of the name", () => {
    const [n] = decideNotifications(snapshot([rolledBack]), fresh, on);
    assert.equal(n.kind, 'stale');
    assert.equal(ownedByAction(n, [{ kind: 'install', packages: [MEM] }]), true);
    assert.equal(ownedByAction(n, [{ kind: 'install', packages: ['@ModelContextProtocol/Server_Memory'] }]), true);
    assert.equal(ownedByAction(n, [{ kind: 'install', packages: ['other'] }]), false);
    assert.equal(ownedByAction(n, []), false);
    // A restart of this server is not an install of its package.
    assert.equal(ownedByAction(n, [{ kind: 'restart', serverIds: [rolledBack.id] }]), false);
  });

  it('a runtime replaced under the server is news of its own, not the install’s', () => {
    const runtime = server('memory', {
      instances: [
        instance(12, {
          verdicts: [
            {
              kind: 'restart',
              cause: 'runtime',
              package: 'node',
              running: '22.1.0',
              installed: '22.2.0',
              summary: 'node replaced',
            },
          ],
        }),
      ],
    });
    const [n] = decideNotifications(snapshot([runtime]), fresh, on);
    assert.equal(ownedByAction(n, [{ kind: 'install', packages: ['node'] }]), false);
  });

  it('the events an install will make are the ones the notifier would raise (claimed in other windows before it runs)', () => {
    const [n] = decideNotifications(snapshot([rolledBack]), fresh, on);
    assert.ok(n.kind === 'stale');
    const claims = installEventIds([{ name: MEM, version: '2026.7.4' }], rolledBack.instances);
    assert.ok(n.eventIds.length > 0 && n.eventIds.every((id) => claims.includes(id)));
    const other = installEventIds([{ name: MEM, version: '2026.8.31' }], rolledBack.instances);
    assert.ok(!n.eventIds.some((id) => other.includes(id)));
    // Processes started after the install began were not under it: not claimed by it.
    assert.ok(!n.eventIds.some((id) => installEventIds([{ name: MEM, version: '2026.7.4' }], []).includes(id)));
  });

  it("a restart's server going down is its result's event, not a second toast", () => {
    const down = { kind: 'down' as const, since: '2026-11-25T07:04:10.296Z', reason: 'it exited' };
    const notes = server('notes', { instances: [instance(40, { verdicts: [down], lock: { serverName: 'notes' } })] });
    const [n] = decideNotifications(snapshot([notes]), fresh, on);
    assert.equal(n.kind, 'down');
    assert.equal(ownedByAction(n, [{ kind: 'restart', serverIds: [notes.id] }]), true);
    assert.equal(ownedByAction(n, [{ kind: 'restart', serverIds: ['another'] }]), false);
    assert.equal(ownedByAction(n, [{ kind: 'install', packages: ['notes'] }]), false);
  });
});

describe('extension: one toast per event after the action that made it', () => {
  it("a pin Upgrade writes: the running instance's entry now launching the new release is the pin's event (claimed before it is written), as is the release once fetched", () => {
    for (const [runner, old, now] of [
      ['npx', ['npx', '-y', `${MEM}@2026.7.4`], ['npx', '-y', `${MEM}@2026.8.31`]],
      ['uvx', ['uvx', 'mcp-server-fetch==2025.1.1'], ['uvx', 'mcp-server-fetch==2025.4.7']],
    ] as const) {
      const pkg = launchedPackage(now)!;
      // The engine's drift of an instance started from the old pin, under the entry as the pin left it.
      const drift = configDrift(pkg, [old])!;
      assert.ok(drift, runner);
      const verdict = versionVerdict({
        verdict: { state: 'config-changed', ...drift, summary: 'x' },
      } as unknown as InstanceVersions)!;
      const pinned = server('mem', { instances: [instance(31, { verdicts: [verdict] })] });
      const [n] = decideNotifications(snapshot([pinned]), fresh, on);
      assert.equal(n?.kind, 'stale', runner);
      assert.ok(n.kind === 'stale');
      const claims = pinEventIds(pkg.name, pkg.version!, pinned.instances);
      assert.ok(
        n.eventIds.every((id) => claims.includes(id)),
        `${runner}: ${n.eventIds.join(', ')}`,
      );
      assert.ok(!n.eventIds.some((id) => pinEventIds(pkg.name, '0.0.1', pinned.instances).includes(id)), runner);
    }
    // The release itself, once the runner fetched it: the same events an install of it makes.
    const running = [instance(31)];
    const installs = installEventIds([{ name: MEM, version: '2026.8.31' }], running);
    assert.deepEqual(pinEventIds(MEM, '2026.8.31', running).slice(0, installs.length), installs);
  });

  it('a down that began while a restart ran is its result’s even when it shows after it; a later one is news', () => {
    let clock = Date.parse('2026-11-25T07:04:00.000Z');
    const actions = new OwnActions(() => clock);
    const release = actions.hold({ kind: 'restart', serverIds: ['notes-id'] });
    clock += 8000;
    release();
    const downAt = (since: string) => ({
      kind: 'down' as const,
      eventId: `down:notes@${since}`,
      serverId: 'notes-id',
      message: 'notes is down',
      rollBack: false,
      since,
    });
    // The guard gave up during the restart; its record of it was read only after the result was said.
    assert.equal(ownedByAction(downAt('2026-11-25T07:04:06.500Z'), actions.active()), true);
    // The restarted server crashed a minute later: another event, notified.
    assert.equal(ownedByAction(downAt('2026-11-25T07:05:10.000Z'), actions.active()), false);
    // Another server's down is never this restart's.
    assert.equal(ownedByAction({ ...downAt('2026-11-25T07:04:06.500Z'), serverId: 'other' }, actions.active()), false);
  });
});

describe('extension: actions under way, as the notifier reads them', () => {
  it('an action is held until its result is known; as it ends, it is still held while the notifier marks what it said', () => {
    const actions = new OwnActions();
    const heldAtEnd: number[] = [];
    actions.onEnding(() => heldAtEnd.push(actions.active().length));
    const release = actions.hold({ kind: 'install', packages: [MEM] });
    assert.deepEqual(actions.active(), [{ kind: 'install', packages: [MEM] }]);
    release();
    release();
    assert.deepEqual(heldAtEnd, [1], 'told once, before it lets go');
    assert.deepEqual(actions.active(), []);
  });
});

describe("extension: an install's result counts what still runs other code after its restarts", () => {
  // After Upgrade: the guarded instance (pid 1) was restarted by the action and runs the new version as
  // pid 9; three Cursor instances no guard runs still run the old one.
  const after = snapshot([
    server('memory', {
      source: source({ client: 'cursor', label: 'Cursor', file: '/home/u/.cursor/mcp.json' }),
      instances: [
        instance(9, { lock: { serverName: 'memory' } }),
        instance(21, { client: CURSOR, verdicts: [stale()] }),
        instance(22, { client: CURSOR, verdicts: [stale()] }),
        instance(23, { client: CURSOR, verdicts: [stale()] }),
      ],
    }),
  ]);
  const left = [21, 22, 23].map((pid) => ({ pid, reason: 'unguarded' as const }));

  it('one short sentence per kind, with the count and the client that must act, and no CLI command', () => {
    const old = stillOld(after, left);
    assert.deepEqual(
      old.map((o) => o.instance.pid),
      [21, 22, 23],
    );
    assert.deepEqual(stillOldText(old), ['3 instances in Cursor still run 2026.7.4: Cursor must restart them.']);
  });

  it('an instance restarted meanwhile, gone, or now current is not counted', () => {
    const later = snapshot([
      server('memory', {
        instances: [instance(21, { client: CURSOR, verdicts: [stale()] }), instance(22, { client: CURSOR })],
      }),
    ]);
    assert.deepEqual(stillOldText(stillOld(later, left)), [
      '1 instance in Cursor still runs 2026.7.4: Cursor must restart it.',
    ]);
    // The guard's new child (pid 9) is never among what an install left behind.
    assert.deepEqual(stillOld(after, [{ pid: 9, reason: 'unguarded' }]), []);
  });

  it('an entry that changed since its instance started is its own sentence; one of unknown origin names no client', () => {
    const mixed = snapshot([
      server('memory', {
        instances: [
          instance(31, { client: CURSOR, verdicts: [stale()] }),
          instance(32, { client: { id: 'unknown', name: 'unknown' }, verdicts: [stale()] }),
          instance(33, { client: CLAUDE, verdicts: [stale()] }),
        ],
      }),
    ]);
    assert.deepEqual(
      stillOldText(
        stillOld(mixed, [
          { pid: 31, reason: 'config-changed' },
          { pid: 32, reason: 'unguarded' },
          { pid: 33, reason: 'unguarded' },
        ]),
      ),
      [
        '1 instance in Cursor started from an entry that has changed since: Cursor must restart it.',
        '1 instance of unknown origin still runs 2026.7.4.',
        '1 instance in Claude Desktop still runs 2026.7.4: Claude Desktop must restart it.',
      ],
    );
  });

  it("the core's account of what is left says why each stays, for a face's own words", () => {
    const s = {
      instances: [
        { pid: 5, client: { name: 'Cursor' }, versions: { verdict: { state: 'stale', summary: 'x' } } },
        {
          pid: 6,
          client: { name: 'Cursor' },
          versions: { verdict: { state: 'config-changed', summary: 'its entry changed' } },
        },
      ] as unknown as Instance[],
    } as Pick<ServerStatus, 'instances'>;
    assert.deepEqual(
      ranOld(s).left.map((l) => [l.pid, l.reason]),
      [
        [5, 'unguarded'],
        [6, 'config-changed'],
      ],
    );
  });

  it('after a pin changed: one sentence per client and version, not one per pid', () => {
    const cursor = { client: 'Cursor', runs: '1.2.0' };
    assert.deepEqual(pinLeftText([cursor, cursor, { client: 'Claude Desktop', runs: '1.2.0' }]), [
      '2 instances in Cursor run 1.2.0: Cursor must restart them.',
      '1 instance in Claude Desktop runs 1.2.0: Claude Desktop must restart it.',
    ]);
  });

  it("after a pin changed in VS Code's mcp.json: this window's instance is started again and said in one sentence, never left to VS Code", () => {
    const plan = { runner: 'uvx', package: 'mcp-server-time', from: '2026.8.18', to: '2026.10.19' };
    const mcpJson = source({
      client: 'vscode',
      scope: 'workspace',
      label: 'VS Code (workspace)',
      file: '/ws/.vscode/mcp.json',
      workspaceFolder: '/ws',
    });
    const vtime = server('vtime', {
      source: mcpJson,
      instances: [instance(31, { client: VSCODE_HERE, runningVersion: '2026.8.18' })],
    });
    const desktop = server('time', {
      instances: [
        instance(32, { client: CLAUDE, runningVersion: '2026.8.18' }),
        // Already on the release now pinned (a roll back while its client still runs it): nothing to say.
        instance(33, { client: CLAUDE, runningVersion: '2026.10.19' }),
      ],
    });
    const ctx = { workspaceFolders: ['/ws'], product: 'vscode' as const, windowPids: [VSCODE_HERE.pid!] };
    const here = runningRewritten(entriesEdit([vtime, desktop]), ctx);
    assert.deepEqual(
      here.map((h) => h.server.name),
      ['vtime'],
    );
    assert.deepEqual(pinLeft([vtime, desktop], plan, here), [{ pid: 32, client: 'Claude Desktop', runs: '2026.8.18' }]);
    // Nothing restarted here: VS Code's instance is left as another client's is.
    assert.deepEqual(
      pinLeft([vtime, desktop], plan, []).map((o) => o.pid),
      [31, 32],
    );
    assert.equal(
      pinRestartText(here[0], plan.to, { started: true, pids: [41] }),
      'VS Code: started vtime again on 2026.10.19 (pid 31 → 41).',
    );
    assert.equal(
      pinRestartText(here[0], plan.to, {
        started: false,
        seen: 'VS Code stopped it; it has not started it again yet and will when the server is next used',
      }),
      'VS Code: vtime could not be started again on 2026.10.19 (VS Code stopped it; it has not started it again yet and will when the server is next used); start it from MCP: List Servers.',
    );
    // The question says so before the write; without an entry VS Code runs here, it is as it was.
    assert.equal(
      pinQuestionDetail(plan, ['vtime']),
      "uvx fetches mcp-server-time: its version changes from 2026.8.18 to 2026.10.19 in each entry that pins it. Running instances keep the old version until their client starts them again. This window's VS Code starts vtime again on 2026.10.19 right after the change.",
    );
    assert.equal(
      pinQuestionDetail(plan, []),
      'uvx fetches mcp-server-time: its version changes from 2026.8.18 to 2026.10.19 in each entry that pins it. Running instances keep the old version until their client starts them again.',
    );
  });

  it('its button acts: Stop... where they can only be stopped, Restart... where one restarts (this window’s, a guard’s)', () => {
    const targets = stillOldTargets(after, [21, 22, 23]);
    assert.deepEqual(
      targets.flatMap((x) => x.instances.map((i) => i.pid)),
      [21, 22, 23],
    );
    assert.equal(stillOldAction(targets, { windowPids: [VSCODE_HERE.pid!] }), 'Stop...');
    const here = snapshot([
      server('memory', { instances: [instance(41, { client: VSCODE_HERE, verdicts: [stale()] })] }),
    ]);
    assert.equal(stillOldAction(stillOldTargets(here, [41]), { windowPids: [VSCODE_HERE.pid!] }), 'Restart...');
    assert.equal(stillOldAction(stillOldTargets(here, []), { windowPids: [VSCODE_HERE.pid!] }), undefined);
  });
});

describe('extension: a predicted failure, a failed restart and a failed install say the way back', () => {
  it('the Restart confirmation for a predicted failure offers Roll Back where there are versions to go back to', () => {
    const risk = 'The installed mcp 2.3.0 is a new major version: the server will probably not start';
    const c = restartRiskConfirmation({ name: 'notes', rollbackable: true }, risk);
    assert.equal(c.button, 'Restart Anyway');
    assert.equal(c.rollBackButton, 'Roll Back');
    assert.match(c.detail, /Roll Back installs again the versions it runs/);
    assert.equal(restartRiskConfirmation({ name: 'notes' }, risk).rollBackButton, undefined);
  });

  it('a restart that left its server down says it once, in the down words, with Roll Back; not the guard’s account', () => {
    const down = {
      kind: 'down' as const,
      since: '2026-11-25T07:04:10.296Z',
      reason:
        "it exited within 10 s of starting 3 times in a row. Its last output: ModuleNotFoundError: No module named 'mcp.server.fastmcp'",
    };
    const notes = server('notes', {
      rollbackable: true,
      instances: [instance(27296, { verdicts: [down], lock: { serverName: 'notes' } })],
    });
    const report = {
      ok: false,
      lines: ['its guard did not restart pid 27296: the restarted server exited before answering'],
      afterward: [],
    };
    const r = actionResult('notes', report, notes, false);
    assert.equal(r.ok, false);
    assert.equal(
      r.message,
      "notes is down: it does not start (ModuleNotFoundError: No module named 'mcp.server.fastmcp').",
    );
    assert.deepEqual(r.buttons, ['Roll Back', 'Show', 'Show Log']);
    // Still serving (the restart was refused before the old one stopped): the account itself, with Show Log.
    const serving = server('notes', { instances: [instance(27296, { lock: { serverName: 'notes' } })] });
    const refused = actionResult('notes', report, serving, false);
    assert.equal(refused.message, `notes: ${report.lines[0]}`);
    assert.deepEqual(refused.buttons, ['Show Log']);
  });

  it("a failed install gives the installer's reason, the last line naming an error, redacted", () => {
    const pip = [
      'Looking in indexes: https://user:hunter2hunter2@pypi.example.com/simple',
      'ERROR: Could not find a version that satisfies the requirement mcp==1.30.0 (from versions: 1.2.0)',
      'ERROR: No matching distribution found for mcp==1.30.0',
      '',
      '[notice] A new release of pip is available: 24.0 -> 25.1',
    ].join('\n');
    assert.equal(installerErrorLine(pip), 'ERROR: No matching distribution found for mcp==1.30.0');
    const npm = [
      'npm error code ETARGET',
      'npm error notarget No matching version found for @modelcontextprotocol/server-memory@9.9.9.',
      'npm error A complete log of this run can be found in: /home/u/.npm/_logs/x-debug-0.log',
    ].join('\n');
    assert.equal(
      installerErrorLine(npm),
      'npm error notarget No matching version found for @modelcontextprotocol/server-memory@9.9.9.',
    );
    const leaky =
      'ERROR: 401 from https://user:s3cretpassword@pypi.example.com/simple for token ghp_abcdefghijklmnopqrstuvwxyz0123';
    const said = installerErrorLine(leaky, { PIP_INDEX_TOKEN: 'zzz-secret-value' })!;
    assert.ok(!said.includes('s3cretpassword') && !said.includes('ghp_abcdefghijklmnopqrstuvwxyz0123'), said);
    assert.ok(
      !installerErrorLine('ERROR: bad zzz-secret-value', { PIP_INDEX_TOKEN: 'zzz-secret-value' })!.includes('zzz'),
    );
    assert.equal(installerErrorLine(''), undefined);
    assert.equal(
      installFailedText('notes', '/venv/bin/python', 1, 'ERROR: No matching distribution found for mcp==1.30.0'),
      'notes: /venv/bin/python exited with 1 (ERROR: No matching distribution found for mcp==1.30.0); nothing was restarted.',
    );
  });
});
