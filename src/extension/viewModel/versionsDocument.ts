import { createHash } from 'node:crypto';
import type { DoctorAnswer } from '../../core/report/versionDoctor';
import { versionsSummary, VersionsNextStep, RunningGroup } from '../../core/report/versionSummary';
import type { CopyPlace } from '../../core/versions/copies';
import type { ReleaseSaid } from '../../core/versions/registry';
import { listWords, mdCell, plural } from './format';
import { t } from './l10n';

/**
 * Show Versions' document: `mcp-lifeguard doctor`'s answer (core/report/versionDoctor.ts) as
 * Markdown, read-only. First what a reader needs at a glance (core/report/versionSummary.ts): the one
 * next step, what runs against what is installed, what moved; the whole answer folded below it.
 * Headings and labels are translated; the engine's sentences (each reason, each finding, where a copy
 * was found) stay English, as in Show Evidence and the CLI.
 */

/** Where a copy was found, in words: each a message of its own, worded when shown (the translation is set at activation). */
const PLACE_LABELS: Record<CopyPlace, () => string> = {
  'npm-global': () => t('npm global'),
  'npm-project': () => t('project'),
  'npx-cache': () => t('npx cache'),
  'bunx-cache': () => t('bunx cache'),
  'deno-cache': () => t('deno npm cache'),
  'uv-tool': () => t('uv tool'),
  'uvx-cache': () => t('uvx cache'),
  pipx: () => t('pipx'),
  'pipx-run-cache': () => t('pipx run cache'),
  venv: () => t('venv'),
};

/**
 * The file Show Versions keeps a server's answer in (one per server, written again each time): its
 * name as it is when it is a safe file name, else made safe and told apart by a digest of the name.
 */
export function versionsFileName(server: string): string {
  const safe = server
    .replace(/[^A-Za-z0-9._-]/g, '_')
    .replace(/^\.+/, '_')
    .slice(0, 80);
  if (safe === server) return `${safe}.versions.md`;
  return `${safe}-${createHash('sha256').update(server).digest('hex').slice(0, 8)}.versions.md`;
}

/** The folder a copy's words name ("npm global prefix /usr/local": `/usr/local`): its place has a column of its own. */
function folderOf(how: string): string {
  return /(?:^|\s)((?:[A-Za-z]:[\\/]|[/~]).*)$/.exec(how)?.[1] ?? how;
}

function sourceLabel(source: ReleaseSaid['source']): string {
  switch (source) {
    case 'npm':
      return 'npm';
    case 'pypi':
      return 'PyPI';
    case 'mcp-registry':
      return t('MCP Registry');
  }
}

function row(cells: readonly string[]): string {
  return `| ${cells.map(mdCell).join(' | ')} |`;
}

function table(head: readonly string[], rows: readonly (readonly string[])[]): string[] {
  return [row(head), `|${head.map(() => ' --- ').join('|')}|`, ...rows.map(row)];
}

/** Text inside an HTML block, where Markdown's escapes are not read. */
function htmlText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function pidWords(pids: readonly number[]): string {
  return plural(pids.length, t('pid {0}', pids[0]), t('{0} instances', pids.length));
}

/** The one next step, first thing on the page. */
function nextStepText(next: VersionsNextStep, running: number): string {
  switch (next.kind) {
    case 'roll-back':
      return t(
        '{0}. Do not restart {1} yet: Roll Back Server... installs again the versions running now.',
        next.risk,
        pidWords(next.pids),
      );
    case 'restart':
      return t('Restart {0} to run what is installed: Restart or Stop Stale Servers... does it.', pidWords(next.pids));
    case 'unpin':
      return t("{0}'s entry {1} pins {2}: Upgrade Server... rewrites the pin.", next.client, next.entry, next.pin);
    case 'upgrade':
      return t('{0} is released ({1} is installed): Upgrade Server... installs it.', next.version, next.installed);
    case 'unknown':
      return t('What {0} runs cannot be told: Show Evidence on the row says why.', pidWords(next.pids));
    case 'none':
      return running ? t('Nothing to do: every instance runs what is installed.') : t('No instance runs.');
  }
}

function clientsCell(g: RunningGroup): string {
  return listWords(g.clients.map((c) => (c.count > 1 ? t('{0} ×{1}', c.name, c.count) : c.name)));
}

function groupState(g: RunningGroup): string {
  if (g.needsRestart) return t('restart');
  if (g.idle) return t('idle');
  return g.runs === '?' ? t('version ?') : t('current');
}

/** What a reader takes in at a glance: the next step, what runs against what is installed, what moved. */
function summaryLines(a: DoctorAnswer): string[] {
  const s = versionsSummary(a);
  const lines = [`**${mdCell(nextStepText(s.next, a.instances.length))}**`, ''];
  if (s.groups.length)
    lines.push(
      ...table(
        // Capitalised: the headline table, apart from the folded tables' lower-case labels.
        [t('Runs'), t('Installed'), t('Run by'), t('State')],
        s.groups.map((g) => [g.runs, g.installed ?? g.runs, clientsCell(g), groupState(g)]),
      ),
      '',
    );
  if (s.moved.length) lines.push(mdCell(t('Moved under them since they started: {0}.', s.moved.join(', '))), '');
  return lines;
}

/**
 * `readAt`: when the answer was read (the page is kept in a file and comes back after a reload, so
 * it says how old it is).
 */
export function versionsDocument(a: DoctorAnswer, readAt?: string): string {
  const lines = [`# ${mdCell(t('Versions of {0}', a.server))}`, ''];
  if (!a.package) {
    if (a.script) {
      // A script: what it runs, then what status says of it (what moved, the prediction, the way back).
      lines.push(mdCell(t('A script no package installs. It runs {0}.', a.script.how)), '');
      if (a.findings.length) lines.push(...a.findings.map((f) => `- ${mdCell(f)}`), '');
    } else lines.push(mdCell(t('No package to trace: {0}.', a.noPackage ?? t('what it runs was not resolved'))), '');
    return `${lines.join('\n')}\n`;
  }
  lines.push(`\`${a.package.name.replace(/`/g, '')}\` (${a.package.ecosystem === 'npm' ? 'npm' : 'PyPI'})`, '');
  lines.push(...summaryLines(a));
  if (readAt !== undefined) lines.push(`_${mdCell(t('As of {0}.', readAt))}_`, '');
  // Folded: the preview shows its summary line until it is opened (GitHub and VS Code render it so).
  lines.push(
    '<details>',
    `<summary>${htmlText(t('Details: why, every copy, each entry, the newest release'))}</summary>`,
    '',
  );
  lines.push(`## ${t('Why')}`, '');
  if (a.findings.length) lines.push(...a.findings.map((f) => `- ${mdCell(f)}`));
  else lines.push(mdCell(t('Nothing holds an upgrade back.')));
  lines.push('', `## ${t('Running')}`, '');
  if (a.instances.length) {
    // Said once: why an instance needs a restart is under Why, what its entry runs under Entries.
    const notes = a.instances.map((i) =>
      i.needsRestart ? t('restart it (see Why)') : i.reason.startsWith('its entry ') ? '' : i.reason,
    );
    const head = [t('pid'), t('client'), t('runs'), t('from')];
    lines.push(
      ...table(
        notes.some((n) => n) ? [...head, t('note')] : head,
        a.instances.map((i, n) => [
          String(i.pid),
          i.client,
          i.installed && !i.idle ? t('{0} (installed: {1})', i.runs, i.installed) : i.runs,
          i.from ?? '',
          ...(notes.some((x) => x) ? [notes[n]] : []),
        ]),
      ),
    );
  } else lines.push(mdCell(t('No instance runs.')));
  lines.push('', `## ${t('Installed')}`, '');
  if (a.copies.length)
    lines.push(
      ...table(
        [t('version'), t('where'), t('folder'), t('used by')],
        a.copies.map((c) => [
          c.version,
          c.shadows !== undefined
            ? t('{0} (shadows the npm global {1})', PLACE_LABELS[c.place](), c.shadows)
            : PLACE_LABELS[c.place](),
          folderOf(c.how),
          c.usedBy.join(', '),
        ]),
      ),
    );
  else lines.push(mdCell(t('No copy found on this disk.')));
  lines.push('', `## ${t('Entries')}`, '');
  lines.push(
    ...table(
      [t('entry'), t('client'), t('file'), t('pins'), t('resolves to'), t('why')],
      a.entries.map((e) => [
        e.named ? e.name : t('{0} (another name for the same package)', e.name),
        e.client,
        e.file,
        e.pin !== undefined ? `${e.runner ?? ''} ${e.pin}`.trim() : '',
        // Not on disk: said `unknown`, its reason in the entry's why.
        e.resolves ?? t('unknown'),
        e.reason,
      ]),
    ),
  );
  lines.push('', `## ${t('Newest release')}`, '');
  if (a.releasesNotAsked) lines.push(`- ${mdCell(t('Not asked: {0}.', a.releasesNotAsked))}`);
  else if (a.releases.length === 0) lines.push(`- ${mdCell(t('No registry answered.'))}`);
  for (const r of a.releases)
    lines.push(
      `- ${mdCell(
        r.latest !== undefined
          ? t('{0}: {1} ({2}, asked {3})', sourceLabel(r.source), r.latest, r.registry, r.checkedAt)
          : t('{0}: no answer ({1}; {2}, asked {3})', sourceLabel(r.source), r.error ?? '?', r.registry, r.checkedAt),
      )}${r.status ? ` ${mdCell(t('({0} there)', r.status))}` : ''}`,
    );
  lines.push('', '</details>');
  return `${lines.join('\n')}\n`;
}
