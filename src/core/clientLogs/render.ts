import type { ClientLogFormat } from './locations';

/**
 * A client's log lines read as text for people: pure functions of the stored text, one per
 * client's format. A line that does not read as its format is shown as it is.
 */

/** The levels Claude Code writes an MCP log entry under (`{"debug": "..."}`, `{"error": "..."}`). */
const CLAUDE_CODE_LEVELS = ['error', 'warn', 'info', 'debug', 'verbose'];

/**
 * One line of Claude Code's MCP log (`mcp-logs-<server>/<time>.jsonl`): a JSON object with the
 * message under its level, `timestamp`, `sessionId` and `cwd`, as `<timestamp> [<level>] <message>`;
 * a message of several lines (the server's stderr, which Claude Code logs as one `error` entry
 * beginning `Server stderr: `) gives several lines.
 */
export function renderClaudeCodeLine(line: string): string[] {
  let entry: unknown;
  try {
    entry = JSON.parse(line);
  } catch {
    return [line];
  }
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) return [line];
  const e = entry as Record<string, unknown>;
  const level = CLAUDE_CODE_LEVELS.find((l) => typeof e[l] === 'string');
  if (!level) return [line];
  const time = typeof e.timestamp === 'string' ? `${e.timestamp} ` : '';
  const message = (e[level] as string).replace(/\n$/, '').split('\n');
  return [`${time}[${level}] ${message[0]}`, ...message.slice(1)];
}

/**
 * Whether a line of a Copilot CLI process log is about the server `name`: the lines its MCP code
 * writes name it in their JSON fields (`MCP server stderr {"server_name":"NAME","stderr":"..."}`,
 * `{"server":"NAME"}`).
 */
export function copilotLineIsAbout(line: string, name: string): boolean {
  const quoted = JSON.stringify(name);
  return line.includes(`"server_name":${quoted}`) || line.includes(`"server":${quoted}`);
}

const COPILOT_STDERR = /^(\S+) \[[A-Z]+\] \[[^\]]*\] MCP server stderr (\{.*\})\s*$/;

/**
 * One line of a Copilot CLI process log about a server: a line of the server's stderr
 * (`<time> [DEBUG] [...] MCP server stderr {"server_name":...,"stderr":"..."}`) as
 * `<time> [stderr] <text>`, any other line as it is.
 */
export function renderCopilotLine(line: string): string[] {
  const m = COPILOT_STDERR.exec(line);
  if (!m) return [line];
  let payload: unknown;
  try {
    payload = JSON.parse(m[2]);
  } catch {
    return [line];
  }
  const stderr = (payload as { stderr?: unknown } | null)?.stderr;
  if (typeof stderr !== 'string') return [line];
  const text = stderr.split('\n');
  return [`${m[1]} [stderr] ${text[0]}`, ...text.slice(1)];
}

/** The lines of a client's log as shown, in order. */
export function renderClientLog(format: ClientLogFormat, lines: readonly string[]): string[] {
  switch (format) {
    case 'claude-code':
      return lines.flatMap(renderClaudeCodeLine);
    case 'copilot-cli':
      return lines.flatMap(renderCopilotLine);
    default:
      return [...lines];
  }
}
