import type { ServerConfig } from '../base/model';
import { envContradicts, EnvReading, exactReading } from './environ';
import { joinedValueIs } from './joinedEnviron';
import { ProcessInfo } from '../pids/table';
import type { MatchOptions } from './matchOptions';
import type { ConfigLaunch } from './configLaunches';

/**
 * Of several entries that fit a process, those of the server identity its environment proves: the
 * process carries what its entry set, so an entry whose `MEMORY_FILE_PATH` it lacks or has otherwise
 * did not start it, and of the identities it does not contradict, the one whose env it carries on
 * most keys is its own (`memory-cc` with `MEMORY_FILE_PATH` over `memory-proj` with no env). A key
 * counts as proof only where the process's parent (the client, or its launcher) does not carry the
 * same value itself: then any entry's process would. Identities that stay equal are all kept, and the
 * process is undecided between them (ambiguousOwner); so are all where the environment (the
 * process's or its parent's) leaves a declared value unknown (macOS's joined text). Only ever
 * narrows a choice; with one identity, an unreadable environment, or every identity contradicted (a
 * launcher that rewrites env), the claim stays as it was.
 */
export function byEnvironment<T extends { c: ConfigLaunch }>(
  entries: T[],
  root: ProcessInfo,
  env: MatchOptions['env'],
): T[] {
  // No entry sets a variable: the environment has nothing to tell (and is not read).
  if (!env || !entries.some((x) => setsEnv(env, x.c.config))) return entries;
  const actual = readingOf(env, root.pid);
  if (!actual) return entries;
  // An entry whose env the process lacks or has with another value did not start it: the same
  // script run with other data (another home's, another tool's) is another server, even when no
  // other entry of the command is configured.
  const fitting = entries.filter((x) => !envContradicts(env.declared(x.c.config) ?? {}, actual));
  if (new Set(fitting.map((x) => x.c.config.identityKey)).size < 2) return fitting;
  const inherited = readingOf(env, root.ppid);
  const proof = new Map<string, number>();
  for (const x of fitting) {
    const id = x.c.config.identityKey;
    if (proof.has(id)) continue;
    const declared = Object.entries(env.declared(x.c.config) ?? {});
    const answers = declared.map(([k, v]) => [actual(k, v), inherited?.(k, v)]);
    if (answers.flat().includes('unknown')) return fitting;
    proof.set(id, answers.filter(([, parent]) => parent !== 'same').length);
  }
  const best = Math.max(...proof.values());
  return fitting.filter((x) => proof.get(x.c.config.identityKey) === best);
}

/** Whether an entry sets any variable: only then can a process's environment say whether it started the process. */
export function setsEnv(env: MatchOptions['env'], config: ServerConfig): boolean {
  return Object.keys(env?.declared(config) ?? {}).length > 0;
}

/** A process's starting environment as matching reads it: exact where the OS gives it, else as `ps -E` joined it, else unknown. */
function readingOf(env: NonNullable<MatchOptions['env']>, pid: number): EnvReading | undefined {
  const exact = env.ofProcess(pid);
  if (exact) return exactReading(exact);
  const joined = env.joined?.(pid);
  return joined === undefined ? undefined : (key, value) => joinedValueIs(joined, key, value);
}
