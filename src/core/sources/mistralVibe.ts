import { Position } from '../base/model';
import { isTable, readTomlConfig } from './codex';
import { kindOf } from './kind';
import { indexTomlKeys, tomlKey } from './tomlKeys';
import { AdaptResult, RawField, RawServerEntry } from './types';

/** Mistral Vibe's words for a transport (its `transport` key); both HTTP ones are streamable HTTP to its client. */
export const VIBE_TRANSPORTS = { stdio: 'stdio', http: 'http', 'streamable-http': 'http' } as const;

/**
 * Mistral Vibe's `config.toml` (`$VIBE_HOME/config.toml`, a project's `.vibe/config.toml`): servers
 * are a list of tables, `[[mcp_servers]]`, each with its `name` and `transport` (`stdio`, `http` or
 * `streamable-http`, required: Vibe's schema tells them apart by it), for stdio `command` (a string it
 * splits as a POSIX shell does, or a list) with `args`, `env` and `cwd`, for HTTP `url` with `headers`
 * (or `[mcp_servers.auth]` `headers`); `disabled = true` leaves it undiscovered (mistral-vibe 3.0.3,
 * `vibe/core/config/models.py`, `vibe/core/tools/mcp/registry.py`). A server is known by its name as
 * Vibe normalises it (every character but letters, digits, `_` and `-` as `_`).
 */
export function adaptVibeToml(text: string): AdaptResult {
  const read = readTomlConfig(text);
  if ('failed' in read) return read.failed;
  const result: AdaptResult = { entries: [], diagnostics: [] };
  const servers = read.data.mcp_servers;
  if (servers === undefined) return result;
  const places = elementPlaces(text);
  if (!Array.isArray(servers)) {
    result.diagnostics.push({
      severity: 'error',
      ...places.key,
      message: `"mcp_servers" must be a list of servers ([[mcp_servers]]), found ${kindOf(servers)}`,
    });
    return result;
  }
  for (const [i, value] of servers.entries()) {
    const place = places.element(i);
    const position = place(['mcp_servers']) ?? places.key;
    const problem = (message: string, at?: Position) =>
      result.diagnostics.push({ severity: 'error', ...(at ?? position ?? {}), message });
    if (!isTable(value)) {
      problem(`server #${i + 1} must be a table, found ${kindOf(value)}`);
      continue;
    }
    const field = (key: string, sub: string[] = []): RawField => ({
      value: sub.reduce<unknown>((v, k) => (isTable(v) ? v[k] : undefined), value[key]),
      position: place(['mcp_servers', key, ...sub]),
    });
    const name = typeof value.name === 'string' ? vibeServerName(value.name) : '';
    if (!name) {
      const why =
        typeof value.name === 'string'
          ? `has no letter or digit: ${JSON.stringify(value.name)}`
          : `must be text, found ${kindOf(value.name)}`;
      problem(`server #${i + 1}: "name" ${why}`, field('name').position);
      continue;
    }
    const transport = value.transport;
    if (typeof transport !== 'string' || !Object.hasOwn(VIBE_TRANSPORTS, transport)) {
      problem(
        `server "${name}": "transport" must be "stdio", "http" or "streamable-http", found ${kindOf(transport)}`,
        field('transport').position,
      );
      continue;
    }
    const fields: RawServerEntry['fields'] = {};
    for (const key of Object.keys(value)) if (key !== 'name' && key !== 'transport') fields[key] = field(key);
    fields.type = field('transport');
    if (fields.headers === undefined && isTable(value.auth) && value.auth.headers !== undefined)
      fields.headers = field('auth', ['headers']);
    if (transport === 'stdio') {
      const launch = commandWords(value.command, value.args);
      if (typeof launch === 'string') {
        problem(`server "${name}": ${launch}`, field('command').position);
        continue;
      }
      fields.command = { value: launch[0], position: field('command').position };
      fields.args = { value: launch.slice(1), position: field(value.args !== undefined ? 'args' : 'command').position };
    }
    result.entries.push({ name, ...(position ? { position } : {}), keyPath: ['mcp_servers', i], fields });
  }
  return result;
}

/** A server's name as Vibe keeps it (`normalize_mcp_server_name`). */
export function vibeServerName(written: string): string {
  return written
    .replace(/[^a-zA-Z0-9_-]/g, '_')
    .replace(/^[_-]+|[_-]+$/g, '')
    .slice(0, 256);
}

/** The program and its arguments (`command` split or listed, then `args`), or why there are none. */
function commandWords(command: unknown, args: unknown): string[] | string {
  const head =
    typeof command === 'string'
      ? splitPosix(command)
      : Array.isArray(command) && command.every((w) => typeof w === 'string')
        ? (command as string[])
        : `"command" must be text or a list of text, found ${kindOf(command)}`;
  if (typeof head === 'string') return head;
  if (head.length === 0 || head[0] === '') return '"command" names no program';
  if (args === undefined) return head;
  if (!Array.isArray(args) || !args.every((a) => typeof a === 'string'))
    return `"args" must be a list of text, found ${kindOf(args)}`;
  return [...head, ...(args as string[])];
}

/**
 * A command line split as Python's `shlex.split` does in POSIX mode (what Vibe runs on Linux and
 * macOS): whitespace separates words, quotes group, a backslash escapes outside single quotes;
 * a quote left open is an error.
 */
export function splitPosix(line: string): string[] | string {
  const words: string[] = [];
  let word: string | undefined;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else word += c;
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === '\\' && i + 1 < line.length && '\\"$`\n'.includes(line[i + 1])) word += line[++i];
      else word += c;
    } else if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (c === "'" || c === '"') {
      quote = c;
      word ??= '';
    } else if (c === '\\' && i + 1 < line.length) {
      word = (word ?? '') + line[++i];
    } else word = (word ?? '') + c;
  }
  if (quote) return `"command" has an unclosed ${quote} quote`;
  if (word !== undefined) words.push(word);
  return words;
}

/**
 * Where each `[[mcp_servers]]` element's keys are written: the key index of the text from its header
 * to the next one, moved to its lines. `key` is where `mcp_servers` itself is first written.
 */
function elementPlaces(text: string): {
  key: Position | undefined;
  element(i: number): (path: string[]) => Position | undefined;
} {
  const lines = text.split(/\r\n|\n|\r/);
  const headers: number[] = [];
  lines.forEach((line, n) => {
    if (/^\s*\[\[\s*(mcp_servers|"mcp_servers"|'mcp_servers')\s*\]\]/.test(line)) headers.push(n);
  });
  const key = indexTomlKeys(text).get(tomlKey(['mcp_servers']));
  return {
    key,
    element(i) {
      const from = headers[i];
      if (from === undefined) return () => undefined;
      const keys = indexTomlKeys(lines.slice(from, headers[i + 1] ?? lines.length).join('\n'));
      return (path) => {
        for (let n = path.length; n > 0; n--) {
          const p = keys.get(tomlKey(path.slice(0, n)));
          if (p) return { line: p.line + from, column: p.column };
        }
        return undefined;
      };
    },
  };
}
