import type { HostEnv } from '../base/hostEnv';
import type { ServerConfig, ServerStatus, WatchedMachine } from '../base/model';
import type { SourceSide } from '../sources/types';

/**
 * Which side of a VS Code window each source's servers run on, against the machine a snapshot
 * watches. The extension runs where the window's workspace is (`extensionKind: workspace`): in a
 * remote window, on the remote. There VS Code starts the servers of the workspace's files and of
 * the remote's own user file (`~/.vscode-server/data/User/mcp.json`), and the window's UI side, the
 * local machine, starts those of its user files. A process on one machine is never the server of an
 * entry that runs on the other, however alike their command lines.
 */

/** This machine, as a face that runs where it watches (the CLI, the agent face) sees it. */
export const THIS_MACHINE: WatchedMachine = { kind: 'local' };

/**
 * The machine a window's extension host watches, from VS Code's `env.remoteName` (undefined in a
 * local window) and this machine's host name. The name is the WSL distribution's, or the SSH
 * host's; a container's host name is its id, which names nothing a user knows.
 */
export function watchedMachine(remoteName: string | undefined, host: HostEnv, hostName?: string): WatchedMachine {
  if (!remoteName || servedToBrowser(remoteName)) return THIS_MACHINE;
  const name = remoteName === 'wsl' ? host.env.WSL_DISTRO_NAME : remoteName === 'ssh-remote' ? hostName : undefined;
  return { kind: 'remote', remote: remoteName, ...(name ? { name } : {}) };
}

/**
 * A window a server serves to a browser (code-server, `code serve-web`, openvscode-server): its
 * remote authority is the server's own address, so its `remoteName` is a host (`localhost:8080`),
 * where a remote's is a kind (`wsl+Ubuntu` gives `wsl`). Its extension host runs on the machine
 * whose files and processes it reads, and there is no desktop of VS Code on another one.
 */
function servedToBrowser(remoteName: string): boolean {
  return remoteName === 'localhost' || /[.:]/.test(remoteName);
}

/** Whether an entry whose source runs its servers on `side` (none: where its file is) runs on the machine watched. */
export function runsOnWatched(side: SourceSide | undefined, machine: WatchedMachine): boolean {
  switch (machine.kind) {
    case 'local':
      return true;
    case 'remote':
      return side !== 'window-ui';
  }
}

/** The entries split by side (`runsOn`: the scan's, by server id): the ones to match against this machine's processes, and the ones that run elsewhere. */
export function splitBySide(
  servers: readonly ServerConfig[],
  runsOn: ReadonlyMap<string, SourceSide>,
  machine: WatchedMachine,
): { here: ServerConfig[]; elsewhere: ServerConfig[] } {
  const here: ServerConfig[] = [];
  const elsewhere: ServerConfig[] = [];
  for (const s of servers) (runsOnWatched(runsOn.get(s.id), machine) ? here : elsewhere).push(s);
  return { here, elsewhere };
}

/** An entry that runs on the other machine, as the snapshot lists it: no instance, nothing judged. */
export function elsewhereStatus(server: ServerConfig): ServerStatus {
  return Object.assign({}, server, { instances: [], elsewhere: { on: 'local-machine' as const } });
}
