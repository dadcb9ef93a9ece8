/**
 * The model every face reads. A snapshot is plain, JSON-serialisable data: the tree, the status bar,
 * `status --json` and the tests all read the same object. Its JSON form is a versioned contract,
 * documented in docs/status-json.md; bump SCHEMA_VERSION on any breaking change.
 */

export const SCHEMA_VERSION = 1;

/** Every client whose configuration MCP Lifeguard reads. */
export type ClientId =
  | 'vscode'
  | 'vscode-insiders'
  | 'claude-desktop'
  | 'claude-code'
  | 'cursor'
  | 'windsurf'
  | 'gemini-cli'
  | 'codex'
  | 'continue'
  | 'zed'
  | 'cline'
  | 'roo-code'
  | 'copilot-cli';

/**
 * Where in a client's configuration hierarchy a file sits.
 * user: the user's own global file; profile: a VS Code profile other than the default;
 * workspace: a workspace folder's file (or a .code-workspace file); project: a project file shared
 * with a repository (`.mcp.json`); local: a per-project entry kept in a user file (Claude Code's
 * `projects[path]`); managed: administrator-managed files.
 */
export type Scope = 'user' | 'profile' | 'workspace' | 'project' | 'local' | 'managed';

export type Transport = 'stdio' | 'http' | 'sse';

/** 1-based line and column, as editors show them. */
export interface Position {
  line: number;
  column: number;
}

/** Where a server is configured. */
export interface SourceRef {
  client: ClientId;
  scope: Scope;
  /** Human label of the group this source belongs to: "Workspace", "VS Code User", "Claude Desktop"... */
  label: string;
  /** Absolute path of the file. */
  file: string;
  /** The workspace folder the file belongs to (workspace, project and local scopes). */
  workspaceFolder?: string;
  /** VS Code profile folder name, for `profile` scope. */
  profile?: string;
}

/**
 * A configured server. Secrets never enter it: env and header *keys* are kept, values are not;
 * credentials in URLs and command lines are replaced by `<redacted>`.
 */
export interface ServerConfig {
  /** Stable id: `<client>:<scope>:<file>#<name>`. */
  id: string;
  name: string;
  source: SourceRef;
  /** Where the entry is in its file (its key), for Open Config and Problems. */
  position?: Position;
  /** Path of the entry inside the document (e.g. ["servers", "memory"]), for edits such as Wrap with Guard. */
  keyPath: (string | number)[];
  transport: Transport;
  /** stdio: the command after variable resolution. */
  command?: string;
  args: string[];
  /** Working directory after resolution; absent when the client uses its own default. */
  cwd?: string;
  envKeys: string[];
  /** http/sse: URL with any credentials redacted. */
  url?: string;
  headerKeys: string[];
  disabled: boolean;
  /** Variables that could not be resolved and were left as written, e.g. `${input:api-key}`. */
  unresolved: string[];
  /**
   * Identical for entries that are the same launch (same transport, command, args and cwd after
   * resolution; same URL for http/sse). Entries configured in several places share it.
   */
  launchKey: string;
}

export type Severity = 'error' | 'warning' | 'info';

/** Something that could not be read or understood, named by file and position. */
export interface Diagnostic {
  file: string;
  /** 1-based; absent when the problem concerns the file as a whole (permission denied, too large). */
  line?: number;
  column?: number;
  severity: Severity;
  message: string;
  client?: ClientId;
}

/** A configuration file the scan looked at, and what came of it. */
export interface ScannedFile {
  file: string;
  client: ClientId;
  scope: Scope;
  state: 'read' | 'missing' | 'unreadable';
  servers: number;
}

/** Entries that are the same launch, configured in more than one place. */
export interface LaunchGroup {
  launchKey: string;
  serverIds: string[];
}

export interface Snapshot {
  schemaVersion: typeof SCHEMA_VERSION;
  generator: { name: 'mcp-lifeguard'; version: string };
  /** ISO 8601. */
  takenAt: string;
  platform: NodeJS.Platform;
  workspaceFolders: string[];
  servers: ServerConfig[];
  launchGroups: LaunchGroup[];
  files: ScannedFile[];
  diagnostics: Diagnostic[];
}
