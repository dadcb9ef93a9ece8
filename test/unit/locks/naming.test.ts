import * as path from 'node:path';
import * as assert from 'node:assert/strict';
import {
  controlEndpointFor,
  defaultResourceKey,
  identityHash,
  lockPathFor,
  MAX_SOCKET_PATH_BYTES,
  nameSlug,
} from '../../../src/core/locks/naming';

describe('locks: names derived from a server identity', () => {
  const identity = { serverName: 'Memory', resourceKey: '/home/me/.memory' };

  it('hashes serverName NUL resourceKey with sha256 (the spec example)', () => {
    // sha256("Memory\0/home/me/.memory"), first 16 hex characters; docs/lock-protocol.md quotes it.
    assert.equal(identityHash(identity), 'c771571f539eccd8');
    assert.notEqual(identityHash({ serverName: 'Memory', resourceKey: '/other' }), identityHash(identity));
  });

  it('puts the lock of an identity in <slug>-<hash>.lock inside the lock directory', () => {
    assert.equal(lockPathFor('/tmp/locks', identity, path.posix), `/tmp/locks/memory-${identityHash(identity)}.lock`);
  });

  it('slugs names for people: ASCII lowered, other runs to one dash, 32 characters, no leading dot', () => {
    assert.equal(nameSlug('My Server (prod)'), 'my-server-prod-');
    assert.equal(nameSlug('..hidden'), 'hidden');
    assert.equal(nameSlug('Ünïcode 🚀 name'), '-n-code-name');
    assert.equal(nameSlug('x'.repeat(40)).length, 32);
    assert.equal(nameSlug('...'), 'server');
  });

  it('the default resource is the JSON array of cwd, command and args with no whitespace', () => {
    assert.equal(
      defaultResourceKey({ cwd: '/w', command: '/usr/bin/node', args: ['s.js', '--db', 'a b'] }),
      '["/w","/usr/bin/node","s.js","--db","a b"]',
    );
  });

  it('puts the control socket in the lock directory when the path fits in sun_path', () => {
    assert.equal(controlEndpointFor('/tmp/locks', identity, 'linux'), `/tmp/locks/${identityHash(identity)}.sock`);
  });

  it('falls back to a short per-user path when the socket path would be too long', () => {
    const deep = `/tmp/${'d'.repeat(100)}`;
    const endpoint = controlEndpointFor(deep, identity, 'darwin');
    assert.match(endpoint, /^\/tmp\/mcp-lifeguard-[^/]+\/[0-9a-f]{16}\.sock$/);
    assert.ok(Buffer.byteLength(endpoint) <= MAX_SOCKET_PATH_BYTES);
    // Two roots never share an endpoint.
    assert.notEqual(controlEndpointFor(`${deep}x`, identity, 'darwin'), endpoint);
  });

  it('names a Windows named pipe, scoped by the lock directory', () => {
    const pipe = controlEndpointFor('C:\\Users\\me\\AppData\\Local\\MCP Lifeguard\\locks', identity, 'win32');
    assert.match(pipe, /^\\\\\.\\pipe\\mcp-lifeguard-[0-9a-f]{16}$/);
    assert.notEqual(controlEndpointFor('C:\\other', identity, 'win32'), pipe);
  });
});
