import * as vscode from 'vscode';
import { Services } from '../services';
import { SETTINGS_SECTION } from '../settings';
import { clientChoices, sourcesSetting } from '../viewModel/sourcesFilter';
import type { ClientId } from '../../core/base/model';
import { CLIENT_NAMES } from '../../core/sources/clientNames';
import { plural } from '../viewModel/format';
import { t } from '../viewModel/l10n';

/**
 * Filter by Client...: which clients' servers the views show, written to `mcpLifeguard.sources`
 * (the user's setting, so every window agrees). Every client checked, or none, clears the filter.
 */
export async function filterClients(svc: Services): Promise<void> {
  const raw = svc.store.raw;
  if (!raw) return;
  const choices = clientChoices(raw, svc.settings().sources);
  if (choices.length === 0) {
    void vscode.window.showInformationMessage(t('No client has an MCP configuration on this machine.'));
    return;
  }
  const items = choices.map((c) => ({
    label: c.name,
    description: plural(c.servers, t('{0} server', c.servers), t('{0} servers', c.servers)),
    picked: c.picked,
    client: c.client,
  }));
  const picked = await vscode.window.showQuickPick(items, {
    canPickMany: true,
    placeHolder: t('Show the servers of which clients? (all or none: every client)'),
  });
  if (!picked) return;
  const value = sourcesSetting(
    picked.map((p) => p.client),
    choices.map((c): ClientId => c.client),
  );
  await vscode.workspace
    .getConfiguration(SETTINGS_SECTION)
    .update('sources', value.length > 0 ? value : undefined, vscode.ConfigurationTarget.Global);
  svc.log.info(
    value.length > 0
      ? `showing the servers of ${value.map((c) => CLIENT_NAMES[c]).join(', ')} only`
      : 'showing every client',
  );
}
