import * as vscode from 'vscode';

export const EVIDENCE_SCHEME = 'mcp-lifeguard-evidence';

/** Read-only documents holding the JSON evidence of a server or instance (a content provider is never editable). */
export class EvidenceProvider implements vscode.TextDocumentContentProvider {
  private readonly docs = new Map<string, string>();
  private seq = 0;

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.docs.get(uri.query) ?? '{}\n';
  }

  /** A new uri for `content`, named `name.<extension>` (`.json` by default) so the editor picks its highlighting. */
  add(name: string, content: string, extension = 'json'): vscode.Uri {
    const key = String(++this.seq);
    this.docs.set(key, content);
    return vscode.Uri.from({
      scheme: EVIDENCE_SCHEME,
      path: `/${name.replace(/[/\\]/g, '_')}.${extension}`,
      query: key,
    });
  }
}
