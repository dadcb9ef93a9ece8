import { ClientRules, RawServerEntry, Rejection } from './types';

/**
 * Claude Code's own schema for a server entry, in every file it reads (`~/.claude.json` user and
 * local, `.mcp.json`, managed): an entry it does not take is skipped alone (the rest of its block
 * still runs) with a warning that `claude mcp list` prints. Verified with Claude Code 2.1.328
 * (test/fixtures/client-rules/claude-code: the entries, and what `claude mcp list` said of them).
 * It reads no `disabled` or `enabled` in an entry (such an entry runs), and no `cwd` (a server runs
 * in Claude Code's own working folder, whatever its entry says).
 */
export const CLAUDE_CODE_RULES: ClientRules = {
  rejects: claudeCodeRejects,
  ignores: ['disabled', 'enabled', 'cwd'],
  unread: (entry) =>
    entry.fields.type?.value === 'ws'
      ? 'a WebSocket server: Claude Code connects to it; MCP Lifeguard does not read WebSocket servers, so it is not listed'
      : undefined,
};

/** The types Claude Code takes in a file besides `stdio` (`ws` too, which is not read here). */
const REMOTE_TYPES = new Set(['sse', 'http', 'streamable-http', 'ws']);

function claudeCodeRejects(entry: RawServerEntry): Rejection | undefined {
  const f = entry.fields;
  const type = f.type?.value;
  if (f.type !== undefined && type !== undefined) {
    if (typeof type !== 'string') return skipped('type: expected "stdio"', 'type');
    if (type !== 'stdio' && !REMOTE_TYPES.has(type)) return skipped(`unknown MCP server type "${type}"`, 'type');
  }
  if (type === undefined && f.command === undefined && f.url !== undefined)
    return skipped('it has a "url" but no "type"; add "type": "http" (or "sse" / "ws") to this entry', 'url');
  if (type === undefined || type === 'stdio') {
    const command = f.command?.value;
    if (typeof command !== 'string') return schema('command', `expected string, received ${received(command)}`);
    if (command === '') return schema('command', 'Command cannot be empty');
    if (f.args !== undefined) {
      const args = f.args.value;
      if (!Array.isArray(args)) return schema('args', `expected array, received ${received(args)}`);
      const i = args.findIndex((a) => typeof a !== 'string');
      if (i >= 0) return schema('args', `expected string, received ${received(args[i])}`, `args.${i}`);
    }
    return stringRecord('env', f.env?.value, f.env !== undefined);
  }
  if (typeof f.url?.value !== 'string') return schema('url', `expected string, received ${received(f.url?.value)}`);
  return stringRecord('headers', f.headers?.value, f.headers !== undefined);
}

/** A map of names to text (`env`, `headers`), when the entry has one. */
function stringRecord(key: string, value: unknown, present: boolean): Rejection | undefined {
  if (!present) return undefined;
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    return schema(key, `expected record, received ${received(value)}`);
  for (const [name, v] of Object.entries(value))
    if (typeof v !== 'string') return schema(key, `expected string, received ${received(v)}`, `${key}.${name}`);
  return undefined;
}

function skipped(reason: string, field: string): Rejection {
  return { reason: `Claude Code skips it: ${reason}`, field };
}

/** A field its schema refuses, as Claude Code words it (`args.0: expected string, received number`). */
function schema(field: string, words: string, at = field): Rejection {
  return skipped(`invalid config, ${at}: ${words}`, field);
}

/** A value's kind as Claude Code's schema names it. */
function received(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}
