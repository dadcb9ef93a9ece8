import * as path from 'node:path';
import { currentHostEnv, thisMachine } from '../../core/machine/live';
import { nameAttachedLists } from '../../core/processes/attachedNames';
import { attachedOf } from '../../core/processes/guarded';
import { listLocks, LockDirError } from '../../core/locks';
import { lifeguardPaths } from '../../core/base/paths';
import { formatLocks, ListedLock, redactListed } from '../format/locks';
import { CliIo } from '../io';
import { CommandSpec, parseOptions } from '../options';

/** Version of the `locks --json` output; bump on any breaking change. */
export const LOCKS_JSON_SCHEMA = 1;

export const LOCKS_COMMAND = {
  name: 'locks',
  summary: [
    'Lock records of servers that speak the lock protocol (and guarded',
    'ones), each live, dead, free or unreadable',
  ],
  options: {
    json: { type: 'boolean', description: 'Print the records as JSON' },
    dir: {
      type: 'string',
      value: 'DIR',
      description: 'The lock folder to read (default: the one under MCP_LIFEGUARD_HOME)',
    },
  },
} as const satisfies CommandSpec;

/** `mcp-lifeguard locks [--json] [--dir DIR]`: every lock record with its holder's live/dead state. */
export async function locksCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseOptions(args, LOCKS_COMMAND.options);
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
  io.stdout(
    values.json
      ? `${JSON.stringify({ schema: LOCKS_JSON_SCHEMA, dir, locks: locks.map(redactListed) }, null, 2)}\n`
      : formatLocks(dir, await withClientNames(locks)),
  );
  return 0;
}

/**
 * A shared server's clients named as `status` names them ("Claude Desktop", by the client process
 * at each pid the record lists), not by what each put in `initialize`; `--json` keeps the record as written.
 */
async function withClientNames(locks: ListedLock[]): Promise<ListedLock[]> {
  const lists = locks.map((l) =>
    l.state === 'live' && Array.isArray(l.record.attached) ? attachedOf(l.record.attached) : [],
  );
  const named = await nameAttachedLists(lists, thisMachine()).catch(() => lists);
  return locks.map((l, i) =>
    l.state === 'live' && Array.isArray(l.record.attached) ? { ...l, record: { ...l.record, attached: named[i] } } : l,
  );
}
