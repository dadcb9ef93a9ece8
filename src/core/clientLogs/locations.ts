import { HostEnv, pathFor } from '../base/hostEnv';
import { appDataDir, localAppDataDir, xdgConfigHome } from '../sources/locations';

/**
 * Where clients keep their own logs of the MCP servers they run, derived from the injected host
 * only, as each real client lays them out (docs/clients.md says per client what was verified how).
 * A server's stderr is its log (MCP logging is deprecated); for an unguarded instance its client is
 * the only keeper.
 */

/** The clients whose own log of a server MCP Lifeguard can open, and how each keeps it. */
export type ClientLogFormat = 'claude-code' | 'claude-desktop' | 'copilot-cli';

/**
 * Whether a client keeps a log of each server it runs that can be found here: Claude Code (one file
 * per session and server), Claude Desktop (one file per server name, not for its extensions, whose
 * log name was not verified) and Copilot CLI (one file per process, its lines naming the server).
 * Codex and Gemini CLI keep none (docs/clients.md); other clients were not verified.
 */
export function clientLogFormat(client: string, extension = false): ClientLogFormat | undefined {
  if (client === 'claude-code' || client === 'copilot-cli') return client;
  if (client === 'claude-desktop' && !extension) return client;
  return undefined;
}

/**
 * Claude Code's cache folder (its `env-paths('claude-cli')` cache, as @anthropic-ai/claude-code
 * 2.1.328 derives it): `$XDG_CACHE_HOME/claude-cli-nodejs` (`~/.cache/...`), on macOS
 * `~/Library/Caches/claude-cli-nodejs`, on Windows `%LOCALAPPDATA%\claude-cli-nodejs\Cache`.
 */
export function claudeCodeCacheDir(host: HostEnv): string {
  const p = pathFor(host);
  switch (host.platform) {
    case 'darwin':
      return p.join(host.home, 'Library', 'Caches', 'claude-cli-nodejs');
    case 'win32':
      return p.join(localAppDataDir(host), 'claude-cli-nodejs', 'Cache');
    default:
      return p.join(host.env.XDG_CACHE_HOME || p.join(host.home, '.cache'), 'claude-cli-nodejs');
  }
}

/** The longest name Claude Code keeps whole in a folder name; a longer one is cut and given a hash. */
const CLAUDE_CODE_NAME_MAX = 200;

/**
 * How Claude Code names a folder after a text (its working directory, a server's name): every
 * character but ASCII letters and digits becomes `-`. A result past 200 characters is cut there and
 * followed by `-` and a hash MCP Lifeguard does not compute: it is then matched by that prefix.
 */
export function claudeCodeFolderName(text: string): { exact: string } | { prefix: string } {
  const name = text.replace(/[^a-zA-Z0-9]/g, '-');
  return name.length <= CLAUDE_CODE_NAME_MAX ? { exact: name } : { prefix: `${name.slice(0, CLAUDE_CODE_NAME_MAX)}-` };
}

/** Whether a folder name is the one Claude Code gives `text`. */
export function isClaudeCodeFolderFor(folder: string, text: string, prefix = ''): boolean {
  const n = claudeCodeFolderName(text);
  return 'exact' in n
    ? folder === prefix + n.exact
    : folder.startsWith(prefix + n.prefix) && /^[0-9a-z]+$/.test(folder.slice((prefix + n.prefix).length));
}

/**
 * The start of a Claude Code process's MCP log, from its name (`2026-11-25T03-13-42-248Z.jsonl`:
 * the time of the process's first log line, an ISO time with `:` and `.` as `-`), in ms.
 */
export function claudeCodeLogTime(name: string): number | undefined {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2})-(\d{3})Z\.jsonl$/.exec(name);
  if (!m) return undefined;
  const t = Date.parse(`${m[1]}T${m[2]}:${m[3]}:${m[4]}.${m[5]}Z`);
  return Number.isFinite(t) ? t : undefined;
}

/**
 * Claude Desktop's log folders (Electron's logs folder of the app named Claude), most likely first:
 * macOS `~/Library/Logs/Claude`; Windows `%APPDATA%\Claude\logs`, `%LOCALAPPDATA%\Claude\Logs`
 * (later builds) and the Microsoft Store install's virtualised `%APPDATA%`; Linux, which has no
 * official build, `$XDG_CONFIG_HOME/Claude/logs` as the unofficial builds keep it. From public
 * sources only (docs/clients.md).
 */
export function claudeDesktopLogDirs(host: HostEnv): string[] {
  const p = pathFor(host);
  switch (host.platform) {
    case 'darwin':
      return [p.join(host.home, 'Library', 'Logs', 'Claude')];
    case 'win32':
      return [
        p.join(appDataDir(host), 'Claude', 'logs'),
        p.join(localAppDataDir(host), 'Claude', 'Logs'),
        p.join(localAppDataDir(host), 'Packages', 'Claude_pzs8sxrjxfjjc', 'LocalCache', 'Roaming', 'Claude', 'logs'),
      ];
    default:
      return [p.join(xdgConfigHome(host), 'Claude', 'logs')];
  }
}

/**
 * The name of Claude Desktop's log of a server (`mcp-server-NAME.log`), only for a name that is a
 * plain file name on every system: a name with a separator, `..` or a character Windows refuses
 * names no file of its own.
 */
export function claudeDesktopLogName(serverName: string): string | undefined {
  if (!serverName || serverName === '.' || serverName === '..' || /[/\\:*?"<>|\x00-\x1f]/.test(serverName))
    return undefined;
  return `mcp-server-${serverName}.log`;
}

/** Copilot CLI's log folder: `$COPILOT_HOME/logs`, else `~/.copilot/logs` (its `--log-dir` moves it for one run). */
export function copilotLogDir(host: HostEnv): string {
  const p = pathFor(host);
  return p.join(host.env.COPILOT_HOME || p.join(host.home, '.copilot'), 'logs');
}

/**
 * A Copilot CLI process's log, from its name (`process-<start ms>-<pid>.log`, as @github/copilot
 * 1.0.102 names it; `process-...-<pid>.<n>.log` is a rotated part): its start and pid.
 */
export function copilotLogOf(name: string): { startMs: number; pid: number; part?: number } | undefined {
  const m = /^process-(\d+)-(\d+)(?:\.(\d+))?\.log$/.exec(name);
  if (!m) return undefined;
  return { startMs: Number(m[1]), pid: Number(m[2]), ...(m[3] !== undefined ? { part: Number(m[3]) } : {}) };
}
