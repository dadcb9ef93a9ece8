import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isAlive } from '../support/liveness';
import { pastJudgedStart } from '../support/judgedStart';
import { until } from '../support/poll';
import { fixturesDir } from '../support/repo';
import {
  connectGuarded,
  endGuarded,
  GuardedClient,
  liveRecords,
  runCli,
  tempHome,
  textOf,
} from '../integration/guard/support';

const serversDir = path.join(fixturesDir, 'guard', 'one-writer');

interface JournalLine {
  event: 'start' | 'overlap' | 'refused';
  pid: number;
  version: string;
  at: number;
  other?: number;
}

/**
 * Never two copies on one data store, under the default settings. Two servers written for the test
 * (test/fixtures/guard/one-writer/): one takes an exclusive lock on its store at start and refuses
 * to start while a live process holds it; one migrates its data file at start. Each live server
 * marks the store, and one that starts while another live server of the store runs journals an
 * overlap. Behind the built guard (`run --when-stale restart-when-idle --idle-stop`, no
 * `--restart-check`), in bounded loops: restarts asked over the control endpoint (`mcp-lifeguard
 * restart`), restarts the policy makes after an upgrade (the package's version raised), idle stops
 * and wakes. Every one of them restarts the server (a new pid answers the same session), and no
 * two servers of the store ever ran at once: 0 overlaps, 0 refusals.
 */
describe('guard: one data store, one process, by default (a locking and a migrating server, built CLI)', function () {
  this.timeout(300_000);
  const KINDS = ['locking', 'migrating'] as const;
  type Kind = (typeof KINDS)[number];

  /** Each server's home and guarded client, ended after both ran. */
  const worlds: Array<{ home: string; g?: GuardedClient }> = [];
  /** Each server's run, started side by side (most of a run is waiting out idle stops); its test awaits it. */
  const runs = new Map<Kind, Promise<void>>();

  before(() => {
    for (const kind of KINDS) {
      const world: { home: string; g?: GuardedClient } = { home: tempHome() };
      worlds.push(world);
      const done = scenario(kind, world);
      // Awaited by the kind's test; not an unhandled rejection meanwhile.
      done.catch(() => undefined);
      runs.set(kind, done);
    }
  });
  after(async () => {
    await Promise.allSettled(runs.values());
    for (const w of worlds.splice(0)) await endGuarded(w.g, w.home);
  });

  for (const kind of KINDS)
    it(`the ${kind} server: restart, restart-when-idle after an upgrade, idle stop and wake: each restarts it, never two at once`, () =>
      runs.get(kind));

  async function scenario(kind: Kind, world: { home: string; g?: GuardedClient }): Promise<void> {
    const { home } = world;
    const dir = fs.mkdtempSync(path.join(home, 'w-'));
    const pkg = path.join(dir, 'pkg');
    fs.mkdirSync(pkg);
    for (const file of ['base.mjs', `${kind}-server.mjs`])
      fs.copyFileSync(path.join(serversDir, file), path.join(pkg, file));
    const manifest = path.join(pkg, 'package.json');
    const install = (version: string) =>
      fs.writeFileSync(manifest, JSON.stringify({ name: `lifeguard-one-writer-${kind}`, version }));
    install('1.0.0');
    const journal = path.join(dir, 'journal.jsonl');
    const data = path.join(dir, 'data', 'store.json');
    fs.mkdirSync(path.dirname(data));
    const read = (): JournalLine[] =>
      fs.existsSync(journal)
        ? fs
            .readFileSync(journal, 'utf8')
            .split('\n')
            .filter(Boolean)
            .map((l) => JSON.parse(l) as JournalLine)
        : [];
    const twoAtOnce = () => read().filter((l) => l.event !== 'start');
    const startOf = (pid: number) => read().find((l) => l.event === 'start' && l.pid === pid);

    const g = (world.g = await connectGuarded(
      home,
      [
        '--name',
        kind,
        '--when-stale',
        'restart-when-idle',
        '--stale-interval',
        '0.3',
        '--idle-stop',
        '3',
        '--',
        process.execPath,
        path.join(pkg, `${kind}-server.mjs`),
      ],
      { cwd: dir, env: { ONE_WRITER_DATA: data, ONE_WRITER_JOURNAL: journal } },
    ));
    const client = g.client;
    const echo = async () =>
      Number(textOf(await client.callTool({ name: 'echo', arguments: { text: 'x' } })).split(':')[0]);
    const seen = [await echo()];
    const newServer = (how: string, pid: number) => {
      assert.ok(!seen.includes(pid), `${how}: a new server answers (pid ${pid}, before: ${seen.join(', ')})`);
      seen.push(pid);
      assert.deepEqual(twoAtOnce(), [], `${how}: no two servers of the store at once\n${g.stderr()}`);
    };

    // Restarts asked for over the control endpoint.
    for (let i = 0; i < 3; i++) {
      const r = await runCli(home, ['restart', kind]);
      assert.equal(r.code, 0, `restart ${i + 1}: ${r.stderr}\n${g.stderr()}`);
      newServer(`restart ${i + 1}`, await echo());
    }

    // Restarts the policy makes once a newer version is installed (nothing in flight).
    for (const version of ['1.1.0', '1.2.0']) {
      const serving = seen[seen.length - 1];
      await pastJudgedStart(startOf(serving)?.at);
      install(version);
      const pid = await until(
        () => `a server of ${version} after the upgrade:\n${g.stderr()}`,
        async () => {
          const now = await echo();
          return now !== serving && startOf(now)?.version === version ? now : undefined;
        },
        60_000,
        300,
      );
      newServer(`restart-when-idle to ${version}`, pid);
    }
    assert.equal(
      g.stderr().match(new RegExp(`restarting ${kind}: .*--when-stale restart-when-idle`, 'g'))?.length,
      2,
      g.stderr(),
    );

    // Idle stops, each followed by a wake in the client's session.
    for (let i = 0; i < 3; i++) {
      const serving = seen[seen.length - 1];
      await until(
        `the server stopped for idleness (${i + 1})`,
        async () => (await liveRecords(home)).some((r) => r.idle) && !isAlive(serving),
        30_000,
      );
      newServer(`wake ${i + 1}`, await echo());
    }

    const starts = read().filter((l) => l.event === 'start');
    assert.equal(starts.length, seen.length, 'every server that started served');
    assert.deepEqual(twoAtOnce(), []);
  }
});
