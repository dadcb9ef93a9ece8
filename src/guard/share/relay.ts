import type { Readable, Writable } from 'node:stream';
import { attachControl } from '../../core/control/client';

export interface RelayOptions {
  endpoint: string;
  pid: number;
  startTime: number;
  stdin: Readable;
  stdout: Writable;
  log(line: string): void;
  timeoutMs: number;
}

/**
 * `--on-conflict share`, a later guard of a shared server: a thin relay. Its client's lines go to the
 * holder over the control endpoint and the holder's answers come back; nothing else runs here (no
 * server, no version probe, no stale gate). Resolves with the exit code once either side is gone.
 * Throws what `attachControl` throws when the holder cannot be reached or refuses.
 */
export async function runShareRelay(opts: RelayOptions): Promise<number> {
  const { socket, rest } = await attachControl(
    opts.endpoint,
    { pid: opts.pid, startTime: opts.startTime },
    { timeoutMs: opts.timeoutMs },
  );
  opts.log(`sharing the server of the guard at ${opts.endpoint}`);
  return new Promise<number>((resolve) => {
    let done = false;
    let leaving = false;
    const finish = (code: number, why?: string) => {
      if (done) return;
      done = true;
      if (why) opts.log(why);
      opts.stdin.unpipe(socket);
      socket.destroy();
      resolve(code);
    };
    if (rest) opts.stdout.write(rest);
    // A client slow to read holds the holder's writes back (up to the hub's bound), not the relay's memory.
    socket.pipe(opts.stdout, { end: false });
    socket.on('error', (err) => finish(1, `the connection to the shared server failed: ${err.message}`));
    socket.on('close', () => finish(leaving ? 0 : 1, leaving ? undefined : 'the shared server went away'));
    // The client left: the holder hears of it (its requests in flight are cancelled there).
    opts.stdin.on('end', () => {
      leaving = true;
      socket.end();
      // The holder closes its side in turn; should it not, the relay does not wait long.
      setTimeout(() => finish(0), 2000).unref();
    });
    opts.stdin.pipe(socket, { end: false });
  });
}
