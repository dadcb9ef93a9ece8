import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Instance, Snapshot } from '../../../src/core/base/model';
import { repoRoot } from '../../support/repo';
import { until } from '../../support/poll';
import { isAlive, killAll } from '../../support/liveness';
import { cli, cliAnswer, startFakeClient, statusJson } from './support/harness';
import { dataKey } from '../../../src/core/sources/dataPaths';

/** The real server-memory of the project's devDependencies, run by node as a client's entry runs it. */
const MEMORY_SCRIPT = path.join(repoRoot, 'node_modules', '@modelcontextprotocol', 'server-memory', 'dist', 'index.js');

/**
 * One script run with other data is another server, with real processes: Cursor runs `memory`
 * twice and `team` (the same script, its own MEMORY_FILE_PATH) once; Claude Desktop runs `kb` (the
 * same script, a third file) and its own `memory` (the same file as Cursor's: one server configured
 * twice). Every verdict, the kill plan, its share hints and `wrap --share` key on the server, never
 * on the command line.
 */
describe('server identity (integration): one script with other env is another server', function () {
  this.timeout(120_000);
  const started: number[] = [];
  let home: string;

  before(function () {
    if (process.platform !== 'linux') this.skip();
  });

  beforeEach(() => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'lg-identity-'));
  });

  afterEach(async () => {
    await killAll(started.splice(0), path.basename(home));
    fs.rmSync(home, { recursive: true, force: true });
  });

  const entry = (file: string) => ({
    command: process.execPath,
    args: [MEMORY_SCRIPT],
    env: { MEMORY_FILE_PATH: path.join(home, 'data', file) },
  });

  function writeConfig(rel: string, servers: Record<string, unknown>): string {
    const file = path.join(home, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `${JSON.stringify({ mcpServers: servers }, null, 2)}\n`);
    return file;
  }

  /** A node link named like a client's program, so the process table shows that client. */
  function clientApp(program: string): string {
    const app = path.join(home, 'bin', program);
    fs.mkdirSync(path.dirname(app), { recursive: true });
    if (!fs.existsSync(app)) fs.symlinkSync(process.execPath, app);
    return app;
  }

  const byEntry = (s: Snapshot, client: string, name: string): Instance[] =>
    s.servers.find((x) => x.source.client === client && x.name === name)?.instances ?? [];
  const pids = (list: Instance[]) => list.map((i) => i.pid).sort((a, b) => a - b);

  it('duplicates, shared, the kill plan, its share hints and wrap --share follow the server, not the command line', async () => {
    fs.mkdirSync(path.join(home, 'data'));
    const cursorFile = writeConfig('.cursor/mcp.json', { memory: entry('memory.json'), team: entry('team.json') });
    const desktopFile = writeConfig('.config/Claude/claude_desktop_config.json', {
      kb: entry('kb.json'),
      memory: entry('memory.json'),
    });
    const cursor = await startFakeClient(
      {
        command: '',
        args: [],
        cwd: home,
        app: clientApp('cursor'),
        gapMs: 400,
        launches: [entry('memory.json'), entry('memory.json'), entry('team.json')],
      },
      started,
    );
    const desktop = await startFakeClient(
      {
        command: '',
        args: [],
        cwd: home,
        app: clientApp('claude-desktop'),
        launches: [entry('kb.json'), entry('memory.json')],
      },
      started,
    );
    const [memOld, memNew, team] = cursor.servers;
    const [kb, desktopMemory] = desktop.servers;
    const all = [...cursor.servers, ...desktop.servers];

    const snap = await until('every server process listed', async () => {
      const s = await statusJson(home);
      const listed = new Set(s.servers.flatMap((x) => x.instances.map((i) => i.pid)));
      return all.every((p) => listed.has(p)) ? s : undefined;
    });
    // Each process under its own entries only.
    assert.deepEqual(
      pids(byEntry(snap, 'cursor', 'memory')),
      [memOld, memNew].sort((a, b) => a - b),
    );
    assert.deepEqual(pids(byEntry(snap, 'cursor', 'team')), [team]);
    assert.deepEqual(pids(byEntry(snap, 'claude-desktop', 'kb')), [kb]);
    assert.deepEqual(pids(byEntry(snap, 'claude-desktop', 'memory')), [desktopMemory]);
    const inst = (pid: number) => snap.servers.flatMap((x) => x.instances).find((i) => i.pid === pid)!;
    // The only duplicate is memory's older copy, kept in favour of memory's newer one (never team's).
    for (const pid of all) {
      const dup = inst(pid).verdicts.find((v) => v.kind === 'duplicate');
      if (pid === memOld) assert.ok(dup?.kind === 'duplicate' && dup.keep.pid === memNew, JSON.stringify(dup));
      else assert.equal(dup, undefined, `pid ${pid} is no duplicate`);
      assert.ok(
        !inst(pid).verdicts.some((v) => v.kind === 'unknown' && v.question === 'owner'),
        `pid ${pid} is decided`,
      );
    }
    // "Each client runs its own": only the copies of one server, never kb's or team's.
    const shared = inst(memNew).verdicts.find((v) => v.kind === 'shared');
    assert.ok(shared?.kind === 'shared', JSON.stringify(inst(memNew).verdicts));
    assert.deepEqual(
      shared.instances.map((r) => r.pid).sort((a, b) => a - b),
      [memOld, memNew, desktopMemory].sort((a, b) => a - b),
    );
    for (const pid of [team, kb]) assert.ok(!inst(pid).verdicts.some((v) => v.kind === 'shared'), `pid ${pid}`);
    // One server configured twice: Cursor's and Claude Desktop's memory; never memory with team or kb.
    // (Run from the home folder, the CLI also reads Cursor's file as the workspace's: the same entries again.)
    const nameOf = new Map(snap.servers.map((x) => [x.id, `${x.source.client}:${x.name}`]));
    const groups = snap.launchGroups.map((g) => [...new Set(g.serverIds.map((id) => nameOf.get(id)))].sort());
    assert.ok(
      groups.some((g) => g.join() === 'claude-desktop:memory,cursor:memory'),
      JSON.stringify(groups),
    );
    for (const g of groups)
      assert.equal(new Set(g.map((n) => n!.split(':')[1])).size, 1, `one server per group: ${JSON.stringify(g)}`);
    // Env values are never in the snapshot, not even the data path an entry names (its key is a digest).
    const text = JSON.stringify(snap);
    for (const f of ['memory.json', 'team.json', 'kb.json']) assert.ok(!text.includes(path.join(home, 'data', f)), f);

    // The plan stops memory's older copy alone, and hints at sharing memory only.
    const dry = await cliAnswer(home, ['kill-duplicates', '--json']);
    assert.equal(dry.code, 0, dry.stderr);
    const plan = JSON.parse(dry.stdout) as {
      plan: { pid: number; keep?: number }[];
      shareHints: { serverName: string; copies: number; clients: string[] }[];
    };
    assert.deepEqual(
      plan.plan.map((p) => [p.pid, p.keep]),
      [[memOld, memNew]],
    );
    assert.deepEqual(
      plan.shareHints.map((h) => [h.serverName, h.copies, [...h.clients].sort()]),
      [['memory', 2, ['Claude Desktop', 'Cursor']]],
    );
    const killed = await cli(home, ['kill-duplicates', '--yes', '--json']);
    assert.equal(killed.code, 0, killed.stderr);
    await until('the older memory copy stopped', async () => (isAlive(memOld) ? undefined : true));
    for (const pid of [memNew, team, kb, desktopMemory]) assert.ok(isAlive(pid), `pid ${pid} still runs`);

    // wrap --share rewrites both entries of memory and leaves team and kb alone, naming the key.
    const before = [cursorFile, desktopFile].map((f) => fs.readFileSync(f, 'utf8'));
    // (Its workspace an empty folder: the home's files are read once, as the user's.)
    const wrap = await cli(home, ['wrap', 'memory', '--share', '--json', '--workspace', path.join(home, 'data')]);
    assert.equal(wrap.code, 0, wrap.stderr + wrap.stdout);
    const wrapPlan = JSON.parse(wrap.stdout) as {
      files: { file: string; entries: string[] }[];
      left: { name: string; reason: string }[];
    };
    assert.deepEqual(
      wrapPlan.files.map((f) => [f.file, f.entries]).sort(),
      [
        [cursorFile, ['memory']],
        [desktopFile, ['memory']],
      ].sort(),
    );
    assert.deepEqual(wrapPlan.left.map((l) => l.name).sort(), ['kb', 'team']);
    for (const l of wrapPlan.left) assert.match(l.reason, /MEMORY_FILE_PATH differs/);
    // The guard's lock is keyed by the memory file the entries name, as its digest: no env value printed.
    const resource = (JSON.parse(wrap.stdout) as { resource?: string }).resource ?? '';
    assert.equal(resource, dataKey(path.join(home, 'data', 'memory.json')));
    assert.ok(!wrap.stdout.includes(path.join(home, 'data')), 'no env value printed');
    assert.deepEqual(
      [cursorFile, desktopFile].map((f) => fs.readFileSync(f, 'utf8')),
      before,
      'a dry run writes nothing',
    );
  });

  it("a client's broken config keeps its processes: Codex's copy is never taken for Cursor's entry of the same command, made a duplicate, or stopped", async () => {
    fs.mkdirSync(path.join(home, 'data'));
    writeConfig('.cursor/mcp.json', { memory: entry('memory.json') });
    const codexFile = path.join(home, '.codex', 'config.toml');
    fs.mkdirSync(path.dirname(codexFile), { recursive: true });
    const toml = [
      '[mcp_servers.memory]',
      `command = ${JSON.stringify(process.execPath)}`,
      `args = [${JSON.stringify(MEMORY_SCRIPT)}]`,
      '',
      '[mcp_servers.memory.env]',
      `MEMORY_FILE_PATH = ${JSON.stringify(path.join(home, 'data', 'memory.json'))}`,
      '',
    ].join('\n');
    fs.writeFileSync(codexFile, toml);
    const cursor = await startFakeClient(
      { command: '', args: [], cwd: home, app: clientApp('cursor'), launches: [entry('memory.json')] },
      started,
    );
    const codex = await startFakeClient(
      { command: '', args: [], cwd: home, app: clientApp('codex'), launches: [entry('memory.json')] },
      started,
    );
    const [cursorPid] = cursor.servers;
    const [codexPid] = codex.servers;
    // (Its workspace an empty folder: the home's files are read once, as the user's.)
    const workspace = ['--workspace', path.join(home, 'data')];
    const read = await until('both copies under their own entries', async () => {
      const s = await statusJson(home, {});
      return pids(byEntry(s, 'codex', 'memory')).includes(codexPid) &&
        pids(byEntry(s, 'cursor', 'memory')).includes(cursorPid)
        ? s
        : undefined;
    });
    assert.deepEqual(pids(byEntry(read, 'cursor', 'memory')), [cursorPid]);

    // Codex's file breaks (a half-written edit): its entry cannot be read.
    fs.writeFileSync(codexFile, `${toml}\n[mcp_servers.memory\n`);
    const broken = await statusJson(home, {});
    assert.ok(
      broken.diagnostics.some((d) => d.file === codexFile && d.severity === 'error'),
      JSON.stringify(broken.diagnostics),
    );
    const underCursor = byEntry(broken, 'cursor', 'memory');
    const codexCopy = underCursor.find((i) => i.pid === codexPid);
    if (codexCopy) {
      const owner = codexCopy.verdicts.find((v) => v.kind === 'unknown' && v.question === 'owner');
      assert.ok(owner?.kind === 'unknown', `undecided, not Cursor's: ${JSON.stringify(codexCopy.verdicts)}`);
      assert.match(owner.reason, new RegExp(`Codex's config ${codexFile.replace(/[.]/g, '\\.')}:\\d+`));
    }
    const cursorCopy = underCursor.find((i) => i.pid === cursorPid);
    assert.ok(cursorCopy, JSON.stringify(underCursor));
    assert.deepEqual(
      cursorCopy.verdicts.filter((v) => v.kind === 'duplicate' || (v.kind === 'unknown' && v.question === 'owner')),
      [],
      "Cursor's own copy is decided and no duplicate",
    );
    const dry = await cliAnswer(home, ['kill-duplicates', '--json', ...workspace]);
    assert.equal(dry.code, 0, dry.stderr);
    assert.deepEqual((JSON.parse(dry.stdout) as { plan: unknown[] }).plan, []);
    const yes = await cli(home, ['kill-duplicates', '--yes', ...workspace]);
    assert.equal(yes.code, 0, yes.stderr);
    for (const pid of [cursorPid, codexPid]) assert.ok(isAlive(pid), `pid ${pid} still runs`);
  });
});
