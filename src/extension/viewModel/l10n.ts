/**
 * Every string the extension shows a person goes through `t`: activation hands it `vscode.l10n.t`
 * (which reads `l10n/bundle.l10n.<language>.json`), so the view-model stays plain and testable
 * without VS Code, where it formats the English. A message is its own key: `{0}`, `{1}`... stand for
 * the arguments, so a translation can move them. `scripts/l10n.mjs` lists every message in
 * `l10n/bundle.l10n.json`; a unit test keeps it current.
 */
export type Translate = (message: string, ...args: Array<string | number | boolean>) => string;

/** The English: the message with its arguments in place. */
export const english: Translate = (message, ...args) =>
  message.replace(/\{(\d+)\}/g, (all, i: string) => (args[Number(i)] === undefined ? all : String(args[Number(i)])));

let current: Translate = english;

export function useTranslator(translate: Translate): void {
  current = translate;
}

export function t(message: string, ...args: Array<string | number | boolean>): string {
  return current(message, ...args);
}
