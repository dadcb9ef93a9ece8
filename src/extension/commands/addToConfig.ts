import * as fs from 'node:fs';
import * as os from 'node:os';
import * as vscode from 'vscode';
import { computeAddEntry, withGuardResource } from '../../core/configEdit/addEntry';
import { readConfigForEdit } from '../../core/configEdit/configWriter';
import { decodeConfig, encodeConfig } from '../../core/configEdit/configText';
import { Services } from '../services';
import { addTargets, launchEntry, suggestedName } from '../viewModel/addToConfig';
import { shownPath } from '../../core/base/hostEnv';
import { TreeNode } from '../viewModel/treeModel';
import { t } from '../viewModel/l10n';
import { applyEdit, askAboutEdit, sayCannot } from './editConfigEntry';
import { startFileSiblings } from '../actions/startFileSiblings';

/**
 * Add to Config... on a Not configured row: the process's launch becomes a new entry in a config
 * the user picks, shown as a diff and written only once agreed, through the one config writer.
 * Only for the user's own processes; its environment is never copied.
 */
export async function addToConfig(svc: Services, node?: TreeNode): Promise<void> {
  if (node?.kind !== 'unconfigured') return;
  const i = node.instance;
  const raw = svc.store.raw;
  if (!raw) return;
  // Another user's process is theirs to configure: its uid is in the engine's snapshot.
  const uid = raw.notConfigured.find((p) => p.pid === i.pid && p.startTime === i.startTime)?.uid;
  const own = process.getuid?.();
  if (own !== undefined && uid !== own) {
    void vscode.window.showWarningMessage(
      t(
        'pid {0} is not your process (it runs as another user): only your own processes can be added to your configs.',
        i.pid,
      ),
    );
    return;
  }
  const entry = launchEntry(i);
  if (entry.kind === 'refused') {
    sayCannot('Add', `pid ${i.pid}`, entry.reason);
    return;
  }
  const targets = addTargets(raw);
  if (targets.length === 0) {
    void vscode.window.showInformationMessage(
      t('No JSON client config was found to add it to. Create .vscode/mcp.json first, or add the entry by hand.'),
    );
    return;
  }
  const home = os.homedir();
  const target = (
    await vscode.window.showQuickPick(
      targets.map((target) => ({
        label: target.label,
        description: shownPath(target.file, home),
        detail: target.serversAt.length > 1 ? target.serversAt.join(' › ') : undefined,
        target,
      })),
      { placeHolder: t('Add pid {0} to which config?', i.pid), matchOnDescription: true },
    )
  )?.target;
  if (!target) return;
  const name = await vscode.window.showInputBox({
    title: t('Add to Config'),
    prompt: t("The new server's name in {0}", target.label),
    value: suggestedName(i, target.names),
    validateInput: (v) =>
      v.trim() === ''
        ? t('the server needs a name')
        : target.names.has(v.trim())
          ? t('the file already has a server named {0}', v.trim())
          : undefined,
  });
  if (name === undefined) return;
  const read = readConfigForEdit(target.file);
  if (read instanceof Error) {
    void vscode.window.showWarningMessage(t('Cannot read {0}: {1}', target.file, read.message));
    return;
  }
  const decoded = decodeConfig(read.bytes);
  // A guarded process's launch gets the resource its guard locks on, never its starter's folder.
  const added = withGuardResource(
    { name: name.trim(), command: entry.command, args: entry.args },
    process.platform,
    fs.existsSync,
  );
  const r = computeAddEntry(decoded.text, target.serversAt, added, { encoding: decoded.encoding, t });
  if (r.kind === 'error') {
    sayCannot('Add', name.trim(), r.reason);
    return;
  }
  const detail = [
    t('The entry runs "{0}" as pid {1} was started.', [added.command, ...added.args].join(' '), i.pid),
    t(
      "Its environment is not copied: a running process's environment cannot be read as config, and it may hold secrets. Add the env the server needs to the entry by hand.",
    ),
    ...(entry.relative
      ? [t('Its script is named relative to the folder it was started in; the client may start it elsewhere.')]
      : []),
  ].join('\n\n');
  const p = await askAboutEdit(
    svc,
    {
      file: target.file,
      servers: [],
      names: [name.trim()],
      verb: 'Add',
      read,
      bytes: encodeConfig({ ...decoded, text: r.text }),
    },
    detail,
  );
  if (p.kind !== 'agreed') return;
  const before = svc.store.snapshot?.servers ?? [];
  if (!(await applyEdit(svc, p.edit))) return;
  // The entry goes after every other one, so VS Code, reading the file again, stops none of them
  // (fileSiblings.ts): startFileSiblings has nothing to wait for.
  const siblings = await startFileSiblings(svc, before, { files: [target.file], rewritten: [] });
  void vscode.window.showInformationMessage(
    [
      t(
        '{0} is now configured in {1}; the process that runs now stays as it is. {2} starts it from its next start.',
        name.trim(),
        target.label,
        target.label,
      ),
      ...siblings,
    ].join(' '),
  );
}
