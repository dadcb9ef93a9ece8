import * as fs from 'node:fs';
import * as path from 'node:path';
import { currentHostEnv } from '../../core/base/hostEnv';
import { lifeguardPaths } from '../../core/base/paths';
import { readPrivateTail } from '../../core/base/privateFs';
import { terminalSafeLines } from '../../core/base/terminalSafe';
import { listLocks } from '../../core/locks';
import { serverLogInside, serverLogNamePattern } from '../../core/locks/serverLog';
import { CliIo, UsageError } from '../io';
import { CommandSpec, parseOptions } from '../options';

/** The most of a log's end `logs` reads: its own logs are 1 MiB, another file may be any size. */
export const MAX_TAIL_BYTES = 16 * 1024 * 1024;

export const LOGS_COMMAND = {
  name: 'logs',
  operands: 'SERVER',
  summary: [
    'The last lines a guarded server wrote to stderr (what `run` keeps',
    'in the logs folder), live or after it stopped',
  ],
  options: {
    lines: { type: 'integer', default: 50, min: 1, max: 100000, description: 'How many lines to print from the end' },
    json: { type: 'boolean', description: 'Print the lines as JSON: { server, logs: [{ file, lines, error? }] }' },
  },
} as const satisfies CommandSpec;

/**
 * `mcp-lifeguard logs SERVER [--lines N]`: the guard's copy of its server's stderr. A live guard's
 * lock record names its file (taken only inside our logs folder); a stopped one is found by name.
 */
export async function logsCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseOptions(args, LOGS_COMMAND.options, { positionals: true });
  if (positionals.length !== 1) throw new UsageError('logs takes one SERVER name');
  const name = positionals[0];
  const paths = lifeguardPaths(currentHostEnv(io.env));
  const live = (await listLocks(paths.locks).catch(() => [])).flatMap((l) =>
    l.state === 'live' && l.record.serverName === name ? [l.record] : [],
  );
  const named = live.map((r) => serverLogInside(paths.logs, r.serverLog)).filter((f): f is string => f !== undefined);
  const pattern = serverLogNamePattern(name);
  const files = [
    ...new Set(
      named.length
        ? named
        : listing(paths.logs)
            .filter((f) => pattern.test(f))
            .map((f) => path.join(paths.logs, f)),
    ),
  ];
  if (files.length === 0) {
    const message = `no log of a server named '${name}' in ${paths.logs} (only servers run under 'mcp-lifeguard run' have one)`;
    io.stderr(`mcp-lifeguard logs: ${message}\n`);
    if (values.json) io.stdout(`${JSON.stringify({ server: name, logs: [], message }, null, 2)}\n`);
    return 1;
  }
  // Each file's end only (a log may be any size), with what went wrong said per file.
  const logs: Array<{ file: string; lines: string[]; error?: string }> = [];
  for (const file of files) {
    let tail;
    try {
      tail = await readPrivateTail(file, values.lines, MAX_TAIL_BYTES, { root: paths.root });
    } catch (err) {
      logs.push({ file, lines: [], error: (err as Error).message });
      io.stderr(
        `mcp-lifeguard logs: cannot read ${terminalSafeLines(file)}: ${terminalSafeLines((err as Error).message)}\n`,
      );
      continue;
    }
    if (!tail) {
      logs.push({ file, lines: [], error: 'the file is gone (its guard may have just rotated or removed it)' });
      io.stderr(
        `mcp-lifeguard logs: ${terminalSafeLines(file)} is gone (its guard may have just rotated or removed it)\n`,
      );
      continue;
    }
    if (tail.cut)
      io.stderr(
        `mcp-lifeguard logs: only the last ${MAX_TAIL_BYTES / (1024 * 1024)} MiB of ${terminalSafeLines(file)} (${tail.size} bytes) were read: ${tail.lines.length} line${tail.lines.length === 1 ? '' : 's'}\n`,
      );
    logs.push({ file, lines: tail.lines });
  }
  if (values.json) {
    io.stdout(`${JSON.stringify({ server: name, logs }, null, 2)}\n`);
    return logs.every((l) => l.error === undefined) ? 0 : 1;
  }
  for (const l of logs) {
    if (l.error !== undefined) continue;
    if (logs.length > 1) io.stdout(`==> ${l.file} <==\n`);
    io.stdout(`${terminalSafeLines(l.lines.join('\n'))}\n`);
  }
  return logs.every((l) => l.error === undefined) ? 0 : 1;
}

function listing(dir: string): string[] {
  try {
    return fs.readdirSync(dir).sort();
  } catch {
    return [];
  }
}
