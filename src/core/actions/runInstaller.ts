import { spawn } from 'node:child_process';
import { isSecretName, redactOutputLine } from '../base/redact';
import type { InstallCommand } from './installCommand';

/**
 * Runs an installer (Upgrade, Roll back) the one way every face does: no shell, no stdin, its
 * output handed to the face as it comes (the CLI passes it on, the extension and the agent face
 * log it), and its exit code with the end of its output when it is done; a failed one with its
 * reason, the one line every face says (installerErrorLine, masked with the environment it ran
 * with). A command that cannot be started is exit code 127, its reason said as output.
 */
export function runInstaller(
  c: InstallCommand,
  o: { cwd: string; env: NodeJS.ProcessEnv; onOutput(text: string, stream: 'stdout' | 'stderr'): void },
): Promise<InstallerExit> {
  return new Promise((resolve) => {
    let tail = '';
    const take = (text: string, stream: 'stdout' | 'stderr') => {
      tail = (tail + text).slice(-2000);
      o.onOutput(text, stream);
    };
    const exit = (exitCode: number): InstallerExit => {
      const reason = exitCode === 0 ? undefined : installerErrorLine(tail, o.env);
      return { exitCode, tail: tail.trim(), ...(reason ? { reason } : {}) };
    };
    const child = spawn(c.command, c.args, { cwd: c.cwd ?? o.cwd, env: o.env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (d: Buffer) => take(d.toString(), 'stdout'));
    child.stderr.on('data', (d: Buffer) => take(d.toString(), 'stderr'));
    child.on('error', (err) => {
      take(`${c.command}: ${err.message}\n`, 'stderr');
      resolve(exit(127));
    });
    child.on('close', (code) => resolve(exit(code ?? 1)));
  });
}

/** How an installer ended: its exit code, the end of its output, and when it failed, why in one line (installerErrorLine). */
export interface InstallerExit {
  exitCode: number;
  tail: string;
  reason?: string;
}

/** The non-blank lines of a piece of output. */
export function outputLines(text: string): string[] {
  return text.split(/\r?\n/).filter((l) => l.trim());
}

/** A line that says what went wrong: pip's `ERROR:`, npm's `npm error`/`npm ERR!`, uv's `error:` and `×`. */
const ERROR_LINE = /\b(error|ERR!|fatal)\b|^\s*[×✗]/i;
/** Error lines that say where more is, not what went wrong (npm's code, path and log lines; a notice). */
const NOT_A_REASON =
  /complete log of this run|^\s*npm (error|ERR!)\s*(code|errno|syscall|path|command|cwd|signal|A complete log)?\b\s*\S*\s*$|^\s*\[notice\]/i;
/** The longest reason said in a face's one sentence. */
const MAX_REASON = 240;

/**
 * Why an installer failed, in one line a face can say: the last line of the end of its output that
 * names an error (pip's `ERROR: No matching distribution found for mcp==1.30.0`), else its last
 * line; redacted as a process's output is (core/base/redact.ts), the values of the environment's
 * secret-named variables masked too. Undefined when it wrote nothing.
 */
export function installerErrorLine(tail: string, env: NodeJS.ProcessEnv = {}): string | undefined {
  const lines = outputLines(tail)
    .map((l) => l.trim())
    .filter((l) => !NOT_A_REASON.test(l));
  const line = [...lines].reverse().find((l) => ERROR_LINE.test(l)) ?? lines.at(-1);
  if (line === undefined) return undefined;
  const secrets = new Set(
    Object.entries(env).flatMap(([k, v]) => (v !== undefined && v.length > 0 && isSecretName(k) ? [v] : [])),
  );
  const said = redactOutputLine(line, secrets);
  return said.length > MAX_REASON ? `${said.slice(0, MAX_REASON - 1)}…` : said;
}
