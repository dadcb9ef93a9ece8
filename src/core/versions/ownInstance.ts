import { promises as fsp } from 'node:fs';
import type { HostEnv } from '../base/hostEnv';
import type { Installed, InstanceVersions } from '../base/versionTypes';
import type { RecordedVersions } from '../locks/types';
import { readProcessIdentity } from '../pids/identity';
import { isWrapper } from '../processes/argv';
import { parseProcCmdline, readProcessTable } from '../pids/table';
import { MtimeCache } from './cache';
import { nodeFs } from './fs';
import { interprets, judgeInstance, needsCwd } from './instanceEvidence';
import {
  hostScopeReaders,
  installerHolding,
  RunningInstaller,
  scopedInstallers,
  ScopedInstaller,
} from './installerScope';
import { serverInfoFromVersions } from './lockServerInfo';
import type { LaunchSpec } from './lookup';
import { readMaps } from './maps';
import { sightRuntime } from './runtime';
import { compareReplaced } from './mappedContent';
import { runningBuildInfo } from './goBinary';
import { stillInstalled } from './outsideClosure';
import { resolveInstalled, Resolution } from './resolve';
import { startLagMs } from '../pids/startLag';

/**
 * A guard's question about its own child: the engine's verdict on that one instance, from the same
 * evidence a snapshot gathers (instanceEvidence.ts): the versions the guard recorded when it started
 * the child, what the child said about itself, the installed side of the launch as this process's
 * own argv resolves it, its mapped files, and a running installer (settling). Cheap when nothing
 * changed: a few stats of the files the resolution read; the process table is read only when a
 * verdict would ask for a restart, the child's argv and start once per child.
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

export class OwnInstanceJudge {
  // An answer built on absence (mid-install) must see the reinstall that ends it at once.
  private readonly cache = new MtimeCache<Resolution>(nodeFs, { recheck: (r) => r.installed.state === 'missing' });
  private facts: { child: number; facts: Promise<ChildFacts> } | undefined;

  constructor(
    private readonly host: HostEnv,
    private readonly launch: LaunchSpec,
  ) {}

  async judge(child: OwnChild): Promise<InstanceVersions> {
    const facts = await this.childFacts(child);
    const key = JSON.stringify([facts.argv ?? null, facts.cwd ?? null]);
    const resolution = await this.cache.get(key, (fs) =>
      resolveInstalled({ host: this.host, fs }, this.launch, { processArgv: facts.argv, processCwd: facts.cwd }),
    );
    const serverInfo = serverInfoFromVersions(child.versions, child.pid);
    const judged = await judgeInstance(
      {
        pid: child.pid,
        startTime: facts.startTime,
        ...(facts.argv ? { argv: facts.argv } : {}),
        installed: resolution.installed,
        ...(resolution.running ? { reported: resolution.running } : {}),
        files: () => this.cache.filesOf(key),
        ...(child.versions?.package
          ? { lock: { versions: child.versions, startedAt: new Date(facts.startTime).toISOString() } }
          : {}),
        ...(serverInfo ? { serverInfo } : {}),
        installing: { ask: () => this.installerOf(resolution.installed) },
        now: Date.now(),
      },
      {
        readMaps: (pid) => readMaps(pid, this.host.platform),
        stat: nodeFs.stat,
        compareReplaced,
        sightRuntime: (pid, maps) => sightRuntime(pid, this.host.platform, maps),
        runningBuild: (pid, start) => runningBuildInfo(pid, start, this.host.platform),
        stillInstalled: (inst, names) => stillInstalled({ host: this.host, fs: nodeFs }, inst, names),
        startLag: () => startLagMs(this.host.platform),
      },
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
  private async installerOf(installed: Installed): Promise<RunningInstaller | undefined> {
    const now = Date.now();
    if (!this.installers || now - this.installers.at >= INSTALLER_TTL_MS) {
      const answer = readProcessTable(this.host.platform).then((table) =>
        table.state === 'ok'
          ? scopedInstallers(table.processes, this.host, hostScopeReaders(this.host.platform, nodeFs))
          : [],
      );
      this.installers = { at: now, answer };
    }
    return installerHolding(await this.installers.answer, installed);
  }
  private installers: { at: number; answer: Promise<ScopedInstaller[]> } | undefined;

  /**
   * The server process's start (the OS's clock, as a snapshot reads it) and, when it interprets a
   * script, its argv: read once per child, once the process that runs the server is found (a
   * wrapper such as npx may still be installing it: asked again next time).
   */
  private async childFacts(child: OwnChild): Promise<ChildFacts> {
    if (this.facts?.child !== child.pid)
      this.facts = { child: child.pid, facts: readChildFacts(child, this.host.platform, this.launch) };
    const facts = await this.facts.facts;
    // Found through a wrapper, the process may itself still be one: a shell's fork before its exec
    // of the server carries the shell's argv for a moment. Asked again until it runs something else.
    const settled =
      this.host.platform !== 'linux' || !(await argvOf(facts.pid).then((argv) => argv && isWrapper(argv)));
    if (!settled) this.facts = undefined;
    return facts;
  }
}

async function readChildFacts(child: OwnChild, platform: NodeJS.Platform, launch: LaunchSpec): Promise<ChildFacts> {
  if (platform !== 'linux') {
    const identity = await readProcessIdentity(child.pid, platform).catch(() => undefined);
    return { pid: child.pid, startTime: identity?.startTime ?? child.spawnedAt };
  }
  const { pid, argv } = await serverProcess(child.pid);
  const identity = await readProcessIdentity(pid, platform).catch(() => undefined);
  const startTime = identity?.startTime ?? child.spawnedAt;
  if (!argv || !interprets(argv)) return { pid, startTime };
  const cwd = needsCwd(argv) ? await fsp.readlink(`/proc/${pid}/cwd`).catch(() => launch.cwd) : undefined;
  return { pid, startTime, argv, ...(cwd ? { cwd } : {}) };
}

async function argvOf(pid: number): Promise<string[] | undefined> {
  return fsp.readFile(`/proc/${pid}/cmdline`, 'utf8').then(parseProcCmdline, () => undefined);
}

/**
 * The process that runs the server's code (Linux): the guard's child, or, when that child is a
 * wrapper (npx, uvx, a shell: processes/argv.ts isWrapper, as a snapshot walks it), the one process
 * it runs in turn. Its mapped files and start are the evidence.
 */
async function serverProcess(childPid: number): Promise<{ pid: number; argv?: string[] }> {
  let pid = childPid;
  let argv = await argvOf(pid);
  for (let depth = 0; depth < 8 && argv && isWrapper(argv); depth++) {
    const kids = (await fsp.readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => ''))
      .split(/\s+/)
      .filter(Boolean);
    if (kids.length !== 1) break;
    const next = await argvOf(Number(kids[0]));
    if (!next) break;
    pid = Number(kids[0]);
    argv = next;
  }
  return { pid, ...(argv ? { argv } : {}) };
}
