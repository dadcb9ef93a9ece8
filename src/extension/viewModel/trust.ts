import { isWorkspaceDefined as isWorkspaceSource } from '../../core/actions/workspaceTrust';
import { VmServer } from '../../core/report/input';
import { t } from './l10n';

/**
 * Workspace trust. Restarting or wrapping a server runs the command its config names; when the
 * config comes from an untrusted workspace, that is running the workspace's code, so it is refused.
 * Stopping runs nothing and stays allowed.
 */

/** Whether the entry lives in a file the workspace provides (not the user's own files). */
export function isWorkspaceDefined(server: VmServer, workspaceFolders: readonly string[]): boolean {
  return isWorkspaceSource(server.source, workspaceFolders);
}

export type TrustDecision = { allowed: true } | { allowed: false; reason: string };

/** Whether `action` may run for `server` given the workspace's trust. */
export function mayRun(
  action: 'start' | 'restart' | 'wrap' | 'stop' | 'upgrade' | 'roll back',
  server: VmServer,
  trusted: boolean,
  workspaceFolders: readonly string[],
): TrustDecision {
  if (trusted || action === 'stop' || !isWorkspaceDefined(server, workspaceFolders)) return { allowed: true };
  return {
    allowed: false,
    reason: t(
      '{0} is defined by this workspace ({1}), which is not trusted: MCP Lifeguard will not {2} it. Trust the workspace to allow it.',
      server.name,
      server.source.file,
      action,
    ),
  };
}
