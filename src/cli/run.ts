import { CAPTURE_COMMAND, captureCommand } from './commands/capture';
import { DOCTOR_COMMAND, doctorCommand } from './commands/doctor';
import { ENSURE_COMMAND, ensureCommand } from './commands/ensure';
import { ENSURE_SHARE_COMMAND } from './commands/ensureShare';
import { RUN_HTTP_COMMAND } from './commands/httpOptions';
import { KILL_DUPLICATES_COMMAND, killDuplicatesCommand } from './commands/kill-duplicates';
import { LOCKS_COMMAND, locksCommand } from './commands/locks';
import { LOGS_COMMAND, logsCommand } from './commands/logs';
import { MCP_COMMAND, mcpCommand } from './commands/mcp';
import { RESTART_COMMAND, restartCommand } from './commands/restart';
import { ROLLBACK_COMMAND, rollbackCommand } from './commands/rollback';
import { RUN_COMMAND, runCommand } from './commands/run';
import type * as StdioGuard from './stdioGuard';
import { STATUS_COMMAND, statusCommand } from './commands/status';
import { STOP_COMMAND, stopCommand } from './commands/stop';
import { UPGRADE_COMMAND, upgradeCommand } from './commands/upgrade';
import { configEditCommand, UNWRAP_COMMAND, WRAP_COMMAND } from './commands/wrap';
import { CliIo, UsageError } from './io';
import { CommandSpec, commandHelp, splitServerCommand, usageText } from './options';
import { terminalSafeLines } from '../core/base/terminalSafe';
import { LIFEGUARD_VERSION } from '../core/base/version';

interface Command {
  run(args: string[], io: CliIo): Promise<number>;
  /** Its modes as the help shows them (`run` and `run --http`), options and all. */
  modes: readonly CommandSpec[];
}

export const COMMANDS: Record<string, Command> = {
  status: { run: statusCommand, modes: [STATUS_COMMAND] },
  stop: { run: stopCommand, modes: [STOP_COMMAND] },
  'kill-duplicates': { run: killDuplicatesCommand, modes: [KILL_DUPLICATES_COMMAND] },
  // The stdio guard is read from the guard's own bundle (cli-guard.js, scripts/build.mjs), which every
  // `run` loads anyway: this bundle carries no second copy of it.
  run: {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    run: (args, io) => runCommand(args, io, (o) => (require('./stdioGuard') as typeof StdioGuard).runStdioGuard(o)),
    modes: [RUN_COMMAND, RUN_HTTP_COMMAND],
  },
  ensure: { run: ensureCommand, modes: [ENSURE_COMMAND, ENSURE_SHARE_COMMAND] },
  restart: { run: restartCommand, modes: [RESTART_COMMAND] },
  upgrade: { run: upgradeCommand, modes: [UPGRADE_COMMAND] },
  rollback: { run: rollbackCommand, modes: [ROLLBACK_COMMAND] },
  doctor: { run: doctorCommand, modes: [DOCTOR_COMMAND] },
  locks: { run: locksCommand, modes: [LOCKS_COMMAND] },
  logs: { run: logsCommand, modes: [LOGS_COMMAND] },
  capture: { run: captureCommand, modes: [CAPTURE_COMMAND] },
  mcp: { run: mcpCommand, modes: [MCP_COMMAND] },
  wrap: { run: (args, io) => configEditCommand('wrap', args, io), modes: [WRAP_COMMAND] },
  unwrap: { run: (args, io) => configEditCommand('unwrap', args, io), modes: [UNWRAP_COMMAND] },
};

const ENVIRONMENT = `Environment:
  HOME                 The home whose client configs are read
  MCP_LIFEGUARD_HOME   Where mcp-lifeguard keeps its own files (locks, state, caches, logs); it and every
                       folder in it must be yours and not writable by others (chmod 700)
`;

/** The exit codes every command keeps to (scripts and CI read them); `--help` of each command lists them too. */
export const EXIT_CODES = `Exit codes:
  0  Done: everything asked was done (status, locks, logs and doctor: printed what they read)
  1  Ran, but not all of it was done: a refusal (identity, trust, an ambiguous owner),
     a process that survived, a restart that failed, nothing found to act on or print,
     a private folder refused; the output says which, per item
  2  Not run: bad usage (an unknown command or option, a bad value) or an unexpected error
  run and run --http end with their server's exit code.
  With --json, stdout holds one JSON document in every case (docs/status-json.md).
`;

export const USAGE = usageText(
  Object.values(COMMANDS).flatMap((c) => c.modes),
  `${ENVIRONMENT}\n${EXIT_CODES}`,
);

/** Runs one CLI invocation; returns the exit code. */
export async function runCli(argv: string[], given: CliIo): Promise<number> {
  // Everything on stderr is messages for a person: no control or bidi character of the data they
  // quote reaches the terminal raw. Text on stdout is made safe by its formatter (JSON stays exact).
  const io: CliIo = { ...given, stderr: (text) => given.stderr(terminalSafeLines(text)) };
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    io.stdout(USAGE);
    return name === undefined ? 2 : 0;
  }
  if (name === 'version' || name === '--version' || name === '-V') {
    io.stdout(`${LIFEGUARD_VERSION}\n`);
    return 0;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    io.stderr(`mcp-lifeguard: unknown command '${name}'\n\n${USAGE}`);
    return 2;
  }
  // Only our own options ask for help: after `--` a `--help` belongs to the server's command.
  const own = splitServerCommand(rest).options;
  if (own.includes('--help') || own.includes('-h')) {
    io.stdout(`${commandHelp(command.modes)}${EXIT_CODES}`);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(
        `mcp-lifeguard ${name}: ${err.message}\n\n${commandHelp(command.modes)}\nmcp-lifeguard --help lists every command.\n`,
      );
      return 2;
    }
    throw err;
  }
}

/** `run --http`, for the guard's bundle, which leaves the HTTP front to this one (scripts/build.mjs). */
export { runHttpCommand } from './commands/runHttp';
