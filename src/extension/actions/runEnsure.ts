import { execFile } from 'node:child_process';

/** How long ensure may take: its own `--timeout` default (120 s) and a margin. */
const ENSURE_WAIT_MS = 150_000;

/**
 * Runs the installed guard launcher with a recorded `ensure --http ...` command line. ensure starts
 * the guard detached (it outlives this call) and exits once the server answers: the exit code and
 * its last lines of stderr say how it went.
 */
export function runEnsure(
  launcher: string,
  argv: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ ok: boolean; url?: string; message: string }> {
  return new Promise((resolve) => {
    execFile(
      launcher,
      [...argv],
      { cwd, env, timeout: ENSURE_WAIT_MS, maxBuffer: 1024 * 1024, windowsHide: true },
      (err, stdout, stderr) => {
        const said = stderr.trim().split('\n').slice(-3).join(' ');
        if (err) resolve({ ok: false, message: said || err.message });
        else resolve({ ok: true, url: stdout.trim().split('\n').pop(), message: said });
      },
    );
  });
}
