import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { currentHostEnv } from '../../core/hostEnv';
import { Snapshot } from '../../core/model';
import { takeSnapshot } from '../../core/snapshot';
import { selectWorkspaces } from '../../core/sources/workspaces';
import { formatStatus } from '../format/status';
import { CliIo, UsageError } from '../io';

/** `mcp-lifeguard status [--json] [--watch [--interval SECONDS]] [--workspace DIR]...` */
export async function statusCommand(args: string[], io: CliIo): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        json: { type: 'boolean', default: false },
        workspace: { type: 'string', multiple: true },
        watch: { type: 'boolean', default: false },
        interval: { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  // Each --workspace is a folder or a .code-workspace file (which brings its own folders).
  const workspaces = await selectWorkspaces((values.workspace?.length ? values.workspace : [io.cwd]).map((w) => path.resolve(io.cwd, w)));
  if (workspaces.problems.length > 0) throw new UsageError(`--workspace ${workspaces.problems.join('; ')}`);
  const take = () => takeSnapshot({ host: currentHostEnv(io.env), workspaceFolders: workspaces.folders, workspaceFiles: workspaces.files });
  if (values.watch) {
    const seconds = values.interval === undefined ? 2 : Number(values.interval);
    if (!Number.isFinite(seconds) || seconds <= 0) throw new UsageError(`--interval takes seconds, not '${values.interval}'`);
    await watchStatus({ take, write: (t) => io.stdout(t), intervalMs: seconds * 1000, json: values.json });
    return 0;
  }
  const snapshot = await take();
  io.stdout(values.json ? `${JSON.stringify(snapshot, null, 2)}\n` : formatStatus(snapshot));
  return 0;
}

export interface WatchOptions {
  take(): Promise<Snapshot>;
  write(text: string): void;
  intervalMs: number;
  json?: boolean;
  /** Stops the loop (tests); the CLI runs until interrupted. */
  signal?: AbortSignal;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * What a redraw is about: servers, instances and their verdicts, the not-configured group and the
 * problems. Uptimes and the snapshot time change every tick and do not count.
 */
export function watchKey(s: Snapshot): string {
  return JSON.stringify([
    s.servers.map((x) => [
      x.id,
      x.instances.map((i) => [i.pid, i.client.id, i.verdicts.map((v) => v.kind), i.versions?.verdict.state ?? null, i.versions?.running.state === 'known' ? i.versions.running.version : null]),
      // An upgrade or a new release redraws too.
      x.installed?.state === 'installed' ? x.installed.version : (x.installed?.state ?? null),
      x.updateAvailable?.latest ?? null,
    ]),
    s.notConfigured.map((i) => i.pid),
    s.processes.state,
    s.diagnostics.map((d) => [d.file, d.line, d.message]),
  ]);
}

/** `status --watch`: takes a snapshot every interval and redraws when what it shows changed. */
export async function watchStatus(o: WatchOptions): Promise<void> {
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  let last: string | undefined;
  while (!o.signal?.aborted) {
    const snapshot = await o.take();
    const key = watchKey(snapshot);
    if (key !== last) {
      last = key;
      // JSON: one snapshot per line; text: clear the screen and redraw.
      o.write(o.json ? `${JSON.stringify(snapshot)}\n` : `\x1b[H\x1b[2J${snapshot.takenAt}  (redraws on change, every ${o.intervalMs / 1000}s; Ctrl-C to stop)\n\n${formatStatus(snapshot)}`);
    }
    if (o.signal?.aborted) break;
    await sleep(o.intervalMs);
  }
}
