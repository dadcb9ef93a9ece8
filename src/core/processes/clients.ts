import type { AgentHostRef, ClientId, InstanceClient } from '../base/model';
import { effectiveArgv, programName } from './argv';
import { ProcessInfo } from '../pids/table';
import { ProcessTree } from './tree';

/**
 * What a process is to the MCP servers below it, when it runs agent sessions (each session starts
 * its own set of servers, so one server configured once runs once per session):
 * - `host`: it runs the sessions and is its client's (VS Code's agent host, `codex app-server`);
 * - `runtime`: an agent runtime an app runs for its sessions (the Copilot SDK's): the client is the
 *   app above it when one is known, else the runtime's own product;
 * - `session`: one session's own process, started by its host, the parent (the Claude Agent SDK
 *   runs Claude Code once per session).
 */
export interface AgentRole {
  role: 'host' | 'runtime' | 'session';
  /** How the host is named in evidence: "VS Code agent host", "Codex app-server"... */
  name: string;
}

/**
 * How each MCP client looks in the process table, per OS: the one place that knows. A signature
 * matches a process when the program name is one of `programs` (lower-case, without `.exe`) or the
 * full command line matches `pattern`, and, when `requires` is set, the command line also matches it.
 */
export interface ClientSignature {
  id: ClientId;
  name: string;
  platforms?: NodeJS.Platform[];
  programs?: string[];
  pattern?: RegExp;
  requires?: RegExp;
  /** Set when the process runs agent sessions (see AgentRole). */
  agent?: AgentRole;
  /**
   * The app's own executable (argv[0]), when the signature's other processes only run things for it
   * (its helpers, a wrapper it starts each server under): those are passed on the way up, the app
   * above them is the client, and a launch whose app is gone has none.
   */
  app?: RegExp;
}

const EXTENSION_HOST = /extensionHost|--type=extensionHost|--vscode-utility-kind=extensionHost/;
/**
 * VS Code's agent host. Forked by node (NodeAgentHostStarter: `bootstrap-fork --type=agentHost
 * --logsPath ... --user-data-dir ...`, what the server runs); as an Electron utility process
 * (ElectronAgentHostStarter, `type: 'agentHost'`) it carries `--vscode-utility-kind=agentHost` in
 * builds whose UtilityProcess appends the kind to execArgv (Windows lower-cases switches). Builds that
 * do not append it show a bare `--type=utility`: there the Copilot runtime below it says it.
 */
const AGENT_HOST = /(^|\s)--type=agentHost(\s|$)|--vscode-utility-kind=agent-?host(\s|$)/i;

/**
 * The Claude Code that Claude Desktop bundles for its Code tab and agent sessions, one folder per
 * version: `~/Library/Application Support/Claude/claude-code/<ver>/claude.app/Contents/MacOS/claude`
 * on macOS (`.../Claude/claude-code/<ver>/claude` elsewhere). Read from the whole line: its folder
 * has a space, so it is known even where macOS's joined arguments could not be split back.
 */
const CLAUDE_DESKTOP_CODE =
  /[/\\]Claude[/\\]claude-code[/\\][\w.-]+[/\\]claude(\.app[/\\]Contents[/\\]MacOS[/\\]claude|\.exe)?(\s|$)/;

const CURSOR = /Cursor\.app[/\\]|[/\\]cursor[/\\]cursor\b|Cursor Helper/i;
const WINDSURF = /Windsurf\.app[/\\]|[/\\]windsurf[/\\]windsurf\b|Windsurf Helper/i;

/** Order matters: the first signature that matches wins (more specific first: agent hosts before their products). */
export const CLIENT_SIGNATURES: readonly ClientSignature[] = [
  // VS Code's agent host (microsoft/vscode src/vs/platform/agentHost/node/nodeAgentHostStarter.ts at
  // 047238f9, electron-main/electronAgentHostStarter.ts at 085de008): one set of MCP servers per agent
  // session (its issue 324856). code-server and VS Code Server fork it with their own node.
  {
    id: 'vscode',
    name: 'code-server',
    pattern: /(^|[/\\])code-server([/\\]|$)/i,
    requires: AGENT_HOST,
    agent: { role: 'host', name: 'code-server agent host' },
  },
  {
    id: 'vscode',
    name: 'VS Code Server',
    pattern: /\.vscode-server(-insiders)?[/\\]/,
    requires: AGENT_HOST,
    agent: { role: 'host', name: 'VS Code Server agent host' },
  },
  {
    id: 'vscode-insiders',
    name: 'VS Code Insiders',
    programs: ['code-insiders'],
    pattern: /Code - Insiders/,
    requires: AGENT_HOST,
    agent: { role: 'host', name: 'VS Code Insiders agent host' },
  },
  // Forks that carry VS Code's agent host are their own product's.
  {
    id: 'cursor',
    name: 'Cursor',
    programs: ['cursor'],
    pattern: CURSOR,
    requires: AGENT_HOST,
    agent: { role: 'host', name: 'Cursor agent host' },
  },
  {
    id: 'windsurf',
    name: 'Windsurf',
    programs: ['windsurf'],
    pattern: WINDSURF,
    requires: AGENT_HOST,
    agent: { role: 'host', name: 'Windsurf agent host' },
  },
  { id: 'vscode', name: 'VS Code', pattern: AGENT_HOST, agent: { role: 'host', name: 'VS Code agent host' } },
  // The Copilot SDK's runtime, one process for all of an app's sessions (github/copilot-sdk
  // nodejs/src/client.ts startCLIServer at cc0438d6: `<node or app> .../@github/copilot/index.js
  // --headless --no-auto-update [--log-level L] --stdio|--port N`, or a `copilot-runtime` binary,
  // vscode copilotRuntimePaths.ts at 1f60c9b9). VS Code's agent host runs it with its own executable.
  {
    id: 'copilot-cli',
    name: 'Copilot CLI',
    pattern: /[/\\]@github[/\\]copilot[/\\]index\.js(\s|$)|(^|[/\\])copilot-runtime(\.exe)?(\s|$)/i,
    requires: /(^|\s)--headless(\s|$)/,
    agent: { role: 'runtime', name: 'Copilot SDK runtime' },
  },
  // Codex's app server (what its VS Code extension and VS Code's agent host run) and MCP server: one
  // process, many threads, each thread its own MCP connections (openai/codex codex-rs/cli/src/main.rs
  // at bdba7852, `AppServer`/`McpServer` subcommands; codex-cli/bin/codex.js at 2a423d57 execs
  // `bin/codex-<target triple>` with the same arguments).
  {
    id: 'codex',
    name: 'Codex',
    programs: ['codex'],
    pattern: /@openai[/\\]codex[/\\]/,
    requires: /(^|\s)(app-server|mcp-server)(\s|$)/,
    agent: { role: 'host', name: 'Codex app-server' },
  },
  // Claude Code's background service (`claude --bg`, `claude agents`; 2.1.328, seen running): a
  // detached `claude daemon run --origin transient|service|auto ...` runs each session as a worker
  // under a pty host of its own, `claude bg-pty-host --bg-pty-host SOCK COLS ROWS -- <claude> --bg-spare
  // SOCK` (its title rewritten), the worker a warm `claude bg-spare --bg-spare SOCK` or, with none
  // ready, `<claude> --session-id ID PROMPT`; the servers are the worker's children. The daemon is the host; each pty host one session. With the daemon gone (an upgrade's
  // respawn, a crash) a session runs on as the worker's own.
  {
    id: 'claude-code',
    name: 'Claude Code',
    programs: ['claude'],
    pattern: /@anthropic-ai[/\\]claude-code[/\\]|[/\\]claude[/\\]versions[/\\]/,
    requires: /(^|\s)daemon run(\s+--|$)/,
    agent: { role: 'host', name: 'Claude Code daemon' },
  },
  {
    id: 'claude-code',
    name: 'Claude Code',
    pattern: /^claude bg-pty-host\s/,
    agent: { role: 'session', name: 'Claude Code daemon' },
  },
  { id: 'claude-code', name: 'Claude Code', pattern: /^claude bg-spare\s/ },
  // The Cline CLI's hub (`cline --cline-hub-daemon --cwd DIR --host 127.0.0.1 --port N`): the first
  // `cline` session starts it, it outlives that session, and later sessions run in it, their servers
  // its children (cline 3.0.65).
  {
    id: 'cline',
    name: 'Cline CLI',
    programs: ['cline'],
    pattern: /@cline[/\\]cli-[\w-]+[/\\]bin[/\\]cline/i,
    requires: /(^|\s)--cline-hub-daemon(\s|$)/,
    agent: { role: 'host', name: 'Cline hub' },
  },
  // Claude Desktop's bundled Claude Code: a session of the app's agent (stream-json, as the Agent SDK
  // runs it) whose host is the app, else a session of its own. Before the Agent SDK's row, which
  // takes any `claude` program with stream-json (the bundled one is `claude.exe` on Windows).
  {
    id: 'claude-code',
    name: 'Claude Code',
    pattern: CLAUDE_DESKTOP_CODE,
    requires: /--input-format(=|\s+)stream-json/,
    agent: { role: 'session', name: 'Claude Desktop' },
  },
  { id: 'claude-code', name: 'Claude Code', pattern: CLAUDE_DESKTOP_CODE },
  // Claude Code as the Claude Agent SDK runs it: once per query (session), streaming JSON both ways
  // (@anthropic-ai/claude-agent-sdk 0.3.330 sdk.mjs: `--output-format stream-json --verbose
  // --input-format stream-json`); the SDK's user (its parent) is the host.
  {
    id: 'claude-code',
    name: 'Claude Code',
    programs: ['claude'],
    pattern: /@anthropic-ai[/\\]claude-(code|agent-sdk)[/\\-]/,
    requires: /--input-format(=|\s+)stream-json/,
    agent: { role: 'session', name: 'Claude Agent SDK host' },
  },
  // code-server and VS Code Server run the extension host as a node process.
  { id: 'vscode', name: 'code-server', pattern: /(^|[/\\])code-server([/\\]|$)/i, requires: EXTENSION_HOST },
  { id: 'vscode', name: 'VS Code Server', pattern: /\.vscode-server(-insiders)?[/\\]/, requires: EXTENSION_HOST },
  // The forks' remote servers, in their product.json's `serverDataFolderName` (`~/.cursor-server/bin/<commit>/node`...).
  { id: 'vscodium', name: 'VSCodium Server', pattern: /\.vscodium-server(-insiders)?[/\\]/, requires: EXTENSION_HOST },
  { id: 'cursor', name: 'Cursor Server', pattern: /\.cursor-server[/\\]/, requires: EXTENSION_HOST },
  { id: 'windsurf', name: 'Windsurf Server', pattern: /\.windsurf-server[/\\]/, requires: EXTENSION_HOST },
  // Desktop editors: any process of the app (the extension host is one of its helpers).
  { id: 'cursor', name: 'Cursor', programs: ['cursor'], pattern: CURSOR },
  { id: 'windsurf', name: 'Windsurf', programs: ['windsurf'], pattern: WINDSURF },
  // VSCodium (its prepare_vscode.sh: `applicationName` codium, `nameShort` VSCodium, Windows folder
  // `VSCodium`), and its Insiders build: any process of the app.
  {
    id: 'vscodium',
    name: 'VSCodium',
    programs: ['codium', 'codium-insiders', 'vscodium', 'vscodium - insiders'],
    pattern:
      /VSCodium( - Insiders)?\.app[/\\]|VSCodium( - Insiders)? Helper|[/\\]VSCodium( Insiders)?[/\\]VSCodium( - Insiders)?\.exe/i,
  },
  {
    id: 'vscode-insiders',
    name: 'VS Code Insiders',
    programs: ['code-insiders'],
    // Windows: `Microsoft VS Code Insiders\Code - Insiders.exe` (user and system installs alike).
    pattern:
      /Visual Studio Code - Insiders\.app[/\\]|Code - Insiders Helper|Microsoft VS Code Insiders[/\\]Code - Insiders\.exe/i,
  },
  {
    id: 'vscode',
    name: 'VS Code',
    programs: ['code'],
    pattern: /Visual Studio Code\.app[/\\]|Microsoft VS Code[/\\]Code\.exe|Code Helper/i,
  },
  // Desktop apps: the main process or its helpers spawn servers. Claude Desktop on macOS starts each
  // local server (and its bundled Claude Code) under its `Contents/Helpers/disclaimer` wrapper, one
  // per server; its Electron helpers live under `Contents/Frameworks`: the client is the app itself.
  {
    id: 'claude-desktop',
    name: 'Claude Desktop',
    platforms: ['darwin'],
    pattern: /Claude\.app[/\\]/,
    app: /Claude\.app[/\\]Contents[/\\]MacOS[/\\]Claude$/,
  },
  // Windows: the Microsoft Store / claude.ai installer's MSIX package (`C:\Program Files\WindowsApps\
  // Claude_<version>_x64__<publisher>\app\Claude.exe`, the only installer since early 2026) and the
  // Squirrel install before it (`%LOCALAPPDATA%\AnthropicClaude\app-<version>\claude.exe`). Named by
  // folder, never by program: `claude.exe` is also Claude Code's (`~\.local\bin\claude.exe`, and the
  // copy Claude Desktop keeps in `%APPDATA%\Claude\claude-code\<version>\` for its Code sessions).
  {
    id: 'claude-desktop',
    name: 'Claude Desktop',
    platforms: ['win32'],
    pattern:
      /[/\\]WindowsApps[/\\]Claude_[^/\\]+[/\\]|AnthropicClaude|[/\\]Claude[/\\]Claude\.exe|app-[\d.]+[/\\]claude\.exe/i,
  },
  { id: 'claude-desktop', name: 'Claude Desktop', platforms: ['linux'], programs: ['claude-desktop'] },
  { id: 'zed', name: 'Zed', programs: ['zed', 'zed-editor', 'zeditor', 'zed-preview'] },
  { id: 'zed', name: 'Zed', platforms: ['darwin'], pattern: /Zed\.app[/\\]/ },
  // Terminal agents: a native binary or a node script from their npm package. Claude Code's native
  // install runs as its version file (`~/.local/share/claude/versions/2.1.254`, what `~/.local/bin/claude`
  // links to), so a session started by that path has `2.1.254` for a program name.
  {
    id: 'claude-code',
    name: 'Claude Code',
    programs: ['claude'],
    pattern: /@anthropic-ai[/\\]claude-code[/\\]|[/\\]claude[/\\]versions[/\\]\d[\w.-]*(\.exe)?(\s|$)/,
  },
  { id: 'codex', name: 'Codex', programs: ['codex'], pattern: /@openai[/\\]codex[/\\]/ },
  { id: 'gemini-cli', name: 'Gemini CLI', programs: ['gemini'], pattern: /@google[/\\]gemini-cli[/\\]/ },
  { id: 'copilot-cli', name: 'Copilot CLI', programs: ['copilot'], pattern: /@github[/\\]copilot[/\\]/ },
  // Qwen Code: `.bin/qwen` (cli-entry.js) runs cli.js, which relaunches itself; servers are the last one's children.
  { id: 'qwen-code', name: 'Qwen Code', programs: ['qwen'], pattern: /@qwen-code[/\\]qwen-code[/\\]/ },
  // opencode: the npm bin is the native binary itself (`opencode-ai/bin/opencode.exe`, linked from the platform package).
  {
    id: 'opencode',
    name: 'opencode',
    programs: ['opencode'],
    pattern: /[/\\]opencode-ai[/\\]bin[/\\]|[/\\]opencode-(linux|darwin|windows)-[\w-]+[/\\]bin[/\\]opencode/i,
  },
  // Kilo: a node script (`@kilocode/cli/bin/kilo`) that runs the platform package's native binary,
  // linked at install as `@kilocode/cli/bin/.kilo` (else `@kilocode/cli-<os>-<arch>/bin/kilo`); servers
  // are the native binary's children (Kilo 7.7.7).
  {
    id: 'kilo',
    name: 'Kilo',
    programs: ['kilo', 'kilocode'],
    pattern: /@kilocode[/\\]cli(-[\w-]+)?[/\\]bin[/\\]\.?kilo/i,
  },
  // The Cline CLI: the npm bin is the platform package's native binary (`@cline/cli-linux-x64/bin/cline`).
  { id: 'cline', name: 'Cline CLI', programs: ['cline'], pattern: /@cline[/\\]cli-[\w-]+[/\\]bin[/\\]cline/i },
  // The Continue CLI: a node script (`@continuedev/cli/dist/cn.js`, the bin `cn`).
  { id: 'continue', name: 'Continue CLI', programs: ['cn'], pattern: /@continuedev[/\\]cli[/\\]/ },
  // Auggie, Augment's CLI: a node script (`@augmentcode/auggie/augment.mjs`, the bin `auggie`).
  { id: 'auggie', name: 'Auggie', programs: ['auggie'], pattern: /@augmentcode[/\\]auggie[/\\]/ },
  // Kiro, a VS Code fork: any process of the app (`Kiro.app`, its `Kiro Helper`s; `kiro` on Linux,
  // `Kiro.exe` on Windows). Kiro CLI: `kiro-cli` runs `kiro-cli-chat`, whose children the servers are.
  { id: 'kiro', name: 'Kiro', programs: ['kiro'], pattern: /(^|[/\\])Kiro\.app[/\\]|Kiro Helper/ },
  { id: 'kiro', name: 'Kiro CLI', programs: ['kiro-cli', 'kiro-cli-chat'] },
  // The Amazon Q Developer CLI: `q` runs `qchat` (amazon-q-developer-cli `CHAT_BINARY_NAME`), which
  // starts each server in a process group of its own.
  { id: 'amazon-q', name: 'Amazon Q CLI', programs: ['qchat'] },
  // Its IDE plugins run the servers under their language server, a node script inside the editor
  // (aws-toolkit-vscode and aws-toolkit-jetbrains: `<assets>/servers/node .../aws-lsp-codewhisperer.js --stdio`).
  { id: 'amazon-q', name: 'Amazon Q', pattern: /[/\\]aws-lsp-codewhisperer\.js(\s|$)/ },
  // Antigravity: the app (`Antigravity.app`, `antigravity`), its language server (the Go process that
  // reads mcp_config.json, `language_server[_<os>_<arch>] ... --app_data_dir antigravity`), and its CLI `agy`.
  {
    id: 'antigravity',
    name: 'Antigravity',
    programs: ['antigravity', 'agy'],
    pattern: /--app_data_dir[=\s]+antigravity(-ide|-cli)?(\s|$)|Antigravity( IDE)?\.app[/\\]|Antigravity Helper/,
  },
  // Junie's own CLI (in a JetBrains IDE the servers are the IDE's children, which no signature names).
  { id: 'junie', name: 'Junie', programs: ['junie'] },
  // Amp, Factory Droid and Mistral Vibe, each by its program's name: Amp's and Droid's npm bins are
  // their native binaries (`@ampcode/cli/bin/amp.exe`; `@factory/cli-linux-x64/bin/droid`, hard-linked
  // as `droid/bin/droid`); Vibe's `vibe` script execs its Rust client (`vibe/_bin/vibe-rs`), which runs
  // the Python `vibe-app-server` that starts the servers (`vibe-acp` is its editor agent).
  { id: 'amp', name: 'Amp', programs: ['amp'] },
  { id: 'factory-droid', name: 'Factory Droid', programs: ['droid'] },
  { id: 'mistral-vibe', name: 'Mistral Vibe', programs: ['vibe', 'vibe-rs', 'vibe-app-server', 'vibe-acp'] },
];

/** Programs that adopt orphans: a launch (or an agent session) whose parent is one of them lost what started it. */
export const SUBREAPERS = /^(systemd|init|launchd|tini|docker-init|dumb-init|runit|s6-svscan|catatonit)$/;

/** Shells whose presence on a terminal means "started by hand from a terminal". */
const SHELLS = new Set(['sh', 'bash', 'zsh', 'fish', 'dash', 'ksh', 'tcsh', 'csh', 'nu', 'pwsh', 'powershell', 'cmd']);

/** The signature a process matches, if any. */
export function matchClientSignature(
  p: ProcessInfo,
  platform: NodeJS.Platform,
  signatures: readonly ClientSignature[] = CLIENT_SIGNATURES,
): ClientSignature | undefined {
  const line = p.argv.join(' ');
  const prog = programName(p.argv[0] ?? '');
  // A node script named after a client (`node /usr/lib/node_modules/.bin/claude`) counts as that program.
  const script = programName(effectiveArgv(p.argv)[0] ?? '');
  for (const sig of signatures) {
    if (sig.platforms && !sig.platforms.includes(platform)) continue;
    const byProgram = sig.programs?.includes(prog) || sig.programs?.includes(script);
    if (!byProgram && !(sig.pattern && sig.pattern.test(line))) continue;
    if (sig.requires && !sig.requires.test(line)) continue;
    return sig;
  }
  return undefined;
}

/**
 * The owning client of a launch: walks up from the process the client started (`root`) to the first
 * ancestor matching a client signature; else "terminal" when an ancestor is a shell on a terminal;
 * else "unknown", naming the process that started the launch (its pid groups duplicates). A launch
 * inside an agent host is the host's, whatever runs between (see ownedByAgentHost).
 */
export function owningClient(root: ProcessInfo, tree: ProcessTree, platform: NodeJS.Platform): InstanceClient {
  const ancestors = tree.ancestors(root.pid);
  // Many instances share their client's ancestors: judge each ancestor once per tree.
  const sigOf = (a: ProcessInfo): ClientSignature | undefined => {
    const key = `client-signature:${a.pid}`;
    let sig = tree.memo.get(key) as ClientSignature | null | undefined;
    if (sig === undefined) tree.memo.set(key, (sig = matchClientSignature(a, platform) ?? null));
    return sig ?? undefined;
  };
  const hosted = ownedByAgentHost(ancestors, sigOf);
  if (hosted) return hosted;
  for (const [i, a] of ancestors.entries()) {
    if (runsForItsApp(a, tree, platform)) continue;
    const sig = sigOf(a);
    if (sig?.agent?.role === 'session')
      return sessionClient(
        sig,
        a,
        ancestors.slice(i + 1).find((h) => !runsForItsApp(h, tree, platform)),
      );
    if (sig) return { id: sig.id, name: sig.name, pid: a.pid };
    // The first interactive shell on a terminal, before any client: started by hand (even inside an editor's terminal).
    if (isInteractiveShell(a)) return { id: 'terminal', name: 'terminal', pid: a.pid };
  }
  return { id: 'unknown', name: 'unknown', pid: ancestors[0]?.pid };
}

/**
 * A process of an app that only runs things for it (a helper, the wrapper of one server), told by
 * its executable whatever it runs: passed on the way up to the app.
 */
function runsForItsApp(p: ProcessInfo, tree: ProcessTree, platform: NodeJS.Platform): boolean {
  const key = `runs-for-app:${p.pid}`;
  let yes = tree.memo.get(key) as boolean | undefined;
  if (yes === undefined) {
    const exe = p.argv[0] ?? '';
    yes = CLIENT_SIGNATURES.some(
      (s) => s.app && (!s.platforms || s.platforms.includes(platform)) && s.pattern?.test(exe) && !s.app.test(exe),
    );
    tree.memo.set(key, yes);
  }
  return yes;
}

/**
 * An agent host or runtime above the launch owns it: everything below one (the runtime it runs, a
 * session's process, a shell its terminal tool opened) runs for it. The outermost wins, so VS Code's
 * agent host keeps the Copilot runtime and the `codex app-server` it runs; of two hosts of one kind,
 * the nearer (a newer generation its predecessor started). The client's pid is the
 * host's: the servers of all its sessions are one client's, and the same server once per session
 * reads as copies of one launch under it.
 */
function ownedByAgentHost(
  ancestors: readonly ProcessInfo[],
  sigOf: (a: ProcessInfo) => ClientSignature | undefined,
): InstanceClient | undefined {
  let at = -1;
  for (const [i, a] of ancestors.entries()) {
    const role = sigOf(a)?.agent?.role;
    // A host of the kind already found is its predecessor (an upgrade's self-respawn starts the new
    // daemon from the old one): the nearer one runs the sessions.
    if ((role === 'host' || role === 'runtime') && !(at >= 0 && sigOf(a) === sigOf(ancestors[at]))) at = i;
  }
  if (at < 0) return undefined;
  const host = ancestors[at];
  const sig = sigOf(host) as ClientSignature & { agent: AgentRole };
  // A runtime is its app's: the first client above it; one started by hand (a shell first) is its own product's.
  const app = sig.agent.role === 'runtime' ? clientAbove(ancestors.slice(at + 1), sigOf) : undefined;
  const owner = app ?? sig;
  const session = ancestors.slice(0, at).find((a) => sigOf(a)?.agent?.role === 'session');
  const agentHost: AgentHostRef = {
    pid: host.pid,
    name: sig.agent.name,
    ...(session ? { sessionPid: session.pid } : {}),
  };
  return { id: owner.id, name: owner.name, pid: host.pid, agentHost };
}

/** The first client signature above, unless an interactive shell comes first (then whatever is below was started by hand). */
function clientAbove(
  above: readonly ProcessInfo[],
  sigOf: (a: ProcessInfo) => ClientSignature | undefined,
): ClientSignature | undefined {
  for (const a of above) {
    const sig = sigOf(a);
    if (sig) return sig;
    if (isInteractiveShell(a)) return undefined;
  }
  return undefined;
}

/**
 * A session's own process (Claude Code run by the Claude Agent SDK): its parent is the host that runs
 * the sessions, so the servers of all of that host's sessions are one client's copies (the host is
 * the app above any wrapper it starts the session under). A session whose host is gone (adopted by
 * init or a subreaper) has no host left: it is its own client.
 */
function sessionClient(sig: ClientSignature, session: ProcessInfo, host: ProcessInfo | undefined): InstanceClient {
  if (!host || session.ppid <= 1 || host.pid <= 1 || SUBREAPERS.test(programName(host.argv[0] ?? '')))
    return { id: sig.id, name: sig.name, pid: session.pid };
  return {
    id: sig.id,
    name: sig.name,
    pid: host.pid,
    agentHost: { pid: host.pid, name: sig.agent?.name ?? 'agent host', sessionPid: session.pid },
  };
}

/** A shell with no `-c` and no script: the user's prompt. A terminal is required when the table says. */
function isInteractiveShell(p: ProcessInfo): boolean {
  if (p.tty === false) return false;
  const prog = programName(p.argv[0] ?? '').replace(/^-/, '');
  if (!SHELLS.has(prog)) return false;
  return p.argv.slice(1).every((a) => a.startsWith('-') && a !== '-c' && !/^\/[ck]$/i.test(a));
}
