import { HostEnv } from '../base/hostEnv';
import {
  AddOnRef,
  ClaudePluginRef,
  CliExtensionRef,
  ClientId,
  Diagnostic,
  ExtensionRef,
  Position,
  Scope,
  Transport,
} from '../base/model';

/** One field of a server entry as written in the file, with where it was. */
export interface RawField {
  value: unknown;
  position?: Position;
}

/** A server entry as a format adapter found it: before validation and variable resolution. */
export interface RawServerEntry {
  name: string;
  /** Position of the entry's key (or list item) in the file. */
  position?: Position;
  /** Path of the entry inside the document, e.g. ["mcpServers", "memory"]. */
  keyPath: (string | number)[];
  /** The fields as written: type, command, args, env, cwd, url, headers, disabled, enabled... */
  fields: Record<string, RawField>;
  /** When one file holds several scopes (Claude Code's `projects[path]`), the entry's own. */
  scope?: Scope;
  workspaceFolder?: string;
  /**
   * Values the entry's launch holds that must never be shown, beyond its env and header values
   * (a Claude Desktop extension's sensitive settings substituted into its arguments).
   */
  secrets?: string[];
  /** Variables that cannot be known here, already substituted by the adapter as far as it could. */
  unresolved?: string[];
  /**
   * Env keys whose value is not known here (a Claude Desktop extension's encrypted setting, which
   * the client decrypts at launch): such a value can never contradict a process's environment.
   */
  opaqueEnv?: string[];
  /**
   * The command and arguments to show, one for one with the launch's, where the adapter substituted
   * secrets itself (each shown as `<redacted>`, whatever its length).
   */
  display?: { command: string; args: string[] };
  /** The entry is a Claude Desktop extension (an installed MCP Bundle). */
  extension?: ExtensionRef;
  /** The entry is a server an add-on of its client declares. */
  addOn?: AddOnRef;
}

/**
 * A problem inside one file; the scan adds the file path and client. `file` names another file the
 * adapter read with it (a companion, such as an extension's settings file), when the problem is there.
 */
export type FileDiagnostic = Omit<Diagnostic, 'file' | 'client'> & { file?: string };

/** What an adapter makes of a file's text. Pure: never throws, never touches the disk. */
export interface AdaptResult {
  entries: RawServerEntry[];
  diagnostics: FileDiagnostic[];
  /** Problems found past MAX_DIAGNOSTICS_PER_FILE and not written out: only counted. */
  omitted?: number;
  /**
   * How many servers the file defines, when `entries` holds only the first MAX_SERVERS_PER_FILE + 1
   * (the scan lists that many and names the first one left out): the rest were counted, not read.
   */
  total?: number;
}

/** What reading a config file gave. */
export type ReadOutcome =
  | { state: 'missing' }
  | { state: 'read'; text: string; diagnostics: FileDiagnostic[] }
  | { state: 'unreadable'; diagnostic: FileDiagnostic };

/** A further file read for an adapter beside its main one, and what came of the read. */
export interface Companion {
  file: string;
  outcome: ReadOutcome;
}

/** What an adapter may know beyond its file's text: the host, and the companion files read with it. */
export interface AdaptInput {
  host: HostEnv;
  companions: Companion[];
  /** The installed add-on the file belongs to, as its source row found it. */
  addOn?: InstalledAddOn;
}

export type Adapter = ((text: string, file: string, input: AdaptInput) => AdaptResult) & {
  /** A JSON file whose servers are one map: where it sits, so a new entry can be added there. */
  readonly serversAt?: readonly string[];
};

/**
 * Where a source's servers run, when not on the machine whose file holds them. `window-ui`: VS Code
 * starts them on its window's UI side, as it does a user file's servers (their collection has no
 * remote authority, and a window starts a collection only on the extension host of its remote
 * authority): in a remote window (WSL, SSH, a container), the local machine, not the remote.
 */
export type SourceSide = 'window-ui';

/** Which variable syntax a client documents for its config values. */
export type VariableFlavour =
  /** VS Code: ${workspaceFolder}, ${userHome}, ${env:NAME}, ${pathSeparator}, ${/}; ${input:..}, ${config:..}, ${command:..} stay. */
  | 'vscode'
  /** Cursor / Windsurf: ${env:NAME}, ${userHome}, ${workspaceFolder}, ${workspaceFolderBasename}, ${pathSeparator}. */
  | 'cursor'
  /** Claude Code / Copilot CLI: ${VAR} and ${VAR:-default}. */
  | 'shell'
  /** Gemini CLI: $VAR and ${VAR}. */
  | 'dollar'
  /** opencode and Kilo: `{env:NAME}` (an unset one is empty) and `{file:path}` (left as written: a file's content is not read here). */
  | 'opencode'
  /** Continue: `${{ secrets.NAME }}` / `${{ inputs.NAME }}` templates, filled in by Continue itself: always left as written. */
  | 'continue'
  | 'none';

export interface SourceContext {
  host: HostEnv;
  workspaceFolders: string[];
  /** `.code-workspace` files named explicitly (`--workspace x.code-workspace`, the window's workspace). */
  workspaceFiles?: string[];
}

/** A file a source reads, with what it knows of the file's place. */
export interface SourceFile {
  file: string;
  workspaceFolder?: string;
  profile?: string;
  /** Further files the adapter reads with this one (a Claude Desktop extension's settings file). */
  companions?: string[];
  /** The installed add-on whose servers the file declares, as its source row found it. */
  addOn?: InstalledAddOn;
}

/** An add-on of its client as installed, found by its source row from the client's own files. */
export type InstalledAddOn = InstalledClaudePlugin | InstalledCliExtension;

/**
 * A Claude Code plugin as installed: what its records say of it, where Claude Code runs it from and
 * whether it is on. Found by its source row from Claude Code's own files.
 */
export interface InstalledClaudePlugin extends ClaudePluginRef {
  /** `${CLAUDE_PLUGIN_DATA}`: the plugin's data folder. */
  dataDir: string;
  /** Whether the settings that apply turn it on (`enabledPlugins`). */
  enabled: boolean;
  /** The scope it was installed in: user, project or local (these two for one folder). */
  scope: 'user' | 'project' | 'local';
  /** The folder a project or local install is for. */
  projectPath?: string;
}

/**
 * A Gemini CLI or Qwen Code extension as its client finds it in its extensions folder: the folder
 * it loads it from, and what it makes of the manifest there (loaded, on or off where the user works,
 * or skipped, with the client's reason).
 */
export interface InstalledCliExtension {
  kind: 'cli-extension';
  /** `${extensionPath}`: the extension's own folder, or the folder a linked one points at. */
  root: string;
  state: { kind: 'loaded'; ref: CliExtensionRef; enabled: boolean } | { kind: 'skipped'; reason: string };
}

/** How a directory is listed; injected so sources stay testable and never read globals. */
export type ListDir = (dir: string) => Promise<string[]>;

/** Why a client itself would not run an entry: its reason, in its own words, and the field it is about. */
export interface Rejection {
  reason: string;
  field?: string;
}

/**
 * A client's own reading of an entry, beyond the shape every client shares: what it refuses to run
 * (it skips the entry, so it is a problem here, never a server) and what it never reads.
 */
export interface ClientRules {
  /** The client's reason for skipping the entry, or undefined when it takes it. */
  rejects(entry: RawServerEntry): Rejection | undefined;
  /** Fields the client never reads in an entry (Claude Code has no `disabled`): not read here either. */
  ignores?: readonly string[];
  /**
   * Why an entry the client runs is not read here (a transport MCP Lifeguard has no reading of), or
   * undefined: such an entry is noted, not a problem.
   */
  unread?(entry: RawServerEntry): string | undefined;
}

/**
 * A file's text as the scan reads it (undefined when missing or unreadable), for a source that must
 * read a client's records to know which files hold its servers.
 */
export type ReadText = (file: string) => Promise<string | undefined>;

/** One row of the source table: adding a client is adding one of these. */
export interface SourceSpec {
  client: ClientId;
  scope: Scope;
  /** The group label shown for these servers, beginning with the client's name (clientNames.ts): "VS Code (workspace)", "VS Code User", "Claude Desktop"... */
  label: string;
  /** Every file this source may read on the host; files that do not exist are skipped quietly. */
  files(ctx: SourceContext, listDir: ListDir, readText: ReadText): Promise<SourceFile[]>;
  adapter: Adapter;
  variables: VariableFlavour;
  /** How this client reads a `url` given without a `type` (Qwen Code: `url` is SSE). */
  urlTransport?: 'http' | 'sse';
  /**
   * The client's own words for a transport in `type`, beside the ones every client shares (Copilot
   * CLI writes `"local"` for stdio).
   */
  types?: Readonly<Record<string, Transport>>;
  /** The client's own rules for an entry (what it skips, what it ignores), where they were verified. */
  rules?: ClientRules;
  /** Where its servers run, when not on the machine whose file holds them (a VS Code user file's: the window's UI side). */
  runsOn?: SourceSide;
}
