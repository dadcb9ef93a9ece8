import { spawn } from 'node:child_process';
import { closeSync, constants } from 'node:fs';
import * as path from 'node:path';
import type { LifeguardPaths } from '../core/base/paths';
import { openPrivateSync } from '../core/machine/privateFs';
import { hostExecArgv } from './hostNodeFlags';
import type { CliIo } from './io';

/**
 * `--on-conflict share`: starts the share host, `mcp-lifeguard run --share-host` with the same
 * options and server, detached (it outlives the client that started it, serving the others), its
 * output appended to a private log file, with the Node flags of a long-lived host (hostNodeFlags.ts).
 */
export function startShareHost(
  options: string[],
  command: string[],
  io: CliIo,
  paths: LifeguardPaths,
): { exit(): string | undefined; log: string } {
  const log = path.join(paths.logs, 'share-hosts.log');
  const fd = openPrivateSync(log, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT, { root: paths.root });
  let exit: string | undefined;
  try {
    const child = spawn(
      process.execPath,
      [...hostExecArgv(process.execArgv), process.argv[1], 'run', '--share-host', ...options, '--', ...command],
      { cwd: path.resolve(io.cwd), env: io.env, detached: true, stdio: ['ignore', 'ignore', fd], windowsHide: true },
    );
    child.once('exit', (code, signal) => (exit = signal ? `was killed by ${signal}` : `exited with code ${code}`));
    child.once('error', (err) => (exit = `could not start: ${err.message}`));
    child.unref();
  } finally {
    closeSync(fd);
  }
  return { exit: () => exit, log };
}
