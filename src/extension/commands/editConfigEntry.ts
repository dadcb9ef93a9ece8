import * as path from 'node:path';
import * as vscode from 'vscode';
import { Services } from '../services';
import { VmServer } from '../../core/report/input';
import { ConfigFileRead, readConfigForEdit, writeConfigFile } from '../../core/configEdit/configWriter';
import { decodeConfig, displayConfig, encodeConfig } from '../../core/configEdit/configText';
import { editEntries, EntryChange, entryFormatFor } from '../../core/configEdit/wrapEdit';
import { t } from '../viewModel/l10n';
import { previewLanguage } from '../viewModel/previewLanguage';
import { proposalTabs } from '../viewModel/proposalTabs';

type Verb = 'Wrap' | 'Share' | 'Unwrap' | 'Upgrade' | 'Roll Back' | 'Add';

/** Each verb's words, written out whole so every sentence is translated as one. */
const WORDS: Record<
  Verb,
  {
    button: () => string;
    title: (file: string, names: string) => string;
    question: (names: string, file: string) => string;
    cannot: (name: string, reason: string) => string;
    notWritten: (file: string, why: string) => string;
  }
> = {
  Wrap: {
    button: () => t('Wrap'),
    title: (file, names) => t('{0}: Wrap {1}', file, names),
    question: (names, file) => t('Wrap {0} in {1}?', names, file),
    cannot: (name, reason) => t('Cannot wrap {0}: {1}.', name, reason),
    notWritten: (file, why) => t('{0} was not wrapped: {1}. Run Wrap again.', file, why),
  },
  // Share One Instance writes Wrap's edit, with `--on-conflict share`: asked in its own words.
  Share: {
    button: () => t('Share'),
    title: (file, names) => t('{0}: Share {1}', file, names),
    question: (names, file) => t('Share {0} in {1}?', names, file),
    cannot: (name, reason) => t('Cannot share {0}: {1}.', name, reason),
    notWritten: (file, why) => t('{0} was not changed: {1}. Run Share One Instance again.', file, why),
  },
  Unwrap: {
    button: () => t('Unwrap'),
    title: (file, names) => t('{0}: Unwrap {1}', file, names),
    question: (names, file) => t('Unwrap {0} in {1}?', names, file),
    cannot: (name, reason) => t('Cannot unwrap {0}: {1}.', name, reason),
    notWritten: (file, why) => t('{0} was not unwrapped: {1}. Run Unwrap again.', file, why),
  },
  Upgrade: {
    button: () => t('Upgrade'),
    title: (file, names) => t('{0}: Upgrade {1}', file, names),
    question: (names, file) => t('Change the version {0} pins in {1}?', names, file),
    cannot: (name, reason) => t('Cannot upgrade {0}: {1}.', name, reason),
    notWritten: (file, why) => t('{0} was not changed: {1}. Run Upgrade again.', file, why),
  },
  'Roll Back': {
    button: () => t('Roll Back'),
    title: (file, names) => t('{0}: Roll Back {1}', file, names),
    question: (names, file) => t('Change the version {0} pins in {1}?', names, file),
    cannot: (name, reason) => t('Cannot roll back {0}: {1}.', name, reason),
    notWritten: (file, why) => t('{0} was not changed: {1}. Run Roll Back again.', file, why),
  },
  Add: {
    button: () => t('Add'),
    title: (file, names) => t('{0}: Add {1}', file, names),
    question: (names, file) => t('Add {0} to {1}?', names, file),
    cannot: (name, reason) => t('Cannot add {0}: {1}.', name, reason),
    notWritten: (file, why) => t('{0} was not changed: {1}. Run Add to Config again.', file, why),
  },
};

/** Why an entry cannot be edited, in the verb's words. */
export function sayCannot(verb: Verb, name: string, reason: string): void {
  void vscode.window.showWarningMessage(WORDS[verb].cannot(name, reason));
}

/** One file's edit the user has seen as a diff and agreed to; written by `applyEdit`. */
export interface AgreedEdit {
  file: string;
  servers: VmServer[];
  /** The entries' names, for the log (a new entry has no server yet). */
  names: string[];
  verb: Verb;
  /** The file as it was read (its bytes and which file held them): nothing is written over a file that changed since. */
  read: ConfigFileRead;
  /** The bytes to write. */
  bytes: Buffer;
}

/** A question's detail: the same for every file, or each file's own (`file`: the file asked about). */
export type Detail = string | ((file: string) => string);

/** Who logs a written entry: applyEdit, one line each, or the caller (a share is one line naming them all). */
export type EntryLog = 'each' | 'caller';

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
  detail: Detail,
  change: (server: VmServer) => EntryChange,
): Promise<Proposal> {
  const file = servers[0].source.file;
  const read = readConfigForEdit(file);
  if (read instanceof Error) {
    void vscode.window.showWarningMessage(t('Cannot read {0}: {1}', file, read.message));
    return { kind: 'failed' };
  }
  const cannot = (server: VmServer, reason: string) => sayCannot(verb, server.name, reason);
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
  return askAboutEdit(
    svc,
    { file, read, verb, servers: [...servers], names: servers.map((s) => s.name), bytes },
    typeof detail === 'string' ? detail : detail(file),
  );
}

/**
 * Shows a file's whole edit as a diff (the file beside what it would become) and asks; agreed, the
 * edit is returned to be written by `applyEdit`. Nothing is written here.
 */
export async function askAboutEdit(svc: Services, edit: AgreedEdit, detail: string): Promise<Proposal> {
  const { file, verb, bytes } = edit;
  const words = WORDS[verb];
  const button = words.button();
  const names = edit.names.join(', ');
  const base = path.basename(file).replace(/\.[^.]+$/, '');
  // Both sides in the file's own language: no false problem (a JSONC comment read as strict JSON) while the diff is open.
  const language = previewLanguage(file, decodeConfig(edit.read.bytes).text);
  const proposed = svc.evidence.add(t('{0} (proposed)', base), displayConfig(bytes), language);
  const original = await showInLanguage(vscode.Uri.file(file), language);
  await vscode.commands.executeCommand('vscode.diff', original, proposed, words.title(path.basename(file), names), {
    preview: true,
  });
  const question = words.question(names, file);
  const ok = await vscode.window.showInformationMessage(question, { modal: true, detail }, button);
  await closeProposal(proposed);
  return ok === button ? { kind: 'agreed', edit } : { kind: 'cancelled' };
}

/** Closes the diff of a proposal whose question was answered: agreed, the file is written next; refused, nothing is. */
async function closeProposal(proposed: vscode.Uri): Promise<void> {
  const tabs = proposalTabs(
    vscode.window.tabGroups.all.flatMap((g) => g.tabs),
    proposed.toString(),
  );
  try {
    if (tabs.length > 0) await vscode.window.tabGroups.close(tabs, true);
  } catch {
    // A tab the user closed meanwhile: nothing left to close.
  }
}

/**
 * The user's file as the diff's original side, in its own language: VS Code reads any `*.json` as
 * strict JSON, so a file that holds comments is set to JSON with Comments (what it is) before the
 * diff shows it, and strict JSON never flags it meanwhile.
 */
async function showInLanguage(uri: vscode.Uri, language: string): Promise<vscode.Uri> {
  try {
    const doc = await vscode.workspace.openTextDocument(uri);
    if (language === 'jsonc' && doc.languageId === 'json')
      await vscode.languages.setTextDocumentLanguage(doc, language);
  } catch {
    // The diff opens it as VS Code would; the preview itself is in the file's language.
  }
  return uri;
}

/**
 * Writes an agreed edit through the one config writer (src/core/configEdit/configWriter.ts): only
 * if the file did not change since it was read (the user may have edited it meanwhile), never over
 * another program's save, never in a folder another user can change.
 */
export async function applyEdit(svc: Services, edit: AgreedEdit, log: EntryLog = 'each'): Promise<boolean> {
  const { file, verb } = edit;
  const why = await writeConfigFile(edit.read, edit.bytes, { t, platform: process.platform });
  if (why !== undefined) {
    void vscode.window.showWarningMessage(WORDS[verb].notWritten(file, why));
    return false;
  }
  if (log === 'each')
    for (const name of edit.names)
      svc.log.info(
        verb === 'Add' ? `added ${name} to ${file}` : `${verb.toLowerCase()} ${name}: rewrote its entry in ${file}`,
      );
  void svc.refresh.request('manual');
  return true;
}

/**
 * An edit written, with the servers the latest snapshot saw right before the write: VS Code stops
 * each server it runs from a file it re-reads whose entry changed or moved, and nextStepsAfterEdit
 * starts those it ran again.
 */
export interface WrittenEdit {
  before: readonly VmServer[];
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
): Promise<WrittenEdit | undefined> {
  const p = await proposeEdit(svc, [server], verb, detail, () => change);
  if (p.kind !== 'agreed') return undefined;
  const before = svc.store.snapshot?.servers ?? [];
  return (await applyEdit(svc, p.edit)) ? { before } : undefined;
}

/**
 * One plan of edits over several files (Share One Instance, Unshare): each file's diff is shown and
 * asked about in turn, and only when every file is agreed is anything written; one Cancel cancels
 * the plan. Returns the entries rewritten and those left (with why), and the servers seen before
 * the writes, or undefined when cancelled.
 */
export async function editPlan(
  svc: Services,
  servers: readonly VmServer[],
  verb: Verb,
  detail: Detail,
  change: (server: VmServer) => EntryChange,
  log: EntryLog = 'each',
): Promise<({ done: VmServer[]; left: VmServer[] } & WrittenEdit) | undefined> {
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
  const before = svc.store.snapshot?.servers ?? [];
  for (const edit of agreed) {
    if (await applyEdit(svc, edit, log)) done.push(...edit.servers);
    else left.push(...edit.servers);
  }
  return { done, left, before };
}
