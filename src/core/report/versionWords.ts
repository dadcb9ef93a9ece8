import { english, Translate } from '../base/translate';

/**
 * A version as a face says it. The engine writes `unknown` for a running version it could not learn
 * and `missing` for a package (or runtime) that is no longer installed: data for `status --json`,
 * never words on screen ("changed unknown → missing"). Every face says what is known instead.
 */
export function versionWord(version: string, t: Translate = english): string {
  if (version === 'unknown') return t('version not known');
  if (version === 'missing') return t('not installed');
  return version;
}

/** `2026.7.4 → 2026.8.31`, `version not known → not installed`: running to installed, with the face's arrow. */
export function versionMove(running: string, installed: string, arrow: string, t: Translate = english): string {
  return `${versionWord(running, t)} ${arrow} ${versionWord(installed, t)}`;
}

/** Whether a version is one the engine learned (not its word for unknown or gone). */
export const isKnownVersion = (version: string): boolean => version !== 'unknown' && version !== 'missing';
