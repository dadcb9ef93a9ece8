import * as vscode from 'vscode';
import { currentWindow } from './services';
import { SnapshotStore } from './store';
import { STATUS_TOOLTIP_COMMANDS, statusBarModel } from './viewModel/statusBar';
import { t } from './viewModel/l10n';

/** The status bar item: created once, updated in place from the view-model on every snapshot. */
export function createStatusBar(
  store: SnapshotStore,
  options: () => { alwaysShow: boolean; memoryBudgetBytes: number },
): vscode.Disposable {
  const item = vscode.window.createStatusBarItem('mcpLifeguard.status', vscode.StatusBarAlignment.Left, 50);
  item.name = t('MCP Lifeguard');
  const update = () => {
    const m = statusBarModel(store.state, { ...options(), window: currentWindow() });
    if (!m.visible) {
      item.hide();
      return;
    }
    item.text = m.text;
    item.backgroundColor = m.warning ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    const tooltip = new vscode.MarkdownString(m.tooltip, true);
    tooltip.isTrusted = { enabledCommands: [...STATUS_TOOLTIP_COMMANDS] };
    item.tooltip = tooltip;
    item.accessibilityInformation = { label: m.accessibility, role: 'button' };
    item.command = m.command;
    item.show();
  };
  update();
  const sub = store.onDidChange(update);
  const config = vscode.workspace.onDidChangeConfiguration((e) => {
    if (
      e.affectsConfiguration('mcpLifeguard.statusBar.alwaysShow') ||
      e.affectsConfiguration('mcpLifeguard.memoryBudget')
    )
      update();
  });
  return vscode.Disposable.from(item, sub, config);
}
