/**
 * Whether a tool changes data, as `--when-stale refuse-writes` needs to know: what the server
 * declares (`readOnlyHint`, `destructiveHint`), else what its name says. Many servers declare
 * nothing (mempalace 3.10: `mempalace_search`, `mempalace_add_drawer`), and refusing their reads
 * too would make the policy refuse-all. A name says "writes" when any of its words is a verb that
 * changes something, "reads" when none is and one reads; otherwise it is not told, and refused as a
 * write would be, saying so. A write word wins: `get_or_create` writes.
 */
export type ToolWrites = { kind: 'reads' | 'writes'; by: 'annotation' | 'name' } | { kind: 'untold' };

const WRITES =
  /^(add|append|apply|archive|assign|clear|close|commit|create|delete|deploy|destroy|drop|edit|exec|execute|import|insert|install|invalidate|kill|link|merge|move|patch|post|push|put|record|remember|remove|rename|replace|reset|restore|revert|run|save|send|set|store|submit|sync|tag|unlink|update|upload|upsert|write)$/;
const READS =
  /^(check|count|describe|diff|explain|explore|fetch|find|get|graph|grep|inspect|list|lookup|open|peek|query|read|recall|search|show|stat|stats|status|summarize|traverse|view)$/;

/** The lower-case words of a tool name: `mempalace_add_drawer`, `getWings`, `kg.query`. */
function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

export function toolWrites(tool: {
  name: string;
  annotations?: { readOnlyHint?: unknown; destructiveHint?: unknown };
}): ToolWrites {
  const a = tool.annotations;
  if (a?.readOnlyHint === true) return { kind: 'reads', by: 'annotation' };
  if (a?.readOnlyHint === false || a?.destructiveHint === true) return { kind: 'writes', by: 'annotation' };
  const w = words(tool.name);
  if (w.some((x) => WRITES.test(x))) return { kind: 'writes', by: 'name' };
  if (w.some((x) => READS.test(x))) return { kind: 'reads', by: 'name' };
  return { kind: 'untold' };
}
