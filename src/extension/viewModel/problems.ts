import type { Diagnostic } from '../../core/base/model';
import { problemsByPosition } from '../../core/report/state';

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
  // One entry per place, as the tree and the badge count them (a `,,` typo is one problem).
  for (const d of problemsByPosition(diagnostics)) {
    const list = out.get(d.file) ?? [];
    list.push({
      line: Math.max(0, (d.line ?? 1) - 1),
      character: Math.max(0, (d.column ?? 1) - 1),
      severity: d.severity,
      message: d.message,
    });
    out.set(d.file, list);
  }
  return out;
}

/**
 * The config problems of one entry: those the Problems panel shows at the entry's own place in its
 * file (its name's line and column), one per place as it counts them. Its row carries them, so a
 * row that reads "not running" because of one says why where the user looks.
 */
export function entryProblems(
  server: { source: { file: string }; position?: { line: number; column: number } },
  diagnostics: readonly Diagnostic[],
): Diagnostic[] {
  const at = server.position;
  if (!at) return [];
  return problemsByPosition(diagnostics).filter(
    (d) => d.file === server.source.file && d.line === at.line && d.column === at.column && d.severity !== 'info',
  );
}
