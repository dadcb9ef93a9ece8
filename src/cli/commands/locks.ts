import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { currentHostEnv } from '../../core/hostEnv';
import { listLocks, LockDirError } from '../../core/locks';
import { lifeguardPaths } from '../../core/paths';
import { formatLocks, redactListed } from '../format/locks';
import { CliIo, UsageError } from '../io';

/** Version of the `locks --json` output; bump on any breaking change. */
export const LOCKS_JSON_SCHEMA = 1;

/** `mcp-lifeguard locks [--json] [--dir DIR]`: every lock record with its holder's live/dead state. */
export async function locksCommand(args: string[], io: CliIo): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: { json: { type: 'boolean', default: false }, dir: { type: 'string' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const dir = values.dir ? path.resolve(io.cwd, values.dir) : lifeguardPaths(currentHostEnv(io.env)).locks;
  let locks;
  try {
    locks = await listLocks(dir);
  } catch (err) {
    if (err instanceof LockDirError) {
      io.stderr(`mcp-lifeguard locks: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
  io.stdout(values.json ? `${JSON.stringify({ schema: LOCKS_JSON_SCHEMA, dir, locks: locks.map(redactListed) }, null, 2)}\n` : formatLocks(dir, locks));
  return 0;
}
