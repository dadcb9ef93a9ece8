import * as fs from 'node:fs';
import type { ServerStatus, Snapshot } from '../base/model';
import { whichSync } from '../launch/which';
import { InstallCommand, InstalledPackage, installedOf, InstallFacts } from './installCommand';
import type { RestartTargetOutcome } from './restart';
import type { InstallerExit } from './runInstaller';
import { RanOld, ranOld } from './upgrade';
import { serversOfInstall } from './installServes';

/**
 * What Upgrade and Roll back do once the user agreed, for every face: run the installer, look again
 * (once the files it wrote have settled), then restart each guard whose server runs other code than
 * is now installed, of this entry or any other the same install serves (and any guard the plan
 * names, one whose server is down). What no guard runs is
 * returned as left: its client's to restart. An installer that exits 0 and changes nothing (the
 * same version, the same environment, in the same place) is said as such, and nothing restarts:
 * a restart would start what ran before. The face words every step.
 */

export interface ApplyDeps {
  /** Runs the installer (no shell), its output where the face shows it; resolves with its exit code and, failed, its reason (runInstaller). */
  run(command: InstallCommand): Promise<Pick<InstallerExit, 'exitCode' | 'reason'>>;
  /**
   * A fresh snapshot whose verdicts no longer wait for the files the install wrote to settle
   * (core/snapshot/settle.ts takeSettled): an instance still `settling` is not judged yet.
   */
  look(): Promise<Snapshot>;
  /** Restarts the guard of this instance (its guard's pid or its server's). */
  restart(pid: number): Promise<RestartTargetOutcome[]>;
}

export type ApplyResult =
  /** `reason`: the installer's own error line, the one every face says (runInstaller.ts installerErrorLine). */
  | { kind: 'failed'; exitCode: number; reason?: string }
  /** The installer exited 0, and what is installed is what was: nothing was restarted. */
  | { kind: 'unchanged'; snapshot: Snapshot; installed?: string }
  | {
      kind: 'done';
      snapshot: Snapshot;
      /** The server's package version installed now, when it is known. */
      installed?: string;
      restarts: RestartTargetOutcome[];
      left: RanOld['left'];
    };

/** `before`: what was installed when the plan was made; `alsoRestart`: guards the plan names (their server is down). */
export async function applyInstall(
  serverName: string,
  command: InstallCommand,
  deps: ApplyDeps,
  o: { before?: InstalledPackage; alsoRestart?: readonly number[] } = {},
): Promise<ApplyResult> {
  const { exitCode, reason } = await deps.run(command);
  if (exitCode !== 0) return { kind: 'failed', exitCode, ...(reason ? { reason } : {}) };
  const snapshot = await deps.look();
  const server = serverNamed(snapshot, serverName);
  const after = server ? installedOf(server) : undefined;
  if (o.before && after && sameInstall(o.before, after))
    return { kind: 'unchanged', snapshot, installed: after.version };
  const alsoRestart = o.alsoRestart ?? [];
  // Every entry the install serves, in any client: a sibling's guard restarts too, the rest are named.
  const home = o.before ?? after;
  const served = home ? serversOfInstall(snapshot.servers, home) : [];
  const instances = [...(server ? [server] : []), ...served].flatMap((s) => s.instances);
  const old = ranOld({ instances: instances.filter((i, at) => instances.findIndex((j) => j.pid === i.pid) === at) });
  const restarts: RestartTargetOutcome[] = [];
  for (const pid of new Set([...alsoRestart, ...old.restart.map((r) => r.pid)]))
    restarts.push(...(await deps.restart(pid)));
  // The entry's own answer, else what its instances' launch resolves to now (the entry's may still
  // be read again while the installer's files settle): the result names the version either way.
  const installed = after?.version;
  return { kind: 'done', snapshot, ...(installed ? { installed } : {}), restarts, left: old.left };
}

/** The same package, version and environment in the same place: an install that changed nothing a restart would load. */
function sameInstall(a: InstalledPackage, b: InstalledPackage): boolean {
  return (
    a.ecosystem === b.ecosystem &&
    a.name === b.name &&
    a.version === b.version &&
    a.location === b.location &&
    a.environment?.hash === b.environment?.hash
  );
}

/** Entries of one name in several files are one server when they launch the same: the first with instances answers. */
export function serverNamed(snapshot: Snapshot, name: string): ServerStatus | undefined {
  const servers = snapshot.servers.filter((s) => s.name === name);
  return servers.find((s) => s.instances.length > 0) ?? servers[0];
}

/** The most of one file the planner reads (a project's package-lock.json can be large). */
const MAX_FACT_BYTES = 64 * 1024 * 1024;

/** What the install planner reads of this machine. */
export function liveInstallFacts(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): InstallFacts {
  const kind = (p: string) => {
    try {
      return fs.statSync(p);
    } catch {
      return undefined;
    }
  };
  return {
    platform,
    isFile: (p) => kind(p)?.isFile() === true,
    isDir: (p) => kind(p)?.isDirectory() === true,
    which: (program) => whichSync(program, platform, env, (p) => kind(p)?.isFile() === true),
    readText: (p) => {
      // A lockfile or a manifest: a larger file is none of them.
      const stat = kind(p);
      if (!stat?.isFile() || stat.size > MAX_FACT_BYTES) return undefined;
      try {
        return fs.readFileSync(p, 'utf8');
      } catch {
        return undefined;
      }
    },
    readdir: (p) => {
      try {
        return fs.readdirSync(p);
      } catch {
        return undefined;
      }
    },
  };
}
