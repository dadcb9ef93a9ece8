/**
 * What a command line *runs*, independent of how it was wrapped: interpreters (`node x.js`,
 * `python -m x`), shells (`sh -c '...'`, `cmd.exe /d /s /c "..."`) and package runners (`npx pkg`,
 * `npm exec pkg`, `uvx pkg`, `docker run -i image`) are peeled off. The same functions read a
 * configured command and a process's argv, so both sides produce the same keys.
 */

/** The last path segment, for both separators, without a Windows executable extension, lower-cased. */
export function programName(token: string): string {
  const cut = Math.max(token.lastIndexOf('/'), token.lastIndexOf('\\'));
  const base = cut >= 0 ? token.slice(cut + 1) : token;
  return (base.includes('.') ? base.replace(/\.(exe|cmd|bat|ps1|com)$/i, '') : base).toLowerCase();
}

const NODE_LIKE = /^(node|nodejs|bun|deno|tsx|ts-node)$/;
const PYTHON_LIKE = /^(python|pythonw|python[23](\.\d+)?|pypy3?)$/;
const SHELLS = /^(sh|bash|dash|zsh|ksh|fish|ash|busybox)$/;
/** Programs that only exist to start another one; the chain is walked through them. */
const WRAPPERS = /^(env|npm|npx|npx-cli\.js|npm-cli\.js|pnpm|pnpx|yarn|bunx|uv|uvx|pipx|cmd|sh|bash|dash|zsh|ksh|fish|ash|busybox|powershell|pwsh|conhost|mcp-lifeguard|mcp-lifeguard\.js)$/;

/** Options of `node` / `python` that take a separate value. */
const NODE_VALUE_OPTS = new Set(['-r', '--require', '--import', '--loader', '--experimental-loader', '--inspect-port', '--title', '--conditions', '-C']);
const PYTHON_VALUE_OPTS = new Set(['-W', '-X', '-Q']);

/**
 * Peels interpreters and shells off an argv: `node --x a.js b` -> [a.js, b]; `python -u -m pkg b` ->
 * [pkg, b] (the module name); `sh -c 'mcp-server-x --y'` -> [mcp-server-x, --y];
 * `cmd.exe /d /s /c "x.cmd a"` -> [x.cmd, a]; `env A=1 x` -> [x].
 */
export function effectiveArgv(argv: readonly string[]): readonly string[] {
  let cur = argv;
  for (let depth = 0; depth < 4 && cur.length > 0; depth++) {
    const prog = programName(cur[0]);
    if (NODE_LIKE.test(prog) || PYTHON_LIKE.test(prog)) return peelInterpreter(cur, prog);
    const next = peelLauncher(cur, prog);
    if (next === undefined) return cur;
    cur = next;
  }
  return cur;
}

/** `node --x a.js b` -> [a.js, b]; `python -u -m pkg b` -> [pkg, b]; a bare interpreter (a REPL) stays as it is. */
function peelInterpreter(cur: readonly string[], prog: string): readonly string[] {
  const valueOpts = PYTHON_LIKE.test(prog) ? PYTHON_VALUE_OPTS : NODE_VALUE_OPTS;
  let i = 1;
  while (i < cur.length && cur[i].startsWith('-') && cur[i] !== '-m') i += valueOpts.has(cur[i]) ? 2 : 1;
  if (i >= cur.length) return cur;
  if (cur[i] === '-m') return cur.slice(i + 1);
  // `bun x pkg` / `bun run x`: bun's own verbs.
  if (prog === 'bun' && (cur[i] === 'x' || cur[i] === 'run')) return cur[i] === 'x' ? ['bunx', ...cur.slice(i + 1)] : cur.slice(i + 1);
  return cur.slice(i);
}

/** One shell (`sh -c`), `cmd /c` or `env` peeled off; undefined when `cur` is none of them. */
function peelLauncher(cur: readonly string[], prog: string): readonly string[] | undefined {
  if (SHELLS.test(prog)) {
    const c = cur.indexOf('-c');
    return c < 0 || c + 1 >= cur.length ? undefined : splitShellWords(cur[c + 1]);
  }
  if (prog === 'cmd') {
    const c = cur.findIndex((t) => /^\/[ck]$/i.test(t));
    return c < 0 ? undefined : cur.slice(c + 1).flatMap((t) => (cur.length === c + 2 ? splitShellWords(t) : [t]));
  }
  if (prog === 'env') {
    let i = 1;
    while (i < cur.length && (cur[i].startsWith('-') || /^[A-Za-z_][A-Za-z0-9_]*=/.test(cur[i]))) i++;
    return cur.slice(i);
  }
  return undefined;
}

/**
 * A launch split into the interpreter that runs it (`/a/.venv/bin/python`, `node`), if any, and what
 * it runs: the effective argv (see effectiveArgv), with whether its first token is a module
 * (`python -m pkg`) rather than a script or program path.
 */
export function interpreterOf(argv: readonly string[]): { interpreter?: string; eff: readonly string[]; module: boolean } {
  let cur = argv;
  for (let depth = 0; depth < 4 && cur.length > 0; depth++) {
    const prog = programName(cur[0]);
    if (NODE_LIKE.test(prog) || PYTHON_LIKE.test(prog)) {
      const eff = peelInterpreter(cur, prog);
      if (eff === cur) return { eff, module: false };
      return { interpreter: cur[0], eff, module: cur[cur.length - eff.length - 1] === '-m' };
    }
    const next = peelLauncher(cur, prog);
    if (next === undefined) break;
    cur = next;
  }
  return { eff: cur, module: false };
}

/** Splits a shell word list: quotes group, backslash escapes outside single quotes. Good enough for launch commands. */
export function splitShellWords(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  let any = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quote) {
      if (ch === quote) quote = undefined;
      else if (ch === '\\' && quote === '"' && i + 1 < text.length && /["\\$`]/.test(text[i + 1])) cur += text[++i];
      else cur += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      any = true;
    } else if (ch === '\\' && i + 1 < text.length && !/[A-Za-z0-9_.-]/.test(text[i + 1])) {
      cur += text[++i];
      any = true;
    } else if (/\s/.test(ch)) {
      if (any) out.push(cur);
      cur = '';
      any = false;
    } else {
      cur += ch;
      any = true;
    }
  }
  if (any) out.push(cur);
  return out;
}

/** What a launch runs: a package through a runner, or a program. */
export interface LaunchKey {
  /** `npx:@scope/pkg`, `uvx:pkg`, `docker:image`, `prog:mcp-server-memory`... Equal keys may be the same launch. */
  key: string;
  /** The arguments the server itself receives (after the package or program). */
  args: string[];
  /** True when the command is a package runner or container CLI (it starts the real server as a descendant, or remotely). */
  runner: boolean;
}

/** `@scope/pkg@1.2.3` -> `@scope/pkg`; `pkg==1.0` / `pkg@latest` -> `pkg`; `pkg[extra]` -> `pkg`. */
export function packageName(spec: string): string {
  let s = spec;
  const at = s.indexOf('@', s.startsWith('@') ? 1 : 0);
  if (at > 0) s = s.slice(0, at);
  s = s.replace(/\[.*\]$/, '').replace(/(===?|~=|>=|<=|!=|>|<).*$/, '');
  return s.toLowerCase();
}

const NPX_VALUE_OPTS = new Set(['-p', '--package', '-c', '--call', '--cache', '--registry', '--userconfig', '-w', '--workspace', '--prefix']);
const UVX_VALUE_OPTS = new Set(['--from', '-w', '--with', '--with-editable', '--with-requirements', '-p', '--python', '--index', '--index-url', '--extra-index-url', '--default-index', '-c', '--constraints', '--directory', '--project', '--cache-dir']);
const PIPX_VALUE_OPTS = new Set(['--spec', '--python', '--index-url', '--pip-args']);
const DOCKER_VALUE_OPTS = new Set([
  '-e', '--env', '--env-file', '-v', '--volume', '--mount', '-p', '--publish', '--name', '-w', '--workdir', '--network', '--net', '-u', '--user',
  '--entrypoint', '-l', '--label', '--add-host', '--platform', '--pull', '--cpus', '-m', '--memory', '--hostname', '-h', '--ipc', '--pid',
  '--cap-add', '--cap-drop', '--security-opt', '--tmpfs', '--device', '--log-driver', '--restart', '--runtime', '--shm-size', '--ulimit',
]);

/** Skips runner options; returns the index of the first positional. `--x=y` never takes the next token. */
function firstPositional(args: readonly string[], from: number, valueOpts: ReadonlySet<string>): number {
  let i = from;
  while (i < args.length && args[i].startsWith('-') && args[i] !== '--') {
    i += valueOpts.has(args[i]) ? 2 : 1;
  }
  if (args[i] === '--') i++;
  return i;
}

const NO_ARGS: string[] = [];

function runnerKey(kind: string, args: readonly string[], from: number, valueOpts: ReadonlySet<string>, fromOpt?: string, withArgs = true): LaunchKey | undefined {
  const i = firstPositional(args, from, valueOpts);
  // `--from pkg cmd` / `--package pkg cmd`: the package is named by the option, the positional is the command.
  const optIdx = fromOpt ? args.findIndex((a, k) => k >= from && k < i && (a === fromOpt || a.startsWith(`${fromOpt}=`))) : -1;
  const named = optIdx >= 0 ? (args[optIdx].includes('=') ? args[optIdx].split('=')[1] : args[optIdx + 1]) : undefined;
  if (i >= args.length && !named) return undefined;
  const pkg = named ?? args[i];
  let rest = withArgs && i < args.length ? args.slice(i + 1) : NO_ARGS;
  if (rest[0] === '--') rest = rest.slice(1);
  return { key: `${kind}:${packageName(pkg)}`, args: rest, runner: true };
}

const GENERIC_SCRIPT = /^(index|main|server|cli|app|start|run|__main__|mod)$/;
const GENERIC_DIR = /^(dist|build|lib|out|src|bin|\.|\.\.|)$/;

/**
 * The name part of a plain program's key. A generic script name (`index.js`, `main.py`) is
 * qualified by its first meaningful folder (`/srv/weather/dist/index.js` -> `weather/index`), so
 * the many `node .../index.js` servers do not all share one key.
 */
function scriptKey(token: string, prog: string): string {
  const base = prog.replace(/\.(js|mjs|cjs|ts|py)$/, '');
  if (!GENERIC_SCRIPT.test(base)) return base;
  const parts = token.split(/[/\\]/);
  for (let i = parts.length - 2; i >= 0; i--) {
    if (!GENERIC_DIR.test(parts[i])) return `${parts[i].toLowerCase()}/${base}`;
  }
  return base;
}

/**
 * The launch key of an argv (a configured command + args, or a running process's argv). With
 * `withArgs` false the server's arguments are left out (`args` is empty): the cheap form used to
 * index a whole process table.
 */
export function launchKeyOf(argv: readonly string[], withArgs = true): LaunchKey | undefined {
  const eff = effectiveArgv(argv);
  if (eff.length === 0) return undefined;
  const prog = programName(eff[0]);
  switch (prog) {
    case 'npx':
    case 'npx-cli.js':
    case 'pnpx':
    case 'bunx':
      return runnerKey('npx', eff, 1, NPX_VALUE_OPTS, '--package', withArgs);
    case 'npm':
    case 'npm-cli.js':
      if (eff[1] === 'exec' || eff[1] === 'x') return runnerKey('npx', eff, 2, NPX_VALUE_OPTS, '--package', withArgs);
      break;
    case 'pnpm':
    case 'yarn':
      if (eff[1] === 'dlx') return runnerKey('npx', eff, 2, NPX_VALUE_OPTS, '--package', withArgs);
      break;
    case 'uvx':
      return runnerKey('uvx', eff, 1, UVX_VALUE_OPTS, '--from', withArgs);
    case 'uv':
      if (eff[1] === 'tool' && (eff[2] === 'run' || eff[2] === 'uvx')) return runnerKey('uvx', eff, 3, UVX_VALUE_OPTS, '--from', withArgs);
      break;
    case 'pipx':
      if (eff[1] === 'run') return runnerKey('uvx', eff, 2, PIPX_VALUE_OPTS, '--spec', withArgs);
      break;
    case 'docker':
    case 'podman':
      if (eff[1] === 'run') return runnerKey('docker', eff, 2, DOCKER_VALUE_OPTS, undefined, withArgs);
      if (eff[1] === 'container' && eff[2] === 'run') return runnerKey('docker', eff, 3, DOCKER_VALUE_OPTS, undefined, withArgs);
      break;
  }
  return { key: `prog:${scriptKey(eff[0], prog)}`, args: withArgs ? eff.slice(1) : NO_ARGS, runner: false };
}

/** Shells and interpreters: a server only when they run a script, a module or a command. */
const SHELL_LIKE = /^(sh|bash|dash|zsh|ksh|fish|ash|busybox|tcsh|csh|nu|pwsh|powershell|cmd)$/;
const INTERPRETERS = /^(node|nodejs|bun|deno|tsx|ts-node|python|pythonw|python[23](\.\d+)?|pypy3?|ruby|irb|perl|php|lua|luajit|java|jshell|r|rscript|julia|osascript|tclsh[\d.]*|wish[\d.]*|expect|guile|racket|ocaml|ghci|erl|iex|sbcl)$/;
/** Everyday tools: every machine runs them for reasons of its own, whatever their arguments. */
const TOOLS = /^(cat|sleep|tail|head|tee|yes|true|false|echo|printf|read|less|more|watch|xargs|nohup|timeout|stdbuf|time|wait|grep|sed|awk|gawk|mawk|nawk|sort|uniq|wc|cut|tr|dd|od|bc|dc|top|htop|login|getty|agetty|tmux|screen|script|vi|vim|nvim|view|ex|ed|emacs|nano|find)$/;

/**
 * The general-purpose program a launch runs, when it is one: a shell or interpreter with no script,
 * module or command (`bash`, `node`, `python3 -i`), or an everyday tool (`cat`, `sleep`, `tail`).
 * Its instances cannot be told apart from the ordinary processes of that program, so a config entry
 * that names one is never matched to processes.
 */
export function genericProgram(argv: readonly string[]): string | undefined {
  const eff = effectiveArgv(argv);
  if (eff.length === 0) return undefined;
  const prog = programName(eff[0]);
  if (TOOLS.test(prog)) return prog;
  if (!SHELL_LIKE.test(prog) && !INTERPRETERS.test(prog)) return undefined;
  return eff.slice(1).some((a) => !a.startsWith('-') && !/^\/[a-z]$/i.test(a)) ? undefined : prog;
}

const RUNNERS = /^(npx|npx-cli\.js|npm|npm-cli\.js|pnpx|pnpm|yarn|bunx|uvx|uv|pipx|docker|podman|cmd|env)$/;

/**
 * A cheap test that rules out most of a process table before launchKeyOf: a process whose program
 * is no interpreter, shell or runner can only have the key `prog:<its name>`.
 */
export function mayHaveKey(argv: readonly string[], keys: { has(key: string): boolean }): boolean {
  const prog = programName(argv[0] ?? '');
  if (NODE_LIKE.test(prog) || PYTHON_LIKE.test(prog) || SHELLS.test(prog) || RUNNERS.test(prog)) return true;
  return keys.has(`prog:${scriptKey(argv[0] ?? '', prog)}`);
}

/** Whether a process is the guard (`mcp-lifeguard run ...`, as installed: `node .../mcp-lifeguard.js run ...`). */
export function isGuard(argv: readonly string[]): boolean {
  const eff = effectiveArgv(argv);
  return /^mcp-lifeguard(\.js)?$/.test(programName(eff[0] ?? '')) && eff[1] === 'run';
}

/** Whether a process only exists to start another (a shell, a package runner, cmd.exe, the guard). */
export function isWrapper(argv: readonly string[]): boolean {
  if (argv.length === 0) return false;
  const prog = programName(argv[0]);
  if (WRAPPERS.test(prog)) return true;
  // `node /usr/lib/node_modules/npm/bin/npx-cli.js`, `node .../uv`: judge by the script.
  if (NODE_LIKE.test(prog) || PYTHON_LIKE.test(prog)) {
    const eff = effectiveArgv(argv);
    return eff.length > 0 && WRAPPERS.test(programName(eff[0]));
  }
  return false;
}

const MCP_WORD = /mcp|modelcontextprotocol/i;

/**
 * Whether a command line looks like an MCP server: a program or package named `mcp`, `mcp-server-*`,
 * `*-mcp`, `*_mcp`, or anything from `@modelcontextprotocol/`. MCP Lifeguard itself is not one.
 */
export function looksLikeMcpServer(argv: readonly string[]): boolean {
  // Cheap first: nearly every process names neither.
  if (!argv.some((a) => MCP_WORD.test(a))) return false;
  const launch = launchKeyOf(argv, false);
  if (!launch) return false;
  const eff = effectiveArgv(argv);
  const name = launch.key.slice(launch.key.indexOf(':') + 1);
  if (name === 'mcp-lifeguard' || name.startsWith('mcp-lifeguard')) return false;
  if (name.includes('modelcontextprotocol')) return true;
  const base = name.slice(name.lastIndexOf('/') + 1);
  if (/(^|[-_.])mcp($|[-_.])/i.test(base)) return true;
  return /modelcontextprotocol|[/\\]mcp-server-[^/\\]*[/\\]|[/\\][^/\\]*[-_]mcp[/\\]/i.test(eff[0] ?? '');
}
