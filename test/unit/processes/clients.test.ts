import * as assert from 'node:assert/strict';
import { matchClientSignature, owningClient } from '../../../src/core/processes/clients';
import { ProcessInfo } from '../../../src/core/pids/table';
import { ProcessTree } from '../../../src/core/processes/tree';

const p = (argv: string[], extra: Partial<ProcessInfo> = {}): ProcessInfo => ({ pid: 2, ppid: 1, argv, ...extra });

describe('owning client signatures', () => {
  const cases: [NodeJS.Platform, string[], string | undefined][] = [
    ['linux', ['/usr/share/code/code', '--type=utility', '--utility-sub-type=node.mojom.NodeService'], 'VS Code'],
    [
      'darwin',
      [
        '/Applications/Visual',
        'Studio',
        'Code.app/Contents/Frameworks/Code',
        'Helper',
        '(Plugin).app/Contents/MacOS/Code',
        'Helper',
        '(Plugin)',
      ],
      'VS Code',
    ],
    ['win32', ['C:\\Users\\u\\AppData\\Local\\Programs\\Microsoft VS Code\\Code.exe', '--type=utility'], 'VS Code'],
    [
      'linux',
      ['/usr/lib/code-server/lib/node', '/usr/lib/code-server/lib/vscode/out/bootstrap-fork', '--type=extensionHost'],
      'code-server',
    ],
    ['linux', ['/usr/lib/code-server/lib/node', '/usr/lib/code-server/out/node/entry'], undefined],
    [
      'linux',
      [
        '/home/u/.vscode-server/bin/abc/node',
        '/home/u/.vscode-server/bin/abc/out/bootstrap-fork',
        '--type=extensionHost',
      ],
      'VS Code Server',
    ],
    [
      'darwin',
      [
        '/Applications/Cursor.app/Contents/Frameworks/Cursor',
        'Helper',
        '(Plugin).app/Contents/MacOS/Cursor',
        'Helper',
        '(Plugin)',
      ],
      'Cursor',
    ],
    ['linux', ['/usr/share/windsurf/windsurf', '--type=utility'], 'Windsurf'],
    // VSCodium and its Insiders build on each OS, and the forks' remote servers' extension hosts.
    ['linux', ['/usr/share/codium/codium', '--type=utility'], 'VSCodium'],
    ['linux', ['/usr/share/codium-insiders/codium-insiders'], 'VSCodium'],
    [
      'darwin',
      [
        '/Applications/VSCodium.app/Contents/Frameworks/VSCodium',
        'Helper',
        '(Plugin).app/Contents/MacOS/VSCodium',
        'Helper',
        '(Plugin)',
      ],
      'VSCodium',
    ],
    ['win32', ['C:\\Users\\u\\AppData\\Local\\Programs\\VSCodium\\VSCodium.exe', '--type=utility'], 'VSCodium'],
    [
      'linux',
      [
        '/home/u/.vscodium-server/bin/abc/node',
        '/home/u/.vscodium-server/bin/abc/out/bootstrap-fork',
        '--type=extensionHost',
      ],
      'VSCodium Server',
    ],
    [
      'linux',
      [
        '/home/u/.cursor-server/bin/abc/node',
        '/home/u/.cursor-server/bin/abc/out/bootstrap-fork',
        '--type=extensionHost',
      ],
      'Cursor Server',
    ],
    [
      'linux',
      [
        '/home/u/.windsurf-server/bin/abc/node',
        '/home/u/.windsurf-server/bin/abc/out/bootstrap-fork',
        '--type=extensionHost',
      ],
      'Windsurf Server',
    ],
    // A remote server's other processes (its server main) run no extension: not a client.
    ['linux', ['/home/u/.cursor-server/bin/abc/node', '/home/u/.cursor-server/bin/abc/out/server-main.js'], undefined],
    ['darwin', ['/Applications/Claude.app/Contents/MacOS/Claude'], 'Claude Desktop'],
    ['win32', ['C:\\Users\\u\\AppData\\Local\\AnthropicClaude\\app-0.9.3\\claude.exe'], 'Claude Desktop'],
    // Windows installs as users run them: Claude Desktop's MSIX package (its main process and its
    // helpers) and Squirrel's stub; Claude Code's native install, the copy Claude Desktop keeps for
    // its Code sessions and npm's; the editors' user and system installs.
    [
      'win32',
      ['C:\\Program Files\\WindowsApps\\Claude_1.49585.0.0_x64__pzs8sxrjxfjjc\\app\\Claude.exe'],
      'Claude Desktop',
    ],
    [
      'win32',
      [
        'C:\\Program Files\\WindowsApps\\Claude_1.4758.0.0_x64__pzs8sxrjxfjjc\\app\\Claude.exe',
        '--type=utility',
        '--utility-sub-type=node.mojom.NodeService',
      ],
      'Claude Desktop',
    ],
    ['win32', ['C:\\Users\\u\\AppData\\Local\\AnthropicClaude\\claude.exe'], 'Claude Desktop'],
    ['win32', ['C:\\Users\\u\\.local\\bin\\claude.exe'], 'Claude Code'],
    ['win32', ['C:\\Users\\u\\AppData\\Roaming\\Claude\\claude-code\\2.1.260\\claude.exe'], 'Claude Code'],
    [
      'win32',
      [
        'C:\\Program Files\\nodejs\\node.exe',
        'C:\\Users\\u\\AppData\\Roaming\\npm\\node_modules\\@anthropic-ai\\claude-code\\cli.js',
      ],
      'Claude Code',
    ],
    [
      'win32',
      ['C:\\Users\\u\\AppData\\Local\\Programs\\Microsoft VS Code Insiders\\Code - Insiders.exe', '--type=utility'],
      'VS Code Insiders',
    ],
    ['win32', ['C:\\Program Files\\Microsoft VS Code\\Code.exe', '--type=utility'], 'VS Code'],
    ['win32', ['C:\\Users\\u\\AppData\\Local\\Programs\\cursor\\Cursor.exe', '--type=utility'], 'Cursor'],
    ['win32', ['C:\\Users\\u\\AppData\\Local\\Programs\\Windsurf\\Windsurf.exe'], 'Windsurf'],
    ['linux', ['/home/u/.local/bin/claude'], 'Claude Code'],
    ['linux', ['node', '/usr/lib/node_modules/@anthropic-ai/claude-code/cli.js'], 'Claude Code'],
    // The native install as a process started by its own path names it: the version file.
    ['darwin', ['/Users/u/.local/share/claude/versions/2.1.254', '--agent-id', 'a1'], 'Claude Code'],
    ['darwin', ['/Users/u/.local/share/claude/versions/2.1.282', 'attach', '8cd6e7fd'], 'Claude Code'],
    // Homebrew's cask links `claude` to the binary it keeps under the Caskroom.
    ['darwin', ['/opt/homebrew/Caskroom/claude-code/2.1.254/claude', '--resume'], 'Claude Code'],
    // A file under a folder of that name is not the program.
    ['darwin', ['node', '/Users/u/.local/share/claude/versions/notes/server.js'], undefined],
    ['darwin', ['/opt/homebrew/bin/codex'], 'Codex'],
    ['linux', ['node', '/usr/local/lib/node_modules/@google/gemini-cli/dist/index.js'], 'Gemini CLI'],
    ['darwin', ['/Applications/Zed.app/Contents/MacOS/zed'], 'Zed'],
    // The command lines the real clients ran their servers from (test/clients, docs/clients.md).
    [
      'linux',
      ['/usr/bin/node', '--expose-gc', '/usr/lib/node_modules/@qwen-code/qwen-code/cli.js', '-p', 'hello'],
      'Qwen Code',
    ],
    ['linux', ['/home/u/node_modules/.bin/opencode', 'run', 'hello'], 'opencode'],
    ['linux', ['/usr/lib/node_modules/@kilocode/cli/bin/.kilo', 'run', 'hello'], 'Kilo'],
    ['linux', ['/usr/lib/node_modules/.bin/cline', 'say hello'], 'Cline CLI'],
    ['linux', ['node', '/usr/lib/node_modules/.bin/cn', '-p', 'hello'], 'Continue CLI'],
    ['linux', ['node', '/usr/lib/node_modules/.bin/auggie', '--print', 'hello'], 'Auggie'],
    // Amp, Factory Droid and Mistral Vibe.
    ['linux', ['/usr/lib/node_modules/@sourcegraph/amp/node_modules/@ampcode/cli/bin/amp.exe', '-x', 'hi'], 'Amp'],
    ['linux', ['/home/u/.local/bin/amp'], 'Amp'],
    ['linux', ['/home/u/node_modules/.bin/droid', 'exec', '-m', 'custom:gpt-4o', 'hello'], 'Factory Droid'],
    ['linux', ['/usr/lib/node_modules/droid/node_modules/@factory/cli-linux-x64/bin/droid'], 'Factory Droid'],
    ['win32', ['C:\\Users\\u\\AppData\\Roaming\\npm\\node_modules\\droid\\bin\\droid.exe'], 'Factory Droid'],
    [
      'linux',
      ['/home/u/.local/share/uv/tools/mistral-vibe/lib/python3.12/site-packages/vibe/_bin/vibe-rs'],
      'Mistral Vibe',
    ],
    [
      'linux',
      ['/home/u/.local/share/uv/tools/mistral-vibe/bin/python', '/home/u/.local/bin/vibe-app-server'],
      'Mistral Vibe',
    ],
    // A server of that name is not the client.
    ['linux', ['node', '/srv/amp-tools/server.js'], undefined],
    ['linux', ['/usr/bin/node', '/srv/app.js'], undefined],
    // Clients known from public sources only (docs/clients.md): Kiro's installs (the Homebrew cask's
    // Kiro.app, the Linux and Windows folders installers use), Kiro CLI's binaries, the Amazon Q
    // CLI's chat binary, Antigravity's language server as users' tools read it, and the CLIs' names.
    [
      'darwin',
      [
        '/Applications/Kiro.app/Contents/Frameworks/Kiro Helper (Plugin).app/Contents/MacOS/Kiro Helper (Plugin)',
        '--type=utility',
      ],
      'Kiro',
    ],
    ['linux', ['/usr/share/kiro/kiro', '--type=utility', '--utility-sub-type=node.mojom.NodeService'], 'Kiro'],
    ['win32', ['C:\\Users\\u\\AppData\\Local\\Programs\\Kiro\\Kiro.exe', '--type=utility'], 'Kiro'],
    ['darwin', ['/Applications/Superkiro.app/Contents/MacOS/Superkiro'], undefined],
    ['linux', ['node', '/srv/kiro/server.js'], undefined],
    ['linux', ['/home/u/.local/bin/kiro-cli-chat', 'chat', '--resume-id', 'a1'], 'Kiro CLI'],
    ['darwin', ['/Applications/Kiro CLI.app/Contents/MacOS/kiro-cli', 'chat'], 'Kiro CLI'],
    ['linux', ['/home/u/.local/bin/qchat', 'chat'], 'Amazon Q CLI'],
    [
      'linux',
      [
        '/home/u/.local/share/aws/toolkits/language-servers/AmazonQ/1.40.0/servers/node',
        '/home/u/.local/share/aws/toolkits/language-servers/AmazonQ/1.40.0/servers/aws-lsp-codewhisperer.js',
        '--stdio',
      ],
      'Amazon Q',
    ],
    [
      'darwin',
      [
        '/Applications/Antigravity.app/Contents/Resources/app/extensions/antigravity/bin/language_server_macos_arm',
        '--app_data_dir',
        'antigravity',
        '--csrf_token',
        'tok',
      ],
      'Antigravity',
    ],
    [
      'win32',
      [
        'C:\\Users\\u\\AppData\\Local\\Programs\\Antigravity\\resources\\bin\\language_server.exe',
        '--standalone',
        '--override_ide_name',
        'antigravity',
        '--app_data_dir',
        'antigravity',
      ],
      'Antigravity',
    ],
    ['linux', ['/usr/share/antigravity/antigravity', '--type=zygote'], 'Antigravity'],
    ['darwin', ['/opt/homebrew/bin/agy', 'serve'], 'Antigravity'],
    // Windsurf's and Devin's language servers share the binary's name, not the data folder.
    ['darwin', ['/opt/devin/language_server_macos_arm', '--app_data_dir', 'devin'], undefined],
    ['linux', ['/home/u/.local/bin/junie'], 'Junie'],
  ];
  for (const [platform, argv, name] of cases) {
    it(`${platform}: ${argv.join(' ').slice(0, 70)} -> ${name ?? 'no client'}`, () => {
      assert.equal(matchClientSignature(p(argv), platform)?.name, name);
    });
  }

  it('is "terminal" for an interactive shell on a tty before any client, else "unknown" naming the spawner', () => {
    const tree = (shell: ProcessInfo) =>
      new ProcessTree([
        { pid: 1, ppid: 0, argv: ['/sbin/init'] },
        { ...shell, pid: 10, ppid: 1 },
        { pid: 11, ppid: 10, argv: ['mcp-server-x'] },
      ]);
    const server = { pid: 11, ppid: 10, argv: ['mcp-server-x'] };
    assert.equal(owningClient(server, tree(p(['-zsh'], { tty: true })), 'darwin').id, 'terminal');
    // `sh -c` is a wrapper a program ran, not a prompt; and a shell without a terminal is not a terminal.
    assert.deepEqual(owningClient(server, tree(p(['sh', '-c', 'mcp-server-x'], { tty: true })), 'linux'), {
      id: 'unknown',
      name: 'unknown',
      pid: 10,
    });
    assert.equal(owningClient(server, tree(p(['bash'], { tty: false })), 'linux').id, 'unknown');
  });

  it('a client found before the shell wins (Claude Code started from a terminal)', () => {
    const tree = new ProcessTree([
      { pid: 10, ppid: 1, argv: ['bash'], tty: true },
      { pid: 11, ppid: 10, argv: ['/home/u/.local/bin/claude'], tty: true },
      { pid: 12, ppid: 11, argv: ['mcp-server-x'], tty: true },
    ]);
    assert.deepEqual(owningClient({ pid: 12, ppid: 11, argv: ['mcp-server-x'] }, tree, 'linux'), {
      id: 'claude-code',
      name: 'Claude Code',
      pid: 11,
    });
  });

  it("Claude Desktop's helpers and wrapper on macOS are no clients: the app above them is, and none is left when it is gone", () => {
    const app = { pid: 10, ppid: 1, argv: ['/Applications/Claude.app/Contents/MacOS/Claude'] };
    const helper = {
      pid: 11,
      argv: [
        '/Applications/Claude.app/Contents/Frameworks/Claude Helper.app/Contents/MacOS/Claude Helper',
        '--type=utility',
      ],
    };
    const wrapper = {
      pid: 12,
      argv: ['/Applications/Claude.app/Contents/Helpers/disclaimer', 'node', '/srv/server.js'],
    };
    const server = (ppid: number) => ({ pid: 20, ppid, argv: ['node', '/srv/server.js'] });
    const clientOf = (above: ProcessInfo[], ppid: number) =>
      owningClient(
        server(ppid),
        new ProcessTree([{ pid: 1, ppid: 0, argv: ['/sbin/launchd'] }, ...above, server(ppid)]),
        'darwin',
      );
    for (const between of [helper, wrapper]) {
      assert.deepEqual(clientOf([app, { ...between, ppid: 10 }], between.pid), {
        id: 'claude-desktop',
        name: 'Claude Desktop',
        pid: 10,
      });
      // The app quit and launchd adopted what ran for it: no client, the helper or wrapper named as the spawner.
      assert.deepEqual(clientOf([{ ...between, ppid: 1 }], between.pid), {
        id: 'unknown',
        name: 'unknown',
        pid: between.pid,
      });
    }
  });

  it("Kilo's servers are the native binary's (bin/.kilo), not the node script's above it", () => {
    const kilo = { pid: 11, ppid: 10, argv: ['/usr/lib/node_modules/@kilocode/cli/bin/.kilo', 'run', 'hello'] };
    const tree = new ProcessTree([
      { pid: 10, ppid: 1, argv: ['node', '/usr/lib/node_modules/.bin/kilo', 'run', 'hello'] },
      kilo,
      { pid: 12, ppid: 11, argv: ['node', '/srv/server.js'] },
    ]);
    assert.deepEqual(owningClient({ pid: 12, ppid: 11, argv: ['node', '/srv/server.js'] }, tree, 'linux'), {
      id: 'kilo',
      name: 'Kilo',
      pid: 11,
    });
  });

  it("Kiro CLI's and Antigravity's servers are the nearest process of the client's, under any launcher", () => {
    const server = { pid: 23, ppid: 22, argv: ['node', '/home/u/.npm/_npx/1/node_modules/.bin/server-memory'] };
    const kiro = new ProcessTree([
      { pid: 20, ppid: 1, argv: ['/home/u/.local/bin/kiro-cli', 'chat'] },
      { pid: 21, ppid: 20, argv: ['/home/u/.local/bin/kiro-cli-chat', 'chat'] },
      { pid: 22, ppid: 21, argv: ['npm', 'exec', '@modelcontextprotocol/server-memory'] },
      server,
    ]);
    assert.deepEqual(owningClient(server, kiro, 'linux'), { id: 'kiro', name: 'Kiro CLI', pid: 21 });
    const antigravity = new ProcessTree([
      { pid: 20, ppid: 1, argv: ['/usr/share/antigravity/antigravity'] },
      {
        pid: 21,
        ppid: 20,
        argv: [
          '/usr/share/antigravity/resources/app/extensions/antigravity/bin/language_server_linux_x64',
          '--app_data_dir',
          'antigravity',
        ],
      },
      { pid: 22, ppid: 21, argv: ['npm', 'exec', '@modelcontextprotocol/server-memory'] },
      server,
    ]);
    assert.deepEqual(owningClient(server, antigravity, 'linux'), { id: 'antigravity', name: 'Antigravity', pid: 21 });
  });

  it("a server of the Cline CLI's hub is the hub's, named as the agent host its later sessions run in", () => {
    const hub = [
      '/usr/lib/node_modules/cline/node_modules/@cline/cli-linux-x64/bin/cline',
      '--cline-hub-daemon',
      '--cwd',
      '/p',
      '--host',
      '127.0.0.1',
      '--port',
      '25463',
      '--pathname',
      '/hub',
    ];
    const tree = new ProcessTree([
      { pid: 10, ppid: 1, argv: ['/usr/lib/node_modules/.bin/cline', 'say hello'] },
      { pid: 11, ppid: 10, argv: hub },
      { pid: 12, ppid: 11, argv: ['node', '/srv/server.js'] },
      { pid: 13, ppid: 10, argv: ['node', '/srv/server.js'] },
    ]);
    const client = (pid: number) =>
      owningClient({ pid, ppid: pid === 12 ? 11 : 10, argv: ['node', '/srv/server.js'] }, tree, 'linux');
    assert.deepEqual(client(12), {
      id: 'cline',
      name: 'Cline CLI',
      pid: 11,
      agentHost: { pid: 11, name: 'Cline hub' },
    });
    // The first session's own servers are its own.
    assert.deepEqual(client(13), { id: 'cline', name: 'Cline CLI', pid: 10 });
  });
});
