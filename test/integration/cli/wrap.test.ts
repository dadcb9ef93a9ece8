import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as SmolToml from 'smol-toml' with { 'resolution-mode': 'import' };
import { parse as parseJsonc } from 'jsonc-parser';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { guardEnv, memoryBin, runCli, tempHome, textOf } from '../guard/support';
import { processesOfHome } from '../../support/homeProcesses';
import { until } from '../../support/poll';
import { dataKey } from '../../../src/core/sources/dataPaths';

// smol-toml's types are declared as ESM only: its CommonJS build, with its types.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { parse: parseToml } = require('smol-toml') as typeof SmolToml;

const SECRET = 'zq-not-for-anyones-eyes-4711';

interface Entry {
  command: string;
  args: string[];
  env: Record<string, string>;
}

/** The processes started for this test's home (its MCP_LIFEGUARD_HOME is in their environment): the memory servers, and the rest. */
function processesOf(home: string): { servers: number; all: number } {
  const all = processesOfHome(home);
  // The guard's processes (share host, relays) name the server after `run ... --`; the server is `node <bin>`.
  const servers = all.filter((p) => p.cmdline.includes('mcp-server-memory') && !p.cmdline.includes('\0run\0'));
  return { servers: servers.length, all: all.length };
}

/**
 * `wrap SERVER --share` and `unwrap` through the built CLI, on a home with three clients' real
 * config files (Claude Desktop's JSON, Cursor's JSON with comments, Codex's TOML), each with the
 * same memory server and an env secret; then real SDK clients started from each rewritten entry.
 */
describe('CLI: wrap --share and unwrap rewrite every client entry of a server (built CLI, real SDK clients)', function () {
  this.timeout(180_000);
  let home: string;
  const clients: Client[] = [];
  let files: { claude: string; cursor: string; codex: string };
  let originals: Record<string, string>;

  beforeEach(() => {
    home = tempHome();
    files = {
      claude: path.join(home, '.config', 'Claude', 'claude_desktop_config.json'),
      cursor: path.join(home, '.cursor', 'mcp.json'),
      codex: path.join(home, '.codex', 'config.toml'),
    };
    for (const f of Object.values(files)) fs.mkdirSync(path.dirname(f), { recursive: true });
    const memoryFile = path.join(home, 'memory.jsonl');
    const env = { MEMORY_FILE_PATH: memoryFile, API_KEY: SECRET };
    fs.writeFileSync(
      files.claude,
      `${JSON.stringify({ mcpServers: { memory: { command: memoryBin, args: [], env } } }, null, 2)}\n`,
    );
    fs.chmodSync(files.claude, 0o600);
    fs.writeFileSync(
      files.cursor,
      [
        '{',
        '  // Cursor: kept as written',
        '  "mcpServers": {',
        `    "memory": { "command": ${JSON.stringify(memoryBin)}, "args": [], "env": ${JSON.stringify(env)} } // the memory`,
        '  }',
        '}',
        '',
      ].join('\n'),
    );
    fs.writeFileSync(
      files.codex,
      [
        '# Codex: kept as written',
        '[mcp_servers.memory]',
        `command = ${JSON.stringify(memoryBin)} # the memory`,
        'args = []',
        '',
        '[mcp_servers.memory.env]',
        `MEMORY_FILE_PATH = ${JSON.stringify(memoryFile)}`,
        `API_KEY = "${SECRET}"`,
        '',
      ].join('\n'),
    );
    originals = Object.fromEntries(Object.values(files).map((f) => [f, fs.readFileSync(f, 'utf8')]));
  });

  afterEach(async () => {
    for (const c of clients.splice(0)) await c.close().catch(() => undefined);
    await until('no process of the test left', () => processesOf(home).all === 0, 30_000);
    fs.rmSync(home, { recursive: true, force: true });
  });

  function entries(): Record<keyof typeof files, Entry> {
    const json = (f: string) =>
      (parseJsonc(fs.readFileSync(f, 'utf8')) as { mcpServers: { memory: Entry } }).mcpServers.memory;
    const toml = parseToml(fs.readFileSync(files.codex, 'utf8')) as unknown as { mcp_servers: { memory: Entry } };
    return { claude: json(files.claude), cursor: json(files.cursor), codex: toml.mcp_servers.memory };
  }

  /** A real SDK client started as a client would start the entry: its command, args and env. */
  async function connect(e: Entry, name: string): Promise<Client> {
    const transport = new StdioClientTransport({
      command: e.command,
      args: e.args,
      env: { ...guardEnv(home), HOME: home, ...e.env },
      cwd: home,
      stderr: 'pipe',
    });
    const client = new Client({ name, version: '1.0.0' });
    await client.connect(transport);
    clients.push(client);
    return client;
  }

  it('prints each diff with no secret and writes nothing; with --yes writes all three (comments, mode kept) and the clients share ONE server; unwrap gives back every file byte for byte', async () => {
    const dry = await runCli(home, ['wrap', 'memory', '--share']);
    assert.equal(dry.code, 0, dry.stdout + dry.stderr);
    assert.equal((dry.stdout.match(/^Would rewrite memory in /gm) ?? []).length, 3, dry.stdout);
    for (const f of Object.values(files)) assert.ok(dry.stdout.includes(`--- ${f}`), `a diff of ${f}`);
    assert.match(dry.stdout, /^\+.*"args": \["run", "--home", "[^"]+", "--on-conflict", "share", /m);
    // The guard's lock keyed by the memory file the entries name, as its digest (never the env value).
    assert.match(
      dry.stdout,
      /^\+args = \["run", "--home", ".*", "--on-conflict", "share", "--name", "memory", "--resource=data:[0-9a-f]{16}", "--", /m,
    );
    assert.match(dry.stdout, /API_KEY.*<redacted>/);
    assert.ok(!(dry.stdout + dry.stderr).includes(SECRET), 'the secret is never printed');
    assert.ok(!(dry.stdout + dry.stderr).includes(path.join(home, 'memory.jsonl')), 'nor the data path env names');
    assert.match(dry.stdout, /The guard is not installed at .*--install-guard/);
    assert.match(dry.stdout, /Nothing was written/);
    for (const f of Object.values(files)) assert.equal(fs.readFileSync(f, 'utf8'), originals[f], `${f} untouched`);

    const json = await runCli(home, ['wrap', 'memory', '--share', '--json']);
    assert.equal(json.code, 0);
    const plan = JSON.parse(json.stdout);
    assert.equal(plan.dryRun, true);
    assert.equal(plan.files.length, 3);
    assert.ok(!json.stdout.includes(SECRET));

    const refused = await runCli(home, ['wrap', 'memory', '--share', '--yes']);
    assert.equal(refused.code, 1, 'no guard installed, none asked for: refused');
    assert.match(refused.stderr, /not installed .*nothing was written/);
    for (const f of Object.values(files)) assert.equal(fs.readFileSync(f, 'utf8'), originals[f]);

    const wrote = await runCli(home, ['wrap', 'memory', '--share', '--yes', '--install-guard']);
    assert.equal(wrote.code, 0, wrote.stdout + wrote.stderr);
    assert.equal((wrote.stdout.match(/^Rewrote memory in /gm) ?? []).length, 3, wrote.stdout);
    assert.ok(!(wrote.stdout + wrote.stderr).includes(SECRET));
    const launcher = path.join(home, 'bin', 'mcp-lifeguard');
    assert.ok(fs.existsSync(launcher), 'the guard is installed where the entries point');
    assert.match(fs.readFileSync(files.cursor, 'utf8'), /\/\/ Cursor: kept as written[\s\S]*\/\/ the memory/);
    assert.match(fs.readFileSync(files.codex, 'utf8'), /# Codex: kept as written[\s\S]*# the memory/);
    assert.equal(fs.statSync(files.claude).mode & 0o777, 0o600, 'the file keeps its mode');
    const wrapped = entries();
    for (const e of Object.values(wrapped)) {
      assert.equal(e.command, launcher);
      assert.deepEqual(e.args, [
        'run',
        '--home',
        home,
        '--on-conflict',
        'share',
        '--name',
        'memory',
        `--resource=${dataKey(path.join(home, 'memory.jsonl'))}`,
        '--',
        memoryBin,
      ]);
      assert.equal(e.env.API_KEY, SECRET, 'the env is left as it was');
    }

    // Each client starts its own rewritten entry: one server process serves all three.
    const [a, b, c] = [
      await connect(wrapped.claude, 'claude-desktop'),
      await connect(wrapped.cursor, 'cursor'),
      await connect(wrapped.codex, 'codex'),
    ];
    await a.callTool({
      name: 'create_entities',
      arguments: { entities: [{ name: 'wrap-test', entityType: 'note', observations: ['written by one client'] }] },
    });
    for (const other of [b, c])
      assert.match(textOf(await other.callTool({ name: 'read_graph', arguments: {} })), /written by one client/);
    assert.equal(processesOf(home).servers, 1, 'one memory server process for three clients');

    for (const cl of clients.splice(0)) await cl.close();
    await until('the shared server to stop after its last client', () => processesOf(home).all === 0, 30_000);

    const unwrapped = await runCli(home, ['unwrap', 'memory', '--yes']);
    assert.equal(unwrapped.code, 0, unwrapped.stdout + unwrapped.stderr);
    assert.ok(!(unwrapped.stdout + unwrapped.stderr).includes(SECRET));
    for (const e of Object.values(entries())) {
      assert.equal(e.command, memoryBin);
      assert.deepEqual(e.args, []);
    }
    for (const f of Object.values(files))
      assert.equal(fs.readFileSync(f, 'utf8'), originals[f], `${f} is back as it was`);
  });

  it('leaves an entry only a workspace file defines alone unless --trust-workspace; one of other data is never wrapped with them', async () => {
    const project = path.join(home, 'project');
    fs.mkdirSync(project);
    const env = { MEMORY_FILE_PATH: path.join(home, 'memory.jsonl'), API_KEY: SECRET };
    // The same server (the same command and env) configured in the workspace too.
    fs.writeFileSync(
      path.join(project, '.mcp.json'),
      JSON.stringify({ mcpServers: { memory: { command: memoryBin, args: [], env } } }, null, 2),
    );
    const r = await runCli(home, ['wrap', 'memory', '--workspace', project]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(
      r.stdout,
      /Left as they are \(1\):\n {2}memory in .*project\/\.mcp\.json .*only a workspace file defines it/,
    );
    assert.match(r.stdout, /run again with --trust-workspace/);
    const trusted = await runCli(home, ['wrap', 'memory', '--workspace', project, '--trust-workspace']);
    assert.equal((trusted.stdout.match(/^Would rewrite memory in /gm) ?? []).length, 4, trusted.stdout);
    assert.ok(!(r.stdout + r.stderr + trusted.stdout + trusted.stderr).includes(SECRET));

    // The workspace's entry now runs other data: `memory` names two servers, and neither is wrapped.
    fs.writeFileSync(
      path.join(project, '.mcp.json'),
      JSON.stringify({ mcpServers: { memory: { command: memoryBin, args: [] } } }, null, 2),
    );
    const mixed = await runCli(home, ['wrap', 'memory', '--workspace', project, '--trust-workspace']);
    assert.equal(mixed.code, 1, mixed.stdout + mixed.stderr);
    assert.match(mixed.stderr, /the entries named 'memory' are 2 different servers .*name one by its id/);
    assert.doesNotMatch(mixed.stdout, /Would rewrite/);
  });
});
