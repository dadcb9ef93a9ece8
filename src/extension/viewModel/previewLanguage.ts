import { holdsJsoncOnly } from '../../core/sources/jsonc';

/**
 * The language a config file's diff preview is shown in: the file's own, so the editor colours it
 * right and its checks raise no false problem (strict JSON calls a JSONC comment an error; Codex's
 * TOML is no JSON at all). Each id is also the extension a previewed document is named with, so VS
 * Code picks its language as it does for a file. The ids are VS Code's: `toml` is a language only where an extension adds
 * it, otherwise VS Code shows a `.toml` file as plain text, as it does the file itself.
 */
export type PreviewLanguage = 'json' | 'jsonc' | 'toml' | 'yaml';

/**
 * File names VS Code itself reads as JSON with comments (its configuration-editing extension's
 * `jsonc` filenames: VS Code's and Cursor's `mcp.json`, settings files such as Gemini CLI's and
 * Zed's `settings.json`), and `.jsonc`, `.code-workspace` files.
 */
const JSONC_NAMES: ReadonlySet<string> = new Set([
  'settings.json',
  'launch.json',
  'tasks.json',
  'mcp.json',
  'keybindings.json',
  'extensions.json',
  'argv.json',
  'profiles.json',
  'devcontainer.json',
  '.devcontainer.json',
]);

/** The language of `file`'s preview, from its name and (for JSON) what its text holds. */
export function previewLanguage(file: string, text: string): PreviewLanguage {
  const base = file.replace(/\\/g, '/').split('/').pop()?.toLowerCase() ?? '';
  if (/\.toml$/.test(base)) return 'toml';
  if (/\.ya?ml$/.test(base)) return 'yaml';
  if (JSONC_NAMES.has(base) || /\.(jsonc|code-workspace)$/.test(base)) return 'jsonc';
  return holdsJsoncOnly(text) ? 'jsonc' : 'json';
}
