import * as fs from 'node:fs';
import * as path from 'node:path';
import { Capture, parseCapture, replayCapture } from '../../core/capture/capture';
import { currentHostEnv } from '../../core/machine/live';
import { Snapshot } from '../../core/base/model';
import { Engine, engineMachine } from '../../core/snapshot/engine';
import { takeSettled } from '../../core/snapshot/settle';
import { formatStatus, statusJson } from '../format/status';
import { CliIo, UsageError } from '../io';
import { TRUST_WORKSPACE_OPTION, WORKSPACE_OPTION, workspacesOf } from '../workspaces';
import { CommandSpec, parseOptions } from '../options';

export const STATUS_COMMAND = {
  name: 'status',
  summary: [
    'Every configured MCP server on this machine',
    '... and its running instances; --watch redraws on change;',
    '--workspace also takes a .code-workspace file (its folders)',
  ],
  options: {
    json: { type: 'boolean', description: 'Print the snapshot as JSON (with --watch: one snapshot per line)' },
    workspace: WORKSPACE_OPTION,
    'trust-workspace': TRUST_WORKSPACE_OPTION,
    watch: { type: 'boolean', description: 'Take a snapshot every interval and redraw when it changes' },
    interval: { type: 'seconds', default: 2, positive: true, description: 'Seconds between snapshots with --watch' },
    replay: {
      type: 'string',
      value: 'FILE',
      description: 'Take the snapshot from a capture (`mcp-lifeguard capture`) instead of this machine',
    },
  },
} as const satisfies CommandSpec;

/** `mcp-lifeguard status [--json] [--watch [--interval SECONDS]] [--workspace DIR]... [--trust-workspace]` */
export async function statusCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseOptions(args, STATUS_COMMAND.options);
  if (values.replay !== undefined) {
    if (values.watch) throw new UsageError('--replay takes one snapshot from a capture: it does not go with --watch');
    if (values.workspace?.length)
      throw new UsageError('--replay looks at the workspaces the capture looked at: it does not go with --workspace');
    if (values['trust-workspace'])
      throw new UsageError('--replay trusts the workspaces as the capture did: it does not go with --trust-workspace');
    const file = path.resolve(io.cwd, values.replay);
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      throw new UsageError(`--replay ${file}: ${(err as Error).message}`);
    }
    let capture: Capture;
    try {
      capture = parseCapture(text, file);
    } catch (err) {
      throw new UsageError(`--replay ${(err as Error).message}`);
    }
    let unanswered = 0;
    const snapshot = await replayCapture(capture, () => unanswered++);
    io.stdout(values.json ? `${statusJson(snapshot, 2)}\n` : formatStatus(snapshot));
    // A capture of another version of mcp-lifeguard may not answer every question this one asks.
    if (unanswered > 0)
      io.stderr(
        `mcp-lifeguard status --replay: ${unanswered} question${unanswered === 1 ? '' : 's'} this engine asked ${unanswered === 1 ? 'is' : 'are'} not in ${file} (taken by mcp-lifeguard ${capture.generator?.version ?? '?'}); each was answered "not there"\n`,
      );
    return 0;
  }
  // Each --workspace is a folder or a .code-workspace file (which brings its own folders).
  const workspaces = await workspacesOf(values.workspace, io);
  // One engine for the command: a watch loop's later looks re-check what changed, no more.
  const engine = new Engine(engineMachine(currentHostEnv(io.env)));
  const take = () =>
    engine.snapshot({
      workspaceFolders: workspaces.folders,
      workspaceFiles: workspaces.files,
      workspaceTrusted: values['trust-workspace'],
    });
  if (values.watch) {
    await watchStatus({ take, write: (t) => io.stdout(t), intervalMs: values.interval, json: values.json });
    return 0;
  }
  // A verdict never reports half of an install: wait (bounded) until the package's files stop changing.
  const snapshot = await takeSettled(take);
  io.stdout(values.json ? `${statusJson(snapshot, 2)}\n` : formatStatus(snapshot));
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
      x.instances.map((i) => [
        i.pid,
        i.client.id,
        i.verdicts.map((v) => v.kind),
        i.versions?.verdict.state ?? null,
        i.versions?.running.state === 'known' ? i.versions.running.version : null,
      ]),
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
      o.write(
        o.json
          ? `${statusJson(snapshot)}\n`
          : `\x1b[H\x1b[2J${snapshot.takenAt}  (redraws on change, every ${o.intervalMs / 1000}s; Ctrl-C to stop)\n\n${formatStatus(snapshot)}`,
      );
    }
    if (o.signal?.aborted) break;
    await sleep(o.intervalMs);
  }
}
