import * as assert from 'node:assert/strict';
import type { Instance, ServerConfig, Verdict } from '../../../src/core/base/model';
import { matchClientSignature, owningClient } from '../../../src/core/processes/clients';
import { attachInstances } from '../../../src/core/processes/instances';
import { ProcessInfo } from '../../../src/core/pids/table';
import { ProcessTree } from '../../../src/core/processes/tree';
import { describeVerdict } from '../../../src/core/report/evidence';
import { recordedTable, stdioConfig, recordedUserHomes } from './support';

const table = recordedTable('linux-agent-hosts');
const tree = new ProcessTree(table);
const proc = (pid: number) => tree.get(pid) as ProcessInfo;

async function attach(configs: ServerConfig[]) {
  return attachInstances(
    configs,
    { state: 'ok', processes: table, method: 'procfs' },
    {
      platform: 'linux',
      homes: recordedUserHomes('linux'),
      secretsOf: () => new Set(),
      findListeners: async () => new Map(),
    },
  );
}

const byPid = (list: readonly Instance[] | undefined, pid: number) =>
  (list ?? []).find((i) => i.pid === pid) as Instance;
const kinds = (i: Instance) => i.verdicts.map((v) => v.kind).sort();
const duplicateOf = (i: Instance) =>
  i.verdicts.find((v): v is Extract<Verdict, { kind: 'duplicate' }> => v.kind === 'duplicate');

describe('agent hosts: signatures from their sources', () => {
  const p = (argv: string[]): ProcessInfo => ({ pid: 2, ppid: 1, argv });
  const cases: [string[], string | undefined, string | undefined][] = [
    // NodeAgentHostStarter's fork, as the server runs it.
    [
      [
        '/home/u/.vscode-server/cli/servers/Stable-x/server/node',
        '/home/u/.vscode-server/cli/servers/Stable-x/server/out/bootstrap-fork',
        '--type=agentHost',
        '--logsPath',
        '/l',
      ],
      'VS Code Server',
      'VS Code Server agent host',
    ],
    [
      ['/usr/lib/code-server/lib/node', '/usr/lib/code-server/lib/vscode/out/bootstrap-fork', '--type=agentHost'],
      'code-server',
      'code-server agent host',
    ],
    [
      [
        '/usr/share/code/code',
        '--type=utility',
        '--utility-sub-type=node.mojom.NodeService',
        '--vscode-utility-kind=agentHost',
      ],
      'VS Code',
      'VS Code agent host',
    ],
    // Windows lower-cases switches.
    [
      [
        'C:\\Users\\u\\AppData\\Local\\Programs\\Microsoft VS Code\\Code.exe',
        '--type=utility',
        '--vscode-utility-kind=agenthost',
      ],
      'VS Code',
      'VS Code agent host',
    ],
    [
      ['/usr/share/code-insiders/code-insiders', '--type=utility', '--vscode-utility-kind=agentHost'],
      'VS Code Insiders',
      'VS Code Insiders agent host',
    ],
    // A fork carrying the agent host is its own product's, not VS Code's.
    [['/usr/share/cursor/cursor', '--type=utility', '--vscode-utility-kind=agentHost'], 'Cursor', 'Cursor agent host'],
    // The Copilot SDK runtime, as the agent host runs it with its own executable.
    [
      [
        '/usr/share/code/code',
        '/usr/share/code/resources/app/node_modules/@github/copilot/index.js',
        '--headless',
        '--no-auto-update',
        '--stdio',
      ],
      'Copilot CLI',
      'Copilot SDK runtime',
    ],
    [
      [
        '/opt/vscode/node_modules/@github/copilot-sdk-linux-x64/prebuilds/linux-x64/copilot-runtime',
        '--headless',
        '--stdio',
      ],
      'Copilot CLI',
      'Copilot SDK runtime',
    ],
    [
      [
        '/home/u/.vscode/extensions/openai.chatgpt-1.0.0/bin/linux-x86_64/codex',
        'app-server',
        '--analytics-default-enabled',
      ],
      'Codex',
      'Codex app-server',
    ],
    [
      ['/usr/lib/node_modules/@openai/codex/bin/codex-x86_64-unknown-linux-musl', 'mcp-server'],
      'Codex',
      'Codex app-server',
    ],
    [
      [
        'node',
        '/app/node_modules/@anthropic-ai/claude-agent-sdk/cli.js',
        '--output-format',
        'stream-json',
        '--verbose',
        '--input-format',
        'stream-json',
      ],
      'Claude Code',
      'Claude Agent SDK host',
    ],
    // The same products, not as agent hosts: an extension host, an interactive Codex, Claude Code and Copilot CLI.
    [['/usr/share/code/code', '--type=utility', '--utility-sub-type=node.mojom.NodeService'], 'VS Code', undefined],
    [
      [
        '/home/u/.vscode-server/bin/abc/node',
        '/home/u/.vscode-server/bin/abc/out/bootstrap-fork',
        '--type=extensionHost',
      ],
      'VS Code Server',
      undefined,
    ],
    [['/opt/homebrew/bin/codex', 'mcp', 'list'], 'Codex', undefined],
    [['/home/u/.local/bin/claude', '--resume'], 'Claude Code', undefined],
    [['node', '/usr/lib/node_modules/@github/copilot/index.js'], 'Copilot CLI', undefined],
  ];
  for (const [argv, name, host] of cases) {
    it(`${argv.join(' ').slice(0, 80)} -> ${name}${host ? ` (${host})` : ''}`, () => {
      const sig = matchClientSignature(p(argv), argv[0].includes('\\') ? 'win32' : 'linux');
      assert.equal(sig?.name, name);
      assert.equal(sig?.agent?.name, host);
    });
  }
});

describe('agent hosts: who started a launch, on a table of their shapes', () => {
  it('desktop VS Code: the agent host runs the Copilot runtime with its own executable; the runtime is the host, VS Code the client', () => {
    assert.deepEqual(owningClient(proc(1220), tree, 'linux'), {
      id: 'vscode',
      name: 'VS Code',
      pid: 1210,
      agentHost: { pid: 1210, name: 'Copilot SDK runtime' },
    });
    // The extension host beside it is a client of its own.
    assert.deepEqual(owningClient(proc(1110), tree, 'linux'), { id: 'vscode', name: 'VS Code', pid: 1100 });
  });

  it("VS Code Server's agent host owns the Claude Code it runs once per session, and names each session's process", () => {
    assert.deepEqual(owningClient(proc(3111), tree, 'linux'), {
      id: 'vscode',
      name: 'VS Code Server',
      pid: 3100,
      agentHost: { pid: 3100, name: 'VS Code Server agent host', sessionPid: 3110 },
    });
    assert.deepEqual(owningClient(proc(3121), tree, 'linux').agentHost, {
      pid: 3100,
      name: 'VS Code Server agent host',
      sessionPid: 3120,
    });
  });

  it("the Codex extension's app-server is Codex's agent host, not the extension host's", () => {
    assert.deepEqual(owningClient(proc(3220), tree, 'linux'), {
      id: 'codex',
      name: 'Codex',
      pid: 3210,
      agentHost: { pid: 3210, name: 'Codex app-server' },
    });
  });

  it("an app's Claude Agent SDK sessions are one host's (the app), a session whose app is gone is its own", () => {
    assert.deepEqual(owningClient(proc(5011), tree, 'linux'), {
      id: 'claude-code',
      name: 'Claude Code',
      pid: 5000,
      agentHost: { pid: 5000, name: 'Claude Agent SDK host', sessionPid: 5010 },
    });
    assert.deepEqual(owningClient(proc(5031), tree, 'linux'), { id: 'claude-code', name: 'Claude Code', pid: 5030 });
  });

  it("the outermost host wins: Codex run by VS Code's agent host is VS Code's", () => {
    const t = new ProcessTree([
      { pid: 10, ppid: 1, argv: ['/srv/server/node', '/srv/vscode/out/bootstrap-fork', '--type=agentHost'] },
      { pid: 11, ppid: 10, argv: ['/srv/codex', 'app-server'] },
      { pid: 12, ppid: 11, argv: ['bash', '-c', 'mcp-server-x'] },
    ]);
    assert.deepEqual(owningClient({ pid: 12, ppid: 11, argv: ['bash', '-c', 'mcp-server-x'] }, t, 'linux'), {
      id: 'vscode',
      name: 'VS Code',
      pid: 10,
      agentHost: { pid: 10, name: 'VS Code agent host' },
    });
  });

  it("a Copilot runtime started by hand in an editor's terminal is its own product's, not the editor's", () => {
    const t = new ProcessTree([
      { pid: 10, ppid: 1, argv: ['/usr/share/code/code', '--type=utility'] },
      { pid: 11, ppid: 10, argv: ['bash'], tty: true },
      {
        pid: 12,
        ppid: 11,
        argv: ['node', '/usr/lib/node_modules/@github/copilot/index.js', '--headless', '--stdio'],
        tty: true,
      },
      { pid: 13, ppid: 12, argv: ['mcp-server-x'] },
    ]);
    assert.deepEqual(owningClient({ pid: 13, ppid: 12, argv: ['mcp-server-x'] }, t, 'linux'), {
      id: 'copilot-cli',
      name: 'Copilot CLI',
      pid: 12,
      agentHost: { pid: 12, name: 'Copilot SDK runtime' },
    });
  });
});

describe('agent hosts: per-session copies are duplicates, servers of ended sessions orphans', () => {
  const memory = stdioConfig('memory', 'vscode', 'npx', ['-y', '@modelcontextprotocol/server-memory']);
  const fetch = stdioConfig('fetch', 'vscode', 'uvx', ['mcp-server-fetch']);
  const weather = stdioConfig('weather', 'codex', 'node', ['/home/u/mcp/weather/dist/index.js']);
  const time = stdioConfig('time', 'claude-code', 'uvx', ['mcp-server-time']);
  const configs = [memory, fetch, weather, time];
  const instances = async (c: ServerConfig) => (await attach(configs)).servers.find((s) => s.id === c.id)?.instances;

  it("the Copilot runtime's two sessions: a duplicate saying one per agent session; the extension host's own copy is another client's", async () => {
    const list = await instances(memory);
    const older = duplicateOf(byPid(list, 1222));
    assert.ok(older, 'the older session copy is a duplicate');
    assert.equal(older.keep.pid, 1232);
    assert.deepEqual(
      older.instances.map((i) => i.pid),
      [1222, 1232],
    );
    assert.deepEqual(older.agentHost, { pid: 1210, name: 'Copilot SDK runtime' });
    assert.match(
      describeVerdict(older),
      /runs 2 instances of this launch, one per agent session of its Copilot SDK runtime \(pid 1210\)/,
    );
    assert.equal(duplicateOf(byPid(list, 1232)), undefined, 'the newest is kept');
    assert.deepEqual(
      kinds(byPid(list, 1112)),
      ['shared'],
      "the extension host's copy is not the agent host's duplicate",
    );
  });

  it("VS Code Server's agent host: one fetch per Claude session, counted by their session processes", async () => {
    const list = await instances(fetch);
    const older = duplicateOf(byPid(list, 3112));
    assert.ok(older);
    assert.deepEqual(older.agentHost, { pid: 3100, name: 'VS Code Server agent host', sessions: 2 });
    assert.equal(older.client.name, 'VS Code Server');
    assert.deepEqual(byPid(list, 3122).client.agentHost, {
      pid: 3100,
      name: 'VS Code Server agent host',
      sessionPid: 3120,
    });
  });

  it("Codex app-server's threads: a duplicate per thread, sessions not countable from the table", async () => {
    const older = duplicateOf(byPid(await instances(weather), 3220));
    assert.deepEqual(older?.agentHost, { pid: 3210, name: 'Codex app-server' });
  });

  it('a server an exited agent host left to init is an orphan, outside the duplicate count', async () => {
    const list = await instances(memory);
    const left = byPid(list, 4002);
    assert.deepEqual(kinds(left), ['orphan']);
    assert.equal(left.client.id, 'unknown');
    assert.ok(!duplicateOf(byPid(list, 1222))?.instances.some((i) => i.pid === 4002));
  });

  it("an app's Claude Agent SDK sessions: one copy each is a duplicate; a session whose app is gone keeps its own", async () => {
    const list = await instances(time);
    const older = duplicateOf(byPid(list, 5012));
    assert.deepEqual(older?.agentHost, { pid: 5000, name: 'Claude Agent SDK host', sessions: 2 });
    assert.deepEqual(
      older?.instances.map((i) => i.pid),
      [5012, 5022],
    );
    assert.deepEqual(kinds(byPid(list, 5032)), ['shared']);
  });
});

/**
 * Cursor runs every window's MCP servers in one Electron utility process of its own (its
 * `out/vs/code/electron-utility/mcpProcess/mcpProcessMain.js`, started as VS Code starts a utility
 * process: `--type=utility --utility-sub-type=node.mojom.NodeService`; on macOS the `Cursor Helper
 * (Plugin)` helper). Public sources only: no Cursor runs here. A window closing ends its renderer, not
 * that process: the servers stay Cursor's while it lives, and are orphans once it is gone.
 */
describe("Cursor's MCP process: the servers are Cursor's while it lives, whatever its windows do", () => {
  const utility = ['--type=utility', '--utility-sub-type=node.mojom.NodeService', '--service-sandbox-type=none'];
  const weatherArgv = ['node', '/home/u/mcp/weather/dist/index.js'];
  const cursorTable: ProcessInfo[] = [
    { pid: 1, ppid: 0, uid: 0, startTime: 1795300000000, tty: false, argv: ['/sbin/init'] },
    { pid: 7000, ppid: 1, uid: 1000, startTime: 1795301000000, tty: false, argv: ['/usr/share/cursor/cursor'] },
    // The MCP process; the window that used it (a --type=renderer child of 7000) is closed.
    {
      pid: 7020,
      ppid: 7000,
      uid: 1000,
      startTime: 1795301002000,
      tty: false,
      argv: ['/usr/share/cursor/cursor', ...utility],
    },
    { pid: 7021, ppid: 7020, uid: 1000, startTime: 1795301003000, tty: false, argv: weatherArgv },
    // An earlier Cursor's MCP process is gone: its server was adopted by init.
    { pid: 7031, ppid: 1, uid: 1000, startTime: 1795300500000, tty: false, argv: weatherArgv },
  ];
  const weather = stdioConfig('weather', 'cursor', 'node', ['/home/u/mcp/weather/dist/index.js']);
  const attachCursor = async () =>
    (
      await attachInstances(
        [weather],
        { state: 'ok', processes: cursorTable, method: 'procfs' },
        {
          platform: 'linux',
          homes: recordedUserHomes('linux'),
          secretsOf: () => new Set(),
          findListeners: async () => new Map(),
        },
      )
    ).servers[0].instances;

  it('a server of the MCP process is Cursor’s, the process its client, with no window open', async () => {
    const live = byPid(await attachCursor(), 7021);
    assert.deepEqual(live.client, { id: 'cursor', name: 'Cursor', pid: 7020 });
    assert.deepEqual(kinds(live), [], 'not an orphan while the MCP process lives');
  });

  it('the server an ended MCP process left to init is an orphan, and not counted as a copy of the live one', async () => {
    const list = await attachCursor();
    assert.deepEqual(kinds(byPid(list, 7031)), ['orphan']);
    assert.equal(duplicateOf(byPid(list, 7021)), undefined);
  });

  it('on macOS the MCP process is the Cursor Helper (Plugin) helper, Cursor’s too', () => {
    const helper =
      '/Applications/Cursor.app/Contents/Frameworks/Cursor Helper (Plugin).app/Contents/MacOS/Cursor Helper (Plugin)';
    const t = new ProcessTree([
      { pid: 10, ppid: 1, argv: ['/Applications/Cursor.app/Contents/MacOS/Cursor'] },
      { pid: 11, ppid: 10, argv: [helper, ...utility] },
      { pid: 12, ppid: 11, argv: weatherArgv },
    ]);
    assert.deepEqual(owningClient(t.get(12) as ProcessInfo, t, 'darwin'), { id: 'cursor', name: 'Cursor', pid: 11 });
  });
});
