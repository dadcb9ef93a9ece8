import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { currentHostEnv } from '../../core/hostEnv';
import { takeSnapshot } from '../../core/snapshot';
import { formatStatus } from '../format/status';
import { CliIo, UsageError } from '../io';

/** `mcp-lifeguard status [--json] [--workspace DIR]...` */
export async function statusCommand(args: string[], io: CliIo): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        json: { type: 'boolean', default: false },
        workspace: { type: 'string', multiple: true },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const workspaceFolders = (values.workspace?.length ? values.workspace : [io.cwd]).map((w) => path.resolve(io.cwd, w));
  const snapshot = await takeSnapshot({ host: currentHostEnv(io.env), workspaceFolders });
  io.stdout(values.json ? `${JSON.stringify(snapshot, null, 2)}\n` : formatStatus(snapshot));
  return 0;
}
