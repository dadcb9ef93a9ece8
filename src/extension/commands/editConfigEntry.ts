import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Services } from '../services';
import { VmServer } from '../../core/report/input';
import { EditResult } from '../../core/configEdit/wrapEdit';
import { t } from '../viewModel/l10n';

/**
 * Rewrites one server's entry in its own config file: shows the diff, asks, and writes only if the
 * file did not change in between. The edit itself is computed by a pure function on the text.
 */
export async function editConfigEntry(
  svc: Services,
  server: VmServer,
  verb: 'Wrap' | 'Unwrap',
  detail: string,
  compute: (text: string) => EditResult,
): Promise<boolean> {
  const file = server.source.file;
  const wrap = verb === 'Wrap';
  const button = wrap ? t('Wrap') : t('Unwrap');
  let original: string;
  try {
    original = await fs.promises.readFile(file, 'utf8');
  } catch (err) {
    void vscode.window.showWarningMessage(t('Cannot read {0}: {1}', file, (err as Error).message));
    return false;
  }
  const r = compute(original);
  if (r.kind === 'error') {
    void vscode.window.showWarningMessage(
      wrap ? t('Cannot wrap {0}: {1}.', server.name, r.reason) : t('Cannot unwrap {0}: {1}.', server.name, r.reason),
    );
    return false;
  }
  const base = path.basename(file).replace(/\.[^.]+$/, '');
  const proposed = svc.evidence.add(t('{0} (proposed)', base), r.text);
  await vscode.commands.executeCommand(
    'vscode.diff',
    vscode.Uri.file(file),
    proposed,
    wrap
      ? t('{0}: Wrap {1}', path.basename(file), server.name)
      : t('{0}: Unwrap {1}', path.basename(file), server.name),
    { preview: true },
  );
  const question = wrap ? t('Wrap {0} in {1}?', server.name, file) : t('Unwrap {0} in {1}?', server.name, file);
  const ok = await vscode.window.showInformationMessage(question, { modal: true, detail }, button);
  if (ok !== button) return false;
  // The user may have edited the file while the diff was open: never overwrite that.
  const current = await fs.promises.readFile(file, 'utf8').catch(() => undefined);
  if (current !== original) {
    void vscode.window.showWarningMessage(
      wrap
        ? t('{0} changed while the diff was open; nothing was written. Run Wrap again.', file)
        : t('{0} changed while the diff was open; nothing was written. Run Unwrap again.', file),
    );
    return false;
  }
  await fs.promises.writeFile(file, r.text, 'utf8');
  svc.log.info(`${verb.toLowerCase()} ${server.name}: rewrote its entry in ${file}`);
  void svc.refresh.request('manual');
  return true;
}
