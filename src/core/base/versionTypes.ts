/**
 * The version side of the model: what is installed on disk for a launch, what the running process
 * loaded, and the judgement between them. Plain data, JSON-serialisable; every judgement carries
 * how each side was learned so a reader can check it.
 */

/** `mcpb`: a Claude Desktop extension (an MCP Bundle) as Claude Desktop installed it. */
export type Ecosystem = 'npm' | 'python' | 'docker' | 'binary' | 'mcpb';

/** The packages beside a server's own package (its dependency tree or its site-packages). */
export interface EnvironmentFingerprint {
  /** SHA-256 (hex, first 16 chars) of the sorted `name==version` lines: equal hashes, equal environments. */
  hash: string;
  /** `name -> version` of every package in the environment. */
  packages: Record<string, string>;
  /**
   * `closure`: the server's own dependency closure. Absent in fingerprints recorded by earlier
   * versions, which for Python held every distribution of the site-packages: such a record is
   * compared only over the packages of the closure installed now.
   */
  scope?: 'closure';
}

/** What the disk holds now for a launch. */
export type Installed =
  | {
      state: 'installed';
      ecosystem: Ecosystem;
      name: string;
      /** The package's version; for docker, the image id the tag points to now. */
      version: string;
      /** How it was found, in words: "npx cache /home/u/.npm/_npx/0a1b2c3d", "venv /srv/x/.venv". */
      how: string;
      /** The package's own directory (or dist-info / image reference). */
      location: string;
      environment?: EnvironmentFingerprint;
      /** ms since the epoch: the newest change time among the package's files we read. */
      changedAt?: number;
      /** True when the location was derived from the running process's own command line. */
      fromProcess?: boolean;
      /**
       * A local package under development (a checkout, `npm link`, an editable Python install): its
       * version does not name its code, so it is judged by its own files. `changedAt` covers them.
       */
      dev?: DevSource;
      /**
       * Members of its dependency closure that are development packages (a workspace package linked
       * into node_modules, a dependency installed editable): their versions do not name their code
       * either, so their own files are judged like a development server's. `changedAt` covers them.
       */
      devMembers?: DevMember[];
      /** Why starting what is installed will probably fail (a module the server imports is gone or raises at import). */
      startRisks?: StartRisk[];
      /** Its name in the MCP Registry, as the package says (npm `mcpName`, a PyPI `mcp-name:` line). */
      mcpName?: string;
      /** Python: the site-packages its closure was read from (where a roll back installs). */
      sitePackages?: string;
      /**
       * A JavaScript script no package installs: the project whose node_modules holds what it imports
       * (where a roll back installs, with the project's own installer) and the packages it imports by name.
       */
      nodeProject?: { dir: string; imports: string[] };
      /**
       * A script's imported closure: when each member's files last changed (ms since the epoch, by
       * the environment's names; its package.json, its dist-info folder and METADATA). What says a
       * process whose record names no closure loaded these members; a member absent had no time to read.
       */
      closureTimes?: Record<string, number>;
      /**
       * `go-run`: a binary the launch builds at every start (`go run pkg@version`), so what runs is
       * read from the executable of the process (its Go build information), never from a file here.
       */
      builtBy?: 'go-run';
    }
  | {
      /** The launch points at a package that is not there any more (uninstalled, cache cleaned). */
      state: 'missing';
      ecosystem: Ecosystem;
      name: string;
      how: string;
      location?: string;
      fromProcess?: boolean;
      /**
       * ms since the epoch: the last change of the nearest folder above the missing path that still
       * exists (its entry was removed then, at the latest): a package removed seconds ago may be an
       * install in progress.
       */
      goneAt?: number;
    }
  | {
      /** A plain executable: no version to read, only where it is and when it changed. */
      state: 'unversioned';
      ecosystem: 'binary';
      path: string;
      /** ms since the epoch. */
      mtime: number;
      how: string;
    }
  | { state: 'unknown'; reason: string; ecosystem?: Ecosystem; name?: string };

/**
 * Evidence, read from the installed files, that a start of the server would fail: a module it
 * imports is gone from the distribution that provided it, or raises at import (mcp 2.x's
 * `mcp.server.fastmcp`, which says to pin `mcp<2`).
 */
export interface StartRisk {
  /** The dotted module the server imports: `mcp.server.fastmcp`. */
  module: string;
  /** The distribution that provides its package, and its installed version. */
  package: string;
  version: string;
  /** `missing`: no such module in that package now; `raises`: its file raises when imported. */
  why: 'missing' | 'raises';
  /** A requirement the package itself advises (`mcp<2`), read from the module's own words. */
  pin?: string;
  /** One sentence: "mcp.server.fastmcp raises at import in mcp 2.3.0 (it says to pin mcp<2)". */
  summary: string;
}

/** A file with the time it last changed (ISO 8601): evidence of what changed, and when. */
export interface ChangedFile {
  path: string;
  at: string;
}

/** Where a development package's own code lives, and its newest files. */
export interface DevSource {
  /** The source folder (a checkout, the target of `npm link`, an editable install's project). */
  root: string;
  /** How it was recognised: "not inside node_modules", "editable install (direct_url.json)". */
  how: string;
  /** Its most recently changed code files, newest first (a few). */
  newest: ChangedFile[];
  /** A script no package installs (`python server.py`): no registry has it, and it has no version of its own. */
  script?: true;
  /**
   * Its files that load code by names computed at run time (`require(path.join(dir, name))`,
   * `importlib.import_module('plugins.' + name)`): what they load cannot be read, so the code files
   * beside them are walked too, and a verdict says it knows only as far as can be read.
   */
  computedLoads?: string[];
}

/** A development package in a server's dependency closure: its name and version, and its own source. */
export interface DevMember extends DevSource {
  name: string;
  version: string;
}

/**
 * Where a running version was learned, best first. The last three are inferences from a package
 * manager's history, said as such: npm's cache (its fetch times), uv's cache (its unpack times),
 * pipx's log (the version an upgrade after the start replaced). `build-info`: the Go build
 * information of the executable the process runs (the file it started from, even once replaced).
 * `launch-pin`: the exact release the process's own command line pins where its runtime runs that
 * release alone (`deno run npm:pkg@1.2.3`).
 */
export type RunningSource =
  | 'lock-record'
  | 'server-info'
  | 'first-seen'
  | 'docker-inspect'
  | 'build-info'
  | 'launch-pin'
  | 'npm-cache'
  | 'uv-cache'
  | 'pipx-log';

/** The sources that are inferences (`Running.inferred`). */
export type InferredSource = Extract<RunningSource, 'npm-cache' | 'uv-cache' | 'pipx-log'>;

export type Running =
  | {
      state: 'known';
      version: string;
      environment?: EnvironmentFingerprint;
      source: RunningSource;
      /** Words for the evidence: "lock record written at start", "first seen at 2026-11-21T10:00:00Z". */
      how: string;
      /** ISO 8601: when this knowledge was recorded (start time, first sighting). */
      since?: string;
      /** True when the version is inferred (from a package manager's history), not recorded. */
      inferred?: boolean;
    }
  | { state: 'unknown'; reason: string };

/** A dependency whose version differs between what the process loaded and what is installed now. */
export interface MovedDependency {
  name: string;
  /** Absent: added since. */
  from?: string;
  /** Absent: removed since (from the closure). */
  to?: string;
  /**
   * With `to` absent: the package is no longer a dependency of the server but still installed
   * beside it, at this version (its dependent stopped requiring it). Absent: it is gone.
   */
  stillInstalled?: string;
}

/**
 * The version judgement of one instance. `changed` and `config-changed` ask for a restart like
 * `stale`; `unknown` is a real answer, never shown as fine and never as stale.
 */
export type VersionVerdict =
  | { state: 'current'; reason: string }
  | {
      state: 'stale';
      package: string;
      ecosystem: Ecosystem;
      /** What the process runs; "unknown" when only a replaced file proves it old. */
      running: string;
      /** What is installed now; "missing" when the package is gone. */
      installed: string;
      movedDependencies: MovedDependency[];
      /** Mapped files of the process that were deleted or replaced on disk (Linux). */
      replacedFiles: string[];
      runningLearnedFrom?: RunningSource;
      runningHow: string;
      installedHow: string;
      /** ISO 8601: since when it is stale (when the installed side changed), when known. */
      since?: string;
      /** True when the running version is inferred (npm's or uv's cache, pipx's log: `runningLearnedFrom`), not recorded. */
      inferred?: boolean;
      /** One sentence a person reads. */
      summary: string;
    }
  | {
      /**
       * Changed since start: files of the package, of its dependency closure or of a development
       * server's own source were replaced after the process started, and nothing recorded says what
       * it loaded. Restart it to load what is installed.
       */
      state: 'changed';
      package: string;
      ecosystem: Ecosystem;
      /** The installed version now (a development package's too: it does not name its code). */
      installed: string;
      /** True for a development package judged by its own files (the server's, or a closure member's). */
      dev: boolean;
      /** Development members of the closure whose own files changed after the start (`@acme/lib 1.0.0`). */
      changedMembers?: string[];
      /** The files that changed after the start, newest first (a few), with when. */
      changedFiles: ChangedFile[];
      /** ISO 8601: the newest change. */
      changedAt: string;
      /** ISO 8601: when the process started. */
      processStart: string;
      /** Mapped files replaced since the start whose content is identical to the installed ones. */
      identicalFiles: string[];
      /** One sentence a person reads. */
      summary: string;
    }
  | {
      /** The configuration now launches something else than this process was started with. */
      state: 'config-changed';
      package: string;
      /** What the process was started with (as its launch names it, e.g. `pkg@1.0.0`). */
      running: string;
      /** What the configuration launches now (`pkg@2.0.0`). */
      configured: string;
      summary: string;
    }
  | {
      state: 'unknown';
      reason: string;
      /** True while the package's files are still changing (an install running): judged once they settle. */
      settling?: boolean;
    };

/** Versions of one running instance, with their judgement. */
export interface InstanceVersions {
  installed: Installed;
  running: Running;
  verdict: VersionVerdict;
  /**
   * What the server itself said (its MCP serverInfo): asked of an HTTP server, or relayed by the
   * guard of a stdio server through its lock record. Trusted as running evidence only as `judge` says.
   */
  serverInfo?: ServerInfoStatement;
  /**
   * The runtime the process runs on (node, python3.x) was replaced on disk after it started (Linux):
   * a restart need of its own, never a stale package (`verdict` does not change for it).
   */
  runtime?: RuntimeReplaced;
}

/**
 * The interpreter a process runs was replaced under it: `/proc/<pid>/exe` reads `(deleted)`, or the
 * runtime's own libraries (libnode, libpython, lib-dynload) are mapped `(deleted)`, with other bytes
 * on disk now. A Node or Python upgrade, a venv made with `--copies` upgraded, the base interpreter
 * of a symlinked venv upgraded.
 */
export interface RuntimeReplaced {
  state: 'replaced';
  /** `node`, `python3.12`, or the executable's name. */
  runtime: string;
  /** The executable's path (what a restart runs). */
  path: string;
  /** The version the process runs, read from the old binary's bytes; "unknown" when it cannot be read. */
  running: string;
  /** The version at `path` now (`<path> --version`); "missing" when nothing is there, "unknown" when it cannot be read. */
  installed: string;
  runningHow: string;
  installedHow: string;
  /** The runtime's own libraries the process maps that were replaced on disk. */
  libraries: string[];
  /** One sentence a person reads: "runs a replaced node 22.11.0; installed 22.12.0 at /usr/bin/node: ...". */
  summary: string;
}

/**
 * A server's own statement of name and version. `era` and `how` say how it was learned: absent
 * only on a statement remembered (first-seen store) by a version that did not record them.
 */
export interface ServerInfoStatement {
  name: string;
  version: string;
  /** modern: MCP 2026-07-28 and later (per-request metadata); legacy: the `initialize` handshake. */
  era?: 'modern' | 'legacy';
  /** e.g. `server/discover at http://127.0.0.1:8080/mcp`, `initialize at ...`, `result _meta relayed by the guard (lock record)`. */
  how?: string;
}

/** A newer release in the package's registry. */
/**
 * What an MCP Registry (the official one, or one a setting names) says of a server's entry: its
 * status and, when newer than installed, its latest version. Read from the registry's
 * `GET /v0.1/servers/{name}/versions/latest`, cached a day like npm's and PyPI's answers.
 */
export interface RegistryStatus {
  /** The server's name there (`io.github.modelcontextprotocol/server-memory`). */
  name: string;
  status: 'active' | 'deprecated' | 'deleted';
  /** Why, in the publisher's words (at most 500 characters). */
  message?: string;
  /** The latest version it lists (its package's, else the entry's own). */
  latest?: string;
  /** The registry's base URL. */
  registry: string;
  /** ISO 8601: when the registry was asked. */
  checkedAt: string;
}

export interface UpdateAvailable {
  current: string;
  latest: string;
  /** ISO 8601: when the registry was asked. */
  checkedAt: string;
  registry: string;
}
