import type { Instance, ServerConfig, ServerStatus, Snapshot, SourceRef } from '../base/model';

/**
 * Workspace trust for actions that signal processes. A workspace's files come with the folder (a
 * cloned repository), not from the user: an entry only they define must not choose which of the
 * user's processes get signalled, unless the user says so (`--trust-workspace`).
 */

/** The command-line switch that lets entries defined by workspace files aim signals. */
export const TRUST_WORKSPACE_FLAG = '--trust-workspace';

/**
 * Whether an entry lives in a file the workspace provides (not the user's own files): a workspace or
 * project file, or any file inside a workspace folder. A folder that is the home directory, or holds
 * it, is not taken as making the user's own files (`~/.config/...`) the workspace's: run from `~`,
 * the CLI's default workspace is the home folder.
 */
export function isWorkspaceDefined(
  source: Pick<SourceRef, 'scope' | 'file'> | undefined,
  workspaceFolders: readonly string[],
  home?: string,
): boolean {
  // A saved snapshot (`--from FILE`) is input like any other: an entry that names no source file is
  // trusted no more than a workspace file.
  if (source === undefined || typeof source.file !== 'string') return true;
  if (source.scope === 'workspace' || source.scope === 'project') return true;
  const file = normalize(source.file);
  const inside = (folder: string, p: string) => p.startsWith(`${normalize(folder).replace(/\/+$/, '')}/`);
  return workspaceFolders.some(
    (f) =>
      inside(f, file) &&
      (home === undefined || (normalize(home) !== normalize(f).replace(/\/+$/, '') && !inside(f, normalize(home)))),
  );
}

function normalize(p: string): string {
  return p.replace(/\\/g, '/');
}

function sameInstance(a: Instance, b: Instance): boolean {
  return a.pid === b.pid && a.startTime === b.startTime;
}

/** The entries that list an instance as theirs. */
export function claimingServers(snapshot: Snapshot, instance: Instance): ServerStatus[] {
  return snapshot.servers.filter((s) => s.instances.some((i) => sameInstance(i, instance)));
}

/**
 * Why an instance may not be signalled on the word of workspace files, or undefined when it may:
 * at least one user-level entry claims it, no entry claims it (a process asked for by pid), or the
 * user trusts workspace files. `home` is the user's home folder (see isWorkspaceDefined).
 */
export function workspaceRefusal(
  snapshot: Snapshot,
  instance: Instance,
  trustWorkspace: boolean,
  home?: string,
): string | undefined {
  if (trustWorkspace) return undefined;
  const owners = claimingServers(snapshot, instance);
  if (owners.length === 0 || owners.some((s) => !isWorkspaceDefined(s.source, snapshot.workspaceFolders ?? [], home)))
    return undefined;
  const names = owners
    .map((s) => `'${s.name}' (${typeof s.source?.file === 'string' ? s.source.file : 'no config file defines it now'})`)
    .join(', ');
  return `pid ${instance.pid} is listed only by ${names}, defined in workspace files, which are not trusted to choose processes to signal; nothing was signalled. If you trust those files, run again with ${TRUST_WORKSPACE_FLAG}.`;
}

/**
 * Why a server's package may not be installed from here (Upgrade, Roll back), or undefined: an
 * installer runs what the project around the package says (npm's lifecycle scripts), so a server
 * only workspace files define, or whose instances only they list, is refused unless trusted.
 */
export function installRefusal(
  snapshot: Snapshot,
  server: ServerStatus,
  trustWorkspace: boolean,
  home?: string,
): string | undefined {
  if (trustWorkspace) return undefined;
  const byInstance = server.instances.map((i) => workspaceRefusal(snapshot, i, false, home)).find((r) => r);
  if (byInstance) return byInstance;
  if (!isWorkspaceDefined(server.source, snapshot.workspaceFolders ?? [], home)) return undefined;
  return `'${server.name}' is defined only by ${typeof server.source?.file === 'string' ? server.source.file : 'no config file now'}, a workspace file, which is not trusted to choose what is installed; nothing was run. If you trust it, run again with ${TRUST_WORKSPACE_FLAG}.`;
}

/**
 * A saved snapshot (`--from FILE`) judged by the configs as they are now: where an entry is defined
 * (and so whether the workspace defines it) and its transport come from the current scan, matched
 * by server id; the file's own `source` is never believed. An id no config defines now keeps no
 * source, so it is trusted no more than a workspace file. The workspace folders are the current ones.
 */
export function judgedByCurrentConfigs(
  saved: Snapshot,
  current: readonly ServerConfig[],
  workspaceFolders: readonly string[],
): Snapshot {
  const byId = new Map(current.map((c) => [c.id, c]));
  const servers = saved.servers.map((s) => {
    const now = typeof s?.id === 'string' ? byId.get(s.id) : undefined;
    return { ...s, source: now?.source, transport: now?.transport ?? s?.transport } as ServerStatus;
  });
  return { ...saved, servers, workspaceFolders: [...workspaceFolders] };
}
