import type { StartRisk } from '../base/versionTypes';

/** How every face begins the warning that a restart will probably fail (a guard's refusal says it too). */
export const RESTART_RISK = 'Restart will probably fail: ';

/**
 * Why a restart will probably fail, from the installed files (StartRisk), in the words every face
 * says it: "Restart will probably fail: mcp.server.fastmcp raises at import in mcp 2.3.0 (it says
 * to pin mcp<2)". `show` writes each value from files (quoted for the agent face). Undefined when
 * nothing says so.
 */
export function restartRiskText(
  risks: readonly StartRisk[] | undefined,
  show: (s: string) => string = (s) => s,
): string | undefined {
  if (!risks?.length) return undefined;
  return `${RESTART_RISK}${risks.map((r) => show(r.summary)).join('; ')}`;
}
