import * as vscode from 'vscode';
import { SnapshotStore } from './store';
import { problemsByFile } from './viewModel/problems';
import { t } from './viewModel/l10n';

const SEVERITY = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
} as const;

/** Config problems in VS Code's Problems panel, replaced on every snapshot. */
export function createProblemsPanel(store: SnapshotStore): vscode.Disposable {
  const collection = vscode.languages.createDiagnosticCollection('mcpLifeguard');
  const update = () => {
    collection.clear();
    for (const [file, entries] of problemsByFile(store.snapshot?.diagnostics ?? [])) {
      collection.set(
        vscode.Uri.file(file),
        entries.map((e) => {
          const at = new vscode.Position(e.line, e.character);
          const d = new vscode.Diagnostic(new vscode.Range(at, at), e.message, SEVERITY[e.severity]);
          d.source = t('MCP Lifeguard');
          return d;
        }),
      );
    }
  };
  update();
  return vscode.Disposable.from(collection, store.onDidChange(update));
}
