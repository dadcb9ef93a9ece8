import * as path from 'node:path';
import { terminalSafe } from '../core/base/terminalSafe';
import { processStartTime } from '../core/locks/liveness';
import { identityOf, runShareClient } from '../guard';
import { guardPathsOf, RUN_COMMAND, shareListenOf } from './commands/runSpec';
import type * as GuardCli from './guardCli';
import type { CliIo } from './io';
import { parseOptions, splitServerCommand } from './options';
import { privateHomeReady } from './privateHome';
import { startShareHost } from './shareHost';

/**
 * `mcp-lifeguard run --on-conflict share --name NAME -- CMD`, a client of a shared server: a thin
 * relay to the share host (share/client.ts), which runs the server. It loads no guard host, no
 * version probe and no stale judgement. Anything else (no --name: the name comes from the installed
 * package; help; a bad command line; the share host itself) goes to the guard (guardCli.ts).
 */
export async function runCli(argv: string[], given: CliIo): Promise<number> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const guard = () => (require('./guardCli') as typeof GuardCli).runCli(argv, given);
  const split = splitServerCommand(argv.slice(1));
  let values;
  try {
    values = parseOptions(split.options, RUN_COMMAND.options).values;
    // A bad --share-listen is said by the guard, with the usage, before any host starts with it.
    shareListenOf(values['share-listen'], values['on-conflict']);
  } catch {
    return guard();
  }
  if (
    values['on-conflict'] !== 'share' ||
    values['share-host'] ||
    values.name === undefined ||
    split.command.length === 0
  )
    return guard();
  const name = values.name;
  const log = (line: string) => given.stderr(`${terminalSafe(`mcp-lifeguard run [${name}]: ${line}`)}\n`);
  const paths = guardPathsOf(given.env, values.home);
  if (!privateHomeReady(paths, log)) return 1;
  const [command, ...args] = split.command;
  const identity = await identityOf(
    { command, args, cwd: path.resolve(given.cwd), env: given.env },
    { name, resource: values.resource },
  );
  const code = await runShareClient({
    identity,
    lockDir: paths.locks,
    startTime: await processStartTime(),
    conflictTimeoutMs: values['wait-timeout'],
    stdin: process.stdin,
    stdout: process.stdout,
    log,
    startShareHost: () => startShareHost(split.options, split.command, given, paths),
  });
  process.stdin.destroy();
  return code;
}
