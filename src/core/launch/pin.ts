import { normalizeName } from '../base/pythonName';
import type { Ecosystem } from '../base/versionTypes';
import type { PackageRunner } from './types';

/**
 * A version an entry's command line pins for a runner to fetch (`npx -y pkg@1.2.3`, `uvx
 * pkg==1.2.3`, `uvx --from pkg@1.2.3 cmd`, deno's `npm:pkg@1.2.3`): found in the args as written.
 */

/** The arg that names `pkg` with a version (npm `pkg@spec`; Python `pkg==spec` or `pkg@spec`): its index and spec. */
export function pinIn(
  args: readonly string[],
  pkg: string,
  ecosystem: Ecosystem,
): { index: number; spec: string } | undefined {
  for (let index = 0; index < args.length; index++) {
    const a = args[index];
    if (ecosystem === 'npm') {
      // `@scope/name@spec`: the version's `@` is the last one after the name. deno writes `npm:` before
      // it; one that names a file inside the package (`npm:pkg@1/bin/x.js`) is no pin at the end of its word.
      const word = a.startsWith('npm:') ? a.slice(4) : a;
      const spec = word.startsWith(`${pkg}@`) ? word.slice(pkg.length + 1) : '';
      if (spec !== '' && !(a.startsWith('npm:') && spec.includes('/'))) return { index, spec };
      continue;
    }
    const m = /^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?\s*(==|@)\s*(.+)$/.exec(a);
    if (m && normalizeName(m[1]) === normalizeName(pkg)) return { index, spec: m[3] };
  }
  return undefined;
}

/** The runners whose entries' pins an Upgrade or a Roll back changes, as their commands are said. */
export const PIN_RUNNERS: Partial<Record<PackageRunner, string>> = {
  npx: 'npx',
  uvx: 'uvx',
  'pipx-run': 'pipx run',
  deno: 'deno',
};
