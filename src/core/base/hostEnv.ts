import * as os from 'node:os';

/**
 * Everything that decides where files live: the home directory, the platform and the environment.
 * It is passed in, never read from globals deep inside, so tests point a whole scan at a fixture
 * home (and at Windows or macOS layouts while running on Linux).
 */
export interface HostEnv {
  readonly home: string;
  readonly platform: NodeJS.Platform;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** The host this process runs on. `HOME` (or `USERPROFILE` on Windows) overrides `os.homedir()`. */
export function currentHostEnv(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): HostEnv {
  const home = (platform === 'win32' ? env.USERPROFILE : env.HOME) || os.homedir();
  return { home, platform, env: { ...env } };
}

/** The path module matching the host's platform, so Windows paths are built right on Linux too. */
export function pathFor(host: Pick<HostEnv, 'platform'>): typeof import('node:path').posix {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const path = require('node:path') as typeof import('node:path');
  return host.platform === 'win32' ? path.win32 : path.posix;
}
