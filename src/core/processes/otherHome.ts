import { pathFor } from '../base/hostEnv';

/** The variable a client's home is in, which every process it starts inherits: USERPROFILE on Windows, HOME elsewhere. */
function homeVariable(platform: NodeJS.Platform): 'HOME' | 'USERPROFILE' {
  return platform === 'win32' ? 'USERPROFILE' : 'HOME';
}

/**
 * Whether a process was started under another home than ours, for an entry: its environment names
 * a home that is neither ours nor the account's own (a client run with a test's, a sandbox's or
 * another profile's HOME reads that home's configs, so what it starts is that home's server, even on
 * the very same command line and env), and the entry sets no home of its own. The account's home
 * stays ours when our HOME is moved (a test, a sandbox): the user's clients run there. Undecidable,
 * so never a stranger: no environment read, no home in it, a relative one, or no home of ours known.
 */
export function processOfAnotherHome(
  environ: ReadonlyMap<string, string> | undefined,
  homes: { own: string | undefined; account: string | undefined },
  declared: Readonly<Record<string, string>> | undefined,
  platform: NodeJS.Platform,
): boolean {
  const key = homeVariable(platform);
  const theirs = environ?.get(key);
  if (!theirs || homes.own === undefined || (declared && key in declared)) return false;
  const p = pathFor({ platform });
  if (!p.isAbsolute(theirs)) return false;
  const same = (home: string | undefined) =>
    home !== undefined && samePath(p.resolve(home), p.resolve(theirs), platform);
  return !same(homes.own) && !same(homes.account);
}

/** Two resolved paths naming one folder: Windows compares without case. */
function samePath(a: string, b: string, platform: NodeJS.Platform): boolean {
  return platform === 'win32' ? a.toLowerCase() === b.toLowerCase() : a === b;
}
