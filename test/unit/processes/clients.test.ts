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
    ['darwin', ['/Applications/Claude.app/Contents/MacOS/Claude'], 'Claude Desktop'],
    ['win32', ['C:\\Users\\u\\AppData\\Local\\AnthropicClaude\\app-0.9.3\\claude.exe'], 'Claude Desktop'],
    ['linux', ['/home/u/.local/bin/claude'], 'Claude Code'],
    ['linux', ['node', '/usr/lib/node_modules/@anthropic-ai/claude-code/cli.js'], 'Claude Code'],
    ['darwin', ['/opt/homebrew/bin/codex'], 'Codex'],
    ['linux', ['node', '/usr/local/lib/node_modules/@google/gemini-cli/dist/index.js'], 'Gemini CLI'],
    ['darwin', ['/Applications/Zed.app/Contents/MacOS/zed'], 'Zed'],
    ['linux', ['/usr/bin/node', '/srv/app.js'], undefined],
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
});
