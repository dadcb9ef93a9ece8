import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  canonicalAddress,
  decodeProcAddress,
  parseProcTcpSockets,
  peerSocketInode,
} from '../../../src/core/net/tcpPeers';
import { fixturesDir } from '../../support/repo';

const table = (name: string) => fs.readFileSync(path.join(fixturesDir, 'process-tables', name), 'utf8');
const v4 = (ip: string) => canonicalAddress(ip)!;

describe('tcpPeers: the socket at the other end of a loopback connection, from /proc/net/tcp{,6}', () => {
  it('writes IPv4, IPv4-mapped and IPv6 addresses one way, and refuses what is not an address', () => {
    assert.equal(canonicalAddress('127.0.0.1'), '::ffff:7f00:1');
    assert.equal(canonicalAddress('::ffff:127.0.0.1'), '::ffff:7f00:1');
    assert.equal(canonicalAddress('0:0:0:0:0:0:0:1'), '::1');
    assert.equal(canonicalAddress('localhost'), undefined);
    assert.equal(canonicalAddress('fe80::1%eth0'), undefined);
  });

  it("decodes the kernel's hex addresses in either byte order", () => {
    assert.equal(decodeProcAddress('0100007F', true), v4('127.0.0.1'));
    assert.equal(decodeProcAddress('7F000001', false), v4('127.0.0.1'));
    assert.equal(decodeProcAddress('00000000000000000000000001000000', true), '::1');
    assert.equal(decodeProcAddress('00000000000000000000000000000001', false), '::1');
    assert.equal(decodeProcAddress('0000000000000000FFFF00000100007F', true), v4('127.0.0.1'));
    assert.equal(decodeProcAddress('0100007', true), undefined);
    assert.equal(decodeProcAddress('0100007G', true), undefined);
  });

  it('parses every well-formed line, listening and connected, and skips the rest', () => {
    const sockets = parseProcTcpSockets(table('linux-proc-net-tcp-connections.txt'), true);
    assert.equal(sockets.length, 7, 'the header and the garbage line are skipped');
    assert.deepEqual(sockets[1], {
      local: { address: v4('127.0.0.1'), port: 3001 },
      remote: { address: v4('127.0.0.1'), port: 40000 },
      state: '01',
      uid: 1000,
      inode: '500002',
    });
    // The listening table of listen.ts reads the same file.
    assert.equal(parseProcTcpSockets(table('linux-proc-net-tcp.txt'), true).length, 2);
  });

  it("finds the peer's socket of an accepted connection: ends swapped, exactly; never a torn-down one (inode 0)", () => {
    const sockets = parseProcTcpSockets(table('linux-proc-net-tcp-connections.txt'), true);
    const front = { address: v4('127.0.0.1'), port: 3001 };
    assert.deepEqual(peerSocketInode(sockets, { local: front, remote: { address: v4('127.0.0.1'), port: 40000 } }), {
      inode: '500003',
      uid: 1000,
    });
    // Another user's client: found with its uid, which the caller refuses.
    assert.deepEqual(peerSocketInode(sockets, { local: front, remote: { address: v4('127.0.0.1'), port: 40001 } }), {
      inode: '500004',
      uid: 1001,
    });
    assert.equal(
      peerSocketInode(sockets, { local: front, remote: { address: v4('127.0.0.1'), port: 40002 } }),
      undefined,
      'TIME_WAIT, no inode',
    );
    // Same port from 127.0.0.2: a different peer, matched only by its own address.
    assert.deepEqual(peerSocketInode(sockets, { local: front, remote: { address: v4('127.0.0.2'), port: 40000 } }), {
      inode: '500006',
      uid: 1000,
    });
    assert.equal(
      peerSocketInode(sockets, { local: { ...front, port: 3002 }, remote: { address: v4('127.0.0.1'), port: 40000 } }),
      undefined,
    );
  });

  it('tcp6: a dual-stack front sees an IPv4 client as IPv4-mapped; an IPv6 client over ::1', () => {
    const sockets = parseProcTcpSockets(table('linux-proc-net-tcp6-connections.txt'), true);
    assert.equal(sockets.length, 4);
    assert.deepEqual(sockets[1].remote, { address: v4('127.0.0.1'), port: 0xa000 });
    assert.deepEqual(
      peerSocketInode(sockets, {
        local: { address: '::1', port: 3001 },
        remote: { address: '::1', port: 0xa001 },
      }),
      { inode: '600003', uid: 1000 },
    );
  });
});
