import { pathFor } from '../base/hostEnv';
import type { LifeguardPaths } from '../base/paths';
import type { MachineFs } from '../machine/types';
import { readPrivate, writePrivateAtomic } from '../machine/privateFs';
import { redactArgs } from '../base/redact';
import { isLoopbackBindHost, isLoopbackHostname, splitListenAddress } from '../net/loopback';

/**
 * What Start needs for an HTTP server: an HTTP entry holds only a URL, so the command that serves
 * it is what `mcp-lifeguard ensure --http --listen HOST:PORT -- COMMAND` was last run with for that
 * port, recorded by ensure itself in our private state folder. Only a command line with nothing to
 * mask is recorded (no token in an argument is ever stored), and never an environment value: a
 * Start runs it with the starter's own environment, and says so.
 */

export interface HttpLaunchRecord {
  version: 1;
  /** Where the front listens: an HTTP entry's URL is matched by its port (and a loopback host). */
  host: string;
  port: number;
  /** The `mcp-lifeguard` arguments that start it again: `ensure --http --listen ... -- COMMAND ...`. */
  argv: string[];
  cwd: string;
  recordedAt: string;
}

export type RecordOutcome = { recorded: true; file: string } | { recorded: false; reason: string };

export function launchRecordPath(paths: LifeguardPaths, port: number): string {
  return pathFor(paths).join(paths.state, 'http-launches', `${port}.json`);
}

/** Records ensure's command line for its port, unless masking would change it (it holds a secret). */
export async function recordHttpLaunch(
  paths: LifeguardPaths,
  r: Omit<HttpLaunchRecord, 'version'>,
): Promise<RecordOutcome> {
  const masked = redactArgs(r.argv);
  const hidden = masked.findIndex((a, i) => a !== r.argv[i]);
  if (hidden >= 0)
    return { recorded: false, reason: `argument ${hidden + 1} holds what looks like a secret, which is never stored` };
  if (!isLoopbackBindHost(r.host)) return { recorded: false, reason: `${r.host} is not a loopback address` };
  const file = launchRecordPath(paths, r.port);
  await writePrivateAtomic(file, `${JSON.stringify({ version: 1, ...r }, null, 2)}\n`, { root: paths.root });
  return { recorded: true, file };
}

function isRecord(value: unknown): value is HttpLaunchRecord {
  const v = value as Partial<HttpLaunchRecord> | null;
  return (
    !!v &&
    v.version === 1 &&
    typeof v.host === 'string' &&
    Number.isInteger(v.port) &&
    typeof v.cwd === 'string' &&
    typeof v.recordedAt === 'string' &&
    Array.isArray(v.argv) &&
    v.argv.every((a) => typeof a === 'string') &&
    v.argv[0] === 'ensure'
  );
}

/**
 * The recorded launch serving `url`, if any: a loopback URL whose port a record names. A record
 * that is not one (edited by hand, another version) is ignored; one that masking would change now
 * (the rules grew) is ignored too: nothing that looks like a secret is handed back to run.
 */
export async function readHttpLaunch(
  paths: LifeguardPaths,
  url: string | undefined,
  fs?: MachineFs,
  uid?: number,
): Promise<HttpLaunchRecord | undefined> {
  if (!url) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (!/^https?:$/.test(parsed.protocol) || !isLoopbackHostname(parsed.hostname)) return undefined;
  const port = Number(parsed.port || (parsed.protocol === 'https:' ? 443 : 80));
  let text: string | undefined;
  try {
    text = await readPrivate(launchRecordPath(paths, port), {
      root: paths.root,
      platform: paths.platform,
      ...(fs ? { fs } : {}),
      ...(uid !== undefined ? { uid } : {}),
    });
  } catch {
    return undefined;
  }
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isRecord(value) || value.port !== port) return undefined;
  if (redactArgs(value.argv).some((a, i) => a !== value.argv[i])) return undefined;
  if (!listensOnLoopback(value)) return undefined;
  return value;
}

/**
 * Whether a record would make Start listen where the URL it serves is: on loopback, at its port.
 * The record is a file of the user's that anything running as the user can edit, and Start runs
 * its argv: the host must be a loopback one, and so must the one `--listen` (`--share-listen` for
 * `ensure --share`) of ensure's options
 * (before `--`; the server's own arguments are its business), at the record's host and port,
 * with no `--allow-remote`. An option spelled in a way this does not read is refused.
 */
function listensOnLoopback(record: HttpLaunchRecord): boolean {
  if (!isLoopbackBindHost(record.host)) return false;
  const end = record.argv.indexOf('--');
  const options = end < 0 ? record.argv : record.argv.slice(0, end);
  // `ensure --share` listens with --share-listen (its share host's front), `ensure --http` with --listen.
  const share = options.includes('--share');
  const listens: string[] = [];
  for (const [i, arg] of options.entries()) {
    if (arg === '--allow-remote' || arg.startsWith('--allow-remote=')) return false;
    for (const option of ['--listen', '--share-listen']) {
      if (arg !== option && !arg.startsWith(`${option}=`)) continue;
      if ((option === '--share-listen') !== share) return false;
      listens.push(arg === option ? (options[i + 1] ?? '') : arg.slice(option.length + 1));
    }
  }
  if (listens.length !== 1) return false;
  const listen = splitListenAddress(listens[0]);
  return !!listen && isLoopbackBindHost(listen.host) && listen.host === record.host && listen.port === record.port;
}
