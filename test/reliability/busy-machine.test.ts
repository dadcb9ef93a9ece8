import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import type { Instance, Snapshot } from '../../src/core/base/model';
import type { Capture } from '../../src/core/capture/capture';
import { statusJson as statusJsonText } from '../../src/cli/format/status';
import { sameDigests } from '../support/snapshots';
import { takeSnapshot } from '../../src/core/snapshot';
import { toViewInput, VmServer } from '../../src/core/report/input';
import { counts } from '../../src/core/report/state';
import { statusBarModel } from '../../src/extension/viewModel/statusBar';
import { planAction, restartConfirmation, WindowContext } from '../../src/extension/viewModel/actionPlan';
import { decideNotifications } from '../../src/extension/viewModel/notifications';
import { cliPath, repoRoot } from '../support/repo';
import { fixtureOf } from '../support/fixtureCapture';
import { until } from '../support/poll';
import { pastQuietPeriod, testSettleEnv } from '../support/settle';
import {
  BASE_PATH,
  BusyMachine,
  MEMORY_PKG,
  NEW_RELEASE,
  oldRelease,
  otherUser,
  pnpm,
  PNPM_RELEASES,
  ProcessSeen,
  readTable,
  upgradeMemory,
} from './busy/machine';
import {
  ENTRIES,
  EntryName,
  Install,
  OWN_INSTANCES,
  ownEntries,
  OwnSetup,
  strangers,
  UNREADABLE_ENTRIES,
} from './busy/scenario';
import { ownLost, PlannedPid, plansNameStrangers, report, strangersClaimed, Violation, World } from './busy/properties';

/**
 * A busy machine, built for real: the user's own MCP entries (a project's `node_modules/.bin` bin of
 * server-memory, an npx entry, the `.bin` shims of projects installed by the current pnpm and by
 * pnpm 9, a `bash -c "cd DIR && node server.js"`
 * entry, a `node --watch` entry, a venv's Python; the project's bin run with other data in the same
 * client and in another; a shared entry whose relay runs from a clone's `dist/cli.js`; Codex's
 * entry in a config that does not parse), each started by a fake client named like its client,
 * among more than 200 strangers: the same package in other projects, homes, npx caches and pnpm
 * projects (some of them deleted under their servers), a real npx under another home started by a
 * client named Cursor, the same bin on other PATHs, `node server.js` elsewhere, other venvs, another
 * MCP Lifeguard root running the very shared entry, and another user running the entries' very
 * commands.
 *
 * The machine goes through five stages: every client running; Cursor and two strangers' clients
 * killed (orphans); the package upgraded under running servers (the user's project and strangers'
 * installs); a `pnpm install` that changes nothing; pnpm upgrading its projects (the shims and
 * links rewritten to the new `.pnpm` folder while the old servers run on). At each,
 * on every snapshot (`status --json`, the engine's own, the one `kill-duplicates` plans from) and
 * every plan made from one (kill-duplicates' dry run, the extension's Stop and Restart plans and
 * confirmations, its badge and upgrade notifications): no stranger is an instance of an entry or
 * counted in its duplicates, no own process is lost or listed elsewhere, and every named pid is the
 * entry's own. Processes are told apart by the role each carries in its environment, never by how
 * the product reads them. Linux only, and as root (another user's processes need a second user).
 */
describe('a busy machine: each entry claims exactly its own processes', function () {
  this.timeout(300_000);
  let m: BusyMachine;
  let own: OwnSetup;
  let cursorClient = 0;
  const holdingStrangerClients: number[] = [];
  let strangerCount = 0;
  /** Installs of server-memory (the user's project's and some strangers') that an upgrade replaces. */
  let upgraded: Install[] = [];
  const entries = new Set<string>(ENTRIES);
  const uid = process.getuid?.() ?? -1;

  const cliEnv = (): Record<string, string> => ({
    PATH: BASE_PATH,
    HOME: m.home,
    LANG: 'C.UTF-8',
    MCP_LIFEGUARD_HOME: path.join(m.home, '.lifeguard'),
    MCP_LIFEGUARD_UPDATE_CHECK: '0',
    MCP_LIFEGUARD_SYSTEM_ROOT: m.dir('system-root'),
    // The tests' quiet period: a stage's snapshots judge its writes half a second after them.
    ...testSettleEnv,
  });

  function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        [cliPath, ...args],
        { cwd: m.home, env: cliEnv(), maxBuffer: 64 * 1024 * 1024 },
        (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
  }

  /** What the test knows right after a snapshot: every process and its role, and each own launch's server. */
  function world(): World {
    const table = readTable(m.run);
    const ownMains = new Map([...m.mains(table)].filter(([role]) => role.startsWith('own:')));
    return { uid, table, ownMains, entries, unreadable: new Set(UNREADABLE_ENTRIES) };
  }

  function engineSnapshot(): Promise<Snapshot> {
    return takeSnapshot({ host: { home: m.home, platform: 'linux', env: cliEnv() }, workspaceFolders: [m.home] });
  }

  /** kill-duplicates' dry run: the pids it would stop and those it names as left alone. */
  async function killDuplicatesPlan(): Promise<PlannedPid[]> {
    const r = await cli(['kill-duplicates', '--json']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const out = JSON.parse(r.stdout) as {
      dryRun: boolean;
      plan: { pid: number; serverName: string }[];
      skipped: { pid: number; serverName: string }[];
    };
    assert.equal(out.dryRun, true);
    return [
      ...out.plan.map((p) => ({ plan: 'kill-duplicates (would stop)', pid: p.pid, entry: p.serverName })),
      ...out.skipped.map((p) => ({ plan: 'kill-duplicates (left alone)', pid: p.pid, entry: p.serverName })),
    ];
  }

  /** The extension's Stop and Restart of each entry: the plan's pids and the confirmation's words. */
  function extensionPlans(snapshot: Snapshot): PlannedPid[] {
    const vm = toViewInput(snapshot);
    const ctx: WindowContext = { trusted: true, workspaceFolders: [m.home], product: 'vscode', windowPids: [] };
    const out: PlannedPid[] = [];
    for (const server of vm.servers) {
      if (!entries.has(server.name)) continue;
      for (const action of ['stop', 'restart'] as const) {
        const plan = planAction(action, server, server.instances, ctx);
        if (plan.kind !== 'steps') continue;
        for (const step of plan.steps) {
          const pids = step.kind === 'guard' ? [step.instance.pid] : step.instances.map((i) => i.pid);
          out.push(
            ...pids.map((pid) => ({
              plan: `the extension's ${action} plan of '${server.name}'`,
              pid,
              entry: server.name,
            })),
          );
        }
        const c = restartConfirmation(server as VmServer, plan.steps, true);
        for (const match of `${c.message} ${c.detail}`.matchAll(/pid (\d+)/g))
          out.push({
            plan: `the extension's ${action} confirmation of '${server.name}' ("${c.message}")`,
            pid: Number(match[1]),
            entry: server.name,
          });
      }
    }
    return out;
  }

  /** The extension's view of the test's entries (other entries of the machine are not the test's). */
  function viewOfEntries(snapshot: Snapshot) {
    const vm = toViewInput(snapshot);
    return { ...vm, servers: vm.servers.filter((s) => entries.has(s.name)) };
  }

  /** The badge's counts and its tooltip's rows: only own processes, all of them. */
  function badge(snapshot: Snapshot, w: World, expected: Expected): Violation[] {
    const mine = viewOfEntries(snapshot);
    const c = counts(mine);
    const violations: Violation[] = [];
    const bad = (text: string) => violations.push({ property: 'count-wrong', pid: 0, text });
    if (c.instances !== w.ownMains.size)
      bad(
        `the badge counts ${c.instances} running instances of the test's entries; the entries' own server processes are ${w.ownMains.size}`,
      );
    if (c.duplicate !== expected.duplicate)
      bad(`the badge counts ${c.duplicate} duplicates; the entries' own processes hold ${expected.duplicate}`);
    if (c.orphan !== expected.orphan)
      bad(`the badge counts ${c.orphan} orphans; the entries' own processes hold ${expected.orphan}`);
    const named: PlannedPid[] = [];
    const bar = statusBarModel({ state: 'ready', snapshot: mine }, { alwaysShow: true });
    if (bar.visible) {
      for (const row of bar.tooltip.split('\n')) {
        const cells = row.split('|').map((x) => x.trim());
        if (cells.length > 4 && /^\d+$/.test(cells[3]) && entries.has(cells[1]))
          named.push({ plan: `the badge's tooltip (${bar.text})`, pid: Number(cells[3]), entry: cells[1] });
      }
    }
    return [...violations, ...plansNameStrangers(named, w, true)];
  }

  /** The upgrade notifications: they name only own processes, and (after the upgrade) every own one running replaced code. */
  function notifications(snapshot: Snapshot, w: World, expected: Expected): Violation[] {
    const mine = viewOfEntries(snapshot);
    const decided = decideNotifications(
      mine,
      { seen: new Set(), muted: new Set() },
      { onUpgrade: true, onRegistryUpdate: false },
    );
    const violations: Violation[] = [];
    // Upgraded under these entries' servers: a notification names each of them.
    const notified = new Set(decided.flatMap((n) => (n.kind === 'stale' ? n.pids : [])));
    for (const [role, pid] of w.ownMains) {
      const entry = role.split(':')[1] as EntryName;
      if (expected.stale?.includes(entry) && !notified.has(pid)) {
        violations.push({
          property: 'own-lost',
          pid,
          label: entry,
          text: `no upgrade notification names pid ${pid} (${role}), which runs a replaced ${MEMORY_PKG}; notifications: ${decided.map((n) => n.message).join(' | ') || 'none'}`,
        });
      }
    }
    const named: PlannedPid[] = [];
    for (const n of decided) {
      if (n.kind !== 'stale') continue;
      for (const pid of n.pids) {
        const entry = mine.servers.find((s) => s.instances.some((i) => i.pid === pid))?.name ?? '?';
        named.push({ plan: `the notification "${n.message}"`, pid, entry });
      }
    }
    return [...violations, ...plansNameStrangers(named, w, true)];
  }

  before(async function () {
    if (process.platform !== 'linux' || uid !== 0) this.skip();
    assert.ok(fs.existsSync(cliPath), `${cliPath} is built (npm run build)`);
    const old = await oldRelease();
    const [current, v9] = await Promise.all(PNPM_RELEASES.map((v) => pnpm(v)));
    m = new BusyMachine('lg-busy-');
    own = await ownEntries(m, old, { current, v9 });
    for (const c of own.clients) {
      const started = await m.startClient(c.program, c.launches, { hold: c.hold, gapMs: c.gapMs });
      if (c.program === 'cursor') cursorClient = started.client;
    }
    // The user's own npx fills their cache (a download on a fresh home); its folder's name is every home's.
    await m.allMainsUp(120_000);
    const npxHash = await until('the npx cache folder', () => fs.readdirSync(path.join(m.home, '.npm', '_npx'))[0]);
    const user = otherUser(m);
    const cast = await strangers(m, own, user, npxHash, old);
    strangerCount = cast.count;
    upgraded = [own.install, ...cast.upgraded];
    for (const c of cast.clients) {
      const started = await m.startClient(c.program, c.launches, { hold: c.hold, user: c.user });
      if (c.hold) holdingStrangerClients.push(started.client);
    }
    await m.allMainsUp(120_000);
    // Some strangers' installs are deleted under their running servers.
    for (const dir of cast.deleted) fs.rmSync(dir, { recursive: true, force: true });
  });

  after(async function () {
    if (m) await m.cleanUp();
  });

  it("runs more than 200 strangers beside the entries' own processes", () => {
    const w = world();
    assert.ok(strangerCount >= 200, `${strangerCount} strangers`);
    const running = [...w.table.values()].filter((p) => p.role && p.role.kind !== 'own' && p.role.kind !== 'client');
    assert.ok(running.length >= 200, `${running.length} stranger processes run`);
    assert.equal(w.ownMains.size, OWN_INSTANCES);
    assert.ok(
      [...w.table.values()].some((p) => p.role?.kind === 'other-user' && p.uid !== uid),
      'another user runs processes',
    );
  });

  /** What the entries' own processes hold at a stage: duplicates, orphans, and the entries whose package was upgraded under them. */
  interface Expected {
    /**
     * Own processes flagged as duplicates: five at every stage, the five on one memory file
     * (memory-local's two copies, memory-pnpm's, memory-pnpm9's and memory-npx's: entries whose
     * `MEMORY_FILE_PATH` names one file are one store, `sameData`), memory-local's second copy among them.
     */
    duplicate: number;
    orphan: number;
    stale?: readonly EntryName[];
  }

  describe('while every client runs', () => {
    const running = checks({ duplicate: 5, orphan: 0 }, '1-running');

    it('the checks themselves: a snapshot listing exactly the own processes passes; a claimed stranger, a lost own process, a watcher taken for its server and a plan naming a stranger fail', () => {
      const snap = running().captured.replayed;
      const w = running().world;
      // The snapshot a right attribution would give: each entry lists its own server processes only.
      const everywhere = new Map<number, Instance>(
        [...snap.servers.flatMap((s) => s.instances), ...snap.notConfigured].map((i) => [i.pid, i]),
      );
      const asInstance = (pid: number): Instance => ({
        ...(everywhere.get(pid) ?? {
          pid,
          ppid: 0,
          commandLine: '',
          commandHash: '',
          client: { id: 'unknown', name: 'unknown' },
          launcherChain: [],
          matchedBy: 'self-check',
        }),
        uid,
        verdicts: [],
      });
      const ownPids = new Set(w.ownMains.values());
      const ideal: Snapshot = {
        ...snap,
        servers: snap.servers.map((s) =>
          entries.has(s.name)
            ? {
                ...s,
                instances: [...w.ownMains]
                  .filter(([role]) => role.split(':')[1] === s.name)
                  .map(([, pid]) => asInstance(pid)),
              }
            : s,
        ),
        notConfigured: snap.notConfigured.filter((i) => !ownPids.has(i.pid)),
      };
      assert.equal(report('ideal', [...strangersClaimed(ideal, w), ...ownLost(ideal, w)]), 'ideal: none');
      const ownPlan = [...w.ownMains].map(([role, pid]) => ({ plan: 'self-check', pid, entry: role.split(':')[1] }));
      assert.equal(report('ideal plan', plansNameStrangers(ownPlan, w)), 'ideal plan: none');

      const stranger = [...w.table.values()].find(
        (p) => p.role?.kind === 'stranger' && /mcp-server-memory/.test(p.argv.join(' ')),
      ) as ProcessSeen;
      const watcher = [...w.table.values()].find(
        (p) => p.role?.label === 'watched' && p.argv.includes('--watch'),
      ) as ProcessSeen;
      const local = (i: Snapshot) => i.servers.find((s) => s.name === 'memory-local') as Snapshot['servers'][number];
      const withStranger: Snapshot = JSON.parse(JSON.stringify(ideal));
      local(withStranger).instances.push(asInstance(stranger.pid));
      assert.deepEqual(
        strangersClaimed(withStranger, w).map((v) => v.property),
        ['stranger-claimed'],
      );
      const lost: Snapshot = JSON.parse(JSON.stringify(ideal));
      local(lost).instances.pop();
      assert.deepEqual(
        ownLost(lost, w).map((v) => v.property),
        ['own-lost'],
      );
      const watcherListed: Snapshot = JSON.parse(JSON.stringify(ideal));
      const watched = watcherListed.servers.find((s) => s.name === 'watched') as Snapshot['servers'][number];
      watched.instances = [asInstance(watcher.pid)];
      assert.deepEqual(
        ownLost(watcherListed, w)
          .map((v) => v.property)
          .sort(),
        ['launcher-as-instance', 'own-lost'],
      );
      assert.deepEqual(
        plansNameStrangers([...ownPlan, { plan: 'self-check', pid: stranger.pid, entry: 'memory-local' }], w).map(
          (v) => v.pid,
        ),
        [stranger.pid],
      );
    });
  });

  describe("after Cursor and two strangers' clients died (their servers are orphans)", () => {
    before(async () => {
      for (const pid of [cursorClient, ...holdingStrangerClients]) process.kill(pid, 'SIGKILL');
      await until("the killed clients' servers to be reparented", () => {
        const t = readTable(m.run);
        return [cursorClient, ...holdingStrangerClients].every((pid) => !t.has(pid));
      });
    });
    checks({ duplicate: 5, orphan: 1 }, '2-orphans');
  });

  describe(`after ${MEMORY_PKG} was upgraded under running servers (the user's project and strangers' installs)`, () => {
    before(async () => {
      for (const i of upgraded) upgradeMemory(i.prefix, i.kind, NEW_RELEASE);
      // Past the settling window: a verdict is not given on files that changed within it.
      await pastQuietPeriod(Date.now());
    });
    checks({ duplicate: 5, orphan: 1, stale: ['memory-local', 'memory-team', 'memory-kb'] }, '3-upgraded');
  });

  describe('after a pnpm install that changes nothing (pnpm relinks the projects)', () => {
    before(async () => {
      for (const p of own.pnpmProjects) await p.pnpm.run(p.dir, ['install', '--prefer-offline']);
      await pastQuietPeriod(Date.now());
    });
    checks({ duplicate: 5, orphan: 1, stale: ['memory-local', 'memory-team', 'memory-kb'] }, '4-pnpm-relinked');
  });

  describe('after pnpm upgraded its projects (the .bin shims and the top-level links rewritten to the new .pnpm folder, the old servers run on)', () => {
    before(async () => {
      for (const p of own.pnpmProjects) await p.pnpm.run(p.dir, ['add', `${MEMORY_PKG}@${NEW_RELEASE.version}`]);
      await pastQuietPeriod(Date.now());
    });
    checks(
      {
        duplicate: 5,
        orphan: 1,
        stale: ['memory-local', 'memory-team', 'memory-kb', 'memory-pnpm', 'memory-pnpm9'],
      },
      '5-pnpm-upgraded',
    );
  });

  /**
   * A capture of the stage (`mcp-lifeguard capture`) and its replay (`status --json --replay`). With
   * MCP_LIFEGUARD_CAPTURES=DIR the capture is kept there too: the unit layer replays the stages'
   * captures from test/fixtures/captures.
   */
  async function captureStage(stage: string): Promise<{ capture: Capture; replayed: Snapshot }> {
    const file = path.join(m.root, `busy-${stage}.capture.json`);
    const taken = await cli(['capture', '--out', file]);
    assert.equal(taken.code, 0, taken.stderr);
    const replay = await cli(['status', '--json', '--replay', file]);
    assert.equal(replay.code, 0, replay.stderr);
    const capture = JSON.parse(fs.readFileSync(file, 'utf8')) as Capture;
    const keep = process.env.MCP_LIFEGUARD_CAPTURES;
    if (keep) {
      // The run's processes only (and init), the checkout's path written as a neutral one.
      const run = [...world().table.values()].filter((p) => p.role).map((p) => p.pid);
      const fixture = await fixtureOf(capture, new Set([1, ...run]), {
        [repoRoot]: '/opt/mcp-lifeguard',
        [`${path.dirname(repoRoot)}/`]: '/opt/',
      });
      const out = path.join(keep, `linux-busy-${stage}.capture.json.gz`);
      fs.writeFileSync(out, zlib.gzipSync(JSON.stringify(fixture), { level: 9 }));
    }
    return { capture, replayed: JSON.parse(replay.stdout) as Snapshot };
  }

  /** A stage as its capture saw it: the capture and its replay, and the run's processes right after. */
  interface Stage {
    captured: { capture: Capture; replayed: Snapshot };
    world: World;
  }

  /**
   * The same properties on every snapshot and plan of one stage of the machine. `status --json` is
   * read as the replay of the stage's capture: the capture is the live snapshot (the engine over this
   * machine, as `status` takes it), and its replay is `status --json`'s output of it (asserted equal),
   * so one scan of the machine serves both. Returns the stage as taken, for a stage's own tests.
   */
  function checks(expected: Expected, stage: string): () => Stage {
    const seen: Partial<Stage> = {};
    let engineSnap: Snapshot;
    let engineWorld: World;
    before(async () => {
      seen.captured = await captureStage(stage);
      seen.world = world();
      engineSnap = await engineSnapshot();
      engineWorld = world();
    });
    const taken = () => seen as Stage;

    it('a capture of the stage replays to the snapshot it was taken with: status --json of the replay is the live snapshot, byte for byte in its digests', () => {
      const { captured } = taken();
      assert.deepEqual(
        sameDigests(captured.replayed),
        sameDigests(JSON.parse(statusJsonText(captured.capture.snapshot, 0)) as Snapshot),
      );
    });

    it("status --json (the capture's replay, the live snapshot): no stranger, other user's or foreign process is an instance of an entry or counted in its duplicates", () => {
      const vs = strangersClaimed(taken().captured.replayed, taken().world);
      assert.equal(vs.length, 0, report('status --json --replay', vs));
    });

    it("status --json (the capture's replay, the live snapshot): every own server process is an instance of exactly its entry, never under Not configured", () => {
      const vs = ownLost(taken().captured.replayed, taken().world);
      assert.equal(vs.length, 0, report('status --json --replay', vs));
    });

    it("the engine's snapshot: the same, strangers never claimed and own processes never lost", () => {
      const vs = [...strangersClaimed(engineSnap, engineWorld), ...ownLost(engineSnap, engineWorld)];
      assert.equal(vs.length, 0, report('takeSnapshot', vs));
    });

    it("kill-duplicates (dry run) names only the entries' own processes", async () => {
      const planned = await killDuplicatesPlan();
      const vs = plansNameStrangers(planned, world());
      assert.equal(vs.length, 0, report('kill-duplicates --json', vs));
    });

    it("the extension's Stop and Restart plans and confirmations name only own processes", () => {
      const vs = plansNameStrangers(extensionPlans(taken().captured.replayed), taken().world);
      assert.equal(vs.length, 0, report('extension plans', vs));
    });

    it("the extension's badge counts and tooltip count and name only own processes", () => {
      const vs = badge(taken().captured.replayed, taken().world, expected);
      assert.equal(vs.length, 0, report('the badge', vs));
    });

    it(`the extension's upgrade notifications name only own processes${expected.stale ? `, and every own one running replaced code (${expected.stale.join(', ')})` : ''}`, () => {
      const vs = notifications(taken().captured.replayed, taken().world, expected);
      assert.equal(vs.length, 0, report('notifications', vs));
    });
    return taken;
  }
});
