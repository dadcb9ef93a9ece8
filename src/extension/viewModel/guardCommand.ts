import { VmServer } from './input';

/**
 * Recognising and planning the guard wrapper in a server's entry. A wrapped entry launches
 * `<guard> run -- <original command> <original args>`, where <guard> is the guard installed at a
 * stable per-user path (never inside the versioned extension folder).
 */

const GUARD_NAME = /(^|[/\\])mcp-lifeguard(\.cmd|\.exe|\.js)?$/i;

/** Whether a command + args launch through the guard (directly, or as `node <guard>.js`). */
export function isWrappedCommand(command: string | undefined, args: readonly string[]): boolean {
  if (!command) return false;
  if (GUARD_NAME.test(command)) return args[0] === 'run';
  if (/(^|[/\\])node(\.exe)?$/i.test(command)) return args.length > 1 && GUARD_NAME.test(args[0]) && args[1] === 'run';
  return false;
}

export function isWrapped(s: Pick<VmServer, 'command' | 'args'>): boolean {
  return isWrappedCommand(s.command, s.args);
}

export type WrapSupport = { supported: true } | { supported: false; reason: string };

/** Whether Wrap with Guard can rewrite this entry: a stdio server in a JSON/JSONC file. */
export function wrapSupport(s: Pick<VmServer, 'transport' | 'command' | 'source' | 'keyPath'>): WrapSupport {
  if (s.transport !== 'stdio') return { supported: false, reason: 'only stdio servers can be wrapped; HTTP servers are reached over the network' };
  if (!s.command) return { supported: false, reason: 'the entry has no command' };
  const file = s.source.file.toLowerCase();
  if (/\.(toml)$/.test(file)) return { supported: false, reason: 'wrapping servers in TOML files (Codex) is not supported yet' };
  if (/\.(ya?ml)$/.test(file)) return { supported: false, reason: 'wrapping servers in YAML files (Continue) is not supported yet' };
  if (s.keyPath.length === 0) return { supported: false, reason: 'the entry\'s place in its file is not known' };
  return { supported: true };
}
