import { execFile } from 'node:child_process';

/** The Python the tests build venvs with (`PYTHON` overrides). */
export const PYTHON = process.env.PYTHON ?? (process.platform === 'win32' ? 'python' : 'python3');

/** Runs a command to completion (npm install, pip install, python -m venv); rejects with its output on failure. */
export function run(
  command: string,
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { cwd: opts.cwd, env: opts.env ?? process.env, maxBuffer: 64 * 1024 * 1024, timeout: 600_000 },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`${command} ${args.join(' ')} failed: ${err.message}\n${stdout}\n${stderr}`));
        else resolve(stdout);
      },
    );
  });
}
