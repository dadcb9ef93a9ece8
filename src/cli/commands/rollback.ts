import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { restartTarget } from '../../core/actions/restart';
import { RollbackFacts, rollbackPlan, RollbackPlan, rollbackText } from '../../core/actions/rollback';
import { workspaceRefusal } from '../../core/actions/workspaceTrust';
import { currentHostEnv } from '../../core/base/hostEnv';
import { lifeguardPaths } from '../../core/base/paths';
import { terminalSafe } from '../../core/base/terminalSafe';
import { whichSync } from '../../core/launch/which';
import { CliIo, UsageError } from '../io';
import { CommandSpec, parseOptions } from '../options';
import { ACTION_OPTIONS, snapshotFor } from './stop';
import { restartOutcomeText } from './restart';

export const ROLLBACK_COMMAND = {
  name: 'rollback',
  operands: 'SERVER',
  summary: [
    'Install again the versions its processes started with, the way it was',
    'installed (pip, pipx, uv, npm); shows the command, runs it with --yes',
  ],
  options: {
    yes: { type: 'boolean', description: 'Run the command shown (without it, nothing is run)' },
    workspace: ACTION_OPTIONS.workspace,
    'trust-workspace': {
      type: 'boolean',
      description: 'Also roll back a server that only entries of workspace files list',
    },
    timeout: { type: 'seconds', default: 120, positive: true, description: 'Seconds a restart of a guard may take' },
    json: {
      type: 'boolean',
      description: "Print the plan and what was done as JSON (the command's own output goes to stderr)",
    },
  },
} as const satisfies CommandSpec;

/** What the planner reads of this machine. */
function machineFacts(env: NodeJS.ProcessEnv): RollbackFacts {
  const kind = (p: string) => {
    try {
      return fs.statSync(p);
    } catch {
      return undefined;
    }
  };
  return {
    platform: process.platform,
    isFile: (p) => kind(p)?.isFile() === true,
    isDir: (p) => kind(p)?.isDirectory() === true,
    which: (program) => whichSync(program, process.platform, env, (p) => kind(p)?.isFile() === true),
  };
}

/**
 * `mcp-lifeguard rollback SERVER`: the versions its processes started with, installed again the
 * way it was installed (core/actions/rollback.ts). Without `--yes` it only shows the plan; with it,
 * it runs the command (no shell, its output passed on) and then restarts each guard whose server is
 * down. Never for a server only a workspace defines unless `--trust-workspace`.
 */
export async function rollbackCommand(args: string[], io: CliIo): Promise<number> {
  const parsed = parseOptions(args, ROLLBACK_COMMAND.options, { positionals: true });
  if (parsed.positionals.length !== 1) throw new UsageError('rollback takes one SERVER name');
  const name = parsed.positionals[0];
  const snapshot = await snapshotFor(parsed.values, io);
  const servers = snapshot.servers.filter((s) => s.name === name);
  if (servers.length === 0) {
    io.stderr(`mcp-lifeguard rollback: no configured server is named '${terminalSafe(name)}'\n`);
    return 1;
  }
  // Entries of one name in several files are one server when they launch the same: the first with instances answers.
  const server = servers.find((s) => s.instances.length > 0) ?? servers[0];
  const home = currentHostEnv(io.env).home;
  const untrusted = server.instances
    .map((i) => workspaceRefusal(snapshot, i, parsed.values['trust-workspace'], home))
    .find((r) => r !== undefined);
  if (untrusted) {
    io.stderr(`mcp-lifeguard rollback: ${name}: ${untrusted}\n`);
    return 1;
  }
  const plan: RollbackPlan = rollbackPlan(server, machineFacts(io.env));
  const json = parsed.values.json === true;
  const text = rollbackText(plan).map((l) => terminalSafe(l));
  const report = (doc: Record<string, unknown>) =>
    io.stdout(`${JSON.stringify({ server: name, plan, ...doc }, null, 2)}\n`);
  if (plan.kind === 'refused') {
    if (json) report({ ok: false, ran: false });
    else io.stderr(`mcp-lifeguard rollback: ${text.join('\n')}\n`);
    return 1;
  }
  if (!parsed.values.yes) {
    if (json) report({ ok: true, ran: false });
    else io.stdout(`${[...text, 'Nothing was run. Run again with --yes to do it.'].join('\n')}\n`);
    return 0;
  }
  if (!json) io.stdout(`${text.join('\n')}\n`);
  // With --json, stdout holds the one document: the command's own output goes to stderr.
  const code = await runVisible(plan.command, json ? { ...io, stdout: io.stderr } : io);
  if (code !== 0) {
    if (json) report({ ok: false, ran: true, exitCode: code, restarts: [] });
    else io.stderr(`mcp-lifeguard rollback: ${name}: the command exited with ${code}; nothing was restarted\n`);
    return 1;
  }
  const restarts: unknown[] = [];
  let failures = 0;
  for (const r of plan.restart) {
    const outcomes = await restartTarget(String(r.guardPid), {
      locksDir: lifeguardPaths(currentHostEnv(io.env)).locks,
      snapshot: async () => snapshot,
      trustWorkspace: parsed.values['trust-workspace'],
      home,
      graceMs: ACTION_OPTIONS.grace.default * 1000,
      timeoutMs: parsed.values.timeout,
      requestedBy: `mcp-lifeguard rollback ${name}`,
    });
    for (const o of outcomes) {
      const said = restartOutcomeText(o);
      restarts.push({ ...o, ok: said.ok });
      if (!json) (said.report ? io.stdout : io.stderr)(`${said.lines.join('\n')}\n`);
      if (!said.ok) failures++;
    }
  }
  if (json) report({ ok: failures === 0, ran: true, exitCode: 0, restarts });
  else io.stdout(`${name}: rolled back to ${plan.from}.\n`);
  return failures === 0 ? 0 : 1;
}

/** Runs the command with no shell, its output passed on to ours; resolves with its exit code. */
function runVisible(c: { command: string; args: string[]; cwd?: string }, io: CliIo): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(c.command, c.args, { cwd: c.cwd ?? io.cwd, env: io.env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (d: Buffer) => io.stdout(d.toString()));
    child.stderr.on('data', (d: Buffer) => io.stderr(d.toString()));
    child.on('error', (err) => {
      io.stderr(`${c.command}: ${err.message}\n`);
      resolve(127);
    });
    child.on('close', (code) => resolve(code ?? 1));
  });
}
