import { runCommand } from './commands/run';
import { runStdioGuard } from './stdioGuard';
import type * as Commands from './run';
import { CliIo, UsageError } from './io';
import { splitServerCommand } from './options';
import { terminalSafeLines } from '../core/base/terminalSafe';

// The stdio guard, for the commands bundle's `run` (a usage error of `run` goes there first).
export { runStdioGuard };

/**
 * `mcp-lifeguard run`, the stdio guard: what a client starts for every server it runs, so it loads
 * the guard alone (no status formatting, config parsers, registry client, SDK or zod) and gets its
 * server going first. Help, the HTTP guard and a bad command line go to the whole CLI (run.ts),
 * which says the same as it always did.
 */
export async function runCli(argv: string[], given: CliIo): Promise<number> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const whole = async () => (require('./run') as typeof Commands).runCli(argv, given);
  const own = splitServerCommand(argv.slice(1)).options;
  if (own.includes('--help') || own.includes('-h') || own.includes('--http')) return whole();
  const io: CliIo = { ...given, stderr: (text) => given.stderr(terminalSafeLines(text)) };
  try {
    return await runCommand(argv.slice(1), io, runStdioGuard);
  } catch (err) {
    // Thrown while reading the command line, before anything started: the whole CLI prints it with the help.
    if (err instanceof UsageError) return whole();
    throw err;
  }
}
