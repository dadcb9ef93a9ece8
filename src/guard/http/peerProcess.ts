import * as fs from 'node:fs';
import * as os from 'node:os';
import type { Socket } from 'node:net';
import { processStartTime } from '../../core/locks';
import { isLoopbackAddress } from '../../core/net/loopback';
import { canonicalAddress, parseProcTcpSockets, peerSocketInode, ProcTcpSocket } from '../../core/net/tcpPeers';
import type { PeerProcess } from './httpClients';

export interface PeerLookupOptions {
  /** Connections waiting for a scan at most; past it a connection's peer stays unknown. */
  maxPending: number;
  /** A scan of /proc gives up after this long; what it has not found stays unknown. */
  scanBudgetMs: number;
}

interface Pending {
  ours: { local: { address: string; port: number }; remote: { address: string; port: number } };
  resolve(peer: Answer): void;
}

/** A scan's answer for one connection: its peer, none to be found, or not found in time (asked again next time). */
type Answer = PeerProcess | 'none' | 'timeout';

/** Processes whose fds are read at once: a busy machine's /proc is walked in a fraction of the budget. */
const SCAN_PARALLEL = 16;

/** Whose process is at the other end of a connection: this user's, another user's, or not knowable here. */
export type PeerUser = 'same' | 'other' | 'unknown';

/**
 * Finds the process at the other end of a loopback connection to the front, on Linux: the peer's
 * socket inode from /proc/net/tcp{,6}, then the one process of this user holding `socket:[inode]`
 * (a scan of /proc/<pid>/fd, some tens of ms). Asked at most once per connection, answered in the
 * background (never on a request's path), one scan at a time serving every connection waiting,
 * bounded in connections waiting and in time. Unknown (undefined) when the peer is not on loopback,
 * belongs to another user, is held by several processes, or is not found in time.
 */
export class PeerLookup {
  private readonly asked = new WeakMap<object, Promise<PeerProcess | undefined>>();
  private readonly users = new WeakMap<object, Promise<PeerUser>>();
  private pending: Pending[] = [];
  private scanning = false;
  private readonly proc = '/proc';
  private readonly uid = process.getuid?.();

  constructor(private readonly options: PeerLookupOptions) {}

  peerOf(connection: object): Promise<PeerProcess | undefined> {
    let answer = this.asked.get(connection);
    if (!answer) {
      answer = this.ask(connection as Socket).then((found) => {
        // A scan that ran out of time (a busy machine) says nothing: the connection's next request asks again.
        if (found === 'timeout') this.asked.delete(connection);
        return typeof found === 'object' ? found : undefined;
      });
      this.asked.set(connection, answer);
    }
    return answer;
  }

  /**
   * Whether the peer of a loopback connection is a process of this user (Linux: the uid the kernel
   * gives the peer's socket in /proc/net/tcp{,6}, read once per connection). `unknown` elsewhere, or
   * when the peer's socket is not found (a connection already torn down).
   */
  userOf(connection: object): Promise<PeerUser> {
    let answer = this.users.get(connection);
    if (!answer) {
      answer = this.readUser(connection as Socket).catch((): PeerUser => 'unknown');
      this.users.set(connection, answer);
    }
    return answer;
  }

  private async readUser(socket: Socket): Promise<PeerUser> {
    if (process.platform !== 'linux' || this.uid === undefined) return 'unknown';
    const ours = endsOf(socket);
    if (!ours) return 'unknown';
    const little = os.endianness() === 'LE';
    for (const file of ['net/tcp', 'net/tcp6']) {
      const text = await fs.promises.readFile(`${this.proc}/${file}`, 'utf8').catch(() => '');
      const peer = peerSocketInode(parseProcTcpSockets(text, little), ours);
      if (peer) return peer.uid === this.uid ? 'same' : 'other';
    }
    return 'unknown';
  }

  private ask(socket: Socket): Promise<Answer> {
    if (process.platform !== 'linux' || this.uid === undefined) return Promise.resolve('none');
    const ours = endsOf(socket);
    if (!ours || !isLoopbackAddress(socket.remoteAddress ?? '')) return Promise.resolve('none');
    if (this.pending.length >= this.options.maxPending) return Promise.resolve('timeout');
    return new Promise((resolve) => {
      this.pending.push({ ours, resolve });
      if (!this.scanning) {
        this.scanning = true;
        setImmediate(() => void this.scanLoop());
      }
    });
  }

  private async scanLoop(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        const batch = this.pending.splice(0);
        const found = await this.scan(batch).catch(() => new Map<Pending, Answer>());
        for (const p of batch) p.resolve(found.get(p) ?? 'none');
      }
    } finally {
      this.scanning = false;
    }
  }

  private async scan(batch: Pending[]): Promise<Map<Pending, Answer>> {
    const out = new Map<Pending, Answer>();
    const little = os.endianness() === 'LE';
    const sockets: ProcTcpSocket[] = [];
    for (const file of ['net/tcp', 'net/tcp6']) {
      const text = await fs.promises.readFile(`${this.proc}/${file}`, 'utf8').catch(() => '');
      sockets.push(...parseProcTcpSockets(text, little));
    }
    // Inode -> the connections whose peer holds it; a peer socket of another user is never looked for.
    const wanted = new Map<string, Pending[]>();
    for (const p of batch) {
      const peer = peerSocketInode(sockets, p.ours);
      if (peer && peer.uid === this.uid)
        wanted.set(`socket:[${peer.inode}]`, [...(wanted.get(`socket:[${peer.inode}]`) ?? []), p]);
    }
    if (wanted.size === 0) return out;
    const holders = new Map<string, Set<number>>();
    const deadline = Date.now() + this.options.scanBudgetMs;
    const pids = (await fs.promises.readdir(this.proc).catch(() => [] as string[])).filter((n) => /^\d+$/.test(n));
    const holdersOf = async (name: string) => {
      if (Number(name) === process.pid) return;
      const fdDir = `${this.proc}/${name}/fd`;
      // Another user's fds cannot be listed (EACCES): such a peer stays unknown.
      const fds = await fs.promises.readdir(fdDir).catch(() => [] as string[]);
      const links = await Promise.all(fds.map((fd) => fs.promises.readlink(`${fdDir}/${fd}`).catch(() => '')));
      for (const link of links)
        if (wanted.has(link)) holders.set(link, (holders.get(link) ?? new Set()).add(Number(name)));
    };
    for (let i = 0; i < pids.length; i += SCAN_PARALLEL) {
      if (Date.now() > deadline) {
        for (const p of batch) out.set(p, 'timeout');
        return out;
      }
      await Promise.all(pids.slice(i, i + SCAN_PARALLEL).map(holdersOf));
    }
    for (const [link, waiting] of wanted) {
      const held = [...(holders.get(link) ?? [])];
      // Held by several processes (a socket inherited across fork): which one is the client is not exact.
      if (held.length !== 1) continue;
      const pid = held[0];
      const owner = await fs.promises.stat(`${this.proc}/${pid}`).catch(() => undefined);
      if (owner?.uid !== this.uid) continue;
      const startTime = await processStartTime(pid).catch(() => undefined);
      if (startTime === undefined) continue;
      for (const p of waiting) out.set(p, { pid, startTime });
    }
    return out;
  }
}

/** A connection's two ends as /proc/net/tcp{,6} names them; undefined while either is not known. */
function endsOf(socket: Socket): Pending['ours'] | undefined {
  const { remoteAddress, remotePort, localAddress, localPort } = socket;
  if (!remoteAddress || !localAddress || !remotePort || !localPort) return undefined;
  const remote = canonicalAddress(remoteAddress);
  const local = canonicalAddress(localAddress);
  if (remote === undefined || local === undefined) return undefined;
  return { local: { address: local, port: localPort }, remote: { address: remote, port: remotePort } };
}
