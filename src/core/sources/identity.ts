import { hash, randomBytes } from 'node:crypto';
import type { PathRules } from '../base/hostEnv';
import type { Scope, SourceRef } from '../base/model';
import { foundInFolder } from '../launch/inFolder';
import { parseLaunch } from '../launch/parse';

/**
 * Server identity: what makes two entries the same server. A server is what runs (the launch:
 * transport, program, arguments and folder, as `launchKey` hashes them) plus every env key the entry
 * sets with its value, since env picks a server's data (two memory servers with two
 * `MEMORY_FILE_PATH`s are two data stores). An entry (client, file, scope, name) is one
 * configuration of an identity; entries of one identity are one server configured twice.
 *
 * Env values are secrets as often as not: they are compared as keyed digests whose key is made
 * afresh in every process and never leaves it, so a digest compares two values within one run and
 * says nothing about either (not even across runs).
 */

const RUN_KEY = randomBytes(32).toString('hex');

/**
 * SHA-256 over the run's secret key and the text, truncated to 64 bits. Without the key a digest
 * says nothing of the text; within the run equal texts have equal digests. Not an HMAC: an HMAC
 * guards a tag against length extension, which needs the whole hash state (a truncated digest has
 * not) and matters only for a tag someone else checks. `crypto.hash` is one native call, no object
 * per digest; an entry takes two, and 20,000 entries spent 0.1 s in HMAC objects.
 */
function digest(text: string): string {
  return hash('sha256', `${RUN_KEY}\0${text}`, 'hex').slice(0, 16);
}

/**
 * The value an entry gives one env key, as an identity compares it: resolved, or as written when it
 * cannot be. `ambient`: resolved from this process's environment, which the client's may not share.
 */
export type EnvValue = { resolved: string; ambient?: boolean } | { unresolved: string };

/** Each env key the entry sets, to a digest of its value (see above). */
export function envDigests(env: Readonly<Record<string, EnvValue>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(env).sort()) {
    const v = env[key];
    out[key] = digest('resolved' in v ? `=${v.resolved}` : `?${v.unresolved}`);
  }
  return out;
}

/**
 * The identity key of an entry: its launch key when it sets no env and its launch names its folder
 * or needs none (so the common case reads as before), else the launch key qualified by a digest of
 * the folder it depends on (entryFolder) and of every env key and value it sets.
 */
export function identityKey(
  launchKey: string,
  digests: Readonly<Record<string, string>> | undefined,
  folder?: string,
): string {
  const keys = Object.keys(digests ?? {}).sort();
  const launch = folder === undefined ? launchKey : `${launchKey}+in:${digest(folder)}`;
  if (keys.length === 0) return launch;
  return `${launch}+env:${digest(keys.map((k) => `${k}\0${digests![k]}`).join('\0'))}`;
}

/** Scopes whose entries a client starts only when it is open on their folder. */
export const FOLDER_SCOPES: ReadonlySet<Scope> = new Set(['workspace', 'project', 'local']);

/**
 * The folder a client runs an entry in when the entry names none: a folder's own entry (a workspace
 * file's, a Claude Code project's, whose folder is the project's key) runs there. Undefined for any
 * other: a user entry runs wherever its client was started, an add-on's from a folder of its own.
 */
export function clientFolder(source: SourceRef): string | undefined {
  return FOLDER_SCOPES.has(source.scope) && !source.addOn ? source.workspaceFolder : undefined;
}

/**
 * The folder that decides what an entry's launch runs, where the launch names none (no absolute
 * `cwd`, no `cd /d &&`) and finds something in it (a relative script, `./data`): the entry's own
 * folder (clientFolder), else one nothing says, which no other entry is shown to share, so the
 * entry's id stands for it (`python3 srv.py` in two user configs is two scripts as often as one).
 * Undefined when the launch names its folder or needs none.
 */
export function entryFolder(
  path: PathRules,
  argv: readonly string[],
  cwd: string | undefined,
  source: SourceRef,
  id: string,
): string | undefined {
  if (cwd !== undefined && path.isAbsolute(cwd)) return undefined;
  const launch = parseLaunch(argv);
  if (launch.cwd !== undefined && /^([\\/]|~|\$|[A-Za-z]:[\\/])/.test(launch.cwd)) return undefined;
  if (foundInFolder(path, launch) === undefined) return undefined;
  return clientFolder(source) ?? `\0entry\0${id}`;
}

/** How the env of two entries of one launch differs, by key only (never a value); undefined when it does not. */
export interface EnvDifference {
  /** Keys both set, to different values. */
  differ: string[];
  /** Keys only the first sets. */
  onlyFirst: string[];
  /** Keys only the second sets. */
  onlySecond: string[];
}

export function envDifference(
  a: Readonly<Record<string, string>> | undefined,
  b: Readonly<Record<string, string>> | undefined,
): EnvDifference | undefined {
  const x = a ?? {};
  const y = b ?? {};
  const d: EnvDifference = {
    differ: Object.keys(x)
      .filter((k) => k in y && x[k] !== y[k])
      .sort(),
    onlyFirst: Object.keys(x)
      .filter((k) => !(k in y))
      .sort(),
    onlySecond: Object.keys(y)
      .filter((k) => !(k in x))
      .sort(),
  };
  return d.differ.length + d.onlyFirst.length + d.onlySecond.length > 0 ? d : undefined;
}
