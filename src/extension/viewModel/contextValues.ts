import { CommandId, CommandIdValue, VIEW_ID, EXPLORER_VIEW_ID } from '../commandIds';

/**
 * Tree `contextValue`s, the one place they are spelled. A contextValue is the node kind followed by
 * the actions that apply, space-separated ("mcpServer killDuplicates openConfig restart stop"), so a
 * menu's `when` asks for one capability with a word-bounded regex. package.json's menus are checked
 * against ITEM_MENUS by a test, so the two cannot drift apart.
 */

export const NodeKind = {
  group: 'mcpGroup',
  server: 'mcpServer',
  instance: 'mcpInstance',
  unconfigured: 'mcpUnconfigured',
  /** A process an instance started (buckaroo's data server): shown, acted on through its instance. */
  child: 'mcpChild',
  problems: 'mcpProblems',
  problem: 'mcpProblem',
  message: 'mcpMessage',
} as const;
export type NodeKindValue = (typeof NodeKind)[keyof typeof NodeKind];

export const Cap = {
  /** A real restart: through the guard, or VS Code's own command for this window's server. */
  restart: 'restart',
  stop: 'stop',
  /** Running, but Restart could only stop it (another client's unguarded instance): Stop takes Restart's inline place. */
  stopOnly: 'stopOnly',
  killDuplicates: 'killDuplicates',
  openConfig: 'openConfig',
  evidence: 'evidence',
  wrap: 'wrap',
  unwrap: 'unwrap',
  copyPid: 'copyPid',
  /** It has a command line to copy (redacted as the snapshot holds it). */
  copyCommandLine: 'copyCommandLine',
  /** A Not configured process with an identity to hide it by (hiddenProcesses.ts). */
  hide: 'hide',
  /** A Not configured process whose launch can be written into a client's config as a new entry. */
  addToConfig: 'addToConfig',
  /** Not running, and VS Code itself can start it (start.ts). */
  start: 'start',
  /** A guard's log file, or VS Code's own output for its server. */
  serverLog: 'serverLog',
  /** Copies run in two or more clients, and an entry of it can be wrapped with `--on-conflict share` (sharePlan.ts). */
  share: 'share',
  /** Its entry shares one server with other clients (`run --on-conflict share`): Unshare gives every client its own copy back. */
  unshare: 'unshare',
  /** Its package has a version that can be installed the way it was installed (or pinned), and the window may run it. */
  upgrade: 'upgrade',
  /** Versions to go back to (an upgraded package, a Python server's moved dependencies, a down guard's record), and the window may run its installer. */
  rollback: 'rollback',
  /** Its package is a release of npm or PyPI: Show Versions traces every source of its version (read-only). */
  versions: 'versions',
} as const;
export type CapValue = (typeof Cap)[keyof typeof Cap];

export function contextValue(kind: NodeKindValue, caps: Iterable<CapValue> = []): string {
  return [kind, ...[...new Set(caps)].sort()].join(' ');
}

/** The `when` clause of a node menu entry: in our views, on one of `kinds`, when `cap` applies. */
export function itemWhen(kinds: readonly NodeKindValue[], cap: CapValue): string {
  return `view =~ /^(${escape(VIEW_ID)}|${escape(EXPLORER_VIEW_ID)})$/ && viewItem =~ /^(${kinds.join('|')})\\b.*\\b${cap}\\b/`;
}

function escape(s: string): string {
  return s.replace(/[.]/g, '\\.');
}

export interface ItemMenu {
  command: CommandIdValue;
  kinds: readonly NodeKindValue[];
  cap: CapValue;
  /** `inline` shows an icon on the row; others go to the context menu. */
  group: string;
}

const RUNNING = [NodeKind.server, NodeKind.instance] as const;

/** Every node menu entry: what package.json's `view/item/context` must contain. */
export const ITEM_MENUS: readonly ItemMenu[] = [
  { command: CommandId.startServer, kinds: [NodeKind.server], cap: Cap.start, group: 'inline@1' },
  { command: CommandId.startServer, kinds: [NodeKind.server], cap: Cap.start, group: '1_lifecycle@0' },
  { command: CommandId.restartServer, kinds: [NodeKind.server], cap: Cap.restart, group: 'inline@1' },
  { command: CommandId.restartServer, kinds: [NodeKind.server], cap: Cap.restart, group: '1_lifecycle@1' },
  { command: CommandId.restartInstance, kinds: [NodeKind.instance], cap: Cap.restart, group: 'inline@1' },
  { command: CommandId.restartInstance, kinds: [NodeKind.instance], cap: Cap.restart, group: '1_lifecycle@1' },
  { command: CommandId.stopServer, kinds: [NodeKind.server], cap: Cap.stopOnly, group: 'inline@1' },
  { command: CommandId.stopServer, kinds: [NodeKind.server], cap: Cap.stop, group: '1_lifecycle@2' },
  { command: CommandId.stopInstance, kinds: [NodeKind.instance], cap: Cap.stopOnly, group: 'inline@1' },
  {
    command: CommandId.stopInstance,
    kinds: [NodeKind.instance, NodeKind.unconfigured],
    cap: Cap.stop,
    group: '1_lifecycle@2',
  },
  { command: CommandId.killDuplicates, kinds: [NodeKind.server], cap: Cap.killDuplicates, group: 'inline@2' },
  { command: CommandId.killDuplicates, kinds: [NodeKind.server], cap: Cap.killDuplicates, group: '1_lifecycle@3' },
  { command: CommandId.openConfig, kinds: [NodeKind.server], cap: Cap.openConfig, group: '2_inspect@1' },
  {
    command: CommandId.showEvidence,
    kinds: [...RUNNING, NodeKind.unconfigured],
    cap: Cap.evidence,
    group: '2_inspect@2',
  },
  {
    command: CommandId.copyPid,
    kinds: [NodeKind.instance, NodeKind.unconfigured],
    cap: Cap.copyPid,
    group: '2_inspect@3',
  },
  {
    command: CommandId.copyCommandLine,
    kinds: [NodeKind.instance, NodeKind.unconfigured],
    cap: Cap.copyCommandLine,
    group: '2_inspect@4',
  },
  { command: CommandId.showServerLog, kinds: RUNNING, cap: Cap.serverLog, group: '2_inspect@5' },
  { command: CommandId.addToConfig, kinds: [NodeKind.unconfigured], cap: Cap.addToConfig, group: '3_guard@1' },
  { command: CommandId.hideProcess, kinds: [NodeKind.unconfigured], cap: Cap.hide, group: '5_hide@1' },
  { command: CommandId.wrapWithGuard, kinds: [NodeKind.server], cap: Cap.wrap, group: '3_guard@1' },
  { command: CommandId.unwrapGuard, kinds: [NodeKind.server], cap: Cap.unwrap, group: '3_guard@2' },
  { command: CommandId.shareOneInstance, kinds: [NodeKind.server], cap: Cap.share, group: '3_guard@3' },
  { command: CommandId.unshareServer, kinds: [NodeKind.server], cap: Cap.unshare, group: '3_guard@4' },
  { command: CommandId.upgradeServer, kinds: [NodeKind.server], cap: Cap.upgrade, group: '4_versions@1' },
  { command: CommandId.rollbackServer, kinds: [NodeKind.server], cap: Cap.rollback, group: '4_versions@2' },
  { command: CommandId.showVersions, kinds: [NodeKind.server], cap: Cap.versions, group: '4_versions@3' },
];

/** The manifest entries generated from ITEM_MENUS. */
export function itemMenuEntries(): { command: string; when: string; group: string }[] {
  return ITEM_MENUS.map((m) => ({ command: m.command, when: itemWhen(m.kinds, m.cap), group: m.group }));
}
