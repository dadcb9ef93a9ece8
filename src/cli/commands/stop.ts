import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_GRACE_MS, defaultStopDeps, StopResult, stopSucceeded } from '../../core/actions/stop';
import { stopPidIn } from '../../core/actions/stopChecked';
import { judgedByCurrentConfigs } from '../../core/actions/workspaceTrust';
import { liveMachine, currentHostEnv } from '../../core/machine/live';
import { Snapshot } from '../../core/base/model';
import { takeSnapshot } from '../../core/snapshot/engine';
import { scanSources } from '../../core/sources/scan';
import { terminalSafe } from '../../core/base/terminalSafe';
import { CliIo, UsageError } from '../io';
import { CommandSpec, parseOptions } from '../options';

/** Options shared by the commands that act on a snapshot. */
export const ACTION_OPTIONS = {
  grace: { type: 'seconds', default: DEFAULT_GRACE_MS / 1000, description: 'Seconds between SIGTERM and SIGKILL' },
  from: {
    type: 'string',
    value: 'FILE',
    description: 'Re-identify against this snapshot (the output of `status --json`), not a fresh one',
  },
  json: { type: 'boolean', description: 'Print the result as JSON' },
  workspace: {
    type: 'repeatable',
    value: 'DIR',
    description: 'A workspace folder whose config files count (default: the current folder)',
  },
  'trust-workspace': {
    type: 'boolean',
    description:
      'Trust workspace files (.vscode/mcp.json, .mcp.json, ...): also signal instances only their entries list, and ask their URLs',
  },
} as const;

export const STOP_COMMAND = {
  name: 'stop',
  operands: 'PID',
  summary: ['Stop one instance: re-identify, SIGTERM its tree, SIGKILL after the grace period'],
  options: ACTION_OPTIONS,
} as const satisfies CommandSpec;

/**
 * The snapshot an action re-identifies against: the one in `--from FILE` (the output of
 * `status --json`, e.g. what a user reviewed), or a fresh one.
 */
export async function snapshotFor(
  values: { from?: string; workspace?: string[]; 'trust-workspace'?: boolean },
  io: CliIo,
): Promise<Snapshot> {
  const workspaceFolders = (values.workspace?.length ? values.workspace : [io.cwd]).map((w) => path.resolve(io.cwd, w));
  if (values.from) {
    const file = path.resolve(io.cwd, values.from);
    let parsed: Snapshot;
    try {
      parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as Snapshot;
    } catch (err) {
      throw new UsageError(`--from ${file}: ${(err as Error).message}`);
    }
    if (!parsed || !Array.isArray(parsed.servers))
      throw new UsageError(`--from ${file}: not the output of \`status --json\``);
    // Which entries the workspace defines is judged by the configs as scanned now, not by the file.
    const host = currentHostEnv(io.env);
    const scan = await scanSources({ host, fs: liveMachine(host).fs, workspaceFolders });
    return judgedByCurrentConfigs(
      { ...parsed, notConfigured: Array.isArray(parsed.notConfigured) ? parsed.notConfigured : [] },
      scan.servers,
      workspaceFolders,
    );
  }
  return takeSnapshot({
    host: currentHostEnv(io.env),
    workspaceFolders,
    workspaceTrusted: values['trust-workspace'],
  });
}

export function formatStopResult(r: StopResult, indent = ''): string[] {
  const lines = [
    `${indent}${r.outcome === 'refused' ? 'REFUSED' : r.outcome === 'failed' ? 'FAILED' : r.outcome === 'gone' ? 'GONE' : 'STOPPED'} pid ${r.pid}: ${r.message}`,
  ];
  for (const s of r.steps) {
    const what =
      s.step === 'signal'
        ? `${s.signal} pid ${s.pid}${s.ok ? '' : ' failed'}${s.detail ? ` (${s.detail})` : ''}`
        : s.step === 'wait'
          ? `waited ${s.ms} ms; still running: ${s.remaining.join(', ') || 'none'}`
          : s.step === 'verify'
            ? s.ok
              ? 'verified: gone'
              : `still running: ${s.remaining.join(', ')}`
            : s.detail;
    lines.push(`${indent}  ${s.step}: ${what}`);
  }
  return lines.map(terminalSafe);
}

/** `mcp-lifeguard stop PID [--grace SECONDS] [--from FILE] [--json] [--trust-workspace]` */
export async function stopCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseOptions(args, STOP_COMMAND.options, { positionals: true });
  if (positionals.length !== 1 || !/^\d+$/.test(positionals[0])) throw new UsageError('stop takes one PID');
  const pid = Number(positionals[0]);
  const snapshot = await snapshotFor(values, io);
  const done = await stopPidIn(snapshot, pid, {
    trustWorkspace: values['trust-workspace'],
    home: currentHostEnv(io.env).home,
    graceMs: values.grace,
    deps: defaultStopDeps(),
  });
  if (done.kind === 'refused') {
    io.stderr(`mcp-lifeguard stop: ${done.message}\n`);
    if (values.json)
      io.stdout(
        `${JSON.stringify({ pid, outcome: 'refused', reason: done.reason, message: done.message, steps: [] }, null, 2)}\n`,
      );
    return 1;
  }
  const result = done.stop;
  io.stdout(values.json ? `${JSON.stringify(result, null, 2)}\n` : `${formatStopResult(result).join('\n')}\n`);
  return stopSucceeded(result) ? 0 : 1;
}
