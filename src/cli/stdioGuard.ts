/**
 * The stdio guard (`run`), for the two bundles that run it: the guard's own (`cli-guard.js`, whose
 * entry re-exports this) and the commands' (`cli-commands.js`), which requires it from the guard's
 * bundle instead of carrying a second copy of it (scripts/build.mjs maps this path to that file).
 */
export { runStdioGuard } from '../guard';
