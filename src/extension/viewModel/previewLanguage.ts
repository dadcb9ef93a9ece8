import { createScanner, SyntaxKind } from 'jsonc-parser';

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

/** Whether JSON text holds what only JSONC allows: a comment or a trailing comma. */
export function holdsJsoncOnly(text: string): boolean {
  const scanner = createScanner(text, false);
  let last: SyntaxKind | undefined;
  for (let kind = scanner.scan(); kind !== SyntaxKind.EOF; kind = scanner.scan()) {
    if (kind === SyntaxKind.LineCommentTrivia || kind === SyntaxKind.BlockCommentTrivia) return true;
    if (kind === SyntaxKind.Trivia || kind === SyntaxKind.LineBreakTrivia) continue;
    if (
      last === SyntaxKind.CommaToken &&
      (kind === SyntaxKind.CloseBraceToken || kind === SyntaxKind.CloseBracketToken)
    )
      return true;
    last = kind;
  }
  return false;
}

/** The language of `file`'s preview, from its name and (for JSON) what its text holds. */
export function previewLanguage(file: string, text: string): PreviewLanguage {
  const base = file.replace(/\\/g, '/').split('/').pop()?.toLowerCase() ?? '';
  if (/\.toml$/.test(base)) return 'toml';
  if (/\.ya?ml$/.test(base)) return 'yaml';
  if (JSONC_NAMES.has(base) || /\.(jsonc|code-workspace)$/.test(base)) return 'jsonc';
  return holdsJsoncOnly(text) ? 'jsonc' : 'json';
}
