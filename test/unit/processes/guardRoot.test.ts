import * as assert from 'node:assert/strict';
import { guardOfAnotherRoot, guardRootOf, otherRootDiagnostic } from '../../../src/core/processes/guardRoot';
import { stdioConfig } from './support';

const env = (o: Record<string, string>) => new Map(Object.entries(o));

describe('guardRoot: the root a guard keeps its lock in, from its environment', () => {
  it('MCP_LIFEGUARD_HOME first, then XDG_STATE_HOME, then HOME (Linux)', () => {
    assert.equal(guardRootOf(env({ HOME: '/home/a', MCP_LIFEGUARD_HOME: '/tmp/lg' }), 'linux'), '/tmp/lg');
    assert.equal(guardRootOf(env({ HOME: '/home/a', XDG_STATE_HOME: '/s' }), 'linux'), '/s/mcp-lifeguard');
    assert.equal(guardRootOf(env({ HOME: '/home/a' }), 'linux'), '/home/a/.local/state/mcp-lifeguard');
    assert.equal(
      guardRootOf(env({ HOME: '/Users/a' }), 'darwin'),
      '/Users/a/Library/Application Support/MCP Lifeguard',
    );
  });

  it('undecided when it cannot be told: no environment, no home, a relative override', () => {
    assert.equal(guardRootOf(undefined, 'linux'), undefined);
    assert.equal(guardRootOf(env({ PATH: '/bin' }), 'linux'), undefined);
    assert.equal(guardRootOf(env({ HOME: '/home/a', MCP_LIFEGUARD_HOME: 'rel/lg' }), 'linux'), undefined);
  });

  it("the guard's own --home (before its --) names its root whatever its environment says", () => {
    const argv = ['node', '/x/mcp-lifeguard.js', 'run', '--home', '/tmp/lg', '--name', 's', '--', 'node', 's.js'];
    assert.equal(guardRootOf(env({ HOME: '/home/a' }), 'linux', argv), '/tmp/lg');
    assert.equal(guardRootOf(undefined, 'linux', argv), '/tmp/lg');
    assert.equal(guardRootOf(undefined, 'linux', ['mcp-lifeguard', 'run', '--home=/tmp/lg2', '--', 'x']), '/tmp/lg2');
    // The server's own --home (after --) is its business, not the guard's; a relative one is undecided.
    assert.equal(
      guardRootOf(env({ HOME: '/home/a' }), 'linux', ['mcp-lifeguard', 'run', '--', 'srv', '--home', '/srv']),
      '/home/a/.local/state/mcp-lifeguard',
    );
    assert.equal(guardRootOf(env({ HOME: '/home/a' }), 'linux', ['mcp-lifeguard', 'run', '--home', 'rel']), undefined);
  });

  it('another root is a stranger, unless the entry itself moves its root or nothing is known', () => {
    assert.equal(guardOfAnotherRoot('/tmp/other', '/home/a/.local/state/mcp-lifeguard', undefined, 'linux'), true);
    assert.equal(guardOfAnotherRoot('/tmp/lg/', '/tmp/lg', undefined, 'linux'), false);
    assert.equal(guardOfAnotherRoot('/tmp/other', '/tmp/lg', { MCP_LIFEGUARD_HOME: '/tmp/other' }, 'linux'), false);
    assert.equal(guardOfAnotherRoot('/tmp/other', '/tmp/lg', { HOME: '/tmp' }, 'linux'), false);
    assert.equal(guardOfAnotherRoot('/tmp/other', '/tmp/lg', { MEMORY_FILE_PATH: '/x' }, 'linux'), true);
    assert.equal(guardOfAnotherRoot(undefined, '/tmp/lg', undefined, 'linux'), false);
    assert.equal(guardOfAnotherRoot('/tmp/other', undefined, undefined, 'linux'), false);
  });

  it("an entry whose own command carries no --home under another root's guard: a warning naming both roots and the fix; one that carries --home: none", () => {
    const inner = ['--', 'node', '/srv/s.js'];
    const bare = stdioConfig('notes', 'claude-desktop', 'mcp-lifeguard', ['run', '--name', 'notes', ...inner]);
    const d = otherRootDiagnostic(bare, 77, '/home/a/.local/state/mcp-lifeguard', '/lg');
    assert.equal(d?.severity, 'warning');
    assert.equal(d?.client, 'claude-desktop');
    assert.match(
      d?.message ?? '',
      /^'notes' runs through a guard \(pid 77\) that keeps its lock under \/home\/a\/\.local\/state\/mcp-lifeguard, not under \/lg/,
    );
    assert.match(d?.message ?? '', /wrap it again so its command carries --home \/lg$/);
    const homed = stdioConfig('notes', 'claude-desktop', 'mcp-lifeguard', [
      'run',
      '--home',
      '/x',
      '--name',
      'notes',
      ...inner,
    ]);
    assert.equal(otherRootDiagnostic(homed, 77, '/x', '/lg'), undefined);
    // A `--home` of the server's own arguments (after `--`) is not the guard's.
    const serverHome = stdioConfig('notes', 'claude-desktop', 'mcp-lifeguard', [
      'run',
      '--name',
      'notes',
      '--',
      'srv',
      '--home',
      '/d',
    ]);
    assert.ok(otherRootDiagnostic(serverHome, 77, '/home/a/.local/state/mcp-lifeguard', '/lg'));
  });
});
