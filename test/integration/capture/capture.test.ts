import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Snapshot } from '../../../src/core/base/model';
import type { Capture } from '../../../src/core/capture/capture';
import { counts } from '../../../src/core/report/state';
import { statusJson } from '../../../src/cli/format/status';
import { toViewInput } from '../../../src/core/report/input';
import { sleep } from '../../support/poll';
import { pastQuietPeriod, testSettleEnv } from '../../support/settle';
import { sameDigests } from '../../support/snapshots';
import { CliResult, sharedCliWorker } from '../../support/cliWorker';
import { cliPath } from '../../support/repo';
import {
  BASE_PATH,
  BusyMachine,
  installMemory,
  MemoryRelease,
  NEW_RELEASE,
  readTable,
  upgradeMemory,
} from '../../reliability/busy/machine';

/**
 * `mcp-lifeguard capture` on this machine, with real processes: a VS Code and a Cursor (fake
 * clients named like them) running a project's server-memory bin under two entries of one command
 * with other data (MEMORY_FILE_PATH), one of them configured in both clients, and a script given a
 * token on its command line. `status --replay` takes the same snapshot again from the capture, which
 * holds none of the configs' secrets.
 */
describe('capture and replay: this machine taken again from what one snapshot read', function () {
  this.timeout(120_000);
  let m: BusyMachine;
  let project: string;
  const SECRETS = [
    'sk-capturetest0123456789abcdef',
    'tok-secret-value-42',
    '/srv/data/memory-a.json',
    '/srv/data/memory-b.json',
  ];

  const env = (): Record<string, string> => ({
    PATH: BASE_PATH,
    HOME: m.home,
    LANG: 'C.UTF-8',
    MCP_LIFEGUARD_HOME: path.join(m.home, '.lifeguard'),
    MCP_LIFEGUARD_UPDATE_CHECK: '0',
    ...testSettleEnv,
  });

  /** `node dist/cli.js ARGS` in the machine's home: for the CLI's own exit and message on a bad file. */
  function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        [cliPath, ...args],
        { cwd: m.home, env: env(), maxBuffer: 64 * 1024 * 1024 },
        (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
  }

  /** The same command, environment and folder on the CLI worker: for what a capture and a replay hold. */
  const answer = (args: string[]): Promise<CliResult> => sharedCliWorker().run(args, env(), m.home);

  async function captureNow(name: string): Promise<{ file: string; capture: Capture }> {
    const file = path.join(m.root, `${name}.json`);
    const r = await answer(['capture', '--out', file]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /wrote .* env values and secrets are replaced by stand-ins/);
    return { file, capture: JSON.parse(fs.readFileSync(file, 'utf8')) as Capture };
  }

  async function replay(file: string): Promise<Snapshot> {
    const r = await answer(['status', '--json', '--replay', file]);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as Snapshot;
  }

  /** The capture's snapshot as `status --json` prints it. */
  const asStatusJson = (s: Snapshot) => JSON.parse(statusJson(s, 0)) as Snapshot;

  /** What a person reads of a snapshot: each entry's instances, their clients and verdicts, and the counts. */
  function reading(s: Snapshot) {
    const own = new Set([...readTable(m.run).values()].filter((p) => p.role).map((p) => p.pid));
    return {
      servers: s.servers.map((x) => ({
        name: x.name,
        client: x.source.client,
        instances: x.instances.map((i) => ({
          pid: i.pid,
          client: i.client.id,
          verdicts: i.verdicts.map((v) => v.kind),
          version: i.versions?.verdict.state,
        })),
      })),
      // Only this test's own processes: other tests' servers start and end between two looks.
      notConfigured: s.notConfigured
        .map((i) => i.pid)
        .filter((pid) => own.has(pid))
        .sort(),
      counts: counts(toViewInput(s)),
    };
  }

  before(async () => {
    m = new BusyMachine('lg-capture-');
    project = m.dir('project');
    const bin = installMemory(project, 'stub', NEW_RELEASE);
    const script = path.join(m.dir('tools'), 'server.js');
    fs.writeFileSync(script, fs.readFileSync(bin, 'utf8'));
    const [a, b] = ['memory-a', 'memory-b'].map((name) => ({
      command: bin,
      env: { MEMORY_FILE_PATH: `/srv/data/${name}.json`, ...(name === 'memory-a' ? { API_KEY: SECRETS[0] } : {}) },
    }));
    const tool = { command: 'node', args: [script, '--token', SECRETS[1]] };
    const write = (file: string, json: unknown) => {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, JSON.stringify(json, null, 2));
    };
    write(path.join(m.home, '.config', 'Code', 'User', 'mcp.json'), {
      servers: { 'memory-a': a, 'memory-b': b, tool },
    });
    write(path.join(m.home, '.cursor', 'mcp.json'), { mcpServers: { 'memory-a': a } });
    const launch = (
      label: string,
      n: number,
      l: { command: string; args?: string[]; env?: Record<string, string> },
    ) => ({
      role: { kind: 'own' as const, label, n },
      command: l.command,
      args: l.args ?? [],
      cwd: m.home,
      ...(l.env ? { env: l.env } : {}),
      main: (argv: readonly string[]) =>
        argv.some((x) => x.endsWith('index.js') || x.endsWith('mcp-server-memory') || x === script),
    });
    await m.startClient('code', [launch('memory-a', 0, a), launch('memory-b', 0, b), launch('tool', 0, tool)]);
    await m.startClient('cursor', [launch('memory-a', 1, a)]);
    await m.allMainsUp(60_000);
    // Past the settling window of the files just written, and of the clients' start-up: with only the
    // short quiet period waited, a process seen at the capture as not configured was gone at the
    // live look (2 runs in 3, on a shared machine); what it is is not known yet.
    await sleep(4500);
  });

  after(async () => {
    if (m) await m.cleanUp();
  });

  it("gives the capture's own snapshot again, which reads as the live one right after it", async () => {
    const { file, capture } = await captureNow('running');
    const replayed = await replay(file);
    assert.deepEqual(sameDigests(replayed), sameDigests(asStatusJson(capture.snapshot)));
    const live = await answer(['status', '--json']);
    assert.equal(live.code, 0, live.stderr);
    assert.deepEqual(reading(replayed), reading(JSON.parse(live.stdout) as Snapshot));
    // What it shows: the two entries of one command told apart by their data, Cursor's copy of one of them its own.
    const r = reading(replayed);
    const entry = (name: string, client: string) => r.servers.find((s) => s.name === name && s.client === client);
    assert.equal(entry('memory-a', 'vscode')?.instances.length, 1, JSON.stringify(r));
    assert.equal(entry('memory-b', 'vscode')?.instances.length, 1, JSON.stringify(r));
    assert.notEqual(entry('memory-a', 'vscode')?.instances[0].pid, entry('memory-b', 'vscode')?.instances[0].pid);
    assert.equal(entry('tool', 'vscode')?.instances.length, 1, JSON.stringify(r));
  });

  it("holds none of the configs' secrets: env values and tokens are stand-ins, equal where the values were", async () => {
    const { file, capture } = await captureNow('secrets');
    const text = fs.readFileSync(file, 'utf8');
    for (const secret of SECRETS) assert.ok(!text.includes(secret), `the capture holds ${secret}`);
    assert.equal((fs.statSync(file).mode & 0o777).toString(8), '600');
    // The VS Code and Cursor entries of memory-a carry one stand-in for its data file; memory-b another.
    const standIns = (f: string) => [...(fs.readFileSync(f, 'utf8').match(/<secret:[0-9a-f]{16}>/g) ?? [])];
    assert.ok(standIns(file).length > 0);
    const configOf = (client: string) => {
      const p = Object.keys(capture.machine.fs.readBytes).find((f) => f.includes(client));
      const a = p && Object.values(capture.machine.fs.readBytes[p])[0];
      return typeof a === 'string' ? Buffer.from(a, 'base64').toString('utf8') : '';
    };
    const code = JSON.parse(configOf(path.join('Code', 'User'))) as {
      servers: Record<string, { env: Record<string, string> }>;
    };
    const cursor = JSON.parse(configOf('.cursor')) as { mcpServers: Record<string, { env: Record<string, string> }> };
    assert.equal(code.servers['memory-a'].env.MEMORY_FILE_PATH, cursor.mcpServers['memory-a'].env.MEMORY_FILE_PATH);
    assert.notEqual(code.servers['memory-a'].env.MEMORY_FILE_PATH, code.servers['memory-b'].env.MEMORY_FILE_PATH);
    assert.match(code.servers['memory-a'].env.MEMORY_FILE_PATH, /^<secret:[0-9a-f]{16}>$/);
  });

  it('after an upgrade under the running servers, the replay of a new capture says stale as the live snapshot does', async () => {
    const next: MemoryRelease = { version: '2026.9.1', pkg: m.dir('release-next') };
    const pkg = JSON.parse(fs.readFileSync(path.join(NEW_RELEASE.pkg, 'package.json'), 'utf8')) as { version: string };
    fs.writeFileSync(path.join(next.pkg, 'package.json'), JSON.stringify({ ...pkg, version: next.version }));
    upgradeMemory(project, 'stub', next);
    await pastQuietPeriod(Date.now());
    const { file, capture } = await captureNow('upgraded');
    const replayed = await replay(file);
    assert.deepEqual(sameDigests(replayed), sameDigests(asStatusJson(capture.snapshot)));
    const stale = replayed.servers.filter((s) => s.name.startsWith('memory-')).flatMap((s) => s.instances);
    assert.ok(stale.length >= 3);
    for (const i of stale) assert.equal(i.versions?.verdict.state, 'stale', JSON.stringify(i.versions));
  });

  it('refuses a file that is not a capture, naming it and why', async () => {
    const file = path.join(m.root, 'not-a-capture.json');
    fs.writeFileSync(file, '{"servers": []}');
    const r = await cli(['status', '--replay', file]);
    assert.equal(r.code, 2);
    assert.match(
      r.stderr,
      new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not a capture: it has no "format"`),
    );
  });
});
