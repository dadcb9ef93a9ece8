import { pathFor } from '../base/hostEnv';
import type { EngineCache } from '../base/engineCache';
import type { Installed, InstanceVersions } from '../base/versionTypes';
import type { RecordedVersions } from '../locks/types';
import type { Machine } from '../machine/types';
import { readProcessIdentity } from '../pids/identity';
import { isWrapper } from '../processes/argv';
import { parseProcCmdline, readProcessTable } from '../pids/table';
import { resolutionCache } from './kept';
import { interprets, judgeInstance, needsCwd } from './instanceEvidence';
import { machineReaders } from './instanceReaders';
import {
  installerHolding,
  machineScopeReaders,
  RunningInstaller,
  scopedInstallers,
  ScopedInstaller,
} from './installerScope';
import { serverInfoFromVersions } from './lockServerInfo';
import type { LaunchSpec } from './lookup';
import { resolveInstalled } from './resolve';

/**
 * A guard's question about its own child: the engine's verdict on that one instance, from the same
 * evidence and readers a snapshot uses (instanceEvidence.ts, instanceReaders.ts): the versions the
 * guard recorded when it started the child, what the child said about itself, the installed side of
 * the launch as this process's own argv resolves it, its mapped files, and a running installer
 * (settling). Cheap when nothing changed: a few stats of the files the resolution read (the engine's
 * resolution cache); the process table is read only when a verdict would ask for a restart, the
 * child's argv and start once per child.
 */

/** How long a look at the process table for a running installer is reused. */
const INSTALLER_TTL_MS = 1000;

export interface OwnChild {
  pid: number;
  /** ms since the epoch, as the guard saw the spawn: used when the OS does not say. */
  spawnedAt: number;
  /** What the guard recorded when it started this child (its lock record's versions), serverInfo included. */
  versions?: RecordedVersions;
}

interface ChildFacts {
  pid: number;
  startTime: number;
  argv?: readonly string[];
  cwd?: string;
}

const CHILD_FACTS = { name: 'own-child-facts', limit: 8 } as const;
const INSTALLERS = { name: 'own-installers', limit: 1, ttlMs: INSTALLER_TTL_MS } as const;

/** The verdict on a guard's own child running `launch` (Engine.judgeOne). */
export async function judgeOwnChild(
  machine: Machine,
  cache: EngineCache,
  launch: LaunchSpec,
  child: OwnChild,
  settleMs?: number,
): Promise<InstanceVersions> {
  const facts = await childFacts(machine, cache, launch, child);
  const resolutions = resolutionCache(machine, cache);
  const key = JSON.stringify([
    'own',
    launch.command,
    launch.args,
    launch.cwd ?? null,
    facts.argv ?? null,
    facts.cwd ?? null,
  ]);
  const resolution = await resolutions.get(key, (fs) =>
    resolveInstalled({ host: machine.host, fs, cache }, launch, { processArgv: facts.argv, processCwd: facts.cwd }),
  );
  const serverInfo = serverInfoFromVersions(child.versions, child.pid);
  const judged = await judgeInstance(
    {
      pid: child.pid,
      startTime: facts.startTime,
      ...(facts.argv ? { argv: facts.argv } : {}),
      installed: resolution.installed,
      ...(resolution.running ? { reported: resolution.running } : {}),
      files: () => resolutions.filesOf(key),
      ...(child.versions?.package
        ? { lock: { versions: child.versions, startedAt: new Date(facts.startTime).toISOString() } }
        : {}),
      ...(serverInfo ? { serverInfo } : {}),
      installing: { ask: () => installerOf(machine, cache, resolution.installed) },
      ...(settleMs !== undefined ? { settleMs } : {}),
      now: machine.now(),
    },
    machineReaders(machine, cache),
  );
  return {
    installed: resolution.installed,
    running: judged.running,
    verdict: judged.verdict,
    ...(serverInfo ? { serverInfo } : {}),
    ...(judged.runtime ? { runtime: judged.runtime } : {}),
  };
}

/**
 * An installer that can write `installed` running now, from the process table; the table's
 * installers are reused for INSTALLER_TTL_MS, so a refusing policy asked on every call while
 * stale reads the table rarely.
 */
async function installerOf(
  machine: Machine,
  cache: EngineCache,
  installed: Installed,
): Promise<RunningInstaller | undefined> {
  const answer = cache
    .bucket<string, Promise<ScopedInstaller[]>>(INSTALLERS.name, INSTALLERS)
    .getOrSet('', () =>
      readProcessTable(machine).then((table) =>
        table.state === 'ok' ? scopedInstallers(table.processes, machine.host, machineScopeReaders(machine)) : [],
      ),
    );
  return installerHolding(await answer, installed);
}

/**
 * The server process's start (the OS's clock, as a snapshot reads it) and, when it interprets a
 * script, its argv: read once per child, once the process that runs the server is found (a
 * wrapper such as npx may still be installing it: asked again next time).
 */
async function childFacts(
  machine: Machine,
  cache: EngineCache,
  launch: LaunchSpec,
  child: OwnChild,
): Promise<ChildFacts> {
  const kept = cache.bucket<number, Promise<ChildFacts>>(CHILD_FACTS.name, CHILD_FACTS);
  const facts = await kept.getOrSet(child.pid, () => readChildFacts(machine, child, launch));
  // Found through a wrapper, the process may itself still be one: a shell's fork before its exec
  // of the server carries the shell's argv for a moment. Asked again until it runs something else.
  const settled =
    machine.host.platform !== 'linux' || !(await argvOf(machine, facts.pid).then((argv) => argv && isWrapper(argv)));
  if (!settled) kept.delete(child.pid);
  return facts;
}

async function readChildFacts(machine: Machine, child: OwnChild, launch: LaunchSpec): Promise<ChildFacts> {
  if (machine.host.platform !== 'linux') {
    const identity = await readProcessIdentity(child.pid, machine).catch(() => undefined);
    return { pid: child.pid, startTime: identity?.startTime ?? child.spawnedAt };
  }
  const { pid, argv } = await serverProcess(machine, child.pid);
  const identity = await readProcessIdentity(pid, machine).catch(() => undefined);
  const startTime = identity?.startTime ?? child.spawnedAt;
  if (!argv || !interprets(argv)) return { pid, startTime };
  const cwd = needsCwd(argv, pathFor(machine.host))
    ? ((await machine.fs.readlink(`/proc/${pid}/cwd`).catch(() => undefined)) ?? launch.cwd)
    : undefined;
  return { pid, startTime, argv, ...(cwd ? { cwd } : {}) };
}

async function argvOf(machine: Machine, pid: number): Promise<string[] | undefined> {
  const text = await machine.fs.readText(`/proc/${pid}/cmdline`).catch(() => undefined);
  return text === undefined ? undefined : parseProcCmdline(text);
}

/**
 * The process that runs the server's code (Linux): the guard's child, or, when that child is a
 * wrapper (npx, uvx, a shell: processes/argv.ts isWrapper, as a snapshot walks it), the one process
 * it runs in turn. Its mapped files and start are the evidence.
 */
async function serverProcess(machine: Machine, childPid: number): Promise<{ pid: number; argv?: string[] }> {
  let pid = childPid;
  let argv = await argvOf(machine, pid);
  for (let depth = 0; depth < 8 && argv && isWrapper(argv); depth++) {
    const kids = ((await machine.fs.readText(`/proc/${pid}/task/${pid}/children`).catch(() => undefined)) ?? '')
      .split(/\s+/)
      .filter(Boolean);
    if (kids.length !== 1) break;
    const next = await argvOf(machine, Number(kids[0]));
    if (!next) break;
    pid = Number(kids[0]);
    argv = next;
  }
  return { pid, ...(argv ? { argv } : {}) };
}
