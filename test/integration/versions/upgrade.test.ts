import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { Instance, Snapshot } from '../../../src/core/base/model';
import { controlStatus } from '../../../src/core/control';
import { listLocks } from '../../../src/core/locks';
import { cliPath } from '../../support/repo';
import { listenOn } from '../../support/startup';
import { until } from '../../support/poll';
import { isAlive } from '../../support/liveness';
import { testSettleEnv } from '../../support/settle';
import { globalAndApp, MEM, npmEnv, npxPinnedMemoryCache, tempDir } from './support';

const OLD = '2026.7.4';
const NEW = '2026.8.31';
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** An npm registry on 127.0.0.1 for the version check only: its `latest` of every package is NEW. */
async function latestIsNew(): Promise<{ url: string; asked: string[]; close(): Promise<void> }> {
  const asked: string[] = [];
  const server = http.createServer((req, res) => {
    asked.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ 'dist-tags': { latest: NEW }, versions: { [OLD]: {}, [NEW]: {} } }));
  });
  const port = await listenOn(server);
  return { url: `http://127.0.0.1:${port}/`, asked, close: () => new Promise((r) => server.close(() => r())) };
}

/**
 * Upgrade and Roll back for real with npm: server-memory 2026.7.4 installed globally into a prefix
 * and into a project, each guarded and configured in Cursor, each with a real SDK client. Upgrade
 * installs the newer version the way it was installed (the registry's `latest`, asked of a local
 * registry), then restarts only the guard whose server runs the old code, the client keeping its
 * session; Roll back installs what the upgrade replaced and restarts it again. A pinned npx entry
 * has its pin rewritten in every client's file, and back.
 */
describe('upgrade and rollback (real npm): install the way it was installed, restart only what ran the old version', function () {
  this.timeout(600_000);
  let root = '';
  let home = '';
  const sessions: Array<{ client: Client; transport: StdioClientTransport }> = [];
  after(async () => {
    for (const s of sessions) {
      const pid = s.transport.pid;
      await s.client.close().catch(() => undefined);
      if (pid && isAlive(pid)) process.kill(pid, 'SIGKILL');
    }
    if (home)
      await until(
        'every guard of the test home gone',
        async () => (await listLocks(path.join(home, '.lifeguard', 'locks'))).every((l) => l.state !== 'live'),
        30_000,
      ).catch(() => undefined);
  });

  // The tests' quiet period (support/settle.ts) for the CLI and the guards: an upgrade's or a roll
  // back's look after its install waits half a second for the files to settle, not four, and takes
  // a fraction of the snapshots while it waits.
  const baseEnv = () => ({
    ...(npmEnv(root) as Record<string, string>),
    HOME: home,
    MCP_LIFEGUARD_HOME: path.join(home, '.lifeguard'),
    ...testSettleEnv,
  });

  function lifeguard(
    args: string[],
    env: Record<string, string> = {},
  ): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) =>
      execFile(
        process.execPath,
        [cliPath, ...args],
        { cwd: root, env: { ...baseEnv(), ...env }, maxBuffer: 32 << 20 },
        (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      ),
    );
  }

  async function connect(args: string[], env: Record<string, string>) {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args,
      env: { ...baseEnv(), ...env },
      cwd: home,
      stderr: 'pipe',
    });
    transport.stderr?.on('data', () => undefined);
    const client = new Client({ name: 'upgrade-test', version: '1.0.0' });
    await client.connect(transport);
    sessions.push({ client, transport });
    return client;
  }

  /** The server pid each live guard of the test home runs, by its --name. */
  async function childPids(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const l of await listLocks(path.join(home, '.lifeguard', 'locks'))) {
      if (l.state !== 'live' || !l.record.control) continue;
      const s = await controlStatus(l.record.control, { timeoutMs: 5000 });
      if (s.ok && s.result.childPid) out[l.record.serverName] = s.result.childPid;
    }
    return out;
  }

  async function status(): Promise<Snapshot> {
    const r = await lifeguard(['status', '--json'], { MCP_LIFEGUARD_UPDATE_CHECK: '0' });
    return JSON.parse(r.stdout) as Snapshot;
  }

  function only(s: Snapshot, name: string): Instance {
    const list = s.servers.filter((x) => x.name === name).flatMap((x) => x.instances);
    assert.deepEqual(
      list.map((i) => i.pid),
      [list[0]?.pid],
      `${name}: one instance`,
    );
    return list[0];
  }

  function runsCurrent(i: Instance, version: string, when: string) {
    assert.equal(i.versions?.verdict.state, 'current', `${when}: ${JSON.stringify(i.versions?.verdict)}`);
    const inst = i.versions?.installed;
    assert.equal(inst?.state === 'installed' && inst.version, version, `${when}: ${inst?.state}`);
  }

  it('npm -g and a project: upgrade restarts only its own guard (the session kept); rollback undoes it', async () => {
    root = tempDir('lg-upgrade-npm-');
    home = path.join(root, 'home');
    fs.mkdirSync(home);
    const globalPrefix = path.join(root, 'global');
    const app = path.join(root, 'app');
    await globalAndApp(root, OLD, OLD);
    const entries = {
      memory: {
        args: [cliPath, 'run', '--name', 'memory', '--', path.join(globalPrefix, 'bin', 'mcp-server-memory')],
        env: { MEMORY_FILE_PATH: path.join(root, 'global.jsonl') },
      },
      notes: {
        args: [cliPath, 'run', '--name', 'notes', '--', path.join(app, 'node_modules', '.bin', 'mcp-server-memory')],
        env: { MEMORY_FILE_PATH: path.join(root, 'app.jsonl') },
      },
    };
    fs.mkdirSync(path.join(home, '.cursor'));
    fs.writeFileSync(
      path.join(home, '.cursor', 'mcp.json'),
      JSON.stringify({
        mcpServers: Object.fromEntries(
          Object.entries(entries).map(([k, e]) => [k, { command: process.execPath, args: e.args, env: e.env }]),
        ),
      }),
    );
    const memory = await connect(entries.memory.args, entries.memory.env);
    await connect(entries.notes.args, entries.notes.env);
    await memory.callTool({
      name: 'create_entities',
      arguments: { entities: [{ name: 'a', entityType: 't', observations: [] }] },
    });
    const first = await status();
    runsCurrent(only(first, 'memory'), OLD, 'at start');
    runsCurrent(only(first, 'notes'), OLD, 'at start');
    const before = await childPids();
    assert.ok(before.memory && before.notes, JSON.stringify(before));

    // The dry run: the registry's newer version, the command where it was installed, nothing run.
    const registry = await latestIsNew();
    try {
      const shown = await lifeguard(['upgrade', 'memory'], { MCP_LIFEGUARD_NPM_REGISTRY: registry.url });
      assert.equal(shown.code, 0, shown.stderr);
      assert.match(
        shown.stdout,
        new RegExp(`^memory: ${esc(MEM)} ${OLD} -> ${NEW} \\(npm global prefix ${esc(globalPrefix)}\\):$`, 'm'),
      );
      assert.match(shown.stdout, new RegExp(`install --global --prefix ${esc(globalPrefix)} ${esc(MEM)}@${NEW}$`, 'm'));
      assert.match(shown.stdout, /Nothing was run/);
      assert.ok(registry.asked.length > 0, 'the version came from the registry');
      runsCurrent(only(await status(), 'memory'), OLD, 'after the dry run');

      const done = await lifeguard(['upgrade', 'memory', '--yes', '--json'], {
        MCP_LIFEGUARD_NPM_REGISTRY: registry.url,
      });
      assert.equal(done.code, 0, `${done.stdout}\n${done.stderr}`);
      const report = JSON.parse(done.stdout) as {
        installed: string;
        restarts: Array<{ kind: string; guardPid: number }>;
      };
      assert.equal(report.installed, NEW);
      assert.deepEqual(
        report.restarts.map((r) => r.kind),
        ['restarted'],
        done.stdout,
      );
    } finally {
      await registry.close();
    }
    const upgraded = await childPids();
    assert.notEqual(upgraded.memory, before.memory, 'the guard of the upgraded server started a new one');
    assert.equal(upgraded.notes, before.notes, 'the other guard was not touched');
    const afterUp = await status();
    runsCurrent(only(afterUp, 'memory'), NEW, 'after upgrade');
    runsCurrent(only(afterUp, 'notes'), OLD, 'after upgrade (the project install is another)');
    // The client kept its session, and its data.
    const graph = await memory.callTool({ name: 'read_graph', arguments: {} });
    assert.match(JSON.stringify(graph.content), /"name\\?":\s*\\?"a\\?"/);

    // Roll back: what the upgrade replaced, to be installed again where it was. Shown here; run for
    // real after the project's upgrade below (the same steps: the install, then only its guard
    // restarted). Rollback's global npm command run for real: versions/rollback.test.ts.
    const plan = await lifeguard(['rollback', 'memory']);
    assert.equal(plan.code, 0, plan.stderr);
    assert.match(plan.stdout, /^memory: back to what it had before the upgrade of /m);
    assert.match(plan.stdout, new RegExp(`^ {2}${esc(MEM)} ${NEW} -> ${OLD}$`, 'm'));
    assert.match(plan.stdout, new RegExp(`install --global --prefix ${esc(globalPrefix)} ${esc(MEM)}@${OLD}`));

    // A project's npm: `npm install` in its folder; only its guard restarts.
    const proj = await lifeguard(['upgrade', 'notes', '--to', NEW, '--yes'], { MCP_LIFEGUARD_UPDATE_CHECK: '0' });
    assert.equal(proj.code, 0, `${proj.stdout}\n${proj.stderr}`);
    assert.match(proj.stdout, new RegExp(`^notes: ${esc(MEM)} ${OLD} -> ${NEW} \\(npm project ${esc(app)}\\):$`, 'm'));
    assert.match(proj.stdout, new RegExp(`^ {2}cd ${esc(app)} && \\S*npm install ${esc(MEM)}@${NEW}$`, 'm'));
    const projUp = await childPids();
    assert.notEqual(projUp.notes, before.notes);
    assert.equal(projUp.memory, upgraded.memory, 'the global one was not touched');
    runsCurrent(only(await status(), 'notes'), NEW, 'after the project upgrade');
    assert.equal(
      (
        JSON.parse(fs.readFileSync(path.join(app, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }
      ).dependencies[MEM].replace(/^\^/, ''),
      NEW,
    );
    // Roll back what the upgrade replaced: installed again where it was, and only its guard restarted again.
    const projBack = await lifeguard(['rollback', 'notes', '--yes']);
    assert.equal(projBack.code, 0, `${projBack.stdout}\n${projBack.stderr}`);
    const projRolled = await childPids();
    assert.notEqual(projRolled.notes, projUp.notes, 'restarted onto the version rolled back to');
    assert.equal(projRolled.memory, upgraded.memory, 'the global one was not touched');
    const afterBack = await status();
    runsCurrent(only(afterBack, 'notes'), OLD, 'after the project rollback');
    runsCurrent(only(afterBack, 'memory'), NEW, 'after the project rollback (the global install is another)');
  });

  it("a pinned npx entry: the pin rewritten in every client's file (diff first), the running instance named; rollback sets it back", async () => {
    for (const x of sessions.splice(0)) {
      await x.client.close().catch(() => undefined);
    }
    root = tempDir('lg-upgrade-npx-');
    home = path.join(root, 'home');
    fs.mkdirSync(home);
    // Both pins as npx left them on a machine that ran each before (once per machine): the
    // client's npx runs the old pin, then the new one, from its cache; the subject is the rewrite.
    await npxPinnedMemoryCache(root, [OLD, NEW]);
    const npx = path.join(path.dirname(process.execPath), 'npx');
    const pinned = (v: string) => [cliPath, 'run', '--name', 'mem-npx', '--', npx, '-y', `${MEM}@${v}`];
    const env = { MEMORY_FILE_PATH: path.join(root, 'npx.jsonl') };
    const cursor = path.join(home, '.cursor', 'mcp.json');
    const windsurf = path.join(home, '.codeium', 'windsurf', 'mcp_config.json');
    fs.mkdirSync(path.dirname(cursor), { recursive: true });
    fs.mkdirSync(path.dirname(windsurf), { recursive: true });
    fs.writeFileSync(
      cursor,
      `{\n  // ours\n  "mcpServers": {\n    "mem-npx": { "command": ${JSON.stringify(process.execPath)}, "args": ${JSON.stringify(pinned(OLD))}, "env": ${JSON.stringify(env)} }\n  }\n}\n`,
    );
    fs.writeFileSync(
      windsurf,
      JSON.stringify({ mcpServers: { 'mem-npx': { command: 'npx', args: ['-y', `${MEM}@${OLD}`], env } } }, null, 2),
    );
    let client = await connect(pinned(OLD), env);
    await client.listTools();
    const first = only(await status(), 'mem-npx');
    runsCurrent(first, OLD, 'at start');

    const shown = await lifeguard(['upgrade', 'mem-npx', '--to', NEW], { MCP_LIFEGUARD_UPDATE_CHECK: '0' });
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(
      shown.stdout,
      new RegExp(`^mem-npx: ${esc(MEM)} ${OLD} -> ${NEW}: npx fetches it, so its pin changes`, 'm'),
    );
    assert.match(shown.stdout, new RegExp(`^Would rewrite mem-npx in ${esc(cursor)} \\(Cursor`, 'm'));
    assert.match(shown.stdout, new RegExp(`^Would rewrite mem-npx in ${esc(windsurf)} \\(Windsurf`, 'm'));
    assert.match(shown.stdout, new RegExp(`^\\+.*"${esc(MEM)}@${NEW}"`, 'm'));
    assert.match(shown.stdout, /Nothing was written/);
    assert.ok(fs.readFileSync(cursor, 'utf8').includes(`${MEM}@${OLD}`), 'nothing written without --yes');

    const done = await lifeguard(['upgrade', 'mem-npx', '--to', NEW, '--yes'], { MCP_LIFEGUARD_UPDATE_CHECK: '0' });
    assert.equal(done.code, 0, `${done.stdout}\n${done.stderr}`);
    for (const f of [cursor, windsurf]) {
      const text = fs.readFileSync(f, 'utf8');
      assert.ok(text.includes(`${MEM}@${NEW}`) && !text.includes(`${MEM}@${OLD}`), `${f}: ${text}`);
    }
    assert.match(fs.readFileSync(cursor, 'utf8'), /\/\/ ours/, 'the comment stays');
    assert.match(
      done.stdout,
      new RegExp(
        `^ {2}pid ${first.pid} \\(.*\\) runs ${esc(MEM)} ${OLD}: its guard would start the old entry again: restart mem-npx in `,
        'm',
      ),
    );

    // Undone while the client still runs the old pin: the pin goes back, the instance already runs
    // it (nothing to restart), and the roll back is no upgrade of its own to undo later.
    const history = path.join(home, '.lifeguard', 'state', 'upgrades.json');
    const recorded = fs.readFileSync(history, 'utf8');
    const undone = await lifeguard(['rollback', 'mem-npx', '--yes']);
    assert.equal(undone.code, 0, `${undone.stdout}\n${undone.stderr}`);
    assert.match(undone.stdout, new RegExp(`^mem-npx: ${esc(MEM)} ${NEW} -> ${OLD}: npx fetches it`, 'm'));
    for (const f of [cursor, windsurf]) assert.ok(fs.readFileSync(f, 'utf8').includes(`${MEM}@${OLD}`), f);
    assert.doesNotMatch(undone.stdout, new RegExp(`pid ${first.pid} `), 'it runs the pin it has again');
    assert.equal(fs.readFileSync(history, 'utf8'), recorded, 'the roll back is not recorded as an upgrade');
    const again = await lifeguard(['upgrade', 'mem-npx', '--to', NEW, '--yes'], { MCP_LIFEGUARD_UPDATE_CHECK: '0' });
    assert.equal(again.code, 0, `${again.stdout}\n${again.stderr}`);

    // The client starts the entry again: the new pin runs.
    await client.close();
    sessions.splice(0);
    await until('the old guard gone', async () => (await childPids())['mem-npx'] === undefined, 30_000);
    client = await connect(pinned(NEW), env);
    await client.listTools();
    runsCurrent(only(await status(), 'mem-npx'), NEW, 'started from the new pin');

    const back = await lifeguard(['rollback', 'mem-npx', '--yes']);
    assert.equal(back.code, 0, `${back.stdout}\n${back.stderr}`);
    for (const f of [cursor, windsurf]) assert.ok(fs.readFileSync(f, 'utf8').includes(`${MEM}@${OLD}`), f);
    assert.match(back.stdout, new RegExp(`runs ${esc(MEM)} ${NEW}: its guard would start the old entry again`));
  });
});
