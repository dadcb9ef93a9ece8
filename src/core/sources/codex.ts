import { parseToml } from '../base/toml';
import { Position } from '../base/model';
import { kindOf } from './kind';
import { refusedOverSize } from './sizeLimit';
import { indexTomlKeys, tomlKey } from './tomlKeys';
import { AdaptResult, RawServerEntry } from './types';

/**
 * TOML files larger than this are refused unread. The TOML parser is several times slower than
 * the JSON reader: a 10 MiB file of tiny servers took 3 s, over the 2 s one file may add to a
 * scan, where 5 MiB stays under it; Codex's own files are a few kilobytes.
 */
export const MAX_TOML_BYTES = 5 * 1024 * 1024;

/**
 * Codex CLI's `config.toml`: one `[mcp_servers.NAME]` table per server, with `command`, `args`,
 * `env`, `cwd`, `url`, `enabled`, `http_headers`, `bearer_token_env_var`... Codex expands no
 * variables in these values.
 */
export function adaptCodexToml(text: string): AdaptResult {
  const read = readTomlConfig(text);
  if ('failed' in read) return read.failed;
  const data = read.data;
  const result: AdaptResult = { entries: [], diagnostics: [] };
  const keys = indexTomlKeys(text);
  const pos = (path: string[]): Position | undefined => {
    // The nearest written ancestor: a key inside an inline table is placed at its table.
    for (let n = path.length; n > 0; n--) {
      const p = keys.get(tomlKey(path.slice(0, n)));
      if (p) return { ...p };
    }
    return undefined;
  };
  if (data.profile !== undefined) {
    // Codex 0.169.0 stops at such a file ("failed to load configuration"): none of its servers start.
    result.diagnostics.push({
      severity: 'error',
      ...pos(['profile']),
      message:
        'Codex refuses this file: a top-level "profile" is no longer supported (run `codex --profile NAME` with NAME.config.toml instead), so none of its servers start',
    });
    return result;
  }
  const servers = data.mcp_servers;
  if (servers === undefined) return result;
  if (!isTable(servers)) {
    result.diagnostics.push({
      severity: 'error',
      ...pos(['mcp_servers']),
      message: `"mcp_servers" must be a table of servers ([mcp_servers.NAME]), found ${kindOf(servers)}`,
    });
    return result;
  }
  for (const [name, value] of Object.entries(servers)) {
    const position = pos(['mcp_servers', name]);
    if (!isTable(value)) {
      result.diagnostics.push({
        severity: 'error',
        ...position,
        message: `server "${name}" must be a table, found ${kindOf(value)}`,
      });
      continue;
    }
    const fields: RawServerEntry['fields'] = {};
    for (const [k, v] of Object.entries(value)) fields[k] = { value: v, position: pos(['mcp_servers', name, k]) };
    result.entries.push({ name, ...(position ? { position } : {}), keyPath: ['mcp_servers', name], fields });
  }
  return result;
}

/** A TOML config's data, or what to report instead: over the size limit, or not TOML (where, and why). */
export function readTomlConfig(text: string): { data: Record<string, unknown> } | { failed: AdaptResult } {
  const refused = refusedOverSize(text, MAX_TOML_BYTES, 'TOML');
  if (refused) return { failed: refused };
  try {
    return { data: parseToml(text) };
  } catch (err) {
    const e = err as { message?: unknown; line?: unknown; column?: unknown };
    const at = typeof e.line === 'number' && typeof e.column === 'number' ? { line: e.line, column: e.column } : {};
    return {
      failed: {
        entries: [],
        diagnostics: [{ severity: 'error', ...at, message: `invalid TOML: ${tomlReason(e.message)}` }],
      },
    };
  }
}

export function isTable(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

/** smol-toml's message is a reason followed by an excerpt of the file: keep the reason only (the excerpt may hold a secret). */
function tomlReason(message: unknown): string {
  const first = String(message ?? 'parse error').split('\n')[0];
  return first.replace(/^Invalid TOML document:\s*/i, '') || 'parse error';
}
