import { defaultStopDeps, stopInstance } from '../../core/actions/stop';
import { workspaceRefusal } from '../../core/actions/workspaceTrust';
import { controlRestart, controlStatus } from '../../core/control';
import { currentHostEnv } from '../../core/base/hostEnv';
import { listLocks, LockRecord } from '../../core/locks';
import { lifeguardPaths } from '../../core/base/paths';
import { terminalSafe } from '../../core/base/terminalSafe';
import { CliIo, UsageError } from '../io';
import { CommandSpec, OptionValues, parseOptions } from '../options';
import { ACTION_OPTIONS, formatStopResult, snapshotFor } from './stop';

export const RESTART_COMMAND = {
  name: 'restart',
  operands: 'SERVER|PID',
  summary: [
    'Restart a guarded server through its guard (the client keeps its',
    'session); an unguarded one is only stopped: its client must restart it',
  ],
  options: {
    timeout: { type: 'seconds', default: 120, positive: true, description: 'Seconds to wait for the guard to report the restart' },
    grace: ACTION_OPTIONS.grace,
    from: ACTION_OPTIONS.from,
    workspace: ACTION_OPTIONS.workspace,
    'trust-workspace': ACTION_OPTIONS['trust-workspace'],
  },
} as const satisfies CommandSpec;

/**
 * `mcp-lifeguard restart SERVER|PID`: restarts a guarded server through its guard's control
 * endpoint, so the client's session survives. SERVER is a server name; PID is the guard's pid or
 * its server's pid. An unguarded instance can only be stopped (re-identified, TERM, then KILL):
 * its client must start it again, and the output says so.
 */
export async function restartCommand(args: string[], io: CliIo): Promise<number> {
  const parsed = parseOptions(args, RESTART_COMMAND.options, { positionals: true });
  if (parsed.positionals.length !== 1) throw new UsageError('restart takes one SERVER name or PID');
  const target = parsed.positionals[0];
  const timeoutMs = parsed.values.timeout;

  const dir = lifeguardPaths(currentHostEnv(io.env)).locks;
  const live = (await listLocks(dir)).flatMap((l) => (l.state === 'live' ? [l.record] : []));
  const matches = await findGuarded(live, target);
  if (matches.length === 0) return stopUnguarded(target, parsed.values, io);
  let failures = 0;
  for (const record of matches) {
    const who = terminalSafe(`${record.serverName} (guard pid ${record.pid})`);
    if (!record.control) {
      io.stderr(`mcp-lifeguard restart: ${who} has no control endpoint\n`);
      failures++;
      continue;
    }
    try {
      const reply = await controlRestart(record.control, `mcp-lifeguard restart ${target}`, { timeoutMs });
      if (reply.ok) io.stdout(`restarted ${who}: server pid ${reply.result.childPid}, restart #${reply.result.restarts}; the client kept its session\n`);
      else {
        io.stderr(`mcp-lifeguard restart: ${who}: ${terminalSafe(String(reply.error))}\n`);
        failures++;
      }
    } catch (err) {
      io.stderr(`mcp-lifeguard restart: ${who}: ${terminalSafe((err as Error).message)}\n`);
      failures++;
    }
  }
  return failures === 0 ? 0 : 1;
}

const WRAP_HINT = "Wrap it with 'mcp-lifeguard run -- <command>' in the client's config to restart it without breaking the client.";

/** The fallback for a server no guard runs: stop its instance and say the client must start it again. */
async function stopUnguarded(target: string, values: OptionValues<typeof RESTART_COMMAND.options>, io: CliIo): Promise<number> {
  const snapshot = await snapshotFor(values, io);
  const configured = snapshot.servers.flatMap((s) => s.instances.map((i) => ({ server: s.name, instance: i })));
  const all = [...configured, ...snapshot.notConfigured.map((i) => ({ server: undefined, instance: i }))];
  const found = /^\d+$/.test(target) ? all.filter((x) => x.instance.pid === Number(target)) : configured.filter((x) => x.server === target);
  if (found.length === 0) {
    io.stderr(`mcp-lifeguard restart: '${terminalSafe(target)}' is not guarded (no live 'mcp-lifeguard run' names it) and no running MCP server instance matches it; nothing was signalled.\n`);
    return 1;
  }
  if (found.length > 1) {
    io.stderr(`mcp-lifeguard restart: '${terminalSafe(target)}' is not guarded and runs as ${found.length} instances (pids ${found.map((x) => x.instance.pid).join(', ')}); name one PID.\n`);
    return 1;
  }
  const { instance } = found[0];
  const untrusted = workspaceRefusal(snapshot, instance, values['trust-workspace'], currentHostEnv(io.env).home);
  if (untrusted) {
    io.stderr(`mcp-lifeguard restart: ${untrusted}\n`);
    return 1;
  }
  const result = await stopInstance(instance, defaultStopDeps(), { graceMs: values.grace });
  io.stdout(`${formatStopResult(result).join('\n')}\n`);
  if (result.outcome === 'stopped' || result.outcome === 'gone') {
    io.stdout(`pid ${instance.pid} was not guarded, so it was stopped, not restarted: ${terminalSafe(instance.client.name)} must start it again (reconnect or restart the server in the client). ${WRAP_HINT}\n`);
    return 0;
  }
  return 1;
}

/** Live guards named `target`, or whose guard pid or server pid is `target`. */
async function findGuarded(live: LockRecord[], target: string): Promise<LockRecord[]> {
  const byName = live.filter((r) => r.serverName === target);
  if (byName.length > 0 || !/^\d+$/.test(target)) return byName;
  const pid = Number(target);
  const byGuardPid = live.filter((r) => r.pid === pid);
  if (byGuardPid.length > 0) return byGuardPid;
  const byChildPid: LockRecord[] = [];
  for (const r of live) {
    if (!r.control) continue;
    const status = await controlStatus(r.control, { timeoutMs: 5000 }).catch(() => undefined);
    if (status?.ok && status.result.childPid === pid) byChildPid.push(r);
  }
  return byChildPid;
}
