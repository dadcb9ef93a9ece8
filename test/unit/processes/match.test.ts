import * as assert from 'node:assert/strict';
import type { Instance, ServerConfig } from '../../../src/core/base/model';
import { effectiveArgv, launchKeyOf, looksLikeMcpServer } from '../../../src/core/processes/argv';
import { attachInstances } from '../../../src/core/processes/instances';
import { ProcessInfo } from '../../../src/core/pids/table';
import { facts, recordedTable, recordedUserHomes, stdioConfig } from './support';
import type { LaunchFacts } from '../../../src/core/processes/launchFacts';

async function attach(
  configs: ServerConfig[],
  processes: ProcessInfo[],
  platform: NodeJS.Platform,
  extra: { singleWriter?: string[]; secrets?: string[]; facts?: LaunchFacts } = {},
) {
  return attachInstances(
    configs,
    { state: 'ok', processes, method: 'procfs' },
    {
      platform,
      homes: recordedUserHomes(platform),
      facts: extra.facts,
      singleWriter: extra.singleWriter,
      secretsOf: () => new Set(extra.secrets ?? []),
      findListeners: async () => new Map(),
    },
  );
}

const pids = (list: readonly Instance[] | undefined) => (list ?? []).map((i) => i.pid).sort((a, b) => a - b);

describe('launch keys: what a command line runs', () => {
  it('peels interpreters, shells, cmd.exe and env', () => {
    assert.deepEqual(effectiveArgv(['node', '--max-old-space-size=4096', '/a/server.js', '--x']), [
      '/a/server.js',
      '--x',
    ]);
    assert.deepEqual(effectiveArgv(['python3', '-u', '-m', 'mcp_server_git', '--repo', '.']), [
      'mcp_server_git',
      '--repo',
      '.',
    ]);
    assert.deepEqual(effectiveArgv(['sh', '-c', "mcp-server-memory --dir '/a b'"]), [
      'mcp-server-memory',
      '--dir',
      '/a b',
    ]);
    assert.deepEqual(effectiveArgv(['C:\\WINDOWS\\system32\\cmd.exe', '/d', '/s', '/c', 'x.cmd --y']), [
      'x.cmd',
      '--y',
    ]);
    assert.deepEqual(effectiveArgv(['env', 'A=1', 'node', 'x.js']), ['x.js']);
  });

  it('gives npx, npm exec, pnpm dlx, yarn dlx, bunx and npx-cli.js the same key, without the version', () => {
    const key = 'npx:@modelcontextprotocol/server-memory';
    assert.equal(launchKeyOf(['npx', '-y', '@modelcontextprotocol/server-memory@2026.8.31'])?.key, key);
    assert.equal(launchKeyOf(['npm', 'exec', '@modelcontextprotocol/server-memory'])?.key, key);
    assert.equal(launchKeyOf(['pnpm', 'dlx', '@modelcontextprotocol/server-memory'])?.key, key);
    assert.equal(launchKeyOf(['bunx', '@modelcontextprotocol/server-memory'])?.key, key);
    assert.equal(
      launchKeyOf(['node', '/opt/tools/node_modules/.bin/yarn', 'dlx', '@modelcontextprotocol/server-memory@2026.8.31'])
        ?.key,
      key,
    );
    assert.equal(
      launchKeyOf(['node', 'C:\\npm\\bin\\npx-cli.js', '-y', '@modelcontextprotocol/server-memory'])?.key,
      key,
    );
    assert.equal(
      launchKeyOf(['npx', '--package', '@modelcontextprotocol/server-memory', 'mcp-server-memory'])?.key,
      key,
    );
  });

  it('reads uvx, uv tool run, pipx run and docker run -i', () => {
    assert.deepEqual(launchKeyOf(['uvx', '--python', '3.12', 'mcp-server-fetch==1.0', '--x']), {
      key: 'uvx:mcp-server-fetch',
      args: ['--x'],
      runner: true,
    });
    assert.equal(launchKeyOf(['uv', 'tool', 'run', '--from', 'git+https://x/y', 'srv'])?.key, 'uvx:git+https://x/y');
    assert.equal(launchKeyOf(['pipx', 'run', 'mcp-server-time'])?.key, 'uvx:mcp-server-time');
    assert.deepEqual(
      launchKeyOf([
        'docker',
        'run',
        '-i',
        '--rm',
        '-e',
        'TOKEN',
        '-v',
        '/a:/b',
        'ghcr.io/github/github-mcp-server',
        'stdio',
      ]),
      {
        key: 'docker:ghcr.io/github/github-mcp-server',
        args: ['stdio'],
        runner: true,
      },
    );
  });

  it('keys plain programs by name, so a .cmd shim, an absolute path and a bare name agree', () => {
    assert.equal(launchKeyOf(['mcp-server-memory.cmd'])?.key, 'prog:mcp-server-memory');
    assert.equal(launchKeyOf(['node', '/usr/lib/node_modules/.bin/mcp-server-memory'])?.key, 'prog:mcp-server-memory');
    assert.equal(launchKeyOf(['/usr/bin/node', '/srv/weather/dist/index.js'])?.key, 'prog:weather/index');
    assert.equal(launchKeyOf(['node', 'C:\\mcp\\weather\\build\\index.js'])?.key, 'prog:weather/index');
    assert.equal(launchKeyOf(['python', 'main.py'])?.key, 'prog:main');
  });

  it('recognises MCP-looking command lines, and not ordinary ones nor mcp-lifeguard', () => {
    assert.ok(looksLikeMcpServer(['node', '/home/u/src/weather-mcp/dist/index.js']));
    assert.ok(looksLikeMcpServer(['mcp-server-fetch']));
    assert.ok(looksLikeMcpServer(['npm', 'exec', '@modelcontextprotocol/server-everything']));
    assert.ok(looksLikeMcpServer(['python', '-m', 'serena_mcp']));
    assert.ok(!looksLikeMcpServer(['node', '/usr/lib/node_modules/mcp-lifeguard/dist/cli.js', 'status']));
    assert.ok(!looksLikeMcpServer(['node', '/home/u/src/app/server.js']));
    assert.ok(!looksLikeMcpServer(['/usr/bin/mcpd-like-thing']));
  });
});

describe('matching configured servers to a recorded Linux table', () => {
  const table = recordedTable('linux-clients');
  const memory = stdioConfig('memory', 'vscode', 'npx', ['-y', '@modelcontextprotocol/server-memory']);
  const fetch = stdioConfig('fetch', 'claude-code', 'uvx', ['mcp-server-fetch']);
  const context7 = stdioConfig('context7', 'claude-code', 'npx', [
    '-y',
    '@upstash/context7-mcp',
    '--api-key',
    'ctx7sk-9f8e7d6c5b4a',
  ]);
  const github = stdioConfig('github', 'cursor', 'docker', [
    'run',
    '-i',
    '--rm',
    '-e',
    'GITHUB_PERSONAL_ACCESS_TOKEN',
    'ghcr.io/github/github-mcp-server',
  ]);
  const script = stdioConfig('proj', 'vscode', 'node', ['/home/u/proj/server.js', '--data', '/home/u/proj/data']);
  const configs = [memory, fetch, context7, github, script];

  it('follows npx -> sh -> node to the main process, with its launcher chain and VS Code as the client', async () => {
    const r = await attach(configs, table, 'linux');
    const inst = r.servers.find((s) => s.id === memory.id)?.instances ?? [];
    assert.deepEqual(pids(inst), [1202, 1302, 2102]);
    const newest = inst.find((i) => i.pid === 1302) as Instance;
    assert.deepEqual(
      newest.launcherChain.map((s) => s.pid),
      [1300, 1301],
    );
    assert.deepEqual(newest.client, { id: 'vscode', name: 'VS Code', pid: 1100 });
    assert.equal(newest.matchedBy, 'npx:@modelcontextprotocol/server-memory');
    assert.equal(newest.memoryBytes, 72000000);
    assert.equal(newest.startedAt, new Date(1795203000600).toISOString());
  });

  it('flags the older of two instances under one client as duplicate, with evidence naming the newest', async () => {
    const r = await attach(configs, table, 'linux');
    const inst = r.servers.find((s) => s.id === memory.id)?.instances ?? [];
    const older = inst.find((i) => i.pid === 1202) as Instance;
    const dup = older.verdicts.find((v) => v.kind === 'duplicate');
    assert.ok(dup && dup.kind === 'duplicate');
    assert.equal(dup.keep.pid, 1302);
    assert.deepEqual(
      dup.instances.map((i) => i.pid),
      [1202, 1302],
    );
    assert.equal(dup.client.pid, 1100);
    assert.deepEqual(inst.find((i) => i.pid === 1302)?.verdicts, [], 'the newest is not a duplicate');
  });

  it('flags a launch reparented to init as an orphan, and leaves it out of the duplicate count', async () => {
    const r = await attach(configs, table, 'linux');
    const orphan = r.servers.find((s) => s.id === memory.id)?.instances.find((i) => i.pid === 2102) as Instance;
    assert.deepEqual(
      orphan.verdicts.map((v) => v.kind),
      ['orphan'],
    );
    const v = orphan.verdicts[0];
    assert.ok(v.kind === 'orphan' && v.launchPid === 2100 && v.ppid === 1);
    assert.equal(orphan.client.id, 'unknown');
  });

  it('follows uvx -> python under Claude Code in a terminal', async () => {
    const r = await attach(configs, table, 'linux');
    const [inst] = r.servers.find((s) => s.id === fetch.id)?.instances ?? [];
    assert.equal(inst.pid, 2003);
    assert.deepEqual(
      inst.launcherChain.map((s) => s.pid),
      [2002],
    );
    assert.deepEqual(inst.client, { id: 'claude-code', name: 'Claude Code', pid: 2001 });
  });

  it('matches docker run -i to the docker CLI (the only local process) under Cursor', async () => {
    const r = await attach(configs, table, 'linux');
    const [inst] = r.servers.find((s) => s.id === github.id)?.instances ?? [];
    assert.equal(inst.pid, 3002);
    assert.equal(inst.client.id, 'cursor');
  });

  it('matches an absolute interpreter to a bare `node` config by script path, not by name alone', async () => {
    const r = await attach(configs, table, 'linux');
    assert.deepEqual(pids(r.servers.find((s) => s.id === script.id)?.instances), [4002]);
    assert.equal(r.servers.find((s) => s.id === script.id)?.instances[0].client.name, 'code-server');
  });

  it('matches args hidden by npm exec on the main process, and redacts the key everywhere', async () => {
    const r = await attach(configs, table, 'linux');
    const [inst] = r.servers.find((s) => s.id === context7.id)?.instances ?? [];
    assert.equal(inst.pid, 2012);
    assert.equal(inst.commandLine, 'node /home/u/.npm/_npx/77aa/node_modules/.bin/context7-mcp --api-key <redacted>');
    assert.equal(inst.launcherChain[1].commandLine, "sh -c 'context7-mcp --api-key <redacted>'");
    // The config's own args are the discovery side's business; no instance or chain shows the key.
    const running = JSON.stringify([r.servers.map((s) => s.instances), r.notConfigured]);
    assert.ok(!running.includes('ctx7sk-9f8e7d6c5b4a'), running);
  });

  it('lists MCP-looking processes no config explains as "not configured", topmost of each chain only', async () => {
    const r = await attach(configs, table, 'linux');
    assert.deepEqual(pids(r.notConfigured), [2200]);
    assert.equal(r.notConfigured[0].client.id, 'terminal');
    // Without the memory config, its three launches are not configured (each once, as its main process).
    const r2 = await attach([fetch], table, 'linux');
    assert.deepEqual(pids(r2.notConfigured), [1202, 1302, 2012, 2102, 2200, 3002]);
  });

  it('says the process table is unavailable instead of showing no instances', async () => {
    const r = await attachInstances([memory], { state: 'unavailable', reason: 'ps failed' }, { platform: 'linux' });
    assert.deepEqual(r.processes, { state: 'unavailable', reason: 'ps failed' });
    assert.deepEqual(r.servers[0].instances, []);
  });
});

describe('verdicts beyond one client', () => {
  const row = (pid: number, ppid: number, argv: string[], startTime?: number): ProcessInfo => ({
    pid,
    ppid,
    argv,
    uid: 1000,
    startTime,
    tty: false,
  });
  const base = [row(1, 0, ['/sbin/init']), row(10, 1, ['/usr/share/code/code']), row(20, 1, ['/usr/bin/zed'])];
  const cfg = stdioConfig('db', 'vscode', 'mcp-server-db', ['--data', '/d']);
  /** Launch facts in which these pids run the program the entry's PATH finds: proof that they are its instances. */
  const runningDb = (...running: number[]) =>
    facts({
      exe: Object.fromEntries(running.map((pid) => [pid, '/usr/bin/mcp-server-db'])),
      path: { 'mcp-server-db': '/usr/bin/mcp-server-db' },
    });
  /** `cfg`'s command in Claude Desktop's user config, as the entry `name`. */
  const inClaudeDesktop = (name: string) =>
    stdioConfig(name, 'claude-desktop', 'mcp-server-db', ['--data', '/d'], {
      launchKey: cfg.launchKey,
      source: {
        client: 'claude-desktop',
        scope: 'user',
        label: 'Claude Desktop',
        file: '/c/claude_desktop_config.json',
      },
    });

  it('two clients each running their own instance is "shared", flagged only for single-writer servers', async () => {
    const table = [
      ...base,
      row(11, 10, ['mcp-server-db', '--data', '/d'], 100),
      row(21, 20, ['mcp-server-db', '--data', '/d'], 200),
    ];
    // Both run the program the entry's PATH finds: proof that they are its instances.
    const f = runningDb(11, 21);
    const plain = await attach([cfg], table, 'linux', { facts: f });
    const kinds = plain.servers[0].instances.map((i) =>
      i.verdicts.map((v) => (v.kind === 'shared' ? `shared:${v.singleWriter}` : v.kind)),
    );
    assert.deepEqual(kinds, [['shared:false'], ['shared:false']]);
    const sw = await attach([cfg], table, 'linux', { singleWriter: ['db'], facts: f });
    assert.ok(sw.servers[0].instances.every((i) => i.verdicts.some((v) => v.kind === 'shared' && v.singleWriter)));
    assert.ok(sw.servers[0].instances.every((i) => !i.verdicts.some((v) => v.kind === 'duplicate')));
  });

  it('"unknown" when one client runs it twice but start times are missing', async () => {
    const table = [
      ...base,
      row(11, 10, ['mcp-server-db', '--data', '/d'], 100),
      row(12, 10, ['mcp-server-db', '--data', '/d']),
    ];
    const r = await attach([cfg], table, 'linux');
    assert.deepEqual(
      r.servers[0].instances.map((i) => i.verdicts.map((v) => v.kind)),
      [['unknown'], ['unknown']],
    );
  });

  it('a parent that is gone or younger than its child is not its parent: an orphan, on Linux too; without start times, unknown', async () => {
    const launch = ['mcp-server-db', '--data', '/d'];
    const table = [
      ...base,
      // pid 30 was reused by a daemon started after the server it names as its child.
      row(30, 1, ['/usr/bin/python3', 'daemon.py'], 500),
      row(31, 30, launch, 100),
      // pid 999 no longer runs.
      row(41, 999, launch, 150),
      // A launcher without a start time: whether it started the server is unknown.
      row(50, 1, ['/usr/bin/some-launcher']),
      row(51, 50, launch, 160),
    ];
    const f = runningDb(31, 41, 51);
    const r = await attach([cfg], table, 'linux', { facts: f });
    const byPid = new Map(r.servers[0].instances.map((i) => [i.pid, i]));
    const kinds = (pid: number) =>
      byPid.get(pid)?.verdicts.map((v) => (v.kind === 'unknown' ? `unknown:${v.question}` : v.kind));
    assert.deepEqual([kinds(31), kinds(41), kinds(51)], [['orphan'], ['orphan'], ['unknown:orphan']]);
    assert.equal(byPid.get(31)?.client.pid, undefined, 'the daemon holding pid 30 is not its client');
    const reused = byPid.get(31)?.verdicts[0];
    assert.match(
      reused?.kind === 'orphan' ? reused.reason : '',
      /pid 30 now names python3, started after it: the pid was reused/,
    );
  });

  it('different args are a different launch', async () => {
    const table = [...base, row(11, 10, ['mcp-server-db', '--data', '/other'], 100)];
    const r = await attach([cfg], table, 'linux');
    assert.deepEqual(r.servers[0].instances, []);
  });

  it('an entry configured in several places: the instance goes to the entries of the client that runs it', async () => {
    const inZed = stdioConfig('db', 'zed', 'mcp-server-db', ['--data', '/d'], { launchKey: cfg.launchKey });
    const table = [...base, row(21, 20, ['mcp-server-db', '--data', '/d'], 200)];
    const r = await attach([cfg, inZed], table, 'linux');
    assert.deepEqual(
      r.servers.map((s) => pids(s.instances)),
      [[], [21]],
    );
  });

  it("an orphan that fits two clients' entries of one server is listed once, its client unknown, the evidence naming both", async () => {
    const workspace = stdioConfig('db', 'vscode', 'mcp-server-db', ['--data', '/d'], {
      launchKey: cfg.launchKey,
      source: { client: 'vscode', scope: 'workspace', label: 'Workspace', file: '/w/.vscode/mcp.json' },
    });
    const desktop = inClaudeDesktop('db');
    // Its parent is gone: nothing left tells which client started it.
    const table = [...base, row(41, 1, ['mcp-server-db', '--data', '/d'], 150)];
    const f = runningDb(41);
    const r = await attach([workspace, desktop], table, 'linux', { facts: f });
    const under = r.servers.filter((s) => s.instances.some((i) => i.pid === 41));
    assert.deepEqual(
      under.map((s) => s.source.label),
      ['Claude Desktop'],
      'one process under one entry, not the workspace entry VS Code lists as stopped',
    );
    const [orphan] = under[0].instances;
    assert.equal(orphan.client.id, 'unknown');
    const v = orphan.verdicts.find((x) => x.kind === 'orphan');
    assert.match(
      v?.kind === 'orphan' ? v.reason : '',
      /it fits 'db' \(\/c\/claude_desktop_config\.json\) and 'db' \(\/w\/\.vscode\/mcp\.json\) alike: which client started it is not known/,
    );
    // Its own client's entry takes it while the client lives: the choice is only for a process no client owns.
    const live = await attach(
      [workspace, desktop],
      [...base, row(11, 10, ['mcp-server-db', '--data', '/d'], 150)],
      'linux',
      {
        facts: runningDb(11),
      },
    );
    assert.deepEqual(
      live.servers.map((s) => pids(s.instances)),
      [[11], []],
    );
  });

  it("a process started from a terminal that fits two clients' entries alike is listed once, undecided, naming both", async () => {
    const desktop = inClaudeDesktop('memory');
    const cursor = stdioConfig('memory', 'cursor', 'mcp-server-db', ['--data', '/d'], {
      launchKey: cfg.launchKey,
      source: { client: 'cursor', scope: 'user', label: 'Cursor', file: '/h/.cursor/mcp.json' },
    });
    // The same command with the same env in both clients' configs, run by hand from a shell on a terminal.
    const shell: ProcessInfo = { pid: 30, ppid: 1, argv: ['bash'], uid: 1000, startTime: 100, tty: true };
    const table = [...base, shell, row(31, 30, ['mcp-server-db', '--data', '/d'], 150)];
    const f = runningDb(31);
    const r = await attach([desktop, cursor], table, 'linux', { facts: f });
    assert.deepEqual(
      r.servers.map((s) => [s.source.label, pids(s.instances)]),
      [
        ['Claude Desktop', [31]],
        ['Cursor', []],
      ],
      'one process under one entry: counted once, acted on from one row',
    );
    const [terminal] = r.servers[0].instances;
    assert.equal(terminal.client.id, 'terminal');
    const owner = terminal.verdicts.find((v) => v.kind === 'unknown' && v.question === 'owner');
    assert.match(
      owner?.kind === 'unknown' ? owner.reason : '',
      /^it was started from a terminal, and it fits 'memory' \(\/c\/claude_desktop_config\.json\) and 'memory' \(\/h\/\.cursor\/mcp\.json\) alike: .* listed once, under the first, and never stopped in bulk$/,
    );
    // Entries of two servers (other env) that its environment cannot tell apart: listed once too, saying where.
    const other = stdioConfig('memory', 'cursor', 'mcp-server-db', ['--data', '/d'], {
      launchKey: cfg.launchKey,
      envKeys: ['MEMORY_FILE_PATH'],
      identityKey: `${cfg.launchKey} env:other`,
      source: { client: 'cursor', scope: 'user', label: 'Cursor', file: '/h/.cursor/mcp.json' },
    });
    const two = await attach([desktop, other], table, 'linux', { facts: f });
    assert.deepEqual(
      two.servers.map((s) => pids(s.instances)),
      [[31], []],
    );
    const undecided = two.servers[0].instances[0].verdicts.filter(
      (v) => v.kind === 'unknown' && v.question === 'owner',
    );
    assert.equal(undecided.length, 1, JSON.stringify(undecided));
    assert.match(
      undecided[0].kind === 'unknown' ? undecided[0].reason : '',
      /^claimed by 'memory' .*; it is listed once, under 'memory' \(\/c\/claude_desktop_config\.json\)$/,
    );
  });

  it('matches configured args that discovery redacted (`<redacted>` stands for the secret)', async () => {
    const table = [...base, row(11, 10, ['mcp-server-db', '--conn=postgres://me:hunter2pass@db/x'], 100)];
    const redacted = stdioConfig('db3', 'vscode', 'mcp-server-db', ['--conn=postgres://<redacted>@db/x']);
    const other = stdioConfig('db4', 'vscode', 'mcp-server-db', ['--conn=mysql://<redacted>@db/x']);
    const r = await attach([redacted, other], table, 'linux');
    assert.deepEqual(
      r.servers.map((s) => pids(s.instances)),
      [[11], []],
    );
  });

  it("masks in the command line what a configured `<redacted>` stood for, though the scan never knew it (a Claude Desktop extension's encrypted setting)", async () => {
    const table = [
      ...base,
      row(11, 10, ['node', '/x/Claude Extensions/e/server.js', '--label=Decrypted-Otter-Lantern', 'plain'], 100),
    ];
    const ext = stdioConfig('e', 'claude-desktop', 'node', [
      '/x/Claude Extensions/e/server.js',
      '--label=<redacted>',
      'plain',
    ]);
    const r = await attach([ext], table, 'linux');
    const line = r.servers[0].instances[0].commandLine;
    assert.equal(line, "node '/x/Claude Extensions/e/server.js' --label=<redacted> plain");
  });

  it('redacts env values given as secrets from the command line', async () => {
    const table = [
      ...base,
      row(11, 10, ['mcp-server-db', '--data', '/d', '--conn=postgres://me:hunter2pass@db/x', 'Sup3rSecretValue'], 100),
    ];
    const withSecret = stdioConfig('db2', 'vscode', 'mcp-server-db', [
      '--data',
      '/d',
      '--conn=postgres://me:hunter2pass@db/x',
      'Sup3rSecretValue',
    ]);
    const r = await attach([withSecret], table, 'linux', { secrets: ['Sup3rSecretValue'] });
    const line = r.servers[0].instances[0].commandLine;
    assert.ok(!line.includes('hunter2pass') && !line.includes('Sup3rSecretValue'), line);
    assert.match(line, /<redacted>/);
  });
});

describe('matching on recorded macOS and Windows tables', () => {
  it('macOS: Claude Desktop runs npx and uvx chains; Zed runs a bare `node` config as /opt/homebrew/bin/node', async () => {
    const fs = stdioConfig('filesystem', 'claude-desktop', 'npx', [
      '-y',
      '@modelcontextprotocol/server-filesystem',
      '/Users/u/Documents',
    ]);
    const time = stdioConfig('time', 'claude-desktop', 'uvx', ['mcp-server-time', '--local-timezone=Europe/Paris']);
    const zed = stdioConfig('srv', 'zed', 'node', ['/Users/u/srv/index.js']);
    const r = await attach([fs, time, zed], recordedTable('macos-ps'), 'darwin');
    const [f] = r.servers[0].instances;
    assert.equal(f.pid, 522);
    assert.deepEqual(f.client, { id: 'claude-desktop', name: 'Claude Desktop', pid: 500 });
    assert.deepEqual(pids(r.servers[1].instances), [531]);
    assert.deepEqual(
      r.servers[2].instances.map((i) => [i.pid, i.client.id]),
      [[601, 'zed']],
    );
    // A bare node running the filesystem server under launchd is not this config's launch: not configured, and an orphan.
    assert.deepEqual(
      r.notConfigured.map((i) => [i.pid, i.verdicts.map((v) => v.kind)]),
      [[700, ['orphan']]],
    );
  });

  it('macOS: an argument with a space that is no path matches by the line ps printed, never on a table that splits exactly', async () => {
    const named = stdioConfig('notes', 'claude-desktop', 'npx', ['-y', '@acme/notes-mcp', '--title', 'My Notes']);
    const table = (argvJoined: boolean): ProcessInfo[] =>
      [
        { pid: 500, ppid: 1, argv: ['/Applications/Claude.app/Contents/MacOS/Claude'] },
        // npm shows the package alone; the server's arguments are on the node below it.
        { pid: 520, ppid: 500, argv: ['npm', 'exec', '@acme/notes-mcp'] },
        {
          pid: 522,
          ppid: 520,
          argv: ['node', '/Users/u/.npm/_npx/a1b2c3/node_modules/.bin/notes-mcp', '--title', 'My', 'Notes'],
        },
      ].map((p) => (argvJoined ? { ...p, argvJoined: true as const } : p));
    const joined = await attach([named], table(true), 'darwin');
    assert.deepEqual(pids(joined.servers[0].instances), [522]);
    // Where the OS gives each argument apart (Linux /proc), `My` and `Notes` are two arguments: another launch.
    const exact = await attach([named], table(false), 'darwin');
    assert.deepEqual(pids(exact.servers[0].instances), []);
  });

  it('Windows: cmd.exe /c x.cmd -> node under VS Code; cmd.exe -> npx-cli.js -> cmd.exe -> node under Claude Desktop', async () => {
    const memory = stdioConfig('memory', 'vscode', 'mcp-server-memory', []);
    const everything = stdioConfig('everything', 'claude-desktop', 'npx', [
      '-y',
      '@modelcontextprotocol/server-everything',
    ]);
    const r = await attach([memory, everything], recordedTable('windows-cim'), 'win32');
    const [m] = r.servers[0].instances;
    assert.equal(m.pid, 7003);
    assert.deepEqual(
      m.launcherChain.map((s) => s.pid),
      [7002],
    );
    assert.equal(m.client.id, 'vscode');
    const [e] = r.servers[1].instances;
    assert.equal(e.pid, 7104);
    assert.deepEqual(
      e.launcherChain.map((s) => s.pid),
      [7101, 7102, 7103],
    );
    assert.deepEqual(e.client, { id: 'claude-desktop', name: 'Claude Desktop', pid: 7100 });
    assert.deepEqual(r.notConfigured, []);
  });
});

describe("what a server starts is part of its instance (buckaroo's data server)", () => {
  const MB = 1024 * 1024;
  const tool = stdioConfig('buckaroo', 'claude-code', '/v/bin/buckaroo-table', []);
  const processes: ProcessInfo[] = [
    { pid: 1, ppid: 0, argv: ['/sbin/init'], startTime: 1 },
    { pid: 10, ppid: 1, argv: ['claude'], startTime: 1000 },
    { pid: 20, ppid: 10, argv: ['/v/bin/python3', '/v/bin/buckaroo-table'], startTime: 2000, memoryBytes: 150 * MB },
    {
      pid: 30,
      ppid: 20,
      argv: ['/v/bin/python3', '-m', 'buckaroo.server', '--port', '8700', '--token=Sup3rSecretValue'],
      startTime: 3000,
      memoryBytes: 170 * MB,
    },
    { pid: 31, ppid: 20, argv: ['/v/bin/python3', '-c', 'import os'], startTime: 3001, memoryBytes: 9 * MB },
    // A grandchild that looks like an MCP server: still the tool's work, never listed on its own.
    { pid: 40, ppid: 30, argv: ['node', '/opt/mcp-server-x/index.js'], startTime: 4000 },
  ];

  it('lists its descendants, parents first, each with its own pid, start, memory and redacted command line', async () => {
    const r = await attach([tool], processes, 'linux', { secrets: ['Sup3rSecretValue'] });
    const [instance] = r.servers[0].instances;
    assert.equal(instance.pid, 20);
    assert.deepEqual(
      instance.children?.map((c) => [c.pid, c.ppid, c.startTime, c.memoryBytes]),
      [
        [30, 20, 3000, 170 * MB],
        [31, 20, 3001, 9 * MB],
        [40, 30, 4000, undefined],
      ],
    );
    const server = instance.children![0];
    assert.equal(server.commandLine, '/v/bin/python3 -m buckaroo.server --port 8700 --token=<redacted>');
    assert.equal(server.startedAt, new Date(3000).toISOString());
    assert.match(server.commandHash, /^[0-9a-f]{32}$/);
    assert.deepEqual(r.notConfigured, [], 'no child is an instance of its own');
    assert.equal(r.servers[0].instances.length, 1);
  });

  it("a `deno run npm:pkg@v` process is its entry's by the deno executable, and stays so after the pin is edited", async () => {
    const MEM = '@modelcontextprotocol/server-memory';
    const deno = '/opt/deno/bin/deno';
    const processes: ProcessInfo[] = [
      { pid: 1, ppid: 0, argv: ['/sbin/init'] },
      { pid: 700, ppid: 1, argv: [deno, 'run', '-A', `npm:${MEM}@2026.7.4`], startTime: 1_000 },
    ];
    const edited = stdioConfig('memory', 'claude-code', deno, ['run', '-A', `npm:${MEM}@2026.8.31`]);
    const other = stdioConfig('other', 'claude-code', '/opt/other/deno', ['run', '-A', `npm:${MEM}@2026.7.4`]);
    const r = await attach([edited, other], processes, 'linux', {
      facts: facts({ exe: { 700: deno }, links: {} }),
    });
    const [inst] = r.servers.find((s) => s.id === edited.id)?.instances ?? [];
    assert.equal(inst?.pid, 700);
    assert.deepEqual(
      inst.verdicts.filter((v) => v.kind === 'unknown'),
      [],
      'proven by the same deno: not an undecided owner',
    );
    // Another deno executable runs another cache of packages: not that entry's.
    assert.deepEqual(pids(r.servers.find((s) => s.id === other.id)?.instances), []);
  });

  it('an instance that started nothing has no children field', async () => {
    const r = await attach([tool], processes.slice(0, 3), 'linux');
    assert.equal('children' in r.servers[0].instances[0], false);
  });
});
