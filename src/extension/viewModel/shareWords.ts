import type { VmServer } from '../../core/report/input';
import { t } from './l10n';

type Entry = Pick<VmServer, 'name' | 'source'>;

/**
 * The entries Share One Instance rewrites, the chosen entry's file first: the first question is
 * about the file the user picked from, the others follow in the plan's order.
 */
export function shareOrder<S extends Entry>(rewrite: readonly S[], chosen: Entry): S[] {
  const first = rewrite.filter((s) => s.source.file === chosen.source.file);
  return [...first, ...rewrite.filter((s) => s.source.file !== chosen.source.file)];
}

/**
 * What one file's question of Share One Instance says, above the command the entries get: the first
 * says why more than the chosen entry is rewritten (every client must go through the one share
 * host) and lists every entry of every file; each says which of its entries it rewrites.
 */
export function shareQuestionDetail(
  rewrite: readonly Entry[],
  name: string,
  file: string,
  commandWords: string,
): string {
  const files = [...new Set(rewrite.map((s) => s.source.file))];
  const index = files.indexOf(file);
  const here = rewrite.filter((s) => s.source.file === file).map((s) => t('{0} in {1}', s.name, s.source.label));
  const all = rewrite.map((s) => t('{0} in {1} ({2})', s.name, s.source.label, s.source.file));
  const lead =
    index <= 0
      ? files.length > 1
        ? t(
            'Sharing needs every client that runs {0} to go through one share host, so every entry of it is rewritten, in {1} files: {2}. Each file is asked about in turn; nothing is written until all are agreed.',
            name,
            files.length,
            all.join('; '),
          )
        : t(
            'Sharing needs every client that runs {0} to go through one share host, so every entry of it is rewritten: {1}.',
            name,
            all.join('; '),
          )
      : t('File {0} of {1} of the share of {2}: {3}.', index + 1, files.length, name, here.join(', '));
  return [lead, commandWords].join('\n\n');
}

/**
 * An entry Share One Instance left as it was, in its result: named as the rest of the product names
 * an entry ("memory in VS Code (workspace)"), then why.
 */
export function shareLeftText(entry: Entry, why: string): string {
  return t('{0} in {1}: {2}', entry.name, entry.source.label, why);
}
