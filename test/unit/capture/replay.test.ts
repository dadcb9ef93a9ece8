import * as assert from 'node:assert/strict';
import type { Instance, Snapshot } from '../../../src/core/base/model';
import { parseCapture, replayCapture, takeCapture } from '../../../src/core/capture/capture';
import { redactRecord } from '../../../src/core/capture/redactRecord';
import { emptyFsRecord, MachineRecord } from '../../../src/core/machine/record';
import { recordedMachine } from '../../../src/core/machine/recorded';
import { counts } from '../../../src/core/report/state';
import { toViewInput } from '../../../src/core/report/input';
import { Engine } from '../../../src/core/snapshot/engine';
import { DescribedCapture, macCapture, windowsCapture } from '../../fixtures/captures/machines';
import { sameDigests } from '../../support/snapshots';
import { dataKey, dataPathsOf } from '../../../src/core/sources/dataPaths';
import { storedCaptures } from '../../support/storedCaptures';

/** The snapshot a described machine gives, through the same engine a replay uses. */
async function replay(c: DescribedCapture, misses: string[] = []): Promise<Snapshot> {
  return new Engine(recordedMachine(c.record, { onMiss: (m) => misses.push(m) }), {
    registry: false,
    docker: false,
  }).snapshot(c.request);
}

const instancesOf = (s: Snapshot, name: string, client: string): Instance[] =>
  s.servers.find((x) => x.name === name && x.source.client === client)?.instances ?? [];

describe('capture: a macOS machine replayed (ps, lsof and its config folders)', () => {
  let snap: Snapshot;
  const misses: string[] = [];
  before(async () => {
    snap = await replay(macCapture(), misses);
  });

  it("reads ps's table and names each process's client: Claude Desktop's copies, Cursor's, a terminal's own", () => {
    assert.deepEqual(snap.processes, { state: 'ok', count: 11 });
    assert.deepEqual(
      instancesOf(snap, 'memory', 'claude-desktop').map((i) => [i.pid, i.client.id]),
      [[901, 'claude-desktop']],
    );
    assert.deepEqual(
      instancesOf(snap, 'memory', 'cursor').map((i) => [i.pid, i.client.id]),
      [
        [1301, 'cursor'],
        [1190, 'unknown'],
      ],
    );
    // npx's own process is the launcher; the server is the node under it.
    const fsInstance = instancesOf(snap, 'filesystem', 'claude-desktop');
    assert.deepEqual(
      fsInstance.map((i) => [i.pid, i.launcherChain.map((l) => l.pid)]),
      [[910, [902]]],
    );
    // Start times read in UTC wherever the capture is replayed.
    assert.equal(instancesOf(snap, 'memory', 'claude-desktop')[0].startedAt, '2026-11-26T09:00:06.000Z');
  });

  it('judges versions from the files and the first sighting a capture carries: stale, changed since start, current', () => {
    const claude = instancesOf(snap, 'memory', 'claude-desktop')[0].versions?.verdict;
    assert.equal(
      claude?.state === 'stale' && `${claude.running} -> ${claude.installed} (${claude.runningLearnedFrom})`,
      '2026.7.4 -> 2026.8.31 (first-seen)',
    );
    // Cursor's copy started before the upgrade too, and nothing recorded what it loaded: changed, never fine.
    assert.equal(instancesOf(snap, 'memory', 'cursor')[0].versions?.verdict.state, 'changed');
    assert.equal(instancesOf(snap, 'filesystem', 'claude-desktop')[0].versions?.verdict.state, 'current');
    const c = counts(toViewInput(snap));
    // Four, and the copy an earlier Cursor left behind.
    assert.equal(c.instances, 5);
  });

  it("proves whose the copy launchd adopted is by its environment (ps -E): Cursor's orphan, not undecided between the two memory entries", () => {
    const left = (client: string) => instancesOf(snap, 'memory', client).filter((i) => i.pid === 1190);
    // One `ps -E` for the candidates and their parents, the one the capture recorded.
    assert.deepEqual(
      misses.filter((m) => m.includes('ps -E')),
      [],
    );
    assert.deepEqual(left('claude-desktop'), [], "its MEMORY_FILE_PATH is not Claude Desktop's entry's");
    assert.deepEqual(
      left('cursor').flatMap((i) => i.verdicts.map((v) => v.kind)),
      ['orphan'],
    );
  });

  it('keeps no environment value in a capture of it, and its replay proves the same', async () => {
    const c = macCapture();
    const live = recordedMachine(c.record);
    const capture = await takeCapture({
      host: live.host,
      request: c.request,
      engine: { registry: false, docker: false },
      machine: live,
    });
    const text = JSON.stringify(capture.machine);
    for (const value of [
      '/Users/ana/memory/cursor.json',
      '/Users/ana/memory/claude.json',
      '/usr/bin:/bin:/usr/sbin:/sbin',
    ])
      assert.ok(!text.includes(value), value);
    const replayed = await replayCapture(capture);
    const owners = (s: Snapshot) =>
      s.servers.flatMap((x) => x.instances.map((i) => [x.source.client, x.name, i.pid, i.verdicts.map((v) => v.kind)]));
    assert.deepEqual(owners(replayed), owners(snap));
  });

  it("finds the HTTP server's process through lsof, as its instance", () => {
    const playwright = snap.servers.find((s) => s.name === 'playwright');
    assert.deepEqual(playwright?.listener, { state: 'local', port: 8931, pid: 1502 });
    assert.deepEqual(
      playwright?.instances.map((i) => i.pid),
      [1502],
    );
  });

  it('asks nothing a macOS machine would not answer (no /proc)', () => {
    assert.deepEqual(
      misses.filter((m) => m.includes('/proc/')),
      [],
    );
  });
});

describe("capture: an entry's env value names a folder other paths sit under", () => {
  /**
   * The macOS machine, whose Claude Desktop memory entry also sets a folder (`folder`) that the
   * configs, installs and command lines of other entries sit under: taken live, captured, replayed.
   */
  async function roundTrip(folder: string) {
    const c = macCapture({ claudeMemoryEnv: { ALLOWED_DIR: folder } });
    const liveMisses: string[] = [];
    const live = await replay(c, liveMisses);
    const machine = recordedMachine(c.record);
    const capture = await takeCapture({
      host: machine.host,
      request: c.request,
      engine: { registry: false, docker: false },
      machine,
    });
    const misses: string[] = [];
    const replayed = await replayCapture(capture, (m) => misses.push(m));
    return { live, liveMisses, capture, replayed, misses };
  }

  /** What a person reads: each entry, what its launch would run, its instances and their verdicts, and the counts. */
  const reading = (s: Snapshot) => ({
    servers: s.servers.map((x) => ({
      entry: `${x.source.client}:${x.name}`,
      installed: x.installed,
      instances: x.instances.map((i) => [i.pid, i.client.id, i.verdicts.map((v) => v.kind), i.versions?.verdict.state]),
    })),
    notConfigured: s.notConfigured.map((i) => i.pid),
    counts: counts(toViewInput(s)),
  });

  for (const [what, folder] of [
    ["Homebrew's prefix (the installs and bins under it)", '/opt/homebrew'],
    ['the home (every config and install under it)', '/Users/ana'],
  ]) {
    it(`${what}: the replay reads as the live machine, and asks nothing the capture lacks`, async () => {
      const { live, liveMisses, capture, replayed, misses } = await roundTrip(folder);
      assert.deepEqual(reading(replayed), reading(live));
      assert.deepEqual(sameDigests(replayed), sameDigests(capture.snapshot));
      assert.deepEqual(
        misses.filter((m) => !liveMisses.includes(m)),
        [],
      );
      // The paths under the folder are kept as paths: the bin a process runs, the package it loads.
      const text = JSON.stringify(capture.machine);
      assert.ok(text.includes(`${folder === '/opt/homebrew' ? folder : '/Users/ana/tools'}/`), 'paths kept');
      assert.doesNotMatch(text, /<secret:[0-9a-f]{16}>\//, 'no stand-in at the head of a path');
    });
  }

  it("still keeps the value itself, where it stands whole, as a stand-in: the entry's env and its process's", async () => {
    const { capture } = await roundTrip('/opt/homebrew');
    const [read] = Object.values(
      capture.machine.fs.readBytes['/Users/ana/Library/Application Support/Claude/claude_desktop_config.json'],
    );
    const config = JSON.parse(Buffer.from(read as string, 'base64').toString('utf8')) as {
      mcpServers: { memory: { env: Record<string, string> } };
    };
    assert.match(config.mcpServers.memory.env.ALLOWED_DIR, /^<secret:[0-9a-f]{16}>$/);
    assert.ok(!JSON.stringify(capture.machine).includes('ALLOWED_DIR=/opt/homebrew'));
  });
});

describe('capture: a Windows machine replayed (PowerShell, %APPDATA%, npm .cmd shims)', () => {
  let snap: Snapshot;
  const misses: string[] = [];
  before(async () => {
    snap = await replay(windowsCapture(), misses);
  });

  it("reads PowerShell's process table to the millisecond and names each process's client", () => {
    assert.deepEqual(snap.processes, { state: 'ok', count: 12 });
    const memory = instancesOf(snap, 'memory', 'claude-desktop');
    assert.deepEqual(
      memory.map((i) => [i.pid, i.client.id, i.startedAt]),
      [
        [7201, 'claude-desktop', '2026-11-26T09:00:06.500Z'],
        [7202, 'claude-desktop', '2026-11-26T09:00:06.731Z'],
      ],
    );
    assert.deepEqual(
      instancesOf(snap, 'time', 'cursor').map((i) => [i.pid, i.client.id]),
      [[7311, 'cursor']],
    );
  });

  it("claims Claude Desktop's two copies of memory for its entry, through npm's .cmd shim and Windows path rules: one duplicate under one client, the newer kept", () => {
    // `C:\\...` is an absolute path on the machine judged, wherever the replay runs: the `.cmd` shim the
    // bare command finds on Path runs the very script each node.exe names, so both copies are the entry's.
    const memory = instancesOf(snap, 'memory', 'claude-desktop');
    assert.deepEqual(
      memory.map((i) => [i.pid, i.verdicts.map((v) => v.kind)]),
      [
        [7201, ['duplicate']],
        [7202, []],
      ],
    );
    const dup = memory[0].verdicts.find((v) => v.kind === 'duplicate');
    assert.deepEqual(dup?.kind === 'duplicate' && [dup.client?.id, dup.keep.pid, dup.instances.map((i) => i.pid)], [
      'claude-desktop',
      7202,
      [7201, 7202],
    ]);
    assert.equal(counts(toViewInput(snap)).duplicate, 1);
    assert.deepEqual(snap.notConfigured, []);
    // The second copy: files written after its start, and nothing recorded what it loaded: changed, never fine.
    assert.equal(memory[1].versions?.verdict.state, 'changed');
    // uvx's environment is not among the capture's files: unknown, never fine.
    assert.equal(instancesOf(snap, 'time', 'cursor')[0].versions?.verdict.state, 'unknown');
  });

  it("finds MCP Lifeguard's own folder in %LOCALAPPDATA% as on Windows, never under the replaying process's folder: the first copy's first sighting read there", () => {
    const first = instancesOf(snap, 'memory', 'claude-desktop')[0].versions?.verdict;
    assert.equal(
      first?.state === 'stale' && `${first.running} -> ${first.installed} (${first.runningLearnedFrom})`,
      '2026.7.4 -> 2026.8.31 (first-seen)',
    );
    // Every path the replay asked for and the capture lacks is a Windows path in Windows spelling.
    const paths = misses.map((m) => m.slice(m.indexOf(' ') + 1));
    assert.deepEqual(
      paths.filter((p) => !/^C:\\[^/]*$/.test(p)),
      [],
    );
    // Nothing of the process replaying it (its folder) is in the snapshot: the same on any host.
    assert.ok(!JSON.stringify(snap).includes(JSON.stringify(process.cwd()).slice(1, -1)));
  });
});

describe('capture: the record redacted', () => {
  const dir = { kind: 'dir', mtimeMs: 1, ctimeMs: 1, size: 0, ino: 1 } as const;
  const record = (): MachineRecord => ({
    host: {
      home: '/home/u',
      platform: 'linux',
      env: { HOME: '/home/u', GITHUB_TOKEN: 'ghp_abcdefghijklmnopqrstuvwxyz0123456789', EDITOR: 'vim' },
    },
    selfPid: 1,
    uid: 1000,
    clock: [1],
    fs: {
      ...emptyFsRecord(),
      // The scan asks whether the data path an env value names, or its folder, exists: those
      // questions name the value. Another path's question is kept.
      stat: { '/data/a.json': dir, '/data': dir, '/home/u': dir },
      readText: {
        '/proc/10/environ': 'HOME=/home/u\0MEMORY_FILE_PATH=/data/a.json\0API_KEY=sk-abcdefghijklmnopqrstuv\0',
        '/proc/10/cmdline': 'node\0/srv/server.js\0--token\0hunter2-secret\0--db\0/data/a.json\0',
        '/home/u/.npmrc': '//registry.npmjs.org/:_authToken=abc123def456\ncache=/home/u/.npm\n',
      },
      readBytes: {
        '/home/u/.cursor/mcp.json': {
          '0:200': Buffer.from(
            JSON.stringify({
              mcpServers: {
                s: {
                  command: 'node',
                  args: ['/srv/server.js', '--token', 'hunter2-secret'],
                  env: { MEMORY_FILE_PATH: '/data/a.json', API_KEY: 'sk-abcdefghijklmnopqrstuv' },
                },
              },
            }),
          ).toString('base64'),
        },
      },
    },
    commands: [],
    serverInfo: [],
    pids: {},
  });
  const secrets = new Set(['/data/a.json', 'sk-abcdefghijklmnopqrstuv']);
  const redacted = redactRecord(record(), {
    secrets,
    declaredKeys: new Set(['MEMORY_FILE_PATH', 'API_KEY']),
    configFiles: new Set(['/home/u/.cursor/mcp.json']),
  });
  const text = JSON.stringify(redacted);
  const config = JSON.parse(
    Buffer.from(redacted.fs.readBytes['/home/u/.cursor/mcp.json']['0:200'] as string, 'base64').toString('utf8'),
  ) as {
    mcpServers: { s: { args: string[]; env: Record<string, string> } };
  };

  it('keeps no value of a config, an environment or a command line that is a secret, nor a token of this process', () => {
    for (const s of [
      '/data/a.json',
      'sk-abcdefghijklmnopqrstuv',
      'hunter2-secret',
      'abc123def456',
      'ghp_abcdefghijklmnopqrstuvwxyz0123456789',
    ])
      assert.ok(!text.includes(s), `kept ${s}`);
    assert.deepEqual(Object.keys(redacted.fs.stat), ['/home/u'], "no question asked of an env value's path");
    assert.equal(redacted.host.env.EDITOR, 'vim', 'what is not a credential stays');
    assert.equal(redacted.host.env.HOME, '/home/u');
  });

  it('gives one value one stand-in wherever it stood: the config and the process environment still compare equal', () => {
    const environ = new Map(
      (redacted.fs.readText['/proc/10/environ'] as string)
        .split('\0')
        .filter(Boolean)
        .map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]),
    );
    assert.equal(config.mcpServers.s.env.MEMORY_FILE_PATH, environ.get('MEMORY_FILE_PATH'));
    assert.match(environ.get('MEMORY_FILE_PATH') ?? '', /^<secret:[0-9a-f]{16}>$/);
    assert.notEqual(environ.get('MEMORY_FILE_PATH'), environ.get('API_KEY'));
    assert.equal(environ.get('HOME'), '/home/u', 'a place the engine reads stays');
    // The config's args and the process's command line are redacted by one rule, so they still match.
    const argv = (redacted.fs.readText['/proc/10/cmdline'] as string).split('\0');
    assert.deepEqual(argv.slice(1, 4), config.mcpServers.s.args);
  });

  it("keeps what an env value's data path decided under its stand-in: a replay finds the entry's data as the capture did", () => {
    const live = dataPathsOf(
      { command: 'node', args: ['/srv/server.js'], env: { MEMORY_FILE_PATH: '/data/a.json' } },
      'linux',
      (p) => record().fs.stat[p] !== undefined,
    );
    const replayed = recordedMachine(redacted).fs;
    const again = dataPathsOf(
      { command: 'node', args: ['/srv/server.js'], env: config.mcpServers.s.env },
      'linux',
      (p) => replayed.statSync(p) !== undefined,
      (v) => replayed.dataKeyOfStandIn?.(v),
    );
    assert.deepEqual(live, [{ from: 'env MEMORY_FILE_PATH', key: dataKey('/data/a.json') }]);
    assert.deepEqual(again, live);
    // Only the key is kept, and only for a value whose path was asked and there: not the API key's.
    assert.deepEqual(Object.values(redacted.dataKeys ?? {}), [dataKey('/data/a.json')]);
  });

  it("keeps MCP Lifeguard's own root when an entry sets the variable that places it: a replay finds our own folders", () => {
    const own: MachineRecord = {
      ...record(),
      host: { home: '/home/u', platform: 'linux', env: { HOME: '/home/u', MCP_LIFEGUARD_HOME: '/srv/lg' } },
      fs: { ...emptyFsRecord(), stat: { '/srv/lg': dir, '/srv': dir } },
    };
    const kept = redactRecord(own, {
      secrets: new Set(['/srv/lg']),
      declaredKeys: new Set(['MCP_LIFEGUARD_HOME']),
      configFiles: new Set(),
    });
    assert.equal(kept.host.env.MCP_LIFEGUARD_HOME, '/srv/lg');
    assert.deepEqual(Object.keys(kept.fs.stat).sort(), ['/srv', '/srv/lg']);
  });

  it('refuses a file that is not a capture, naming it and why', () => {
    assert.throws(() => parseCapture('{nope', '/tmp/x.json'), /\/tmp\/x\.json is not a capture: it is not JSON/);
    assert.throws(() => parseCapture('{"servers":[]}', '/tmp/x.json'), /it has no "format": "mcp-lifeguard-capture"/);
    assert.throws(
      () => parseCapture('{"format":"mcp-lifeguard-capture","version":2}', '/tmp/x.json'),
      /a capture of version 2; this mcp-lifeguard reads version 1/,
    );
  });

  it('replays a capture of its own kind: the described macOS machine through parseCapture and replayCapture', async () => {
    const c = macCapture();
    const capture = parseCapture(
      JSON.stringify({
        format: 'mcp-lifeguard-capture',
        version: 1,
        generator: { name: 'mcp-lifeguard', version: 'x' },
        takenAt: '2026-11-26T11:30:00.000Z',
        request: c.request,
        engine: { registry: false, docker: false },
        machine: c.record,
        snapshot: {},
      }),
      'mac.json',
    );
    const s = await replayCapture(capture);
    assert.equal(s.takenAt, '2026-11-26T11:30:00.000Z');
    assert.equal(s.servers.length, 4);
  });
});

/**
 * A snapshot as the engine gives it now, from one written when a client's user file was read again
 * as a workspace file (the busy machine's workspace folder is its home): that file's servers and
 * the file itself once, as the user's.
 */
function userFilesOnce(s: Snapshot): Snapshot {
  const user = new Set(s.files.filter((f) => f.scope !== 'workspace').map((f) => `${f.client}\0${f.file}`));
  const again = (client: string, scope: string, file: string) =>
    scope === 'workspace' && user.has(`${client}\0${file}`);
  const twice = new Set(s.files.filter((f) => again(f.client, f.scope, f.file)).map((f) => f.file));
  const said = new Set<string>();
  const gone = new Set(s.servers.filter((x) => again(x.source.client, x.source.scope, x.source.file)).map((x) => x.id));
  return {
    ...s,
    // Its problems, said twice when it was read twice, once.
    diagnostics: s.diagnostics.filter((d) => {
      if (!twice.has(d.file)) return true;
      const key = JSON.stringify(d);
      return !said.has(key) && (said.add(key), true);
    }),
    servers: s.servers.filter((x) => !again(x.source.client, x.source.scope, x.source.file)),
    // A launch its entries shared with their copies: one entry is no group.
    launchGroups: s.launchGroups
      .map((g) => ({ ...g, serverIds: g.serverIds.filter((id) => !gone.has(id)) }))
      .filter((g) => g.serverIds.length > 1),
    files: s.files.filter((f) => !again(f.client, f.scope, f.file)),
  };
}

/**
 * The replay without the files of sources added since the capture was taken that are missing on the
 * captured machine (a client's config it never had): the capture's snapshot could not list them.
 */
function withoutFilesAddedSince(replayed: Snapshot, stored: Snapshot): Snapshot {
  const listed = new Set(stored.files.map((f) => `${f.client}\0${f.file}`));
  return {
    ...replayed,
    files: replayed.files.filter((f) => f.state !== 'missing' || listed.has(`${f.client}\0${f.file}`)),
  };
}

/** The snapshot without the names of a shared server's clients. */
const unnamedClients = (s: unknown): unknown =>
  JSON.parse(JSON.stringify(s), (key, value: unknown) => (key === 'clientName' ? undefined : value));

describe('capture: the busy machine, captured on Linux at each stage, replayed', () => {
  const stored = storedCaptures().filter((c) => c.name.startsWith('linux-busy-'));

  it("an orphan of a server its client's user file configures is listed once, under that entry: the home opened as a workspace is not a second config", async () => {
    for (const { name, capture } of stored.filter((c) => c.name !== 'linux-busy-1-running')) {
      const replayed = await replayCapture(capture);
      const under = replayed.servers.filter((s) => s.instances.some((i) => i.pid === 28656));
      assert.deepEqual(
        under.map((s) => `${s.source.client}:${s.source.scope}:${s.name}`),
        ['cursor:user:py-notes'],
        name,
      );
      // The shared server's client, named as the process table shows it (its relay sent no initialize).
      const attached = [...replayed.servers, ...replayed.notConfigured]
        .flatMap((s) => ('instances' in s ? s.instances : [s]))
        .flatMap((i) => i.lock?.attached ?? []);
      assert.ok(attached.length > 0, name);
      assert.deepEqual([...new Set(attached.map((a) => a.clientName))], ['Claude Desktop'], name);
      assert.deepEqual(
        replayed.servers
          .filter((s) => s.source.client === 'cursor' && s.source.scope === 'workspace')
          .map((s) => s.name),
        [],
        name,
      );
    }
  });

  it('holds a capture of each of the five stages', () => {
    assert.deepEqual(
      stored.map((c) => c.name),
      [
        'linux-busy-1-running',
        'linux-busy-2-orphans',
        'linux-busy-3-upgraded',
        'linux-busy-4-pnpm-relinked',
        'linux-busy-5-pnpm-upgraded',
      ],
    );
  });

  for (const { name, capture } of stored) {
    it(`${name}: the replay is the snapshot the capture holds, its counts as the stage's`, async () => {
      const replayed = await replayCapture(capture);
      // A shared server's clients are named from the process table now (asserted below), where the capture has none.
      assert.deepEqual(
        unnamedClients(sameDigests(withoutFilesAddedSince(replayed, capture.snapshot))),
        unnamedClients(sameDigests(userFilesOnce(capture.snapshot))),
      );
      // What the reliability test checked on the live machine at this stage: five duplicates (the
      // five processes on one memory file, memory-local's second copy among them), and an orphan once Cursor died.
      const c = counts(toViewInput(replayed));
      assert.equal(c.duplicate, 5, name);
      assert.equal(c.orphan, name === 'linux-busy-1-running' ? 0 : 1, name);
      const upgraded = !name.startsWith('linux-busy-1') && !name.startsWith('linux-busy-2');
      const staleOf = (entry: string) =>
        replayed.servers
          .filter((s) => s.name === entry)
          .flatMap((s) => s.instances.map((i) => i.versions?.verdict.state));
      assert.deepEqual(new Set(staleOf('memory-local')), new Set([upgraded ? 'stale' : 'current']), name);
    });
  }
});
