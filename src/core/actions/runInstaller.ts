import { spawn } from 'node:child_process';
import type { InstallCommand } from './installCommand';

/**
 * Runs an installer (Upgrade, Roll back) the one way every face does: no shell, no stdin, its
 * output handed to the face as it comes (the CLI passes it on, the extension and the agent face
 * log it), and its exit code with the end of its output when it is done. A command that cannot be
 * started is exit code 127, its reason said as output.
 */
export function runInstaller(
  c: InstallCommand,
  o: { cwd: string; env?: NodeJS.ProcessEnv; onOutput(text: string, stream: 'stdout' | 'stderr'): void },
): Promise<{ exitCode: number; tail: string }> {
  return new Promise((resolve) => {
    let tail = '';
    const take = (text: string, stream: 'stdout' | 'stderr') => {
      tail = (tail + text).slice(-2000);
      o.onOutput(text, stream);
    };
    const child = spawn(c.command, c.args, {
      cwd: c.cwd ?? o.cwd,
      ...(o.env ? { env: o.env } : {}),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (d: Buffer) => take(d.toString(), 'stdout'));
    child.stderr.on('data', (d: Buffer) => take(d.toString(), 'stderr'));
    child.on('error', (err) => {
      take(`${c.command}: ${err.message}\n`, 'stderr');
      resolve({ exitCode: 127, tail: tail.trim() });
    });
    child.on('close', (code) => resolve({ exitCode: code ?? 1, tail: tail.trim() }));
  });
}

/** The non-blank lines of a piece of output. */
export function outputLines(text: string): string[] {
  return text.split(/\r?\n/).filter((l) => l.trim());
}
