import { HostEnv, pathFor } from '../base/hostEnv';
import type { Diagnostic, ServerConfig } from '../base/model';
import { innerArgv } from '../launch/entryRunner';
import { lifeguardRoot, ROOT_ENV_VAR } from '../base/paths';

/**
 * The variables that move a guard's root (base/paths.ts lifeguardRoot): an entry that sets one runs
 * its guard with a root of its own, which is then no sign of a stranger.
 */
const ROOT_MOVERS = [ROOT_ENV_VAR, 'HOME', 'USERPROFILE', 'XDG_STATE_HOME', 'LOCALAPPDATA'];

/**
 * The root a guard process (`mcp-lifeguard run`, a share host) keeps its lock in: the `--home DIR`
 * of its own options (before `--`), else from the environment it started with; or undefined when
 * that cannot be told: no environment read, no home in it (the guard then took the account's home,
 * which need not be ours), a relative folder (resolved against a folder we do not know).
 */
export function guardRootOf(
  environ: ReadonlyMap<string, string> | undefined,
  platform: NodeJS.Platform,
  argv: readonly string[] = [],
): string | undefined {
  const own = argv.indexOf('--') < 0 ? argv : argv.slice(0, argv.indexOf('--'));
  const at = own.indexOf('--home');
  const given = at >= 0 ? own[at + 1] : own.find((a) => a.startsWith('--home='))?.slice('--home='.length);
  if (given !== undefined) return pathFor({ platform }).isAbsolute(given) ? given : undefined;
  if (!environ) return undefined;
  const env = Object.fromEntries(environ);
  const p = pathFor({ platform });
  const override = env[ROOT_ENV_VAR];
  if (override) return p.isAbsolute(override) ? lifeguardRoot({ home: '', platform, env }) : undefined;
  const home = platform === 'win32' ? env.USERPROFILE : env.HOME;
  if (!home || !p.isAbsolute(home)) return undefined;
  const host: HostEnv = { home, platform, env };
  return lifeguardRoot(host);
}

/**
 * Whether a guard above a process is a stranger's for an entry: it keeps its lock under another
 * root than ours (a test's or another tool's home, the same user running the same command line), and
 * the entry sets nothing that would move its root. Such a guard's server is not the entry's
 * instance: its lock, its clients and its restarts are another root's.
 */
export function guardOfAnotherRoot(
  guardRoot: string | undefined,
  ownRoot: string | undefined,
  declared: Readonly<Record<string, string>> | undefined,
  platform: NodeJS.Platform,
): boolean {
  if (guardRoot === undefined || ownRoot === undefined) return false;
  if (declared && ROOT_MOVERS.some((k) => k in declared)) return false;
  const p = pathFor({ platform });
  return p.resolve(guardRoot) !== p.resolve(ownRoot);
}

/**
 * An entry whose own client runs it through a guard that keeps its lock under another root, its
 * command carrying no `--home` (wrapped by hand or by an earlier version, while the reader's root is
 * moved by MCP_LIFEGUARD_HOME, which its client does not pass): the guard stays a stranger's (never
 * claimed), but the entry reads "not running" while it serves, so the mismatch is said, with the fix.
 */
export function otherRootDiagnostic(
  config: ServerConfig,
  guardPid: number,
  guardRoot: string,
  ownRoot: string,
): Diagnostic | undefined {
  const own = [config.command ?? '', ...config.args];
  const wrapper = own.slice(0, own.length - innerArgv(config).length);
  if (wrapper.some((a) => a === '--home' || a.startsWith('--home='))) return undefined;
  return {
    file: config.source.file,
    ...(config.position ? { line: config.position.line, column: config.position.column } : {}),
    severity: 'warning',
    client: config.source.client,
    message: `'${config.name}' runs through a guard (pid ${guardPid}) that keeps its lock under ${guardRoot}, not under ${ownRoot}, which this reads: its command carries no --home, and its client does not pass ${ROOT_ENV_VAR}. Its process is not listed as its own; unwrap it and wrap it again so its command carries --home ${ownRoot}`,
  };
}
