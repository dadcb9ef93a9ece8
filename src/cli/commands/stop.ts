import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { defaultStopDeps, StopResult, stopInstance } from '../../core/actions/stop';
import { judgedByCurrentConfigs, workspaceRefusal } from '../../core/actions/workspaceTrust';
import { currentHostEnv } from '../../core/hostEnv';
import { Instance, Snapshot } from '../../core/model';
import { takeSnapshot } from '../../core/snapshot';
import { scanSources } from '../../core/sources/scan';
import { terminalSafe } from '../../core/terminalSafe';
import { CliIo, UsageError } from '../io';

/** Options shared by the commands that act on a snapshot. */
export const ACTION_OPTIONS = {
  from: { type: 'string' },
  grace: { type: 'string' },
  json: { type: 'boolean', default: false },
  workspace: { type: 'string', multiple: true },
  'trust-workspace': { type: 'boolean', default: false },
} as const;

/**
 * The snapshot an action re-identifies against: the one in `--from FILE` (the output of
 * `status --json`, e.g. what a user reviewed), or a fresh one.
 */
export async function snapshotFor(values: { from?: string; workspace?: string[] }, io: CliIo): Promise<Snapshot> {
  const workspaceFolders = (values.workspace?.length ? values.workspace : [io.cwd]).map((w) => path.resolve(io.cwd, w));
  if (values.from) {
    const file = path.resolve(io.cwd, values.from);
    let parsed: Snapshot;
    try {
      parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as Snapshot;
    } catch (err) {
      throw new UsageError(`--from ${file}: ${(err as Error).message}`);
    }
    if (!parsed || !Array.isArray(parsed.servers)) throw new UsageError(`--from ${file}: not the output of \`status --json\``);
    // Which entries the workspace defines is judged by the configs as scanned now, not by the file.
    const scan = await scanSources({ host: currentHostEnv(io.env), workspaceFolders });
    return judgedByCurrentConfigs({ ...parsed, notConfigured: Array.isArray(parsed.notConfigured) ? parsed.notConfigured : [] }, scan.servers, workspaceFolders);
  }
  return takeSnapshot({ host: currentHostEnv(io.env), workspaceFolders });
}

export function graceMs(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const s = Number(value);
  if (!Number.isFinite(s) || s < 0) throw new UsageError(`--grace takes seconds, not '${value}'`);
  return Math.round(s * 1000);
}

export function formatStopResult(r: StopResult, indent = ''): string[] {
  const lines = [`${indent}${r.outcome === 'refused' ? 'REFUSED' : r.outcome === 'failed' ? 'FAILED' : r.outcome === 'gone' ? 'GONE' : 'STOPPED'} pid ${r.pid}: ${r.message}`];
  for (const s of r.steps) {
    const what =
      s.step === 'signal' ? `${s.signal} pid ${s.pid}${s.ok ? '' : ' failed'}${s.detail ? ` (${s.detail})` : ''}`
      : s.step === 'wait' ? `waited ${s.ms} ms; still running: ${s.remaining.join(', ') || 'none'}`
      : s.step === 'verify' ? (s.ok ? 'verified: gone' : `still running: ${s.remaining.join(', ')}`)
      : s.detail;
    lines.push(`${indent}  ${s.step}: ${what}`);
  }
  return lines.map(terminalSafe);
}

/** `mcp-lifeguard stop PID [--grace SECONDS] [--from FILE] [--json] [--trust-workspace]` */
export async function stopCommand(args: string[], io: CliIo): Promise<number> {
  let values;
  let positionals;
  try {
    ({ values, positionals } = parseArgs({ args, options: ACTION_OPTIONS, strict: true, allowPositionals: true }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (positionals.length !== 1 || !/^\d+$/.test(positionals[0])) throw new UsageError('stop takes one PID');
  const pid = Number(positionals[0]);
  const grace = graceMs(values.grace);
  const snapshot = await snapshotFor(values, io);
  const instance: Instance | undefined = [...snapshot.servers.flatMap((s) => s.instances), ...snapshot.notConfigured].find((i) => i.pid === pid);
  if (!instance) {
    const message = `pid ${pid} is not an MCP server instance in the snapshot; nothing was signalled`;
    io.stderr(`mcp-lifeguard stop: ${message}\n`);
    if (values.json) io.stdout(`${JSON.stringify({ pid, outcome: 'refused', reason: 'not-an-instance', message, steps: [] }, null, 2)}\n`);
    return 1;
  }
  const untrusted = workspaceRefusal(snapshot, instance, values['trust-workspace'], currentHostEnv(io.env).home);
  if (untrusted) {
    io.stderr(`mcp-lifeguard stop: ${untrusted}\n`);
    if (values.json) io.stdout(`${JSON.stringify({ pid, outcome: 'refused', reason: 'workspace-untrusted', message: untrusted, steps: [] }, null, 2)}\n`);
    return 1;
  }
  const result = await stopInstance(instance, defaultStopDeps(), { graceMs: grace });
  io.stdout(values.json ? `${JSON.stringify(result, null, 2)}\n` : `${formatStopResult(result).join('\n')}\n`);
  return result.outcome === 'stopped' || result.outcome === 'gone' ? 0 : 1;
}
