import { pathFor } from '../base/hostEnv';
import { hasSeparator } from './program';

/**
 * The one PATH lookup: where a bare command would be found, as a client's spawn searches (PATH,
 * then PATHEXT on Windows). It only lists candidates; the caller says which exist, with its own
 * file access (sync, async, a fixture), so this stays free of fs.
 */

type Env = Readonly<Record<string, string | undefined>>;

/** An environment variable, case-insensitively (Windows env is; `Path` is common there). */
export function envVar(env: Env, name: string): string | undefined {
  if (env[name] !== undefined) return env[name];
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(env)) if (k.toLowerCase() === lower && v !== undefined) return v;
  return undefined;
}

/** Every file a bare `command` could be on PATH, in search order. */
export function pathCandidates(command: string, platform: NodeJS.Platform, env: Env): string[] {
  if (hasSeparator(command)) return [];
  const p = pathFor({ platform });
  const win = platform === 'win32';
  const dirs = (envVar(env, 'PATH') ?? '').split(win ? ';' : ':').filter(Boolean);
  const exts = win
    ? [
        '',
        ...(envVar(env, 'PATHEXT') ?? '.COM;.EXE;.BAT;.CMD')
          .split(';')
          .filter(Boolean)
          .map((e) => e.toLowerCase()),
      ]
    : [''];
  return dirs.flatMap((dir) => exts.map((ext) => p.join(dir, command + ext)));
}

export function whichSync(
  command: string,
  platform: NodeJS.Platform,
  env: Env,
  isFile: (file: string) => boolean,
): string | undefined {
  return pathCandidates(command, platform, env).find(isFile);
}

/** The first candidate that is a file; `candidates` are the caller's when it keeps them (an engine does). */
export async function which(
  command: string,
  platform: NodeJS.Platform,
  env: Env,
  isFile: (file: string) => Promise<boolean>,
  candidates: readonly string[] = pathCandidates(command, platform, env),
): Promise<string | undefined> {
  for (const file of candidates) if (await isFile(file)) return file;
  return undefined;
}
