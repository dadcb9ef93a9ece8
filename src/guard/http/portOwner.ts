import { promises as fsp } from 'node:fs';
import { liveMachine, currentHostEnv } from '../../core/machine/live';
import { findListeners } from '../../core/processes/listen';
import { redactArgs } from '../../core/base/redact';

/**
 * Says who listens on a local port, for the "port is taken" message: the pid and its command line
 * when the process is this user's (Linux: /proc/net/tcp* and the fds of every pid; elsewhere lsof).
 */
export async function describePortHolder(port: number, platform: NodeJS.Platform = process.platform): Promise<string> {
  let pids: number[] = [];
  if (platform === 'linux') {
    try {
      pids = (await fsp.readdir('/proc')).filter((n) => /^\d+$/.test(n)).map(Number);
    } catch {
      pids = [];
    }
  }
  const listener = (await findListeners([port], pids, liveMachine({ ...currentHostEnv(), platform }))).get(port);
  if (!listener) return 'the process holding it could not be found';
  switch (listener.state) {
    case 'local':
      return `held by pid ${listener.pid}${await commandOf(listener.pid, platform)}`;
    case 'none':
      return 'nothing listens there now (it was released meanwhile); try again';
    default:
      return listener.reason;
  }
}

async function commandOf(pid: number, platform: NodeJS.Platform): Promise<string> {
  if (platform !== 'linux') return '';
  try {
    const argv = (await fsp.readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').filter(Boolean);
    if (argv.length === 0) return '';
    const line = redactArgs(argv).join(' ');
    return ` (${line.length > 120 ? `${line.slice(0, 117)}...` : line})`;
  } catch {
    return '';
  }
}
