import type { WatchedMachine } from '../base/model';
import { english, Translate } from '../base/translate';

/**
 * How every face names the machine a snapshot watches, and what it says of servers that run on the
 * other side of a remote window (core/snapshot/sides.ts): the window's VS Code user servers, which
 * VS Code runs on the local machine.
 */

/** VS Code's names for its remotes (`env.remoteName`), as its remote indicator shows them: names, not words to translate. */
function remoteKind(remote: string): string {
  switch (remote) {
    case 'wsl':
      return 'WSL';
    case 'ssh-remote':
      return 'SSH';
    case 'dev-container':
      return 'Dev Container';
    case 'attached-container':
      return 'Container';
    case 'codespaces':
      return 'Codespaces';
    case 'tunnel':
      return 'Tunnel';
    default:
      return remote;
  }
}

/** `WSL: Ubuntu`, `SSH: build-box`, `Dev Container`; `this machine` for a local one. */
export function machineLabel(machine: WatchedMachine | undefined, t: Translate = english): string {
  if (!machine || machine.kind === 'local') return t('this machine');
  const kind = remoteKind(machine.remote);
  return machine.name ? t('{0}: {1}', kind, machine.name) : kind;
}

/** The line that says which machine is watched: only in a remote window (a local one watches where it is). */
export function watchingLine(machine: WatchedMachine | undefined, t: Translate = english): string | undefined {
  return machine?.kind === 'remote' ? t('Watching: {0}', machineLabel(machine, t)) : undefined;
}

/** What a server that runs on the local machine is called in a remote window's list, in a few words. */
export function elsewhereLabel(t: Translate = english): string {
  return t('on the local machine');
}

/** Why such a server is not judged, and how to see it. */
export function elsewhereReason(machine: WatchedMachine | undefined, t: Translate = english): string {
  return t(
    'VS Code runs it on the local machine, out of sight of {0}: not judged here. See it with `mcp-lifeguard status` there, or a local window.',
    machineLabel(machine, t),
  );
}

/**
 * The note a remote window shows whatever the remote's files hold: its own user servers are on the
 * local machine, whose user files the remote cannot read (it has a home of its own).
 */
export function windowUserServersNote(machine: WatchedMachine | undefined, t: Translate = english): string | undefined {
  if (machine?.kind !== 'remote') return undefined;
  return t(
    "VS Code runs this window's user servers on the local machine, out of sight of {0}: see them with `mcp-lifeguard status` there, or a local window.",
    machineLabel(machine, t),
  );
}
