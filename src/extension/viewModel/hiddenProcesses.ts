import { createHash } from 'node:crypto';
import { parseLaunch } from '../../core/launch/parse';
import { splitShellWords } from '../../core/launch/shellWords';
import { VmInstance } from '../../core/report/input';
import { describeProgram } from './notConfigured';
import { t } from './l10n';

/**
 * Not configured processes the user hid. A process is hidden by what it runs, not by its pid, so
 * the same server started again stays hidden: the launch parser's reading of its (redacted) command
 * line, the interpreter and what runs with its arguments, digested. Only the digest and a few words
 * of what it is (its package or program) are kept: no argument, path or secret is stored.
 */

/** One hidden process as remembered (extension globalState). */
export interface HiddenProcess {
  /** processIdentity of the process. */
  key: string;
  /** What it is, in a few words (describeProgram), for the list to show it again. */
  what: string;
  /** ISO 8601: when it was hidden. */
  hiddenAt: string;
}

/** The stable identity of what a process runs: the same program, script and arguments give the same key. */
export function processIdentity(i: Pick<VmInstance, 'commandLine'>): string | undefined {
  if (!i.commandLine) return undefined;
  const launch = parseLaunch(splitShellWords(i.commandLine));
  const words = [launch.interpreter ?? '', ...launch.effective];
  if (words.every((w) => w === '')) return undefined;
  return createHash('sha256')
    .update(`mcp-lifeguard hidden process\0${words.join('\0')}`)
    .digest('hex')
    .slice(0, 32);
}

/** The remembered entry for a process about to be hidden. */
export function hiddenEntry(i: Pick<VmInstance, 'commandLine'>, now: Date): HiddenProcess | undefined {
  const key = processIdentity(i);
  return key
    ? { key, what: describeProgram(i.commandLine) ?? t('unknown program'), hiddenAt: now.toISOString() }
    : undefined;
}

/** The processes to list and how many of them are hidden. */
export function splitHidden(
  instances: readonly VmInstance[],
  hidden: ReadonlySet<string>,
): { shown: VmInstance[]; hiddenCount: number } {
  if (hidden.size === 0) return { shown: [...instances], hiddenCount: 0 };
  const shown = instances.filter((i) => {
    const key = processIdentity(i);
    return key === undefined || !hidden.has(key);
  });
  return { shown, hiddenCount: instances.length - shown.length };
}

/** A remembered list read back from storage: entries of another shape (an older version, a hand edit) are dropped. */
export function readHiddenList(stored: unknown): HiddenProcess[] {
  if (!Array.isArray(stored)) return [];
  return stored.filter(
    (e): e is HiddenProcess =>
      !!e &&
      typeof e === 'object' &&
      typeof (e as HiddenProcess).key === 'string' &&
      typeof (e as HiddenProcess).what === 'string' &&
      typeof (e as HiddenProcess).hiddenAt === 'string',
  );
}

/** The list with one more entry (once per key). */
export function withHidden(list: readonly HiddenProcess[], entry: HiddenProcess): HiddenProcess[] {
  return [...list.filter((e) => e.key !== entry.key), entry];
}
