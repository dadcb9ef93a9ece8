/**
 * Every string the extension shows a person goes through `t`: activation hands it `vscode.l10n.t`
 * (which reads `l10n/bundle.l10n.<language>.json`), so the view-model stays plain and testable
 * without VS Code, where it formats the English. A message is its own key: `{0}`, `{1}`... stand for
 * the arguments, so a translation can move them. `scripts/l10n.mjs` lists every message in
 * `l10n/bundle.l10n.json` (with those of src/core/configEdit, whose editors take the extension's `t` as
 * an argument); a unit test keeps it current.
 */
import { english, Translate } from '../../core/configEdit/translate';

export { english, type Translate };

let current: Translate = english;

export function useTranslator(translate: Translate): void {
  current = translate;
}

export function t(message: string, ...args: Array<string | number | boolean>): string {
  return current(message, ...args);
}
