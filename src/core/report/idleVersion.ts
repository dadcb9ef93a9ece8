import { english, Translate } from '../base/translate';
import type { VmVerdict } from './input';

/**
 * The version a guard that stopped its server for idleness is about, as far as the engine can prove
 * it (no server runs, so none is running): `starts`, the version installed where its entry resolves,
 * which the next request starts; else `ran`, the one its last server started with, as the guard
 * recorded it. Undefined when neither is known: never a guess.
 */
export type IdleVersion = { kind: 'starts'; version: string } | { kind: 'ran'; version: string };

export function idleVersion(
  idle: Extract<VmVerdict, { kind: 'idle' }>,
  installedVersion: string | undefined,
): IdleVersion | undefined {
  if (installedVersion !== undefined) return { kind: 'starts', version: installedVersion };
  if (idle.ran !== undefined) return { kind: 'ran', version: idle.ran.version };
  return undefined;
}

/** An idle guard's version in words, labelled by what it is: `starts 1.2.0 (installed)`, `last ran 1.1.0`. */
export function idleVersionWords(v: IdleVersion, t: Translate = english): string {
  switch (v.kind) {
    case 'starts':
      return t('starts {0} (installed)', v.version);
    case 'ran':
      return t('last ran {0}', v.version);
  }
}
