import { parseProcTcpSockets } from '../net/tcpPeers';
import type { Listener } from '../base/model';
import type { Machine } from '../machine/types';
import { namesThisMachine } from '../net/loopback';
import { commandHash } from '../pids/identity';
import { liveReidentifyDeps, reidentify } from '../pids/reidentify';
import type { ProcessInfo } from '../pids/table';

/** The local port of an http/sse URL, or why it is not local. */
export function localPort(url: string): { port: number } | { notLocal: string } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return { notLocal: 'the URL cannot be parsed' };
  }
  if (!namesThisMachine(u.hostname)) return { notLocal: `${u.hostname} is not this machine` };
  const port = u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : 80;
  return { port };
}

/** Parses /proc/net/tcp or tcp6: the socket inodes listening (state 0A) on each local port. */
export function parseProcNetTcp(text: string): Map<number, string[]> {
  const out = new Map<number, string[]>();
  // The one parser of these files (net/tcpPeers.ts); byte order moves only addresses, not ports.
  for (const socket of parseProcTcpSockets(text, true)) {
    if (socket.state !== '0A') continue;
    out.set(socket.local.port, [...(out.get(socket.local.port) ?? []), socket.inode]);
  }
  return out;
}

/** Parses `lsof -nP -iTCP:PORT -sTCP:LISTEN -Fp`: lines `p<pid>`. */
export function parseLsofPids(text: string): number[] {
  return text
    .split('\n')
    .filter((l) => /^p\d+$/.test(l))
    .map((l) => Number(l.slice(1)));
}

/**
 * Finds which process listens on each port: Linux reads /proc/net/tcp* and the fds of the given
 * candidate pids (our own user's processes); elsewhere `lsof` when present.
 */
export async function findListeners(
  ports: readonly number[],
  candidatePids: readonly number[],
  machine: Machine,
): Promise<Map<number, Listener>> {
  const out = new Map<number, Listener>();
  if (ports.length === 0) return out;
  const fs = machine.fs;
  if (machine.host.platform === 'linux') {
    const inodes = new Map<string, number>();
    for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
      let text: string | undefined;
      try {
        text = fs.readTextSync(file);
      } catch {
        continue;
      }
      if (text === undefined) continue;
      const listening = parseProcNetTcp(text);
      for (const port of ports) for (const inode of listening.get(port) ?? []) inodes.set(inode, port);
    }
    for (const port of ports)
      if (![...inodes.values()].includes(port))
        out.set(port, { state: 'none', port, reason: 'nothing listens on this port' });
    if (inodes.size === 0) return out;
    for (const pid of candidatePids) {
      let fds: string[] | undefined;
      try {
        fds = fs.readdirSync(`/proc/${pid}/fd`);
      } catch {
        continue;
      }
      for (const fd of fds ?? []) {
        let link: string | undefined;
        try {
          link = fs.readlinkSync(`/proc/${pid}/fd/${fd}`);
        } catch {
          continue;
        }
        if (link === undefined) continue;
        const m = /^socket:\[(\d+)\]$/.exec(link);
        const port = m && inodes.get(m[1]);
        if (port && !out.has(port)) out.set(port, { state: 'local', port, pid });
      }
    }
    for (const port of ports)
      if (!out.has(port))
        out.set(port, { state: 'unknown', reason: `a process listens on port ${port}, but not one of this user's` });
    return out;
  }
  for (const port of ports) {
    const ran = await machine.run({ command: 'lsof', args: ['-nP', `-iTCP:${port}`, '-sTCP:LISTEN', '-Fp'] });
    // lsof exits 1 when nothing matches; it did not run at all when it is not installed.
    if (ran.code === 0) {
      const pid = parseLsofPids(ran.stdout)[0];
      out.set(
        port,
        pid ? { state: 'local', port, pid } : { state: 'none', port, reason: 'nothing listens on this port' },
      );
    } else
      out.set(
        port,
        ran.code === 1
          ? { state: 'none', port, reason: 'nothing listens on this port' }
          : { state: 'unknown', reason: 'lsof is not available to find the listening process' },
      );
  }
  return out;
}

/**
 * A listener as an entry's server may take it: only a process proven to hold the port. The socket's
 * owner (found by its inode in the process's own fds, or by lsof) must be one of this user's
 * processes as the table lists them, and still that very process when asked again (the one rule of
 * pids/reidentify.ts: pid, start, command line, user): a pid the table saw may have been reused by
 * the time its fds were read. Answering on the port proves nothing and is never asked here.
 */
export async function provenListener(
  listener: Listener,
  listed: ProcessInfo | undefined,
  machine: Machine | undefined,
): Promise<Listener> {
  if (listener.state !== 'local') return listener;
  const port = listener.port;
  if (!listed || listed.startTime === undefined || !machine)
    return {
      state: 'unknown',
      reason: `a process listens on port ${port}, but not one this user's process table names`,
    };
  const again = await reidentify(
    { pid: listed.pid, startTime: listed.startTime, commandHash: commandHash(listed.argv) },
    liveReidentifyDeps(machine),
  );
  return again.ok
    ? listener
    : { state: 'unknown', reason: `the process listening on port ${port} could not be re-identified: ${again.detail}` };
}
