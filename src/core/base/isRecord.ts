/** An object of plain data (not an array, not null), as JSON and YAML readers hand back. */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
