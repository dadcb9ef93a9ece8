import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { instanceReport } from '../../../src/agent/health';
import { killDuplicatesPlan } from '../../../src/core/actions/killDuplicates';
import type { ServerStatus, Snapshot } from '../../../src/core/base/model';
import { verdictLabel } from '../../../src/cli/format/status';
import { parseEnviron } from '../../../src/core/processes/environ';
import { attachInstances } from '../../../src/core/processes/instances';
import type { ProcessInfo } from '../../../src/core/pids/table';
import { describeVerdict } from '../../../src/core/report/evidence';
import { toViewInput } from '../../../src/core/report/input';
import { counts, instanceFlags, serverState } from '../../../src/core/report/state';
import { scanSources } from '../../../src/core/sources/scan';
import { dataKey } from '../../../src/core/sources/dataPaths';
import { liveFs } from '../../../src/core/machine/liveFs';

/**
 * Duplicate on one data store: two entries (two clients, other env besides, so two servers by
 * identity) whose env names one memory file, each with a process up, are two writers on one store.
 * Read from the config files as the scan reads them, judged as a snapshot judges, said by each face.
 */
describe('duplicate on one data store: two entries whose env names one file', () => {
  let home: string;
  before(() => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'lg-samedata-'));
  });
  after(() => fs.rmSync(home, { recursive: true, force: true }));

  const SCRIPT = '/srv/node_modules/@modelcontextprotocol/server-memory/dist/index.js';

  async function scanned() {
    const memory = path.join(home, 'data', 'memory.json');
    fs.mkdirSync(path.dirname(memory), { recursive: true });
    // Claude Code's `memory` and Cursor's `notes`: one script, one file, but other DEBUG values.
    fs.writeFileSync(
      path.join(home, '.claude.json'),
      JSON.stringify({
        mcpServers: {
          memory: { command: 'node', args: [SCRIPT], env: { MEMORY_FILE_PATH: memory, DEBUG: 'verbose-claude' } },
        },
      }),
    );
    fs.mkdirSync(path.join(home, '.cursor'), { recursive: true });
    fs.writeFileSync(
      path.join(home, '.cursor', 'mcp.json'),
      JSON.stringify({
        mcpServers: {
          notes: { command: 'node', args: [SCRIPT], env: { MEMORY_FILE_PATH: memory, DEBUG: 'verbose-cursor' } },
          other: { command: 'node', args: [SCRIPT], env: { MEMORY_FILE_PATH: path.join(home, 'data', 'other.json') } },
        },
      }),
    );
    const scan = await scanSources({
      fs: liveFs,
      host: { home, platform: 'linux', env: { HOME: home } },
      workspaceFolders: [],
    });
    return { scan, memory };
  }

  /** The scan's servers with the processes of `table` attached, each process's env read from `environ` (its /proc text). */
  function attachOn(
    scan: Awaited<ReturnType<typeof scanSources>>,
    table: ProcessInfo[],
    environ: Record<number, string>,
  ): ReturnType<typeof attachInstances> {
    return attachInstances(
      scan.servers,
      { state: 'ok', processes: table, method: 'procfs' },
      {
        platform: 'linux',
        secretsOf: () => new Set(),
        findListeners: async () => new Map(),
        env: {
          declared: (c) => scan.launches.get(c.id)?.env,
          ofProcess: (pid) => (environ[pid] !== undefined ? parseEnviron(environ[pid]) : undefined),
        },
      },
    );
  }

  it('the scan reads the file each entry names as its key and the env key that names it; no env value is kept', async () => {
    const { scan, memory } = await scanned();
    const byName = new Map(scan.servers.map((s) => [s.name, s]));
    assert.deepEqual(byName.get('memory')?.dataPaths, [{ from: 'env MEMORY_FILE_PATH', key: dataKey(memory) }]);
    assert.deepEqual(byName.get('notes')?.dataPaths, [{ from: 'env MEMORY_FILE_PATH', key: dataKey(memory) }]);
    // A file that does not exist yet, in a folder that does, is still its store.
    assert.deepEqual(byName.get('other')?.dataPaths?.[0]?.key, dataKey(path.join(home, 'data', 'other.json')));
    assert.notEqual(byName.get('memory')?.identityKey, byName.get('notes')?.identityKey, 'two servers by identity');
    const kept = JSON.stringify(scan.servers);
    assert.ok(!kept.includes('verbose-'), 'no env value is kept');
    assert.ok(!kept.includes(path.join(home, 'data')), 'not even a data path named by env');
  });

  it('two processes on it are flagged in every face, naming the entries; none is stopped in bulk', async () => {
    const { scan, memory } = await scanned();
    const table: ProcessInfo[] = [
      { pid: 1, ppid: 0, argv: ['/sbin/init'], startTime: 1 },
      { pid: 10, ppid: 1, argv: ['/home/u/.local/bin/claude'], startTime: 1000 },
      { pid: 11, ppid: 1, argv: ['/opt/Cursor/cursor'], startTime: 1100 },
      { pid: 20, ppid: 10, argv: ['node', SCRIPT], startTime: 5000 },
      { pid: 21, ppid: 11, argv: ['node', SCRIPT], startTime: 6000 },
    ];
    const environ: Record<number, string> = {
      10: 'PATH=/usr/bin\0',
      11: 'PATH=/usr/bin\0',
      20: `PATH=/usr/bin\0MEMORY_FILE_PATH=${memory}\0DEBUG=verbose-claude\0`,
      21: `PATH=/usr/bin\0MEMORY_FILE_PATH=${memory}\0DEBUG=verbose-cursor\0`,
    };
    const r = await attachOn(scan, table, environ);
    const byName = new Map(r.servers.map((s) => [s.name, s]));
    assert.deepEqual(
      byName.get('memory')?.instances.map((i) => i.pid),
      [20],
    );
    assert.deepEqual(
      byName.get('notes')?.instances.map((i) => i.pid),
      [21],
    );
    for (const pid of [20, 21]) {
      const i = r.servers.flatMap((s) => s.instances).find((x) => x.pid === pid)!;
      const v = i.verdicts.find((x) => x.kind === 'sameData');
      assert.ok(v && v.kind === 'sameData', `pid ${pid}: ${JSON.stringify(i.verdicts)}`);
      assert.equal(v.key, dataKey(memory));
      assert.deepEqual(v.entries.map((e) => `${e.name} ${e.from}`).sort(), [
        'memory env MEMORY_FILE_PATH',
        'notes env MEMORY_FILE_PATH',
      ]);
      assert.deepEqual(
        v.instances.map((x) => x.pid),
        [20, 21],
      );
      assert.ok(instanceFlags(i).has('duplicate'), 'flagged as a duplicate');
      // The CLI's status text and the evidence (tree tooltip, Show Evidence, agent face) name the env
      // key and the entries, never the path it holds.
      assert.match(
        verdictLabel(v),
        /^duplicate on one data store: 2 processes; env MEMORY_FILE_PATH of memory \(Claude Code\) and notes \(Cursor\) names one data path$/,
      );
      assert.match(
        describeVerdict(v),
        /^Duplicate on one data store: 2 processes run on it; env MEMORY_FILE_PATH of memory \(Claude Code\) and notes \(Cursor\) names one data path$/,
      );
      for (const text of [verdictLabel(v), describeVerdict(v), JSON.stringify(v)])
        assert.ok(!text.includes(memory) && !text.includes('verbose-'), `no env value: ${text}`);
    }
    const snapshot = {
      workspaceFolders: [],
      servers: r.servers,
      notConfigured: [],
      launchGroups: [],
      files: [],
      diagnostics: [],
      processes: { state: 'ok', count: table.length },
    } as unknown as Snapshot;
    const view = toViewInput(snapshot);
    assert.equal(counts(view).duplicate, 2, 'the badge counts both');
    assert.equal(serverState(view.servers.find((s) => s.name === 'memory')!).kind, 'duplicate');
    assert.equal(serverState(view.servers.find((s) => s.name === 'other')!).kind, 'notRunning');
    const agent = instanceReport(view.servers.find((s) => s.name === 'notes')!.instances[0]);
    assert.ok(agent.verdicts.includes('duplicate'), JSON.stringify(agent.verdicts));
    assert.ok(
      agent.why.some((w) => /one data store/.test(w)),
      JSON.stringify(agent.why),
    );
    // Each serves its own client: which to keep is not the engine's to say.
    assert.deepEqual(killDuplicatesPlan(snapshot as unknown as Snapshot & { servers: ServerStatus[] }).items, []);
  });
  it("one client's two copies of one entry: the older a duplicate, the copy it talks to not flagged on the store", async () => {
    const { scan, memory } = await scanned();
    const table: ProcessInfo[] = [
      { pid: 1, ppid: 0, argv: ['/sbin/init'], startTime: 1 },
      { pid: 10, ppid: 1, argv: ['/home/u/.local/bin/claude'], startTime: 1000 },
      { pid: 20, ppid: 10, argv: ['node', SCRIPT], startTime: 5000 },
      { pid: 22, ppid: 10, argv: ['node', SCRIPT], startTime: 7000 },
    ];
    const env = `PATH=/usr/bin\0MEMORY_FILE_PATH=${memory}\0DEBUG=verbose-claude\0`;
    const environ: Record<number, string> = { 10: 'PATH=/usr/bin\0', 20: env, 22: env };
    const r = await attachOn(scan, table, environ);
    const kinds = (pid: number) =>
      r.servers
        .flatMap((s) => s.instances)
        .find((x) => x.pid === pid)!
        .verdicts.map((v) => v.kind);
    assert.deepEqual(kinds(20), ['duplicate']);
    assert.ok(!kinds(22).includes('sameData') && !kinds(22).includes('duplicate'), JSON.stringify(kinds(22)));
  });
});
