import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Services } from '../services';
import { VmServer } from '../../core/report/input';
import { EditResult } from '../../core/configEdit/wrapEdit';
import { t } from '../viewModel/l10n';

type Verb = 'Wrap' | 'Unwrap';

/** One file's edit the user has seen as a diff and agreed to; written by `applyEdit`. */
export interface AgreedEdit {
  file: string;
  servers: VmServer[];
  verb: Verb;
  /** The file's text when it was read: nothing is written over a file that changed since. */
  original: string;
  text: string;
}

/** What came of proposing an edit: agreed, cancelled by the user, or not possible (already said). */
export type Proposal = { kind: 'agreed'; edit: AgreedEdit } | { kind: 'cancelled' } | { kind: 'failed' };

/**
 * Proposes one file's edit of one or more of its entries: reads the file, computes the edit of each
 * entry in turn (a pure function on the text), shows the whole file's diff and asks. Nothing is
 * written here, so a plan of several files can be cancelled whole.
 */
export async function proposeEdit(
  svc: Services,
  servers: readonly VmServer[],
  verb: Verb,
  detail: string,
  compute: (text: string, server: VmServer) => EditResult,
): Promise<Proposal> {
  const file = servers[0].source.file;
  const wrap = verb === 'Wrap';
  const button = wrap ? t('Wrap') : t('Unwrap');
  let original: string;
  try {
    original = await fs.promises.readFile(file, 'utf8');
  } catch (err) {
    void vscode.window.showWarningMessage(t('Cannot read {0}: {1}', file, (err as Error).message));
    return { kind: 'failed' };
  }
  let text = original;
  for (const server of servers) {
    const r = compute(text, server);
    if (r.kind === 'error') {
      void vscode.window.showWarningMessage(
        wrap ? t('Cannot wrap {0}: {1}.', server.name, r.reason) : t('Cannot unwrap {0}: {1}.', server.name, r.reason),
      );
      return { kind: 'failed' };
    }
    text = r.text;
  }
  const names = servers.map((s) => s.name).join(', ');
  const base = path.basename(file).replace(/\.[^.]+$/, '');
  const proposed = svc.evidence.add(t('{0} (proposed)', base), text);
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
  return { kind: 'agreed', edit: { file, servers: [...servers], verb, original, text } };
}

/** Writes an agreed edit, only if the file did not change since it was read (the user may have edited it meanwhile). */
export async function applyEdit(svc: Services, edit: AgreedEdit): Promise<boolean> {
  const { file, verb } = edit;
  const current = await fs.promises.readFile(file, 'utf8').catch(() => undefined);
  if (current !== edit.original) {
    void vscode.window.showWarningMessage(
      verb === 'Wrap'
        ? t('{0} changed while the diff was open; nothing was written. Run Wrap again.', file)
        : t('{0} changed while the diff was open; nothing was written. Run Unwrap again.', file),
    );
    return false;
  }
  await fs.promises.writeFile(file, edit.text, 'utf8');
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
  compute: (text: string) => EditResult,
): Promise<boolean> {
  const p = await proposeEdit(svc, [server], verb, detail, (text) => compute(text));
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
  compute: (text: string, server: VmServer) => EditResult,
): Promise<{ done: VmServer[]; left: VmServer[] } | undefined> {
  const byFile = new Map<string, VmServer[]>();
  for (const s of servers) byFile.set(s.source.file, [...(byFile.get(s.source.file) ?? []), s]);
  const agreed: AgreedEdit[] = [];
  const left: VmServer[] = [];
  for (const list of byFile.values()) {
    const p = await proposeEdit(svc, list, verb, detail, compute);
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
