import { quoted } from '../../core/base/modelText';
import { terminalSafe } from '../../core/base/terminalSafe';

/**
 * What changed in a server's tools across a restart: the guard saw the old process's `tools/list`
 * and asks (or sees) the new one's. A model that planned with the old list is told, in the notice
 * block of the tool result it reads next (staleNotice.ts), which tools were added, removed or changed.
 */

export interface ToolsDiff {
  added: string[];
  removed: string[];
  /** Name and what changed in it (`input schema`, `description`...). */
  changed: Array<{ name: string; what: string[] }>;
}

/** The fields of a tool whose change matters to a caller. */
const FIELDS: Array<[key: string, words: string]> = [
  ['inputSchema', 'input schema'],
  ['outputSchema', 'output schema'],
  ['description', 'description'],
  ['annotations', 'annotations'],
  ['title', 'title'],
];

/** The same value written with its object keys sorted: a server may list members in another order after a restart. */
function canonical(value: unknown): string {
  return (
    JSON.stringify(value, (_key, v: unknown) =>
      v && typeof v === 'object' && !Array.isArray(v)
        ? Object.fromEntries(
            Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
          )
        : v,
    ) ?? 'undefined'
  );
}

function byName(tools: readonly unknown[]): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>();
  for (const tool of tools) {
    if (tool && typeof tool === 'object' && typeof (tool as { name?: unknown }).name === 'string')
      out.set((tool as { name: string }).name, tool as Record<string, unknown>);
  }
  return out;
}

/** The difference between two `tools/list` answers' `tools`, or undefined when they list the same tools the same way. */
export function diffTools(before: readonly unknown[], after: readonly unknown[]): ToolsDiff | undefined {
  const old = byName(before);
  const now = byName(after);
  const added = [...now.keys()].filter((name) => !old.has(name)).sort();
  const removed = [...old.keys()].filter((name) => !now.has(name)).sort();
  const changed: ToolsDiff['changed'] = [];
  for (const [name, tool] of now) {
    const was = old.get(name);
    if (!was) continue;
    const what = FIELDS.filter(([key]) => canonical(was[key]) !== canonical(tool[key])).map(([, words]) => words);
    if (what.length) changed.push({ name, what });
  }
  changed.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return added.length || removed.length || changed.length ? { added, removed, changed } : undefined;
}

const SHOWN = 10;

function names(list: string[]): string {
  return (
    list
      .slice(0, SHOWN)
      .map((n) => quoted(n))
      .join(', ') + (list.length > SHOWN ? `, and ${list.length - SHOWN} more` : '')
  );
}

/** The notice for the model; control and bidi characters in tool names are escaped. */
export function toolsChangedText(diff: ToolsDiff, serverName: string): string {
  const parts: string[] = [];
  if (diff.added.length) parts.push(`added: ${names(diff.added)}`);
  if (diff.removed.length) parts.push(`removed: ${names(diff.removed)}`);
  if (diff.changed.length) {
    const shown = diff.changed.slice(0, SHOWN).map((c) => `${quoted(c.name)} (${c.what.join(', ')})`);
    parts.push(
      `changed: ${shown.join(', ')}${diff.changed.length > SHOWN ? `, and ${diff.changed.length - SHOWN} more` : ''}`,
    );
  }
  return terminalSafe(
    `[MCP Lifeguard] This server (${quoted(serverName)}) was restarted and its tools changed; ${parts.join('; ')}. Tools you listed before the restart may be out of date: list them again before calling one that changed.`,
  );
}
