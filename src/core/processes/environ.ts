import type { Machine } from '../machine/types';
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

/**
 * The environment a process started with (Linux: /proc/<pid>/environ), or undefined where it cannot
 * be read: another user's process, a process gone, another system.
 */
export function readEnviron(pid: number, machine: Machine): Map<string, string> | undefined {
  if (machine.host.platform !== 'linux') return undefined;
  try {
    const text = machine.fs.readTextSync(`/proc/${pid}/environ`);
    return text === undefined ? undefined : parseEnviron(text);
  } catch {
    return undefined;
  }
}

/**
 * What a process's starting environment says of one variable's value: the value it has (`same`),
 * not it (`other`: another value, or none), or `unknown` where the environment was read but does
 * not tell (macOS: joinedEnviron.ts).
 */
export type EnvAnswer = 'same' | 'other' | 'unknown';

/** A process's starting environment as the questions matching asks of it. */
export type EnvReading = (key: string, value: string) => EnvAnswer;

/** An exactly read environment (Linux) answers every question. */
export function exactReading(env: ReadonlyMap<string, string>): EnvReading {
  return (key, value) => (env.get(key) === value ? 'same' : 'other');
}

/** Whether a process's environment says it was not started by an entry setting `declared`: a value differs or is missing. */
export function envContradicts(declared: Readonly<Record<string, string>>, actual: EnvReading): boolean {
  return Object.entries(declared).some(([k, v]) => actual(k, v) === 'other');
}

/** Names that look secret to the generic rule but are not (PWD is a directory). */
const NOT_SECRET = new Set(['PWD', 'OLDPWD']);

/**
 * The values a process's command line must not show: its environment values (`env`, as
 * readEnviron gives it) for the config's env keys and for any secret-named key. Linux only (other
 * systems do not expose another process's environment cheaply); elsewhere the pattern-based
 * redaction still applies.
 */
export function secretEnvValues(env: ReadonlyMap<string, string> | undefined, envKeys: readonly string[]): Set<string> {
  const out = new Set<string>();
  // Another user's process, or gone: nothing to add.
  if (!env) return out;
  const keys = new Set(envKeys);
  for (const [k, v] of env) if (v && (keys.has(k) || (isSecretName(k) && !NOT_SECRET.has(k)))) out.add(v);
  return out;
}
