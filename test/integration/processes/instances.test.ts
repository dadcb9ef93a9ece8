import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Instance, Snapshot } from '../../../src/core/base/model';
import { repoRoot } from '../../support/repo';
import { cli, FakeClient, instancesOf, server, startFakeClient, statusJson } from './support/harness';
import { until } from '../../support/poll';
import { isAlive, killAll } from '../../support/liveness';
import { npxMemoryCache } from '../versions/support';

/**
 * Real MCP servers from npm, started through real launchers (npx with a private cache, sh -c) by
 * fake clients that hold their stdin, matched to a Claude Desktop config in a fixture HOME. One
 * scenario, in order: duplicate -> dry run -> a rewritten start time refused -> orphan ->
 * kill-duplicates --yes -> stop.
 */
describe('instances of real servers: duplicate, orphan, kill-duplicates, stop', function () {
  this.timeout(180000);
  const started: number[] = [];
  let home: string;
  let tag: string;
  let secret: string;
  let a: FakeClient; // runs memory twice: a duplicate
  let b: FakeClient; // runs memory once: killed later, its server becomes an orphan
  let c: FakeClient; // runs everything once through sh -c
  /**
   * The user's npm config as the CLI reads it: npx's cache moved to the fixture's folder (what
   * proves a runner's cache is the user's is the user's own npm config, never the server's environment).
   */
  const userNpm = () => ({ npm_config_cache: path.join(home, 'npm-cache') });

  before(async () => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'lg-proc-'));
    // npx has run server-memory before in this home: its cache holds the package (a real npx install,
    // made once per machine), so the launches below start it rather than each install it anew.
    await npxMemoryCache(home);
    // A unique tag in the args: this scenario's launch is nobody else's on a shared machine.
    tag = `--lg-tag=${path.basename(home)}`;
    secret = `tok${path.basename(home).replace(/\W/g, '')}X9`;
    const everything = path.join(repoRoot, 'node_modules', '.bin', 'mcp-server-everything');
    fs.mkdirSync(path.join(home, '.config', 'Claude'), { recursive: true });
    fs.writeFileSync(
      path.join(home, '.config', 'Claude', 'claude_desktop_config.json'),
      JSON.stringify({
        mcpServers: {
          memory: {
            command: 'npx',
            args: ['-y', '@modelcontextprotocol/server-memory', tag, `--label=${secret}`],
            env: { MEMORY_API_TOKEN: secret, MEMORY_FILE_PATH: path.join(home, 'memory.jsonl') },
          },
          everything: { command: 'sh', args: ['-c', `${everything} stdio ${tag}`] },
        },
      }),
    );
    const npxEnv = {
      npm_config_cache: path.join(home, 'npm-cache'),
      npm_config_update_notifier: 'false',
      MEMORY_API_TOKEN: secret,
      MEMORY_FILE_PATH: path.join(home, 'memory.jsonl'),
    };
    // Started in the fixture home, as a desktop client starts them: npx runs the package from its cache (in a
    // project holding it, npx would run the project's copy, and an entry that sets no cwd could not tell whose).
    const memoryLaunch = {
      command: 'npx',
      args: ['-y', '@modelcontextprotocol/server-memory', tag, `--label=${secret}`],
      env: npxEnv,
      cwd: home,
    };
    a = await startFakeClient({ ...memoryLaunch, count: 2 }, started);
    b = await startFakeClient(memoryLaunch, started);
    c = await startFakeClient({ command: 'sh', args: ['-c', `${everything} stdio ${tag}`] }, started);
  });

  after(async () => {
    await killAll(started, tag);
    fs.rmSync(home, { recursive: true, force: true });
  });

  /**
   * The three clients' servers as one `status --json` shows them, once every main process is up (npx
   * has become node once the main process is no longer a wrapper): taken once, and read by every
   * test until the first signal changes the machine (the processes stay the same ones).
   */
  let running: Promise<{ snap: Snapshot; inst: Instance[]; bInst: Instance; everything: Instance }> | undefined;
  function clientAInstances(): Promise<{ snap: Snapshot; inst: Instance[]; bInst: Instance; everything: Instance }> {
    running ??= until('clients A, B and C to run their servers', async () => {
      const snap = await statusJson(home, userNpm());
      const inst = instancesOf(server(snap, 'memory'), a.servers);
      const [bInst] = instancesOf(server(snap, 'memory'), b.servers);
      const [everything] = instancesOf(server(snap, 'everything'), c.servers);
      return inst.length === 2 &&
        inst.every((i) => /mcp-server-memory/.test(i.commandLine)) &&
        bInst &&
        /mcp-server-memory/.test(bInst.commandLine) &&
        everything &&
        /mcp-server-everything/.test(everything.commandLine)
        ? { snap, inst, bInst, everything }
        : undefined;
    });
    return running;
  }

  it('matches npx and sh -c launches to their config, through the launcher chain to the node server', async () => {
    const { snap, everything } = await clientAInstances();
    assert.equal(everything.client.pid, c.client, 'the fake client is the owner (an unknown client, named by its pid)');
    const [mem] = instancesOf(server(snap, 'memory'), a.servers);
    assert.deepEqual(
      mem.launcherChain.map((s) => s.commandLine.split(' ').slice(0, 2).join(' ')),
      ['npm exec', 'sh -c'],
    );
    assert.equal(mem.client.pid, a.client);
    assert.ok(mem.startedAt && mem.memoryBytes && mem.memoryBytes > 0);
    // No instance shows the secret passed as an argument and as an env value.
    assert.ok(!JSON.stringify(snap).includes(secret), 'the snapshot must not contain the secret');
    assert.match(mem.commandLine, /--label=<redacted>/);
  });

  it("flags the older of client A's two instances as the one duplicate, with evidence; B's is not a duplicate", async () => {
    const { snap, inst, bInst } = await clientAInstances();
    const [older, newer] = [...inst].sort((x, y) => (x.startTime as number) - (y.startTime as number));
    const dup = older.verdicts.find((v) => v.kind === 'duplicate');
    assert.ok(dup && dup.kind === 'duplicate', JSON.stringify(older.verdicts));
    assert.equal(dup.keep.pid, newer.pid);
    assert.deepEqual(
      dup.instances.map((i) => i.pid),
      [older.pid, newer.pid],
    );
    assert.ok(!newer.verdicts.some((v) => v.kind === 'duplicate'));
    assert.ok(!bInst.verdicts.some((v) => v.kind === 'duplicate'), "another client's instance is not a duplicate");
    assert.equal(
      instancesOf(server(snap, 'memory'), [...a.servers, ...b.servers])
        .flatMap((i) => i.verdicts)
        .filter((v) => v.kind === 'duplicate').length,
      1,
    );
    const text = await cli(home, ['status'], userNpm());
    assert.match(
      text.stdout,
      new RegExp(`memory\\s+${older.pid}\\s+.*duplicate: 2 under one client, newest ${newer.pid} stays`),
    );
  });

  it('kill-duplicates without --yes prints the plan and signals nothing', async () => {
    const { inst } = await clientAInstances();
    const r = await cli(home, ['kill-duplicates', 'memory'], userNpm());
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Would stop/);
    assert.match(r.stdout, /Nothing was signalled/);
    assert.ok(inst.every((i) => isAlive(i.pid)));
  });

  it('stop and kill-duplicates refuse a pid whose recorded start time does not match (a reused slot), and the process lives on', async () => {
    const { snap, inst } = await clientAInstances();
    // The older one: the duplicate kill-duplicates would stop.
    const target = [...inst].sort((x, y) => (x.startTime as number) - (y.startTime as number))[0];
    const rewritten = JSON.parse(JSON.stringify(snap)) as Snapshot;
    for (const s of rewritten.servers)
      for (const i of s.instances) if (i.pid === target.pid) i.startTime = (i.startTime as number) - 60000;
    const file = path.join(home, 'snapshot.json');
    fs.writeFileSync(file, JSON.stringify(rewritten));
    const r = await cli(home, ['stop', String(target.pid), '--from', file, '--json'], userNpm());
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const result = JSON.parse(r.stdout) as { outcome: string; reason: string; steps: { step: string }[] };
    assert.equal(result.outcome, 'refused');
    assert.equal(result.reason, 'pid-reused');
    assert.ok(!result.steps.some((s) => s.step === 'signal'));
    assert.ok(isAlive(target.pid));
    const k = await cli(home, ['kill-duplicates', 'memory', '--yes', '--from', file], userNpm());
    assert.equal(k.code, 1, k.stdout + k.stderr);
    assert.match(k.stdout, new RegExp(`REFUSED pid ${target.pid}: refused: pid ${target.pid} started at`));
    assert.ok(isAlive(target.pid), 'kill-duplicates never touches a process it cannot re-identify');
  });

  it('killing the client with SIGKILL turns its server into an orphan', async () => {
    process.kill(b.client, 'SIGKILL');
    const orphan = await until("client B's server to be reported as an orphan", async () => {
      const [i] = instancesOf(server(await statusJson(home, userNpm()), 'memory'), b.servers);
      return i?.verdicts.some((v) => v.kind === 'orphan') ? i : undefined;
    });
    const v = orphan.verdicts.find((x) => x.kind === 'orphan');
    assert.ok(v && v.kind === 'orphan' && v.launchPid === b.servers[0]);
    assert.ok(isAlive(orphan.pid), 'the orphan really runs on');
  });

  it('kill-duplicates --yes stops the older duplicate and the orphan, leaving exactly the newest per client', async () => {
    // B's server, orphaned by the test before: the same process.
    const { inst, bInst: orphan } = await clientAInstances();
    const [older, newer] = [...inst].sort((x, y) => (x.startTime as number) - (y.startTime as number));
    const r = await cli(home, ['kill-duplicates', 'memory', '--yes', '--grace', '10'], userNpm());
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, new RegExp(`STOPPED pid ${older.pid}`));
    assert.match(r.stdout, new RegExp(`STOPPED pid ${orphan.pid}`));
    assert.ok(!isAlive(older.pid) && !isAlive(orphan.pid));
    assert.ok(isAlive(newer.pid), 'the newest instance stays');
    const after = await statusJson(home, userNpm());
    assert.deepEqual(
      instancesOf(server(after, 'memory'), [...a.servers, ...b.servers]).map((i) => i.pid),
      [newer.pid],
    );
    assert.equal(instancesOf(server(after, 'everything'), c.servers).length, 1, 'another server is untouched');
  });

  it('stop PID stops the remaining instance and its launcher chain, and verifies they are gone', async () => {
    const snap = await statusJson(home, userNpm());
    const [last] = instancesOf(server(snap, 'memory'), a.servers);
    const r = await cli(home, ['stop', String(last.pid), '--grace', '10'], userNpm());
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /verify: verified: gone/);
    assert.ok(!isAlive(last.pid));
    // A launcher stop left alone (not re-identified exactly: the output says why) ends on its own once
    // its server is gone; a busy machine may take a moment to let it.
    await until(
      `the launcher chain gone (stop said: ${r.stdout})`,
      () => last.launcherChain.every((s) => !isAlive(s.pid)),
      10_000,
    );
    assert.ok(isAlive(a.client), 'the client itself is not touched');
  });
});
