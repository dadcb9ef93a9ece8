import { t } from './l10n';

/**
 * The first words of an Upgrade's or a Roll Back's result: what is installed now, of the entry as
 * the tree names it. A script no package installs is named by what it imports (`mcp 1.30.0`), never
 * by its file: its own code did not move. A roll back says the version is back ("again").
 */
export function installedNowText(
  entry: string,
  what: { name: string; script: boolean },
  installed: string | undefined,
  change: 'upgrade' | 'rollback',
): string {
  const version = installed ?? '?';
  if (what.script)
    return change === 'rollback'
      ? t('{0}: {1} is installed again.', entry, version)
      : t('{0}: {1} is installed.', entry, version);
  return change === 'rollback'
    ? t('{0}: {1} {2} is installed again.', entry, what.name, version)
    : t('{0}: {1} {2} is installed.', entry, what.name, version);
}
