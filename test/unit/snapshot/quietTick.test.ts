import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import type { HostEnv } from '../../../src/core/base/hostEnv';
import type { Snapshot } from '../../../src/core/base/model';
import type { Machine } from '../../../src/core/machine/types';
import type { ProcessInfo } from '../../../src/core/pids/table';
import { Engine } from '../../../src/core/snapshot/engine';
import { FULL_SNAPSHOT_EVERY_MS, QuietTickPass, QuietTicks, tableConcerns } from '../../../src/core/snapshot/quietTick';
import { EngineCache } from '../../../src/core/base/engineCache';
import { readProcessTable } from '../../../src/core/pids/table';
import { OWN_UID, testMachine } from '../../support/machines';
import { npmPackage, tempDir, write } from '../versions/layouts';

/**
 * A tick that finds nothing changed answers the last snapshot (snapshot/quietTick.ts). A property:
 * on a machine changed between ticks in any way (files edited, created, deleted and renamed, config
 * entries added and removed, processes started and ended, pids reused), every snapshot of an
 * engine that reuses equals the full pass of an engine that never does, ticked alongside; and a
 * tick after which nothing changed is answered without a full pass.
 */
describe('snapshot: quiet ticks', () => {
  const PACKAGES = ['alpha', 'beta', 'gamma'] as const;

  type Step =
    | { kind: 'none' }
    | { kind: 'edit-package' | 'edit-script' | 'delete-package' | 'rename-package'; which: number }
    | { kind: 'edit-config' | 'toggle-second-config' | 'link-second-config' | 'fill-link-target' }
    | { kind: 'start'; what: 'instance' | 'unrelated' | 'child' | 'mcp' | 'installer'; which: number }
    | { kind: 'exit'; at: number }
    | { kind: 'reuse'; at: number; what: 'instance' | 'unrelated' }
    | { kind: 'grow'; at: number };

  const step: fc.Arbitrary<Step> = fc.oneof(
    fc.constant({ kind: 'none' as const }),
    // A running process's memory and CPU move: a tick answered from the last pass reads them fresh.
    fc.record({ kind: fc.constant('grow' as const), at: fc.nat() }),
    fc.record({
      kind: fc.constantFrom(
        'edit-package' as const,
        'edit-script' as const,
        'delete-package' as const,
        'rename-package' as const,
      ),
      which: fc.nat({ max: 2 }),
    }),
    fc.record({
      kind: fc.constantFrom(
        'edit-config' as const,
        'toggle-second-config' as const,
        'link-second-config' as const,
        'fill-link-target' as const,
      ),
    }),
    fc.record({
      kind: fc.constant('start' as const),
      what: fc.constantFrom(
        'instance' as const,
        'unrelated' as const,
        'child' as const,
        'mcp' as const,
        'installer' as const,
      ),
      which: fc.nat({ max: 2 }),
    }),
    fc.record({ kind: fc.constant('exit' as const), at: fc.nat() }),
    fc.record({
      kind: fc.constant('reuse' as const),
      at: fc.nat(),
      what: fc.constantFrom('instance' as const, 'unrelated' as const),
    }),
  );

  /** A home with three npm servers (two configured), a client and its instances, and a clock a day ahead of the files. */
  function world() {
    const home = tempDir('lg-quiet-');
    const modules = path.join(home, 'app', 'node_modules');
    const scripts = PACKAGES.map((name) => path.join(npmPackage(modules, name, '1.0.0'), 'dist', 'index.js'));
    const project = path.join(home, 'project');
    fs.mkdirSync(project, { recursive: true });
    const host: HostEnv = {
      home,
      platform: 'linux',
      env: { PATH: path.dirname(process.execPath), MCP_LIFEGUARD_HOME: path.join(home, 'lg') },
    };
    // The machine's clock runs a day ahead of this one's: every file written here is long settled for it.
    let clock = Date.now() + 86_400_000;
    // Each write is given a time of its own (never two alike), an hour before the clock.
    let written = clock - 3_600_000;
    const touchDir = (dir: string) => {
      written += 1000;
      const t = new Date(written);
      fs.utimesSync(dir, t, t);
      return t;
    };
    const touch = (file: string) => {
      const t = touchDir(path.dirname(file));
      fs.utimesSync(file, t, t);
    };
    const userFile = path.join(home, '.config', 'Code', 'User', 'mcp.json');
    const secondFile = path.join(home, '.cursor', 'mcp.json');
    // Where a link at the second config's path leads: a file that appears there makes the config
    // present without touching the folder that holds the link.
    const linkTarget = path.join(home, 'elsewhere', 'mcp.json');
    const entries = (names: readonly number[]) =>
      JSON.stringify({
        servers: Object.fromEntries(names.map((i) => [PACKAGES[i], { command: process.execPath, args: [scripts[i]] }])),
      });
    let configured = [0, 1];
    touch(write(userFile, entries(configured)));
    for (const s of scripts) touch(s);

    const started = clock - 7_200_000;
    const client = [process.execPath, '/usr/share/code/resources/app/out/bootstrap-fork', '--type=extensionHost'];
    let processes: ProcessInfo[] = [
      { pid: 100, ppid: 1, argv: ['/usr/share/code/code'], startTime: started - 5000, uid: OWN_UID },
      { pid: 3000, ppid: 100, argv: client, startTime: started - 4000, uid: OWN_UID },
      {
        pid: 3101,
        ppid: 3000,
        argv: [process.execPath, scripts[0]],
        startTime: started,
        uid: OWN_UID,
        memoryBytes: 50e6,
      },
      {
        pid: 3102,
        ppid: 3000,
        argv: [process.execPath, scripts[1]],
        startTime: started,
        uid: OWN_UID,
        memoryBytes: 60e6,
      },
      { pid: 4000, ppid: 1, argv: ['/bin/bash'], startTime: started, uid: OWN_UID, tty: true },
    ];
    let nextPid = 5000;

    const build = (): Machine => {
      const maps = Object.fromEntries(
        processes.map((p) => [p.pid, `00400000-00452000 r-xp 00000000 08:02 173521 ${process.execPath}\n`]),
      );
      const exe = Object.fromEntries(processes.map((p) => [p.pid, p.argv[0]]));
      const inner = testMachine({ host, processes, selfPid: 1, now: () => clock, maps, exe });
      // The kernel's own lines of a status file: what the engine keeps a process's maps by.
      const readTextSync = (p: string) => {
        const text = inner.fs.readTextSync(p);
        return text !== undefined && /^\/proc\/\d+\/status$/.test(p)
          ? `${text}VmExe:\t100 kB\nVmLib:\t2000 kB\n`
          : text;
      };
      return { ...inner, fs: { ...inner.fs, readTextSync } };
    };
    let current = build();
    // The engines hold one machine each: what it answers is the world's as it is now.
    const proxy = (): Machine => ({
      get host() {
        return current.host;
      },
      selfPid: 1,
      uid: OWN_UID,
      accountHome: undefined,
      kind: 'live',
      now: () => clock,
      fs: new Proxy({} as Machine['fs'], {
        get: (_, k) => {
          const key = k as keyof Machine['fs'];
          if (typeof current.fs[key] !== 'function') return undefined;
          return (...args: unknown[]) => (current.fs[key] as (...a: unknown[]) => unknown)(...args);
        },
      }),
      run: (c) => current.run(c),
      once: (k, f) => current.once(k, f),
      pidExists: (p) => current.pidExists(p),
      serverInfo: (u, t) => current.serverInfo(u, t),
      net: { get: (r) => current.net.get(r) },
    });

    const pick = <T>(xs: readonly T[], at: number) => xs[at % xs.length];
    const argvOf = (what: 'instance' | 'unrelated' | 'child' | 'mcp' | 'installer', which: number): string[] => {
      switch (what) {
        case 'instance':
        case 'child':
          return [process.execPath, scripts[which]];
        case 'unrelated':
          return ['/usr/bin/sleep', '60'];
        case 'mcp':
          return ['/usr/bin/npx', '-y', '@modelcontextprotocol/server-memory'];
        case 'installer':
          return ['/usr/bin/npm', 'install', '-g', PACKAGES[which]];
      }
    };
    const apply = (s: Step): void => {
      const pkg = (i: number) => path.dirname(path.dirname(scripts[i]));
      switch (s.kind) {
        case 'none':
          break;
        case 'edit-package': {
          const file = path.join(pkg(s.which), 'package.json');
          if (!fs.existsSync(file)) break;
          const json = JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string };
          json.version = `1.0.${Number(json.version.split('.')[2]) + 1}`;
          touch(write(file, JSON.stringify(json)));
          break;
        }
        case 'edit-script':
          if (fs.existsSync(scripts[s.which])) touch(write(scripts[s.which], `// ${written}\n`));
          break;
        case 'delete-package': {
          const file = path.join(pkg(s.which), 'package.json');
          if (fs.existsSync(file)) {
            fs.rmSync(file);
            touchDir(pkg(s.which));
          }
          break;
        }
        case 'rename-package': {
          const dir = pkg(s.which);
          const aside = `${dir}-old`;
          const [from, to] = fs.existsSync(dir) ? [dir, aside] : [aside, dir];
          if (!fs.existsSync(from)) break;
          fs.renameSync(from, to);
          touchDir(path.dirname(to));
          break;
        }
        case 'edit-config':
          configured = configured.includes(2) ? [0, 1] : [0, 2];
          touch(write(userFile, entries(configured)));
          break;
        case 'toggle-second-config':
          // A link there (leading somewhere or nowhere) is removed like the file.
          if (fs.lstatSync(secondFile, { throwIfNoEntry: false })) {
            fs.rmSync(secondFile);
            touchDir(path.dirname(secondFile));
          } else
            touch(
              write(
                secondFile,
                JSON.stringify({ mcpServers: { gamma: { command: process.execPath, args: [scripts[2]] } } }),
              ),
            );
          break;
        case 'link-second-config': {
          const there = fs.lstatSync(secondFile, { throwIfNoEntry: false });
          if (there) break;
          fs.mkdirSync(path.dirname(secondFile), { recursive: true });
          fs.symlinkSync(linkTarget, secondFile);
          touchDir(path.dirname(secondFile));
          break;
        }
        case 'fill-link-target':
          if (fs.existsSync(linkTarget)) break;
          touch(
            write(
              linkTarget,
              JSON.stringify({ mcpServers: { beta: { command: process.execPath, args: [scripts[1]] } } }),
            ),
          );
          break;
        case 'start': {
          const parent =
            s.what === 'child'
              ? (pick(
                  processes.filter((p) => p.ppid === 3000),
                  s.which,
                )?.pid ?? 1)
              : 3000;
          processes = [
            ...processes,
            { pid: nextPid++, ppid: parent, argv: argvOf(s.what, s.which), startTime: clock, uid: OWN_UID },
          ];
          break;
        }
        case 'exit': {
          const gone = pick(
            processes.filter((p) => p.pid >= 3000),
            s.at,
          );
          if (gone)
            processes = processes.filter((p) => p !== gone).map((p) => (p.ppid === gone.pid ? { ...p, ppid: 1 } : p));
          break;
        }
        case 'grow': {
          const grown = pick(
            processes.filter((p) => p.pid >= 3000),
            s.at,
          );
          if (grown)
            processes = processes.map((p) =>
              p === grown ? { ...p, memoryBytes: (p.memoryBytes ?? 1e6) + 1e6, cpuMs: (p.cpuMs ?? 0) + 10 } : p,
            );
          break;
        }
        case 'reuse': {
          const old = pick(
            processes.filter((p) => p.pid >= 3000),
            s.at,
          );
          if (old)
            processes = processes.map((p) =>
              p === old
                ? { pid: p.pid, ppid: 3000, argv: argvOf(s.what, s.at % 3), startTime: clock, uid: OWN_UID }
                : p,
            );
          break;
        }
      }
      current = build();
    };
    return {
      host,
      project,
      proxy,
      apply,
      tick: () => {
        clock += 2000;
      },
    };
  }

  it('every snapshot of an engine that reuses equals a full pass, whatever changes between ticks', async function () {
    this.timeout(120_000);
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 10 }), async (steps) => {
        const w = world();
        const options = { registry: false as const, docker: false as const, persist: false };
        const quiet = new Engine(w.proxy(), options);
        const full = new Engine(w.proxy(), { ...options, quietTicks: false });
        const request = { workspaceFolders: [w.project] };
        // Every answer of the reusing engine as it was given: a later tick's must not change it.
        const answered: Array<[Snapshot, string]> = [];
        const both = async () => {
          w.tick();
          const a = await quiet.snapshot(request);
          const b = await full.snapshot(request);
          assert.deepEqual(a, b);
          answered.push([a, JSON.stringify(a)]);
          for (const [s, text] of answered) assert.equal(JSON.stringify(s), text);
        };
        // The first look, the one whose reads are noted, and one answered from it.
        for (let i = 0; i < 3; i++) await both();
        assert.equal(
          quiet.quietTickStats().reused,
          1,
          `nothing changed, yet: ${JSON.stringify(quiet.quietTickStats())}`,
        );
        for (const s of steps) {
          w.apply(s);
          await both();
          if (s.kind === 'none') {
            // Nothing changes any more: within a few ticks (a pass is noted again at most 10 s after
            // one that was never reused), ticks are answered from the last full pass.
            const before = quiet.quietTickStats().reused;
            for (let i = 0; i < 8 && quiet.quietTickStats().reused === before; i++) await both();
            assert.ok(
              quiet.quietTickStats().reused > before,
              `quiet ticks took full passes: ${JSON.stringify(quiet.quietTickStats())}`,
            );
          }
        }
      }),
      { numRuns: 30 },
    );
  });

  it('answers from a snapshot for at most FULL_SNAPSHOT_EVERY_MS, and no longer than an answer the engine keeps by time alone', async () => {
    const lives: Array<number | undefined> = [];
    for (const keptAnswersMs of [undefined, 30_000, 90_000]) {
      let clock = 1_800_000_000_000;
      const machine = testMachine({
        host: { home: '/home/u', platform: 'linux', env: {} },
        processes: [{ pid: 100, ppid: 1, argv: ['/bin/bash'], startTime: clock - 60_000, uid: OWN_UID }],
        selfPid: 1,
        now: () => clock,
      });
      const quiet = new QuietTicks(machine);
      const snapshot = { servers: [], notConfigured: [], processes: { state: 'ok', count: 1 } } as unknown as Snapshot;
      const pass: QuietTickPass = {
        key: 'k',
        settleMs: 0,
        cache: new EngineCache(() => clock),
        beforeNoted: () => undefined,
        full: async (observe, table) => {
          observe({ table: table ?? (await readProcessTable(quiet.machine)), locks: [], mayBeCandidate: () => false });
          return snapshot;
        },
        pss: undefined,
        keptAnswersMs: () => keptAnswersMs,
      };
      // The first look, then the one whose reads are noted: ticks every 2 s until one takes a full pass.
      await quiet.snapshot(pass);
      clock += 2000;
      await quiet.snapshot(pass);
      const notedAt = clock;
      while (quiet.stats.full === 2 && clock - notedAt < 300_000) {
        clock += 2000;
        await quiet.snapshot(pass);
      }
      lives.push(clock - notedAt);
    }
    assert.deepEqual(lives, [FULL_SNAPSHOT_EVERY_MS, 30_000, FULL_SNAPSHOT_EVERY_MS]);
  });

  it('a process that starts or ends concerns the snapshot when it is watched, descends from a watched one, or concerns the entries', () => {
    const row = (pid: number, ppid: number, argv: string[]): ProcessInfo => ({
      pid,
      ppid,
      argv,
      startTime: 1000 + pid,
      uid: OWN_UID,
    });
    const before = new Map([1, 10, 11].map((pid) => [pid, row(pid, pid === 1 ? 0 : 1, [`p${pid}`])]));
    // 10 is an instance (its tree), 1 its ancestor.
    const watched = new Set([1, 10]);
    const trees = new Set([10]);
    const none = () => false;
    const plus = (r: ProcessInfo) => new Map([...before, [r.pid, r]]);
    assert.equal(tableConcerns(before, new Map(before), watched, trees, none), false);
    // An unrelated process started (under the instance's ancestor, as every process is): nothing the snapshot read.
    assert.equal(tableConcerns(before, plus(row(20, 11, ['sleep'])), watched, trees, none), false);
    // A child of a watched process (a process an instance started).
    assert.equal(tableConcerns(before, plus(row(21, 10, ['sleep'])), watched, trees, none), true);
    // One the entries may claim.
    assert.equal(
      tableConcerns(before, plus(row(22, 11, ['srv'])), watched, trees, (p) => p.argv[0] === 'srv'),
      true,
    );
    // A watched process ended, or its pid was taken by another process.
    assert.equal(tableConcerns(before, new Map([...before].filter(([pid]) => pid !== 10)), watched, trees, none), true);
    assert.equal(
      tableConcerns(before, plus({ ...row(10, 1, ['p10']), startTime: 99_999 }), watched, trees, none),
      true,
    );
    // An unrelated process ended.
    assert.equal(
      tableConcerns(before, new Map([...before].filter(([pid]) => pid !== 11)), watched, trees, none),
      false,
    );
  });
});
