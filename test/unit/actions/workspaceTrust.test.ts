import * as assert from 'node:assert/strict';
import { restartTarget } from '../../../src/core/actions/restart';
import { recordingStopDeps } from './recordingStopDeps';
import { makeTempDir } from '../../support/temp';
import { killDuplicatesPlan } from '../../../src/core/actions/killDuplicates';
import { isWorkspaceDefined, workspaceRefusal } from '../../../src/core/actions/workspaceTrust';
import type { Instance, ServerStatus, Snapshot } from '../../../src/core/base/model';
import { stdioConfig } from '../processes/support';

const inst = (pid: number, verdicts: Instance['verdicts'] = []): Instance => ({
  pid,
  ppid: 10,
  startTime: pid * 1000,
  commandLine: 'node tool.js',
  commandHash: 'h',
  client: { id: 'vscode', name: 'VS Code', pid: 10 },
  launcherChain: [],
  matchedBy: 'prog:tool',
  verdicts,
});

describe('workspace trust before signals (CLI)', () => {
  const older = inst(21, [
    {
      kind: 'duplicate',
      identityKey: 'k',
      client: { id: 'vscode', name: 'VS Code', pid: 10 },
      keep: { pid: 22, client: { id: 'vscode', name: 'VS Code', pid: 10 } },
      instances: [],
    },
  ]);
  const newer = inst(22);
  const ws = (): ServerStatus => ({
    ...stdioConfig('tool', 'vscode', 'node', ['tool.js'], {
      source: {
        client: 'vscode',
        scope: 'workspace',
        label: 'Workspace',
        file: '/repo/.vscode/mcp.json',
        workspaceFolder: '/repo',
      },
    }),
    instances: [older, newer],
  });
  const user = (): ServerStatus => ({
    ...stdioConfig('tool', 'vscode', 'node', ['tool.js']),
    instances: [older, newer],
  });
  const snap = (servers: ServerStatus[]): Snapshot =>
    ({ workspaceFolders: ['/repo'], servers, notConfigured: [] }) as unknown as Snapshot;

  it("a file inside a workspace folder is the workspace's, whatever scope its reader gave it", () => {
    assert.ok(isWorkspaceDefined({ scope: 'user', file: '/repo/tools/mcp.json' }, ['/repo/']));
    assert.ok(!isWorkspaceDefined({ scope: 'user', file: '/home/u/.config/Code/User/mcp.json' }, ['/repo']));
    // Run from ~, the CLI's workspace is the home folder: the user's own files stay the user's.
    assert.ok(
      !isWorkspaceDefined({ scope: 'user', file: '/home/u/.config/Code/User/mcp.json' }, ['/home/u'], '/home/u'),
    );
    assert.ok(!isWorkspaceDefined({ scope: 'user', file: '/home/u/.claude.json' }, ['/home'], '/home/u'));
    assert.ok(isWorkspaceDefined({ scope: 'workspace', file: '/home/u/.vscode/mcp.json' }, ['/home/u'], '/home/u'));
  });

  it('refuses an instance only workspace entries list, naming the entry, its file and the opt-in; allows it when a user entry lists it too, or when trusted', () => {
    const refusal = workspaceRefusal(snap([ws()]), older, false);
    assert.match(refusal ?? '', /pid 21 is listed only by 'tool' \(\/repo\/\.vscode\/mcp\.json\).*--trust-workspace/);
    assert.equal(workspaceRefusal(snap([ws(), user()]), older, false), undefined);
    assert.equal(workspaceRefusal(snap([ws()]), older, true), undefined);
  });

  it('kill-duplicates skips what only the workspace defines unless trusted, and an undecided owner always', () => {
    const untrusted = killDuplicatesPlan(snap([ws()]), undefined, { trustWorkspace: false });
    assert.deepEqual(untrusted.items, []);
    assert.deepEqual(
      untrusted.skipped.map((s) => [s.pid, s.reason]),
      [[21, 'workspace-untrusted']],
    );
    assert.deepEqual(
      killDuplicatesPlan(snap([ws()]), undefined, { trustWorkspace: true }).items.map((i) => i.pid),
      [21],
    );
    const undecided = inst(21, [
      ...older.verdicts,
      { kind: 'unknown', question: 'owner', reason: 'claimed by a and b' },
    ]);
    const both = killDuplicatesPlan(snap([{ ...user(), instances: [undecided, newer] }]), undefined, {
      trustWorkspace: true,
    });
    assert.deepEqual(both.items, []);
    assert.deepEqual(
      both.skipped.map((s) => [s.pid, s.reason]),
      [[21, 'ambiguous']],
    );
  });

  it("restart and stop by name never signal an instance whose entry is undecided: refused naming its pid; by pid it is the user's choice", async () => {
    const undecided = inst(21, [{ kind: 'unknown', question: 'owner', reason: "Codex's config cannot be read" }]);
    const { deps, calls } = recordingStopDeps();
    const locksDir = makeTempDir('lg-restart-locks-');
    const o = {
      locksDir,
      snapshot: async () => snap([{ ...user(), instances: [undecided] }]),
      trustWorkspace: true,
      home: '/home/u',
      graceMs: 0,
      timeoutMs: 1000,
      requestedBy: 'test',
      stopDeps: deps,
    };
    const [byName] = await restartTarget('tool', o);
    assert.ok(byName.kind === 'refused' && byName.reason === 'ambiguous', JSON.stringify(byName));
    assert.match(byName.message, /'tool' runs only as pid 21, which other entries fit as well.*Name a PID/);
    assert.deepEqual(calls, []);
    // Named by pid, it is re-identified before anything is sent (here it is gone: nothing is signalled).
    await restartTarget('21', o);
    assert.deepEqual(calls, ['readIdentity']);
  });

  it("kill-duplicates leaves one live agent session's own copy alone, and says why; an ended session's copy (an orphan) is stopped", () => {
    const host = { pid: 50, name: 'VS Code agent host' };
    const session = inst(21, [
      { ...(older.verdicts[0] as Extract<Instance['verdicts'][number], { kind: 'duplicate' }>), agentHost: host },
    ]);
    const plan = killDuplicatesPlan(snap([{ ...user(), instances: [session, newer] }]), undefined, {
      trustWorkspace: true,
    });
    assert.deepEqual(plan.items, []);
    assert.deepEqual(
      plan.skipped.map((s) => [s.pid, s.reason]),
      [[21, 'per-session']],
    );
    assert.match(plan.skipped[0].message, /agent session's own copy under VS Code agent host \(pid 50\)/);
    const ended = inst(23, [{ kind: 'orphan', launchPid: 23, ppid: 1, reason: 'reparented to pid 1 (init)' }]);
    assert.deepEqual(
      killDuplicatesPlan(snap([{ ...user(), instances: [ended] }]), undefined, { trustWorkspace: true }).items.map(
        (i) => i.pid,
      ),
      [23],
    );
  });
});
