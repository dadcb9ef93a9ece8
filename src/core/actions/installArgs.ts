import semverValid from 'semver/functions/valid';
import { terminalSafe } from '../base/terminalSafe';

/**
 * The parts an installer's arguments are built from (Upgrade, Roll back), each checked before it
 * becomes an argument: a package's name by its registry's naming rules, a version as an exact
 * release, a path as an absolute path. A name read from an installed package's own files is the
 * package's word, not ours: `--registry=...` or `./folder` is no package name, and an installer
 * given one would take it as an option or a folder to link and build. Each check answers why not,
 * or undefined for a part that may be used.
 */

/** Every part is one printable line that cannot read as an option. */
function plainWord(what: string, value: string): string | undefined {
  if (value === '') return `the ${what} is empty`;
  if (terminalSafe(value) !== value) return `the ${what} ${terminalSafe(value)} holds control characters`;
  if (value.startsWith('-')) return `the ${what} ${value} starts with '-' and would read as an option`;
  return undefined;
}

/** What `encodeURIComponent` leaves as it is: npm's rule for the characters of a name. */
const URL_SAFE = /^[A-Za-z0-9\-_.!~*'()]+$/;

/**
 * npm's naming rules (validate-npm-package-name, as npm still accepts a name that packages were
 * published under): at most 214 characters, not starting with `.` or `_`, no spaces, only
 * URL-safe characters except the one `/` of a scoped name (`@scope/name`), not a reserved name.
 */
export function npmNameProblem(name: string): string | undefined {
  const plain = plainWord('npm package name', name);
  if (plain) return plain;
  const bad = (why: string) => `${name} is not an npm package name: ${why}`;
  if (name.length > 214) return bad('longer than 214 characters');
  if (name.trim() !== name) return bad('it has spaces around it');
  if (/^[._]/.test(name)) return bad("it starts with '.' or '_'");
  if (['node_modules', 'favicon.ico'].includes(name.toLowerCase())) return bad('the name is reserved');
  const scoped = /^@([^/]+)\/([^/]+)$/.exec(name);
  const parts = scoped ? [scoped[1], scoped[2]] : [name];
  if (scoped && /^[._]/.test(scoped[2])) return bad("its name after the scope starts with '.' or '_'");
  if (!parts.every((p) => URL_SAFE.test(p))) return bad("it has characters other than letters, digits and -_.!~*'()");
  return undefined;
}

/** PEP 508's name (PEP 503 normalises it for the index): letters, digits, `.`, `_`, `-`, starting and ending with a letter or digit. */
export function pythonNameProblem(name: string): string | undefined {
  const plain = plainWord('Python distribution name', name);
  if (plain) return plain;
  return /^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$/i.test(name)
    ? undefined
    : `${name} is not a Python distribution name (PEP 508: letters, digits, '.', '_' and '-', starting and ending with a letter or digit)`;
}

/** PEP 440's version, as the specification's own pattern (appendix B) spells it, whole. */
const PEP440 =
  /^v?(?:(?:[0-9]+!)?[0-9]+(?:\.[0-9]+)*(?:[-_.]?(?:a|b|c|rc|alpha|beta|pre|preview)[-_.]?[0-9]*)?(?:-[0-9]+|[-_.]?(?:post|rev|r)[-_.]?[0-9]*)?(?:[-_.]?dev[-_.]?[0-9]*)?)(?:\+[a-z0-9]+(?:[-_.][a-z0-9]+)*)?$/i;

/** One exact release: semver for npm (`1.2.3`, `2.0.0-rc.1`, never a range or a tag), PEP 440 for Python. */
export function versionProblem(ecosystem: 'npm' | 'python', version: string): string | undefined {
  const plain = plainWord('version', version);
  if (plain) return plain;
  if (ecosystem === 'npm')
    return semverValid(version) === version
      ? undefined
      : `${version} is not one exact npm version (semver, e.g. 1.2.3)`;
  return PEP440.test(version) ? undefined : `${version} is not one exact Python version (PEP 440, e.g. 1.2.3)`;
}

/** A path passed to an installer: absolute, so that it is never a word an installer could read otherwise. */
export function pathProblem(p: string, platform: NodeJS.Platform): string | undefined {
  const plain = plainWord('path', p);
  if (plain) return plain;
  const absolute = platform === 'win32' ? /^[A-Za-z]:[\\/]|^\\\\/.test(p) : p.startsWith('/');
  return absolute ? undefined : `the path ${p} is not absolute`;
}

/** The first problem among the parts, or undefined when every one may be used. */
export function firstProblem(...problems: Array<string | undefined>): string | undefined {
  return problems.find((p) => p !== undefined);
}
