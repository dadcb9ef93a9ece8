import { execFile } from 'node:child_process';
import type { HostEnv } from '../base/hostEnv';
import { CommandOutput, MachineCommand } from './types';

/** The default cap on what a command may print: a busy machine's `ps` or PowerShell table fits. */
const MAX_BUFFER = 64 * 1024 * 1024;

/** Runs a program of this machine (never a shell) and says what it printed, how it ended, or why it did not run. */
export function runLive(host: HostEnv, command: MachineCommand): Promise<CommandOutput> {
  return new Promise((resolve) => {
    execFile(
      command.command,
      [...command.args],
      {
        env: { ...host.env, ...command.env },
        encoding: 'utf8',
        maxBuffer: command.maxBuffer ?? MAX_BUFFER,
        ...(command.timeoutMs ? { timeout: command.timeoutMs } : {}),
        windowsHide: true,
      },
      (err, stdout, stderr) => {
        if (!err) return resolve({ code: 0, stdout, stderr });
        const e = err as NodeJS.ErrnoException & { code?: string | number; killed?: boolean };
        // A numeric code is the exit status; a string one (ENOENT, ERR_CHILD_PROCESS_STDIO_MAXBUFFER) says why it did not run to its end.
        if (typeof e.code === 'number') return resolve({ code: e.code, stdout, stderr });
        resolve({
          code: null,
          stdout,
          stderr,
          error: {
            ...(typeof e.code === 'string' ? { code: e.code } : {}),
            message: e.killed ? 'timed out' : e.message,
          },
        });
      },
    );
  });
}
