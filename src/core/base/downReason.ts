/**
 * How a guard says why its server went down: its reason, then the line of the server's last output
 * that names the error, joined by LAST_OUTPUT ("... 3 times in a row. Its last output:
 * ModuleNotFoundError: No module named 'mcp.server.fastmcp'"). The guard writes it; a face that has
 * room for one line says only that line.
 */
export const LAST_OUTPUT = '. Its last output: ';

/** The cause line of a down server's reason, else the reason's first sentence, cut to one line's length. */
export function downCause(reason: string): string {
  const at = reason.indexOf(LAST_OUTPUT);
  const line = at >= 0 ? reason.slice(at + LAST_OUTPUT.length) : reason.split(/(?<=[.;])\s/)[0];
  return line.length > 160 ? `${line.slice(0, 159)}…` : line;
}
