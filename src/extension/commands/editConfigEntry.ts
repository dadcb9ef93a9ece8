import * as path from 'node:path';
import * as vscode from 'vscode';
import { Services } from '../services';
import { VmServer } from '../../core/report/input';
import { ConfigFileRead, readConfigForEdit, writeConfigFile } from '../../core/configEdit/configWriter';
import { decodeConfig, displayConfig, encodeConfig } from '../../core/configEdit/configText';
import { editEntries, EntryChange, entryFormatFor } from '../../core/configEdit/wrapEdit';
import { t } from '../viewModel/l10n';

type Verb = 'Wrap' | 'Unwrap';

/** One file's edit the user has seen as a diff and agreed to; written by `applyEdit`. */
export interface AgreedEdit {
  file: string;
  servers: VmServer[];
  verb: Verb;
  /** The file as it was read (its bytes and which file held them): nothing is written over a file that changed since. */
  read: ConfigFileRead;
  /** The bytes to write. */
  bytes: Buffer;
}

/** What came of proposing an edit: agreed, cancelled by the user, or not possible (already said). */
export type Proposal = { kind: 'agreed'; edit: AgreedEdit } | { kind: 'cancelled' } | { kind: 'failed' };

/**
 * Proposes one file's edit of one or more of its entries: reads the file, computes the edit of every
 * entry in one pass (a pure function on its text: src/core/configEdit), shows the whole file's diff
 * and asks. Nothing is written here, so a plan of several files can be cancelled whole.
 */
export async function proposeEdit(
  svc: Services,
  servers: readonly VmServer[],
  verb: Verb,
  detail: string,
  change: (server: VmServer) => EntryChange,
): Promise<Proposal> {
  const file = servers[0].source.file;
  const wrap = verb === 'Wrap';
  const button = wrap ? t('Wrap') : t('Unwrap');
  const read = readConfigForEdit(file);
  if (read instanceof Error) {
    void vscode.window.showWarningMessage(t('Cannot read {0}: {1}', file, read.message));
    return { kind: 'failed' };
  }
  const cannot = (server: VmServer, reason: string) =>
    void vscode.window.showWarningMessage(
      wrap ? t('Cannot wrap {0}: {1}.', server.name, reason) : t('Cannot unwrap {0}: {1}.', server.name, reason),
    );
  const decoded = decodeConfig(read.bytes);
  const r = editEntries(
    decoded.text,
    entryFormatFor(file),
    servers.map((s) => ({ keyPath: s.keyPath, change: change(s) })),
    { encoding: decoded.encoding, t },
  );
  if (r.kind === 'error') {
    cannot(servers[0], r.reason);
    return { kind: 'failed' };
  }
  const refused = r.reasons.findIndex((reason) => reason !== undefined);
  if (refused >= 0 || r.text === undefined) {
    cannot(servers[Math.max(refused, 0)], r.reasons[Math.max(refused, 0)] ?? '');
    return { kind: 'failed' };
  }
  const bytes = encodeConfig({ ...decoded, text: r.text });
  const names = servers.map((s) => s.name).join(', ');
  const base = path.basename(file).replace(/\.[^.]+$/, '');
  const proposed = svc.evidence.add(t('{0} (proposed)', base), displayConfig(bytes));
  await vscode.commands.executeCommand(
    'vscode.diff',
    vscode.Uri.file(file),
    proposed,
    wrap ? t('{0}: Wrap {1}', path.basename(file), names) : t('{0}: Unwrap {1}', path.basename(file), names),
    { preview: true },
  );
  const question = wrap ? t('Wrap {0} in {1}?', names, file) : t('Unwrap {0} in {1}?', names, file);
  const ok = await vscode.window.showInformationMessage(question, { modal: true, detail }, button);
  if (ok !== button) return { kind: 'cancelled' };
  return { kind: 'agreed', edit: { file, servers: [...servers], verb, read, bytes } };
}

/**
 * Writes an agreed edit through the one config writer (src/core/configEdit/configWriter.ts): only
 * if the file did not change since it was read (the user may have edited it meanwhile), never over
 * another program's save, never in a folder another user can change.
 */
export async function applyEdit(svc: Services, edit: AgreedEdit): Promise<boolean> {
  const { file, verb } = edit;
  const why = await writeConfigFile(edit.read, edit.bytes, { t });
  if (why !== undefined) {
    void vscode.window.showWarningMessage(
      verb === 'Wrap'
        ? t('{0} was not wrapped: {1}. Run Wrap again.', file, why)
        : t('{0} was not unwrapped: {1}. Run Unwrap again.', file, why),
    );
    return false;
  }
  for (const s of edit.servers) svc.log.info(`${verb.toLowerCase()} ${s.name}: rewrote its entry in ${file}`);
  void svc.refresh.request('manual');
  return true;
}

/**
 * Rewrites one server's entry in its own config file: shows the diff, asks, and writes only if the
 * file did not change in between. The edit itself is computed by a pure function on the text.
 */
export async function editConfigEntry(
  svc: Services,
  server: VmServer,
  verb: Verb,
  detail: string,
  change: EntryChange,
): Promise<boolean> {
  const p = await proposeEdit(svc, [server], verb, detail, () => change);
  return p.kind === 'agreed' && (await applyEdit(svc, p.edit));
}

/**
 * One plan of edits over several files (Share One Instance, Unshare): each file's diff is shown and
 * asked about in turn, and only when every file is agreed is anything written; one Cancel cancels
 * the plan. Returns the entries rewritten and those left (with why), or undefined when cancelled.
 */
export async function editPlan(
  svc: Services,
  servers: readonly VmServer[],
  verb: Verb,
  detail: string,
  change: (server: VmServer) => EntryChange,
): Promise<{ done: VmServer[]; left: VmServer[] } | undefined> {
  const byFile = new Map<string, VmServer[]>();
  for (const s of servers) {
    const list = byFile.get(s.source.file);
    if (list) list.push(s);
    else byFile.set(s.source.file, [s]);
  }
  const agreed: AgreedEdit[] = [];
  const left: VmServer[] = [];
  for (const list of byFile.values()) {
    const p = await proposeEdit(svc, list, verb, detail, change);
    if (p.kind === 'cancelled') return undefined;
    if (p.kind === 'failed') left.push(...list);
    else agreed.push(p.edit);
  }
  const done: VmServer[] = [];
  for (const edit of agreed) {
    if (await applyEdit(svc, edit)) done.push(...edit.servers);
    else left.push(...edit.servers);
  }
  return { done, left };
}
