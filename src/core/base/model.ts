/**
 * The model every face reads. A snapshot is plain, JSON-serialisable data: the tree, the status bar,
 * `status --json` and the tests all read the same object. Its JSON form is a versioned contract,
 * documented in docs/status-json.md; bump SCHEMA_VERSION on any breaking change.
 */

import type { Installed, InstanceVersions, RegistryStatus, UpdateAvailable } from './versionTypes';

export const SCHEMA_VERSION = 1;

/** Every client whose configuration MCP Lifeguard reads. */
export type ClientId =
  | 'vscode'
  | 'vscode-insiders'
  | 'vscodium'
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
  | 'copilot-cli'
  | 'qwen-code'
  | 'opencode'
  | 'kilo'
  | 'auggie'
  // Kiro, JetBrains Junie, Amazon Q Developer, Google Antigravity
  | 'kiro'
  | 'junie'
  | 'amazon-q'
  | 'antigravity'
  // Amp, Factory Droid and Mistral Vibe.
  | 'amp'
  | 'factory-droid'
  | 'mistral-vibe';

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
  /** Human label of the group this source belongs to: "VS Code (workspace)", "VS Code User", "Claude Desktop"... */
  label: string;
  /** Absolute path of the file. */
  file: string;
  /** The workspace folder the file belongs to (workspace, project and local scopes). */
  workspaceFolder?: string;
  /** VS Code profile folder name, for `profile` scope. */
  profile?: string;
  /** Set when the server is a Claude Desktop extension (an installed MCP Bundle); `file` is then its manifest. */
  extension?: ExtensionRef;
  /**
   * Set when an add-on of its client declares the server (a Claude Code plugin, a Gemini CLI or Qwen
   * Code extension); `file` is then the add-on's file that holds it.
   */
  addOn?: AddOnRef;
}

/** An add-on its client installs, whose servers the client runs as its own. */
export type AddOnRef = ClaudePluginRef | CliExtensionRef;

/**
 * A Gemini CLI or Qwen Code extension (`gemini extensions install` or `link`), whose servers the
 * client runs as its own, named as in its `mcpServers`.
 */
export interface CliExtensionRef {
  kind: 'cli-extension';
  /** Its manifest's `name`: how the client lists (`memory (from NAME)`) and turns it on or off. */
  name: string;
  /** Its manifest's `version`. */
  version?: string;
  /** `${extensionPath}`: the folder the client loads it from (its copy in the extensions folder, or a linked extension's own folder). */
  root: string;
}

/** A Claude Code plugin installed from a marketplace, whose servers Claude Code runs as its own. */
export interface ClaudePluginRef {
  kind: 'claude-plugin';
  /** `name@marketplace`, as Claude Code records and enables it. */
  id: string;
  name: string;
  marketplace: string;
  /** The version Claude Code recorded at install (`unknown` when the plugin names none). */
  version?: string;
  /** `${CLAUDE_PLUGIN_ROOT}`: the folder Claude Code runs the plugin from. */
  root: string;
}

/**
 * The machine a snapshot watches: this one, as the CLI and a local window see it, or the remote
 * side of a VS Code remote window (WSL, Remote-SSH, a dev container), whose extension host runs
 * there. `remote` is VS Code's `env.remoteName` (`wsl`, `ssh-remote`, `dev-container`...); `name` the
 * machine's own name where one is known (the WSL distribution, the SSH host's name).
 */
export type WatchedMachine = { kind: 'local' } | { kind: 'remote'; remote: string; name?: string };

/**
 * A Claude Desktop extension (an MCP Bundle, `.mcpb`) as installed: Claude Desktop unpacks it into
 * `<Claude>/Claude Extensions/<id>/` and keeps its settings in `Claude Extensions Settings/<id>.json`.
 */
export interface ExtensionRef {
  /** The folder's name: the id Claude Desktop installed it under (`ant.dir.ant.anthropic.filesystem`). */
  id: string;
  /** `version` of its manifest: the version installed. */
  version?: string;
  /** `server.type` of its manifest: `node`, `python`, `binary` or `uv`. */
  serverType?: string;
  /** Its settings file (absent: the extension is disabled). */
  settings: string;
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
  /**
   * Identical for entries that are the same server: the same launch (`launchKey`) with the same env
   * (every key the entry sets, and its value). Entries of one launch with different env are
   * different servers (two data stores). Duplicates, orphans, plans and counts key on it. Equal to
   * `launchKey` for an entry that sets no env; opaque, and meaningful only within one snapshot.
   */
  identityKey: string;
  /**
   * stdio: each env key the entry sets, to a digest of its value keyed afresh by every run of the
   * engine, so that two entries' values can be compared (and the difference named by key) without
   * the values ever being kept or shown. Absent when the entry sets no env.
   */
  envDigests?: Record<string, string>;
  /**
   * stdio: the data its launch names (core/sources/dataPaths.ts): a data option's absolute path
   * (`--palace /p`), or an env key's whose name says data (`MEMORY_FILE_PATH`), that exists or whose
   * folder does; each as its key (a digest of the path) and how the entry names it, never the path.
   * Absent when it names none. Two processes of entries naming one path are flagged `sameData`, and
   * the guard's lock is keyed by the first (`--resource=data:...`).
   */
  dataPaths?: DataPath[];
}

/** A file or folder an entry's server writes: how the entry names it, and the path's key (never the path). */
export interface DataPath {
  /** `--palace` (an option of the server's own arguments) or `env MEMORY_FILE_PATH` (the key, never its value). */
  from: string;
  /** `data:` and a digest of the resolved path (dataPaths.ts `dataKey`): equal for entries that name one path. */
  key: string;
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
  /** A JSON file whose servers are one map (`["mcpServers"]`, `["servers"]`): where a new entry goes (Add to Config). */
  serversAt?: string[];
}

/** Entries that are the same server (one identity: launch and env), configured in more than one place. */
export interface LaunchGroup {
  launchKey: string;
  /** The one server (identity) these entries configure. */
  identityKey: string;
  serverIds: string[];
}

/** Who started an instance: the first known client among its ancestors. */
export interface InstanceClient {
  id: ClientId | 'terminal' | 'unknown';
  /** "VS Code", "Claude Desktop", "code-server", "terminal", "unknown". */
  name: string;
  /** The client's process; for "unknown", the process that started the launch (it groups duplicates). */
  pid?: number;
  /** Set when the launch was started inside an agent host: the host, and the session's own process where the host runs one. */
  agentHost?: AgentHostRef;
}

/**
 * An agent host: a process that runs agent sessions, each of which starts its own set of MCP servers
 * (VS Code's agent host, `codex app-server`, the Copilot SDK's runtime). The same server started by
 * two sessions is two processes under one host.
 */
export interface AgentHostRef {
  /** The host process. */
  pid: number;
  /** "VS Code agent host", "Codex app-server", "Copilot SDK runtime", "Claude Agent SDK host"... */
  name: string;
  /**
   * The session's own process (the one that started the launch), when the host runs one process per
   * session (the Claude Agent SDK runs Claude Code once per session). Absent when the sessions share
   * the host's process: then which session started a server is not in the process table.
   */
  sessionPid?: number;
}

/** A process between the one the client started and the server's main process (npx, sh, uv, cmd.exe). */
export interface LauncherStep {
  pid: number;
  /** ms since the epoch, when known. */
  startTime?: number;
  /** Redacted. */
  commandLine: string;
  /** Hash of the full command line before redaction (as Instance.commandHash): a launcher is signalled only when it still matches. */
  commandHash?: string;
}

/** A short reference to an instance inside a verdict's evidence. */
export interface InstanceRef {
  pid: number;
  startTime?: number;
  startedAt?: string;
  client: InstanceClient;
}

/**
 * A judgement about an instance, always with its evidence as plain data. "unknown" is a real
 * answer: not enough evidence, so nothing is flagged or acted on.
 */
export type Verdict =
  | {
      /** The same client runs the same server (one identityKey) more than once; this instance is an older one (the client talks to the newest). */
      kind: 'duplicate';
      identityKey: string;
      client: InstanceClient;
      /** The newest instance: the one to keep. */
      keep: InstanceRef;
      /** Every instance of this launch under this client, oldest first. */
      instances: InstanceRef[];
      /**
       * Set when the copies run inside one agent host: one per agent session (each session starts its
       * own set of servers). `sessions` counts the session processes seen, when the host runs one per session.
       */
      agentHost?: { pid: number; name: string; sessions?: number };
    }
  | {
      /** The owning client is gone: the launch was reparented to init or a subreaper. */
      kind: 'orphan';
      /** The pid of the process the client had started (the top of the launcher chain). */
      launchPid: number;
      /** Its parent now. */
      ppid: number;
      parentCommand?: string;
      reason: string;
    }
  | {
      /**
       * A guard whose server is not running: it gave up starting it (a crash loop, a restart that
       * never served) and answers its client with the cause. The instance is the guard's process;
       * no server runs, so nothing about a version is said of it.
       */
      kind: 'down';
      /** ISO 8601: when the guard gave up. */
      since: string;
      /** The guard's reason, with the line of the server's last output that names the error. */
      reason: string;
      /** The server's last stderr lines, oldest first, cut and masked. */
      output?: string[];
      /** The versions the last server that served started with, as its guard recorded them (what Roll back restores). */
      ranWith?: { package?: { name: string; version: string }; dependencies?: Record<string, string> };
    }
  | {
      /**
       * A guard run with `--idle-stop` that stopped its server after a while without requests: the
       * next request starts it again, in the client's session. The instance is the guard's process;
       * no server runs, so no version is judged of it (what it starts next, or last ran, is said). Not a problem.
       */
      kind: 'idle';
      /** ISO 8601: when the server was stopped. */
      since: string;
      /** How long it had gone without a request, ms; absent: none was started yet (`run --lazy-start`). */
      afterMs?: number;
      /** The package its last server started with, as its guard recorded it (the record's `versions`). */
      ran?: { name: string; version: string };
    }
  | {
      /**
       * It runs under an agent host left by an earlier generation of itself (the client upgraded and
       * a newer host of the same kind runs for the same user): a leftover of the old host.
       */
      kind: 'superseded';
      /** The host's name: "Claude Code daemon", "Codex app-server"... */
      name: string;
      /** The earlier host; `version` when its program's path or package names one. */
      host: { pid: number; startTime?: number; startedAt?: string; version?: string };
      /** The newer host of the same kind that runs now. */
      newer: { pid: number; startTime?: number; startedAt?: string; version?: string };
      /** `replaced`: its program was deleted or replaced on disk since it started; `version`: it runs an older version than the newer host. */
      why: 'replaced' | 'version';
      reason: string;
    }
  | {
      /**
       * Duplicate on one data store: two or more processes run for entries whose launches name one
       * data path (`ServerConfig.dataPaths`, compared by key), whatever else tells the entries apart (client, folder,
       * command line, other env). Two writers on one store; each such instance is flagged. Which one
       * to keep is not the engine's to say (each serves its own client): none is stopped in bulk.
       */
      kind: 'sameData';
      /** The key of the data path they all name (`DataPath.key`): the path itself is never kept. */
      key: string;
      /** Every entry that names it (running or not), where it is configured, and how it names it (`--palace`, `env MEMORY_FILE_PATH`). */
      entries: Array<{ id: string; name: string; label: string; from: string }>;
      /** The processes up on it, each once. */
      instances: InstanceRef[];
    }
  | {
      /** Several clients each run their own instance of this launch. Flagged only for single-writer servers. */
      kind: 'shared';
      singleWriter: boolean;
      instances: InstanceRef[];
    }
  | {
      kind: 'unknown';
      /** What could not be decided, e.g. "duplicate" when start times are missing. */
      question: 'duplicate' | 'orphan' | 'owner';
      reason: string;
    };

export type VerdictKind = Verdict['kind'];

/** One running process of a server (its main process: the one doing the work). */
export interface Instance {
  pid: number;
  ppid: number;
  /** ms since the epoch; pid + start time is the identity (pids are reused). Absent when the OS gave none. */
  startTime?: number;
  /** ISO 8601 form of startTime. */
  startedAt?: string;
  /** The command line, redacted: tokens, `--api-key=...`, URL credentials and env values are `<redacted>`. */
  commandLine: string;
  /**
   * SHA-256 (hex, first 32 chars) of the full command line before redaction: lets an action check
   * that a pid still runs the same command without the snapshot keeping secrets.
   */
  commandHash: string;
  uid?: number;
  client: InstanceClient;
  /** From the process the client started down to this one's parent; empty when the client started it directly. */
  launcherChain: LauncherStep[];
  /** Resident memory (RSS: counts every page it shares with other processes in full). */
  memoryBytes?: number;
  /** Proportional memory (PSS: shared pages divided among the processes sharing them), where the OS gives it (Linux). */
  pssBytes?: number;
  /** CPU time used since it started (user + system), ms, where the OS gives it (Linux). */
  cpuMs?: number;
  /** How it was matched to its configuration: the launch key both sides share. */
  matchedBy: string;
  verdicts: Verdict[];
  /** Set when a lock record names this process (pid + start time): the instance is guarded. */
  /**
   * `serverLog`: the file the guard keeps the server's stderr in (Show Server Log). `attached`: a
   * server shared with `--on-conflict share`, or served by an HTTP guard (`run --http`, `ensure`),
   * the clients it serves (client name; pid and start time when known: always for a relay).
   * `shareUrl`: a shared server's streamable HTTP front (`--share-listen`), on loopback.
   * `restartCheck: 'probe'`: its entry declared the server safe to run twice (`--restart-check
   * probe`): a restart starts the installed one beside it first. Absent: never two copies at once.
   */
  lock?: {
    serverName: string;
    resourceKey: string;
    holder?: string;
    serverLog?: string;
    attached?: Array<{ pid?: number; startTime?: number; clientName?: string }>;
    shareUrl?: string;
    restartCheck?: 'probe';
  };
  /**
   * Set when a guard (`mcp-lifeguard run`, a share host) runs it from outside the launch its entry
   * names: the entry runs the command bare (Unwrap rewrote it) while its client still runs what it
   * started through the guard, until it starts the server again.
   */
  guardAbove?: true;
  /**
   * Running vs installed version with the judgement (`current`, `stale` with its evidence, or
   * `unknown`), see docs/status-json.md. Absent when versions were not resolved.
   */
  versions?: InstanceVersions;
  /** The processes the server started (its descendants, parents first): part of this instance, stopped with it. */
  children?: InstanceChild[];
}

/**
 * A process the server started itself (buckaroo's data server, a language server, a watchdog).
 * `versions`: judged as an instance is, when its own command line names a package (a script or
 * module of an environment); absent otherwise.
 */
export type InstanceChild = Pick<
  Instance,
  | 'pid'
  | 'ppid'
  | 'startTime'
  | 'startedAt'
  | 'commandLine'
  | 'commandHash'
  | 'memoryBytes'
  | 'pssBytes'
  | 'cpuMs'
  | 'versions'
>;

/** Whether an HTTP/SSE server's port is served by a local process. */
export type Listener =
  | { state: 'local'; port: number; pid: number }
  | { state: 'none'; port: number; reason: string }
  | { state: 'not-local'; reason: string }
  | { state: 'unknown'; reason: string };

/** A configured server with what runs of it. */
export type ServerStatus = ServerConfig & {
  instances: Instance[];
  /**
   * Set when it runs on another machine than the one watched (a remote window's VS Code user
   * servers run on the local machine): listed, never matched to this machine's processes nor
   * judged, so `instances` is empty and says nothing of whether it runs.
   */
  elsewhere?: { on: 'local-machine' };
  /**
   * The entry names a share (Share One Instance wrote it) whose host runs for other clients, and its
   * own client is not attached to it (it has not started the server since, or left): `instances`
   * is empty, yet the server runs. `pid`: the share host's; `clients`: the attached clients' names.
   * Its client attaches to that host when it starts the server.
   */
  sharedElsewhere?: { pid: number; clients: string[] };
  /** http/sse only. */
  listener?: Listener;
  /** http/sse on a loopback URL: the `ensure` command line last run for its port (core/http/launchRecord.ts), for Start. */
  recordedLaunch?: { argv: string[]; cwd: string; recordedAt: string };
  /** stdio: what the configured launch would run if started now (package, version, environment). */
  installed?: Installed;
  /** A newer release in the package's registry, or in the MCP Registry (from a cached, at most daily check). */
  updateAvailable?: UpdateAvailable & { package: string };
  /** What the MCP Registry says of the entry the installed package names (its status, deprecated or deleted with why). */
  registryStatus?: RegistryStatus;
};

export type ProcessTableState = { state: 'ok'; count: number } | { state: 'unavailable'; reason: string };

export interface Snapshot {
  schemaVersion: typeof SCHEMA_VERSION;
  generator: { name: 'mcp-lifeguard'; version: string };
  /** ISO 8601. */
  takenAt: string;
  platform: NodeJS.Platform;
  /** The machine watched; absent: this one (`local`). */
  machine?: WatchedMachine;
  workspaceFolders: string[];
  servers: ServerStatus[];
  /** Processes that look like MCP servers but match no configuration. Listed, never acted on automatically. */
  notConfigured: Instance[];
  /** Whether the process table could be read; when not, every `instances` list is empty for that reason. */
  processes: ProcessTableState;
  launchGroups: LaunchGroup[];
  files: ScannedFile[];
  diagnostics: Diagnostic[];
}
