import type { DoctorAnswer } from '../../core/report/versionDoctor';
import { placeWords } from '../../core/report/versionDoctor';
import type { ReleaseSaid } from '../../core/versions/registry';

/** `doctor`'s answer for a terminal: the package, what runs, what is installed where, the entries, the newest release, why. */

const SOURCE_WORDS: Record<ReleaseSaid['source'], string> = {
  npm: 'npm',
  pypi: 'PyPI',
  'mcp-registry': 'MCP Registry',
};

export function releaseLine(r: ReleaseSaid): string {
  const said = r.latest ?? `no answer (${r.error ?? 'nothing said'})`;
  const status = r.status ? `, ${r.status} there` : '';
  return `${SOURCE_WORDS[r.source]}: ${said}${status} (${r.registry}, asked ${r.checkedAt})`;
}

export function doctorText(a: DoctorAnswer): string[] {
  const head = a.package
    ? `${a.server}: ${a.package.name} (${a.package.ecosystem})`
    : a.script
      ? `${a.server}: a script no package installs`
      : a.server;
  if (!a.package)
    return [
      head,
      // A script is explained by what it runs, as status judges it; only what runs nothing known has nothing to trace.
      a.script
        ? `  It runs ${a.script.how}.`
        : `  No package to trace: ${a.noPackage ?? 'what it runs was not resolved'}.`,
      ...a.entries.map((e) => `  ${e.name} in ${e.client} (${e.file}): ${e.launch}`),
      // A script is judged by its own files and what it imports: each instance as `status` judges it.
      ...(a.instances.length ? ['', `Running (${a.instances.length}):`] : []),
      ...a.instances.flatMap((i) => [
        `  pid ${i.pid} (${i.client}) runs ${i.runs}${i.installed ? `, installed ${i.installed}` : ''}`,
        ...(i.moved ?? []).map((m) => `    moved since it started: ${m}`),
      ]),
      ...(a.findings.length ? ['Why:', ...a.findings.map((f) => `  - ${f}`)] : []),
    ];
  const width = Math.max(0, ...a.copies.map((c) => c.version.length));
  return [
    head,
    '',
    a.instances.length ? `Running (${a.instances.length}):` : 'Running: no instance.',
    ...a.instances.flatMap((i) => [
      // An idle guard runs nothing: what it starts next, or last ran, as `runs` labels it.
      i.idle
        ? `  pid ${i.pid} (${i.client}) is idle${i.runs === '-' ? '' : `, ${i.runs}`}: ${i.reason}`
        : `  pid ${i.pid} (${i.client}) runs ${i.runs}${i.from ? ` from ${i.from}` : ''}: ${i.reason}`,
      ...(i.moved ?? []).map((m) => `    moved since it started: ${m}`),
    ]),
    a.copies.length ? `Installed (${a.copies.length}):` : 'Installed: no copy found on this disk.',
    ...a.copies.map((c) => {
      const notes = [
        ...(c.usedBy.length ? [`used by ${c.usedBy.join(', ')}`] : []),
        ...(c.shadows !== undefined ? [`shadows the npm global ${c.shadows}`] : []),
      ];
      return `  ${c.version.padEnd(width)}  ${placeWords(c.place)}: ${c.how}${notes.length ? `  (${notes.join('; ')})` : ''}`;
    }),
    `Entries (${a.entries.length}):`,
    ...a.entries.flatMap((e) => [
      `  ${e.name} in ${e.client} (${e.file})${e.named ? '' : ', another name for the same package'}: ${e.launch}`,
      `    ${e.reason}`,
    ]),
    'Newest release:',
    ...(a.releasesNotAsked ? [`  not asked: ${a.releasesNotAsked}`] : []),
    ...(a.releases.length === 0 && !a.releasesNotAsked ? ['  no registry answered'] : []),
    ...a.releases.map((r) => `  ${releaseLine(r)}`),
    ...(a.findings.length ? ['Why:', ...a.findings.map((f) => `  - ${f}`)] : ['Nothing holds an upgrade back.']),
  ];
}
