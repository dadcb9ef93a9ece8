import { isIP } from 'node:net';
import { canonicalIPv6 } from './loopback';

/**
 * Which process is at the other end of a loopback TCP connection, on Linux: the connection's
 * socket is a line of /proc/net/tcp (or tcp6) whose local and remote ends are the accepted
 * socket's, swapped; the line names the socket's inode, and the process holding `socket:[inode]`
 * among its fds is the peer. The text is parsed here; reading /proc is the caller's.
 */

/** One end of a TCP connection: an address as `canonicalAddress` writes it, and a port. */
export interface TcpEnd {
  address: string;
  port: number;
}

/** One line of /proc/net/tcp or tcp6. */
export interface ProcTcpSocket {
  local: TcpEnd;
  remote: TcpEnd;
  /** The kernel's state, two hex digits (`01` established, `0A` listening). */
  state: string;
  uid: number;
  inode: string;
}

/**
 * An IPv4 or IPv6 address, written one way for both: IPv6 in the URL parser's canonical form, and
 * IPv4 as its IPv4-mapped IPv6 address (a dual-stack socket reports `::ffff:127.0.0.1` for the
 * same peer a v4 socket reports as `127.0.0.1`). Undefined for anything else.
 */
export function canonicalAddress(ip: string): string | undefined {
  const family = isIP(ip);
  if (family === 4) return canonicalIPv6(`::ffff:${ip}`);
  if (family === 6) return canonicalIPv6(ip);
  return undefined;
}

/**
 * Decodes an address of /proc/net/tcp{,6}: 8 hex digits (IPv4) or 32 (IPv6), each 32-bit word in
 * the kernel's byte order (`littleEndian` on x86 and arm64).
 */
export function decodeProcAddress(hex: string, littleEndian: boolean): string | undefined {
  if (!/^[0-9A-Fa-f]+$/.test(hex) || (hex.length !== 8 && hex.length !== 32)) return undefined;
  const bytes: number[] = [];
  for (let w = 0; w < hex.length; w += 8) {
    const word = [0, 2, 4, 6].map((i) => parseInt(hex.slice(w + i, w + i + 2), 16));
    bytes.push(...(littleEndian ? word.reverse() : word));
  }
  if (bytes.length === 4) return canonicalAddress(bytes.join('.'));
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] << 8) | bytes[i + 1]).toString(16));
  return canonicalAddress(groups.join(':'));
}

/** Parses /proc/net/tcp or tcp6; lines that do not read cleanly are skipped. */
export function parseProcTcpSockets(text: string, littleEndian: boolean): ProcTcpSocket[] {
  const out: ProcTcpSocket[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10) continue;
    const local = endOf(f[1], littleEndian);
    const remote = endOf(f[2], littleEndian);
    const uid = Number(f[7]);
    if (!local || !remote || !/^[0-9A-Fa-f]{2}$/.test(f[3]) || !Number.isInteger(uid) || !/^\d+$/.test(f[9])) continue;
    out.push({ local, remote, state: f[3].toUpperCase(), uid, inode: f[9] });
  }
  return out;
}

function endOf(field: string, littleEndian: boolean): TcpEnd | undefined {
  const [hex, portHex] = field.split(':');
  const address = hex === undefined ? undefined : decodeProcAddress(hex, littleEndian);
  const port = portHex !== undefined && /^[0-9A-Fa-f]{4}$/.test(portHex) ? parseInt(portHex, 16) : undefined;
  return address !== undefined && port !== undefined ? { address, port } : undefined;
}

/**
 * The inode of the peer's socket of a connection we accepted: the socket whose local end is our
 * remote end and whose remote end is our local end. Only an exact match counts; an inode of 0 (a
 * socket being torn down) is none.
 */
export function peerSocketInode(
  sockets: readonly ProcTcpSocket[],
  ours: { local: TcpEnd; remote: TcpEnd },
): { inode: string; uid: number } | undefined {
  const hit = sockets.find(
    (s) =>
      s.inode !== '0' &&
      s.local.port === ours.remote.port &&
      s.remote.port === ours.local.port &&
      s.local.address === ours.remote.address &&
      s.remote.address === ours.local.address,
  );
  return hit ? { inode: hit.inode, uid: hit.uid } : undefined;
}
