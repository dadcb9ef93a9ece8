import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client as Client2, StreamableHTTPClientTransport as Transport2 } from '@modelcontextprotocol/client';
import { Client as Client1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as Transport1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Snapshot } from '../../../src/core/base/model';
import type { LockRecord } from '../../../src/core/locks';
import { controlStatus } from '../../../src/core/control';
import { lifeguardPaths } from '../../../src/core/base/paths';
import { RunningHttpGuard, startHttpGuard } from '../../../src/guard/http/startHttpGuard';
import { freePort } from '../../../src/guard/http/upstream';
import { spawn } from 'node:child_process';
import { processStartTime } from '../../../src/core/locks';
import { cliPath, fixturesDir, repoRoot } from '../../support/repo';
import { until } from '../../support/poll';
import { killAndWait } from '../../support/liveness';
import { runCli, runCliAnswer } from '../guard/support';
import { healthReport, healthText } from '../../../src/agent/health';
import { toViewInput } from '../../../src/core/report/input';
import {
  everythingCommand,
  everythingGuardOptions,
  killMentioning,
  liveGuardOf,
  shortTempDir,
  spawnCollect,
  stopEnsuredGuard,
} from './support';

const modernHttp = { command: process.execPath, args: [path.join(fixturesDir, 'eras', 'modern-http', 'server.mjs')] };

/** One client of either SDK generation: something to call, and a way to leave. */
interface AnyClient {
  name: string;
  call(): Promise<void>;
  /** Ends the client's session (DELETE) where it has one, then closes. */
  leave(): Promise<void>;
  close(): Promise<void>;
}

async function client1(url: string, name: string): Promise<AnyClient> {
  const transport = new Transport1(new URL(url));
  const client = new Client1({ name, version: '1.0.0' });
  await client.connect(transport);
  return {
    name,
    call: async () => void (await client.listTools(undefined, { timeout: 30_000 })),
    leave: async () => {
      await transport.terminateSession();
      await client.close();
    },
    close: () => client.close(),
  };
}

async function client2(url: string, name: string, mode: 'legacy' | 'auto'): Promise<AnyClient> {
  const transport = new Transport2(new URL(url));
  const client = new Client2(
    { name, version: '1.0.0' },
    mode === 'auto' ? { versionNegotiation: { mode: 'auto' as const } } : {},
  );
  await client.connect(transport);
  return {
    name,
    call: async () => void (await client.listTools()),
    leave: async () => {
      await transport.terminateSession();
      await client.close();
    },
    close: () => client.close(),
  };
}

/**
 * An HTTP server started with `ensure --http` serves several clients from one process: its guard
 * lists them in its lock record (`attached`), and `status` (text and --json) says which use it,
 * as for a server shared with `run --on-conflict share`.
 */
describe('ensure --http: the clients of one HTTP server, in status', function () {
  this.timeout(240_000);
  let home: string;
  let port: number;
  let env: NodeJS.ProcessEnv;
  const clients: AnyClient[] = [];

  before(function () {
    if (process.platform !== 'linux') this.skip();
    assert.ok(fs.existsSync(cliPath), `${cliPath} is built (npm run build)`);
  });

  beforeEach(async () => {
    home = shortTempDir();
    port = await freePort();
    env = { ...process.env, MCP_LIFEGUARD_HOME: home };
    // The entry every client would have: Claude Code's user scope, an HTTP server at the port.
    fs.writeFileSync(
      path.join(home, '.claude.json'),
      JSON.stringify({ mcpServers: { web: { type: 'http', url: url() } } }),
    );
  });

  afterEach(async () => {
    for (const c of clients.splice(0)) await c.close().catch(() => undefined);
    await stopEnsuredGuard(home);
    await killMentioning(home);
    fs.rmSync(home, { recursive: true, force: true });
  });

  const url = () => `http://127.0.0.1:${port}/mcp`;

  async function ensure(server: { command: string; args: string[] }): Promise<void> {
    const run = spawnCollect(
      process.execPath,
      [
        cliPath,
        'ensure',
        '--http',
        '--listen',
        `127.0.0.1:${port}`,
        '--stop-grace',
        '2',
        '--',
        server.command,
        ...server.args,
      ],
      { env, cwd: home },
    );
    assert.equal(await run.exited, 0, run.output());
  }

  /** The guard's record once its `attached` names exactly `names` (in any order). */
  async function attachedAre(names: string[]): Promise<NonNullable<LockRecord['attached']>> {
    let seen: LockRecord['attached'];
    const record = await until(
      () => `attached to be ${names.join(', ')}: ${JSON.stringify(seen)}`,
      async () => {
        const r = await liveGuardOf(home);
        seen = r?.attached;
        const got = (r?.attached ?? []).map((c) => c.clientName ?? '?').sort();
        return JSON.stringify(got) === JSON.stringify([...names].sort()) ? r : undefined;
      },
      30_000,
    );
    return record.attached!;
  }

  async function statusJson(): Promise<Snapshot> {
    const out = await runCliAnswer(home, ['status', '--json']);
    assert.equal(out.code, 0, out.stderr);
    return JSON.parse(out.stdout) as Snapshot;
  }

  it('three 2025 clients (SDK 1.x and 2.x) of a server with sessions: listed with their names and pid; one that ends its session drops out', async () => {
    await ensure(everythingCommand());
    clients.push(await client1(url(), 'claude-code'));
    clients.push(await client2(url(), 'cursor', 'legacy'));
    clients.push(await client1(url(), 'vscode'));
    for (const c of clients) await c.call();

    const attached = await attachedAre(['claude-code', 'cursor', 'vscode']);
    // Every client runs in this test's process: its pid is the one found at the other end of each connection.
    await until('each client pid to be found', async () =>
      ((await liveGuardOf(home))?.attached ?? []).every((c) => c.pid === process.pid) ? true : undefined,
    );
    assert.deepEqual(
      attached.map((c) => c.clientName),
      ['claude-code', 'cursor', 'vscode'],
      'oldest first',
    );

    const snap = await statusJson();
    const web = snap.servers.find((s) => s.name === 'web')!;
    assert.equal(web.instances.length, 1, JSON.stringify(web.instances.map((i) => i.commandLine)));
    const [instance] = web.instances;
    assert.deepEqual(
      instance.lock?.attached?.map((c) => [c.clientName, c.pid]),
      // Named by what each sent (the test's own process is no client), as the product names that client.
      [
        ['Claude Code', process.pid],
        ['Cursor', process.pid],
        ['VS Code', process.pid],
      ],
    );
    const text = (await runCliAnswer(home, ['status'])).stdout;
    assert.match(text, /shared by 3 clients \(Claude Code, Cursor, VS Code\)/);
    // The agent's list_servers says the same.
    const health = healthReport(toViewInput(snap));
    assert.deepEqual(health.servers.find((s) => s.name === 'web')?.instances[0].shared, {
      clients: ['Claude Code', 'Cursor', 'VS Code'].map((name) => ({ pid: process.pid, name })),
    });
    assert.match(healthText(health), /shared by 3 clients: "Claude Code", "Cursor", "VS Code"/);
    // `status` asked the server its version (a session it deleted): never a client.
    assert.ok(!(await liveGuardOf(home))!.attached!.some((c) => c.clientName === 'mcp-lifeguard'));

    // The 2.x client ends its session: it drops out; the others stay.
    await clients.splice(1, 1)[0].leave();
    await attachedAre(['claude-code', 'vscode']);
    const after = (await statusJson()).servers.find((s) => s.name === 'web')!.instances[0];
    assert.deepEqual(
      after.lock?.attached?.map((c) => c.clientName),
      ['Claude Code', 'VS Code'],
    );
    assert.match((await runCliAnswer(home, ['status'])).stdout, /shared by 2 clients \(Claude Code, VS Code\)/);
    assert.match((await runCli(home, ['locks'])).stdout, /shared by 2 clients \(Claude Code, VS Code\)/);
  });

  it('a client in a process of its own: its pid and start time are that process', async () => {
    await ensure(everythingCommand());
    // SDK 1.x in a child process: connects, lists tools, and stays until its stdin closes.
    const script = [
      "const { Client } = require('@modelcontextprotocol/sdk/client/index.js');",
      "const { StreamableHTTPClientTransport } = require('@modelcontextprotocol/sdk/client/streamableHttp.js');",
      '(async () => {',
      "  const client = new Client({ name: 'windsurf', version: '1.0.0' });",
      `  await client.connect(new StreamableHTTPClientTransport(new URL(${JSON.stringify(url())})));`,
      '  await client.listTools();',
      "  process.stdout.write('ready\\n');",
      "  process.stdin.on('end', () => client.close().then(() => process.exit(0)));",
      '  process.stdin.resume();',
      '})();',
    ].join('\n');
    const child = spawn(process.execPath, ['-e', script], { cwd: repoRoot, stdio: ['pipe', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
        child.once('exit', (code) => reject(new Error(`the client exited (${code})`)));
      });
      await attachedAre(['windsurf']);
      const [entry] = await until('the client pid', async () => {
        const attached = (await liveGuardOf(home))?.attached ?? [];
        return attached[0]?.pid !== undefined ? attached : undefined;
      });
      assert.equal(entry.pid, child.pid);
      assert.equal(entry.startTime, await processStartTime(child.pid!));
    } finally {
      child.stdin.end();
      await killAndWait(child.pid);
    }
  });

  it('both eras on a server that serves both: a 2026-07-28 client (no session) and 2025 clients of 1.x and 2.x, each by name', async () => {
    await ensure(modernHttp);
    clients.push(await client2(url(), 'zed', 'auto'));
    clients.push(await client1(url(), 'claude-code'));
    clients.push(await client2(url(), 'cursor', 'legacy'));
    for (const c of clients) await c.call();
    await attachedAre(['claude-code', 'cursor', 'zed']);
    // The guard finds each client's pid at the other end of its connection after it is attached.
    await until('each client pid to be found', async () =>
      ((await liveGuardOf(home))?.attached ?? []).every((c) => c.pid === process.pid) ? true : undefined,
    );
    // A modern client counts from its first request past `server/discover`: the order is of first use.
    const snap = await statusJson();
    const [instance] = snap.servers.find((s) => s.name === 'web')!.instances;
    const listed = instance.lock?.attached ?? [];
    assert.deepEqual(listed.map((c) => c.clientName).sort(), ['Claude Code', 'Cursor', 'Zed']);
    assert.ok(
      listed.every((c) => c.pid === process.pid),
      JSON.stringify(listed),
    );
    const names = listed.map((c) => c.clientName).join(', ');
    assert.match((await runCliAnswer(home, ['status'])).stdout, new RegExp(`shared by 3 clients \\(${names}\\)`));
  });

  it('a session-less client that stopped sending drops out once idle; a client whose process is not found is listed without a pid', async () => {
    // In this process: the guard's own pid is never a client's, so the client's process stays unknown.
    const paths = lifeguardPaths({ home, platform: process.platform, env: { MCP_LIFEGUARD_HOME: home } });
    const started = await startHttpGuard({
      ...everythingGuardOptions(
        { home, identity: { serverName: 'web', resourceKey: 'idle' }, paths, port },
        { limits: { clientIdleMs: 1500 } },
      ),
      launch: { ...modernHttp, cwd: home, env: { ...process.env } },
    });
    assert.equal(started.kind, 'running', JSON.stringify(started));
    const guard = (started as { guard: RunningHttpGuard }).guard;
    try {
      const zed = await client2(url(), 'zed', 'auto');
      clients.push(zed);
      await zed.call();
      const [entry] = await attachedAre(['zed']);
      assert.deepEqual(entry, { clientName: 'zed' });
      const status = await controlStatus((await liveGuardOf(home))!.control!);
      assert.ok(status.ok);
      assert.deepEqual(status.result.attached, [{ clientName: 'zed' }]);
      await clients.splice(0)[0].close();
      await attachedAre([]);
    } finally {
      await guard.shutdown('test over');
    }
  });
});
