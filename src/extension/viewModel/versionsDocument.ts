import { createHash } from 'node:crypto';
import type { DoctorAnswer } from '../../core/report/versionDoctor';
import type { CopyPlace } from '../../core/versions/copies';
import type { ReleaseSaid } from '../../core/versions/registry';
import { mdCell } from './format';
import { t } from './l10n';

/**
 * Show Versions' document: `mcp-lifeguard doctor`'s answer (core/report/versionDoctor.ts) as
 * Markdown, read-only. Headings and labels are translated; the engine's sentences (each reason, each
 * finding, where a copy was found) stay English, as in Show Evidence and the CLI.
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

export function versionsDocument(a: DoctorAnswer): string {
  const lines = [`# ${mdCell(t('Versions of {0}', a.server))}`, ''];
  if (!a.package) {
    lines.push(mdCell(t('No package to trace: {0}.', a.noPackage ?? t('what it runs was not resolved'))), '');
    return `${lines.join('\n')}\n`;
  }
  lines.push(`\`${a.package.name.replace(/`/g, '')}\` (${a.package.ecosystem === 'npm' ? 'npm' : 'PyPI'})`, '');
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
          i.installed ? t('{0} (installed: {1})', i.runs, i.installed) : i.runs,
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
        e.resolves ?? '?',
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
  return `${lines.join('\n')}\n`;
}
