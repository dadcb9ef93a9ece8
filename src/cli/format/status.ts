import { Snapshot } from '../../core/model';

/** The human-readable `status`: a table of servers, then diagnostics. */
export function formatStatus(snapshot: Snapshot): string {
  const lines: string[] = [];
  if (snapshot.servers.length === 0) {
    lines.push('No MCP servers are configured for this user and workspace.');
  } else {
    const rows = snapshot.servers.map((s) => [
      s.name,
      s.source.label,
      s.transport,
      s.transport === 'stdio' ? [s.command ?? '', ...s.args].join(' ') : (s.url ?? ''),
    ]);
    lines.push(...table(['SERVER', 'SOURCE', 'TRANSPORT', 'COMMAND / URL'], rows));
  }
  if (snapshot.launchGroups.length > 0) {
    const byId = new Map(snapshot.servers.map((s) => [s.id, s]));
    lines.push('', 'Same launch configured in several places:');
    for (const g of snapshot.launchGroups) {
      lines.push(`  ${g.serverIds.map((id) => byId.get(id)).map((s) => (s ? `${s.name} (${s.source.label})` : '?')).join(', ')}`);
    }
  }
  if (snapshot.diagnostics.length > 0) {
    lines.push('', `Problems (${snapshot.diagnostics.length}):`);
    for (const d of snapshot.diagnostics) {
      const where = d.line !== undefined ? `${d.file}:${d.line}:${d.column ?? 1}` : d.file;
      lines.push(`  ${d.severity}: ${where}: ${d.message}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Left-aligned columns separated by two spaces; the last column is not padded. */
export function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const fmt = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [fmt(header), ...rows.map(fmt)];
}
