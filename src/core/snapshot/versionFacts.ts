import { serverNamed } from '../actions/applyInstall';
import type { ServerStatus, Snapshot } from '../base/model';
import { lifeguardPaths, LifeguardPaths } from '../base/paths';
import { homeProblem } from '../machine/privateFs';
import { copiesOf, copyOnDisk, mergeCopies, PackageCopy, PackageRef } from '../versions/copies';
import type { Machine } from '../machine/types';
import { normalizeName } from '../versions/python';
import {
  McpRegistryRef,
  RegistryChecker,
  registryCacheFile,
  RegistryOverrides,
  registryOverrides,
  ReleaseSaid,
} from '../versions/registry';

/**
 * What `mcp-lifeguard doctor SERVER` and Show Versions read, once, before report/versionDoctor.ts
 * reads it as an answer: the entries that run the server's package (from the snapshot, already
 * redacted), every copy of that package on disk (versions/copies.ts), and what its registries say
 * of the newest release (asked now when the daily answer is due). Nothing here changes anything.
 */

export interface VersionFacts {
  /** The name asked about. */
  server: string;
  package?: PackageRef;
  /** Why no package can be traced (an HTTP server, a docker image, nothing resolved). */
  noPackage?: string;
  /** A script no package installs: judged as `status` judges it, by what it runs (its files and what it imports). */
  script?: ScriptRuns;
  /** Every entry of that name, then every other entry that runs the same package. */
  entries: ServerStatus[];
  copies: PackageCopy[];
  releases: ReleaseSaid[];
  /** Why the registries were not asked (turned off). */
  releasesNotAsked?: string;
}

/** What a script server runs: its path, and in words its files and the packages it imports. */
export interface ScriptRuns {
  location: string;
  how: string;
}

export interface VersionFactsOptions {
  /** The machine the snapshot read (its files, its network): a replay's answers come from its capture. */
  machine: Machine;
  /** The folders whose projects count (the snapshot's workspace folders). */
  workspaceFolders: readonly string[];
  /** false: the registries are not asked (the setting or MCP_LIFEGUARD_UPDATE_CHECK=0 said so). */
  registry: false | { overrides?: RegistryOverrides; timeoutMs?: number; log: (message: string) => void };
}

/**
 * The package an entry runs (installed, or named by a launch whose copy is gone). A script no
 * package installs is none: a registry's package of its file's name would be someone else's.
 */
export function packageOfEntry(s: ServerStatus): PackageRef | undefined {
  for (const x of [s.installed, ...s.instances.map((i) => i.versions?.installed)]) {
    if (x?.state === 'installed' && x.dev?.script) return undefined;
    if ((x?.state === 'installed' || x?.state === 'missing') && (x.ecosystem === 'npm' || x.ecosystem === 'python'))
      return { ecosystem: x.ecosystem, name: x.name };
  }
  return undefined;
}

export function samePackage(a: PackageRef, b: PackageRef): boolean {
  return (
    a.ecosystem === b.ecosystem &&
    (a.ecosystem === 'python' ? normalizeName(a.name) === normalizeName(b.name) : a.name === b.name)
  );
}

/** Undefined when no entry has that name. */
export async function gatherVersionFacts(
  snapshot: Snapshot,
  name: string,
  o: VersionFactsOptions,
): Promise<VersionFacts | undefined> {
  const first = serverNamed(snapshot, name);
  if (!first) return undefined;
  const named = snapshot.servers.filter((s) => s.name === name);
  const pkg = packageOfEntry(first) ?? named.map(packageOfEntry).find((p) => p !== undefined);
  if (!pkg) {
    const i = first.installed;
    // A script has no package, but what it runs is known: said as status says it, not as nothing to trace.
    if (i?.state === 'installed' && i.dev?.script)
      return { server: name, script: { location: i.location, how: i.how }, entries: named, copies: [], releases: [] };
    const why =
      first.transport !== 'stdio'
        ? `it is an ${first.transport.toUpperCase()} server: its version is what it says when asked`
        : i?.state === 'unknown'
          ? i.reason
          : i?.state === 'installed' || i?.state === 'unversioned'
            ? `it runs a ${i.ecosystem} install, not an npm or PyPI package`
            : 'what it runs was not resolved';
    return { server: name, noPackage: why, entries: named, copies: [], releases: [] };
  }
  const others = snapshot.servers.filter((s) => {
    const theirs = s.name !== name ? packageOfEntry(s) : undefined;
    return theirs !== undefined && samePackage(theirs, pkg);
  });
  const entries = [...named, ...others];
  const ctx = { host: o.machine.host, fs: o.machine.fs };
  const folders = [...new Set([...o.workspaceFolders, ...entries.flatMap((s) => (s.cwd ? [s.cwd] : []))])];
  const resolved = entries.flatMap((s) => [s.installed, ...s.instances.map((i) => i.versions?.installed)]);
  // What the search found (worded by where it looked), then what launches and instances resolved to in places no search covers.
  const copies = mergeCopies([
    ...(await copiesOf(ctx, pkg, folders)),
    ...(
      await Promise.all(
        resolved.map(async (x) =>
          x?.state === 'installed' &&
          samePackage({ ecosystem: x.ecosystem as PackageRef['ecosystem'], name: x.name }, pkg)
            ? await copyOnDisk(ctx, x)
            : undefined,
        ),
      )
    ).filter((c): c is PackageCopy => c !== undefined),
  ]);
  const releases = await askRegistries(o, entries, pkg, copies);
  return { server: name, package: pkg, entries, copies, ...releases };
}

/** The registries' newest release, asked now when the day-old answer is due (never when turned off). */
async function askRegistries(
  o: VersionFactsOptions,
  entries: readonly ServerStatus[],
  pkg: PackageRef,
  copies: readonly PackageCopy[],
): Promise<Pick<VersionFacts, 'releases' | 'releasesNotAsked'>> {
  if (o.registry === false) return { releases: [], releasesNotAsked: 'update checks are turned off' };
  const { machine } = o;
  if (machine.host.env.MCP_LIFEGUARD_UPDATE_CHECK === '0')
    return { releases: [], releasesNotAsked: 'MCP_LIFEGUARD_UPDATE_CHECK=0 turns update checks off' };
  const paths: LifeguardPaths = lifeguardPaths(machine.host);
  const notPrivate = homeProblem(paths, {
    platform: machine.host.platform,
    lstat: machine.fs.lstatSync,
    uid: machine.uid,
  });
  if (notPrivate) return { releases: [], releasesNotAsked: `${notPrivate.dir} is not private, so no answer is kept` };
  const checker = new RegistryChecker({
    ctx: { host: machine.host, fs: machine.fs },
    fs: machine.fs,
    net: machine.net,
    uid: machine.uid,
    now: () => new Date(machine.now()),
    // What a replay's registries said is the capture's: nothing of this machine is written then.
    save: machine.kind === 'live',
    cacheFile: registryCacheFile(paths),
    root: paths.root,
    overrides: registryOverrides(machine.host.env, o.registry.overrides),
    log: o.registry.log,
    ...(o.registry.timeoutMs ? { timeoutMs: o.registry.timeoutMs } : {}),
  });
  const current = copies[0]?.version ?? '0';
  const ref = { ...pkg, current };
  const mcpNames = [
    ...new Set(
      entries.flatMap((s) =>
        [s.installed, ...s.instances.map((i) => i.versions?.installed)].flatMap((x) =>
          x?.state === 'installed' && x.mcpName ? [x.mcpName] : [],
        ),
      ),
    ),
  ];
  const mcpRefs: McpRegistryRef[] = mcpNames.map((n) => ({ name: n, package: ref }));
  await checker.check([ref], mcpRefs);
  const said = [await checker.said(ref), ...(await Promise.all(mcpRefs.map((r) => checker.saidMcp(r))))];
  return { releases: said.filter((r): r is ReleaseSaid => r !== undefined) };
}
