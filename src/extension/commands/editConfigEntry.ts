import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Services } from '../services';
import { VmServer } from '../../core/report/input';
import { EditResult } from '../viewModel/wrapEdit';

/**
 * Rewrites one server's entry in its own config file: shows the diff, asks, and writes only if the
 * file did not change in between. The edit itself is computed by a pure function on the text.
 */
export async function editConfigEntry(svc: Services, server: VmServer, verb: 'Wrap' | 'Unwrap', detail: string, compute: (text: string) => EditResult): Promise<boolean> {
  const file = server.source.file;
  let original: string;
  try {
    original = await fs.promises.readFile(file, 'utf8');
  } catch (err) {
    void vscode.window.showWarningMessage(`Cannot read ${file}: ${(err as Error).message}`);
    return false;
  }
  const r = compute(original);
  if (r.kind === 'error') {
    void vscode.window.showWarningMessage(`Cannot ${verb.toLowerCase()} ${server.name}: ${r.reason}.`);
    return false;
  }
  const base = path.basename(file).replace(/\.[^.]+$/, '');
  const proposed = svc.evidence.add(`${base} (proposed)`, r.text);
  await vscode.commands.executeCommand('vscode.diff', vscode.Uri.file(file), proposed, `${path.basename(file)}: ${verb} ${server.name}`, { preview: true });
  const ok = await vscode.window.showInformationMessage(`${verb} ${server.name} in ${file}?`, { modal: true, detail }, verb);
  if (ok !== verb) return false;
  // The user may have edited the file while the diff was open: never overwrite that.
  const current = await fs.promises.readFile(file, 'utf8').catch(() => undefined);
  if (current !== original) {
    void vscode.window.showWarningMessage(`${file} changed while the diff was open; nothing was written. Run ${verb} again.`);
    return false;
  }
  await fs.promises.writeFile(file, r.text, 'utf8');
  svc.log.info(`${verb.toLowerCase()} ${server.name}: rewrote its entry in ${file}`);
  void svc.refresh.request('manual');
  return true;
}
