import { ensureCommand } from './commands/ensure';
import { killDuplicatesCommand } from './commands/kill-duplicates';
import { locksCommand } from './commands/locks';
import { restartCommand } from './commands/restart';
import { runCommand } from './commands/run';
import { statusCommand } from './commands/status';
import { stopCommand } from './commands/stop';
import { CliIo, UsageError } from './io';
import { terminalSafeLines } from '../core/terminalSafe';
import { LIFEGUARD_VERSION } from '../core/version';

export const USAGE = `Usage: mcp-lifeguard <command> [options]

Commands:
  status [--json] [--workspace DIR]...   Every configured MCP server on this machine
         [--watch [--interval SECONDS]]  ... and its running instances; --watch redraws on change;
                                          --workspace also takes a .code-workspace file (its folders)
  stop PID [--grace SECONDS] [--from FILE] [--json] [--trust-workspace]
                                          Stop one instance: re-identify, SIGTERM its tree, SIGKILL after the grace period
  kill-duplicates [SERVER] [--yes] [--grace SECONDS] [--from FILE] [--json] [--trust-workspace]
                                          Stop older duplicates (the newest per client stays) and orphans;
                                          without --yes only prints the plan. Instances whose entry is
                                          ambiguous are left alone, each with why
      --trust-workspace  stop, restart and kill-duplicates signal instances that only entries of
                         workspace files (.vscode/mcp.json, .mcp.json, ...) list; without it they refuse
  run [options] -- COMMAND [ARGS...]      Run a stdio MCP server under the guard: one instance per server,
                                          restarts that keep the client's session, stale writes refused
      --name NAME  --resource KEY  --on-conflict refuse|replace|wait  --wait-timeout SECONDS
      --when-stale warn|refuse-writes|refuse-all|restart-when-idle  --stale-interval SECONDS
      --crash-window SECONDS  --crash-limit N  --drain-timeout SECONDS  --stop-grace SECONDS
  run --http --listen HOST:PORT [options] -- COMMAND [ARGS...]
                                          Run an HTTP MCP server behind a front that keeps client sessions
                                          across restarts; the server gets its private port as PORT and {port}
      --upstream-port N  --path /mcp  --allow-origin ORIGIN  --allow-remote  --max-body BYTES
      --upstream-timeout SECONDS  --start-timeout SECONDS  --when-stale warn|restart-when-idle
  ensure --http --listen HOST:PORT [run --http options] [--timeout SECONDS] -- COMMAND [ARGS...]
                                          Print the URL of the guarded server, starting it (or replacing a
                                          stale one) first; concurrent calls start one server
  restart SERVER|PID [--timeout SECONDS] [--grace SECONDS] [--from FILE] [--trust-workspace]
                                          Restart a guarded server through its guard (the client keeps its
                                          session); an unguarded one is only stopped: its client must restart it
  locks [--json] [--dir DIR]              Lock records of servers that speak the lock protocol (and guarded
                                          ones), each live, dead, free or unreadable
  help                                    This text
  version                                 The version of mcp-lifeguard

Environment:
  HOME                 The home whose client configs are read
  MCP_LIFEGUARD_HOME   Where mcp-lifeguard keeps its own files (locks, state, caches, logs); it and every
                       folder in it must be yours and not writable by others (chmod 700)
`;

type Command = (args: string[], io: CliIo) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  status: statusCommand,
  run: runCommand,
  ensure: ensureCommand,
  restart: restartCommand,
  stop: stopCommand,
  'kill-duplicates': killDuplicatesCommand,
  locks: locksCommand,
};

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
  const command = COMMANDS[name];
  if (!command) {
    io.stderr(`mcp-lifeguard: unknown command '${name}'\n\n${USAGE}`);
    return 2;
  }
  try {
    return await command(rest, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`mcp-lifeguard ${name}: ${err.message}\n\n${USAGE}`);
      return 2;
    }
    throw err;
  }
}
