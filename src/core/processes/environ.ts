import * as fs from 'node:fs';
import { isSecretName } from '../base/redact';

/** Parses the text of /proc/<pid>/environ (NUL-separated `KEY=value`). */
export function parseEnviron(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const entry of text.split('\0')) {
    const eq = entry.indexOf('=');
    if (eq > 0) out.set(entry.slice(0, eq), entry.slice(eq + 1));
  }
  return out;
}

/** Names that look secret to the generic rule but are not (PWD is a directory). */
const NOT_SECRET = new Set(['PWD', 'OLDPWD']);

/**
 * The values a process's command line must not show: its environment values for the config's env
 * keys and for any secret-named key. Linux only (other systems do not expose another process's
 * environment cheaply); elsewhere the pattern-based redaction still applies.
 */
export function secretEnvValues(pid: number, envKeys: readonly string[], platform: NodeJS.Platform = process.platform): Set<string> {
  const out = new Set<string>();
  if (platform !== 'linux') return out;
  let env: Map<string, string>;
  try {
    env = parseEnviron(fs.readFileSync(`/proc/${pid}/environ`, 'utf8'));
  } catch {
    return out; // another user's process, or gone: nothing to add
  }
  const keys = new Set(envKeys);
  for (const [k, v] of env) if (v && (keys.has(k) || (isSecretName(k) && !NOT_SECRET.has(k)))) out.add(v);
  return out;
}
