import type { Diagnostic } from '../../core/base/model';

/**
 * Config problems as VS Code's Problems panel takes them: per file, 0-based positions. The glue
 * hands these to one DiagnosticCollection (files outside the workspace too), so a broken
 * `~/.cursor/mcp.json` shows where every other problem does.
 */

export interface ProblemEntry {
  /** 0-based, as vscode.Position. */
  line: number;
  character: number;
  severity: Diagnostic['severity'];
  message: string;
}

export function problemsByFile(diagnostics: readonly Diagnostic[]): Map<string, ProblemEntry[]> {
  const out = new Map<string, ProblemEntry[]>();
  for (const d of diagnostics) {
    const list = out.get(d.file) ?? [];
    list.push({ line: Math.max(0, (d.line ?? 1) - 1), character: Math.max(0, (d.column ?? 1) - 1), severity: d.severity, message: d.message });
    out.set(d.file, list);
  }
  return out;
}

/** A path as a row shows it: whole (a base name is ambiguous between `.vscode/` and `~/.cursor/`), the home folder as `~`. */
export function shownPath(file: string, home: string | undefined): string {
  if (home && (file === home || file.startsWith(`${home}/`) || file.startsWith(`${home}\\`))) return `~${file.slice(home.length)}`;
  return file;
}
