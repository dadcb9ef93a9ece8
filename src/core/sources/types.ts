import { HostEnv } from '../base/hostEnv';
import { ClientId, Diagnostic, Position, Scope, Transport } from '../base/model';

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
}

/** A problem inside one file; the scan adds the file path and client. */
export type FileDiagnostic = Omit<Diagnostic, 'file' | 'client'>;

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

export type Adapter = (text: string, file: string) => AdaptResult;

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
}

/** How a directory is listed; injected so sources stay testable and never read globals. */
export type ListDir = (dir: string) => Promise<string[]>;

/** One row of the source table: adding a client is adding one of these. */
export interface SourceSpec {
  client: ClientId;
  scope: Scope;
  /** The group label shown for these servers: "Workspace", "VS Code User", "Claude Desktop"... */
  label: string;
  /** Every file this source may read on the host; files that do not exist are skipped quietly. */
  files(ctx: SourceContext, listDir: ListDir): Promise<SourceFile[]>;
  adapter: Adapter;
  variables: VariableFlavour;
  /** How this client reads a `url` given without a `type` (Gemini CLI: `url` is SSE). */
  urlTransport?: 'http' | 'sse';
  /**
   * The client's own words for a transport in `type`, beside the ones every client shares (Copilot
   * CLI writes `"local"` for stdio).
   */
  types?: Readonly<Record<string, Transport>>;
}
