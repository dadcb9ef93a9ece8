/**
 * Messages of the engine that a face shows go through a `Translate` the face hands in: the
 * extension passes its `t` (VS Code's l10n; scripts/l10n.mjs lists the `t('...')` messages of the
 * folders that take it, MESSAGE_DIRS), the CLI and the agent face the English. A message is its own
 * key: `{0}`, `{1}`... stand for the arguments.
 */
export type Translate = (message: string, ...args: Array<string | number | boolean>) => string;

/** The English: the message with its arguments in place. */
export const english: Translate = (message, ...args) =>
  message.replace(/\{(\d+)\}/g, (all, i: string) => (args[Number(i)] === undefined ? all : String(args[Number(i)])));
