// Each function from its own module: the package's index loads all of semver.
import semverGt from 'semver/functions/gt';
import semverLt from 'semver/functions/lt';
import semverValid from 'semver/functions/valid';

/** Which way a version change goes, as a notification says it. */
export type Direction = 'upgrade' | 'downgrade' | 'change';

/** Up or down, by semver; `change` when either side is not a version. */
export function direction(from: readonly string[], to: string): Direction {
  const t = semverValid(to);
  const olds = from.map((f) => semverValid(f));
  if (!t || olds.some((o) => !o)) return 'change';
  if (olds.every((o) => semverLt(o!, t))) return 'upgrade';
  if (olds.every((o) => semverGt(o!, t))) return 'downgrade';
  return 'change';
}
