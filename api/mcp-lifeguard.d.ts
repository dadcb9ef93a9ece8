/**
 * MCP Lifeguard's API for other VS Code extensions, version 1.
 *
 * Copy this file into your extension (it depends on `vscode` only) and ask for the API:
 *
 *   const ext = vscode.extensions.getExtension<McpLifeguardApi>('mcp-lifeguard.mcp-lifeguard');
 *   const api = ext && (await ext.activate());
 *   if (api?.apiVersion === 1) {
 *     const mine = api.snapshot()?.servers.filter((s) => s.name === 'my-server') ?? [];
 *     for (const s of mine) if (api.explain(s.id)?.needsRestart) await api.restart(s.id);
 *   }
 *
 * Compatibility: `apiVersion` changes only on a breaking change (a member removed or its meaning
 * changed); members and fields may be added within a version. The snapshot is the contract of
 * `mcp-lifeguard status --json` (docs/status-json.md): the fields typed here are a part of it, the
 * others are there too.
 */
import type { Event } from 'vscode';

export interface McpLifeguardApi {
  readonly apiVersion: 1;
  /** The latest snapshot, or undefined before the first one is taken (a second or two after start). */
  snapshot(): LifeguardSnapshot | undefined;
  /** Fires with each new snapshot (on a timer, and when a config file or an installed package changes). */
  readonly onDidChangeSnapshot: Event<LifeguardSnapshot>;
  /** Whether a server needs a restart and why, in the words Show Evidence uses; undefined for an unknown id. */
  explain(serverId: string): ServerExplanation | undefined;
  /**
   * Restarts every running instance of the server the way the Restart action does: a guarded one
   * through its guard (its client keeps the session), one VS Code runs through VS Code, another
   * client's unguarded one is stopped (that client must start it again). The user confirms first
   * unless they turned confirmations off; an untrusted workspace's server is never restarted.
   */
  restart(serverId: string): Promise<RestartResult>;
}

export interface LifeguardSnapshot {
  readonly schemaVersion: number;
  /** ISO 8601. */
  readonly takenAt: string;
  readonly servers: readonly LifeguardServer[];
}

export interface LifeguardServer {
  /** Stable while the entry stays where it is: `<client>:<scope>:<file>#<path to the entry>`. */
  readonly id: string;
  readonly name: string;
  readonly transport: 'stdio' | 'http' | 'sse';
  readonly source: { readonly client: string; readonly scope: string; readonly label: string; readonly file: string };
  readonly instances: readonly LifeguardInstance[];
}

export interface LifeguardInstance {
  readonly pid: number;
  readonly client: { readonly id: string; readonly name: string };
  readonly verdicts: readonly { readonly kind: string }[];
}

/**
 * A server's state, worst first. `elsewhere`: it runs on another machine than the one watched (a
 * remote window's VS Code user server runs on the local machine), so nothing is known of it here.
 */
export type ServerHealth =
  | 'down'
  | 'orphan'
  | 'superseded'
  | 'stale'
  | 'duplicate'
  | 'unknown'
  | 'running'
  | 'notRunning'
  | 'disabled'
  | 'elsewhere';

/** What an instance is, as the tree and Show Evidence name it. */
export type InstanceVerdict =
  /** A guard whose server is not running: it gave up starting it; the reason names the server's last error. */
  | 'down'
  | 'orphan'
  /** Left by an earlier generation of its agent host (a newer host of the same kind runs now). */
  | 'superseded'
  | 'stale'
  | 'changed-since-start'
  | 'config-changed'
  | 'runtime-replaced'
  | 'duplicate'
  | 'checking'
  | 'settling'
  | 'unknown'
  | 'owner-undecided'
  /** A guard run with `--idle-stop` stopped its server for want of requests; the next request starts it again. */
  | 'idle'
  /** It runs what is installed as far as its files can be read: it loads code by names computed at run time. */
  | 'partly-known'
  | 'ok';

export interface ServerExplanation {
  readonly serverId: string;
  readonly name: string;
  readonly state: ServerHealth;
  /** Some instance runs other code than a restart would load (stale, changed since start, config changed, runtime replaced). */
  readonly needsRestart: boolean;
  /** The person's summary Show Evidence opens with: the server, then each instance, why and what to do. */
  readonly summary: readonly string[];
  readonly instances: readonly {
    readonly pid: number;
    readonly client: string;
    readonly guarded: boolean;
    readonly verdicts: readonly InstanceVerdict[];
    readonly whatToDo: string;
  }[];
}

export type RestartResult =
  /** Done: `message` says what was done to each instance. */
  | { readonly outcome: 'done'; readonly message: string }
  /** Tried, and some instance did not come back or survived: `message` says which. */
  | { readonly outcome: 'failed'; readonly message: string }
  /** The user said no. */
  | { readonly outcome: 'cancelled' }
  /** Nothing was done: no such server, none of it runs, or it may not be restarted from here (an untrusted workspace's). */
  | { readonly outcome: 'not-found' | 'nothing' | 'blocked'; readonly message: string };
