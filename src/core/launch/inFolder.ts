import type { PathRules } from '../base/hostEnv';
import { hasSeparator } from './program';
import type { ParsedLaunch } from './types';

/**
 * What of a launch is found in the folder it runs in, read from its text: the program or the script
 * its interpreter runs, by a relative path (`srv.py`, `./bin/x`); else an argument that is one
 * (`./data`). Undefined when neither is; a runner's package and a container image are found elsewhere.
 */
export function foundInFolder(path: PathRules, launch: ParsedLaunch): { script: string } | { arg: string } | undefined {
  const { effective, target } = launch;
  if (target.kind === 'package' || target.kind === 'image') return undefined;
  const first = effective[0];
  if (
    first !== undefined &&
    !path.isAbsolute(first) &&
    (hasSeparator(first) || (launch.interpreter !== undefined && target.kind !== 'module'))
  )
    return { script: first };
  const arg = effective.slice(1).find((a) => /^\.\.?[\\/]/.test(a));
  return arg !== undefined ? { arg } : undefined;
}
