import { CommandIdValue } from '../commandIds';
import type { Diagnostic } from '../../core/base/model';
import { OwnerContext } from './actionPlan';
import { VmChild, VmInstance, VmServer, VmSnapshot } from '../../core/report/input';

/**
 * The tree as plain data: nodes are domain objects with stable ids and their parent's id (so the
 * glue can implement getParent for reveal), and `treeItem` turns a node into what a TreeItem shows.
 */

export type TreeNode =
  | { kind: 'group'; id: string; label: string; servers: VmServer[] }
  | { kind: 'server'; id: string; parentId: string; server: VmServer }
  | { kind: 'instance'; id: string; parentId: string; server: VmServer; instance: VmInstance }
  /** `hiddenCount`: listed processes the user hid (hiddenProcesses.ts), counted in the group's description. */
  | { kind: 'notConfigured'; id: string; instances: VmInstance[]; hiddenCount: number }
  | { kind: 'unconfigured'; id: string; parentId: string; instance: VmInstance }
  | { kind: 'child'; id: string; parentId: string; child: VmChild }
  | { kind: 'problems'; id: string; diagnostics: Diagnostic[] }
  | { kind: 'problem'; id: string; parentId: string; diagnostic: Diagnostic }
  | { kind: 'message'; id: string; text: string; tooltip?: string; command?: CommandIdValue };

export interface TreeContext {
  trusted: boolean;
  /** ms since the epoch, for uptimes. */
  now: number;
  /** Whether the guard is installed, so Wrap with Guard can be offered. */
  guardAvailable: boolean;
  /** This window, to tell a real restart from a stop; without it only guarded instances restart. */
  window?: OwnerContext;
  /** The user's home folder, shown as `~` in paths. */
  home?: string;
  /** MCP Lifeguard's logs folder: guard logs are opened only from there. */
  logsDir?: string;
  /** Every server of the snapshot: Share One Instance is offered on a row from its copies in other clients' entries. */
  servers?: readonly VmServer[];
  /** The machine the snapshot watched, named where a row runs on the other one. */
  machine?: VmSnapshot['machine'];
  /** The snapshot's config problems: a server row carries those at its entry (problems.ts entryProblems). */
  diagnostics?: VmSnapshot['diagnostics'];
}

export interface TreeItemModel {
  id: string;
  label: string;
  description?: string;
  /** Markdown. */
  tooltip?: string;
  icon?: { id: string; color?: string };
  contextValue: string;
  collapsible: 'none' | 'collapsed' | 'expanded';
  command?: { command: string; title: string; arguments: unknown[] };
}

/** What the tree leaves out on the user's word: Not configured processes hidden by their identity (hiddenProcesses.ts). */
export interface TreeFilter {
  hidden?: ReadonlySet<string>;
}
