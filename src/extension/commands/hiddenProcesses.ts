import * as vscode from 'vscode';
import { Services } from '../services';
import { hiddenEntry } from '../viewModel/hiddenProcesses';
import { TreeNode } from '../viewModel/treeModel';
import { t } from '../viewModel/l10n';

/** Hide on a Not configured row: that process, and the same launch started again, leave the list until shown again. */
export async function hideProcess(svc: Services, node?: TreeNode): Promise<void> {
  if (node?.kind !== 'unconfigured') return;
  const entry = hiddenEntry(node.instance, new Date());
  if (!entry) return;
  await svc.hidden.hide(entry);
  svc.log.info(`hid the Not configured process pid ${node.instance.pid} (${entry.what}) and its launch`);
  void vscode.window.setStatusBarMessage(
    t("Hidden: {0}. Show Hidden Processes... in the view's ... menu lists it again.", entry.what),
    5000,
  );
}

/** Show Hidden Processes...: every hidden process at once, or one of them, back in the Not configured group. */
export async function showHiddenProcesses(svc: Services): Promise<void> {
  const list = svc.hidden.list();
  if (list.length === 0) {
    void vscode.window.showInformationMessage(t('No process is hidden.'));
    return;
  }
  type Item = vscode.QuickPickItem & { keys?: ReadonlySet<string> };
  const items: Item[] = [
    { label: t('Show All Hidden Processes'), description: `${list.length}` },
    { label: '', kind: vscode.QuickPickItemKind.Separator },
    ...list.map((e) => ({
      label: e.what,
      description: t('hidden {0}', new Date(e.hiddenAt).toLocaleString()),
      keys: new Set([e.key]),
    })),
  ];
  const picked = await vscode.window.showQuickPick(items, { placeHolder: t('Show which hidden process again?') });
  if (!picked) return;
  await svc.hidden.unhide(picked.keys);
  svc.log.info(`showed ${picked.keys ? picked.label : 'every hidden process'} again`);
}
