import * as path from 'node:path';
import { liveMachine, currentHostEnv } from '../core/machine/live';
import { selectWorkspaces, WorkspaceSelection } from '../core/sources/workspaces';
import { CliIo, UsageError } from './io';

/** `--workspace DIR`: a folder or a `.code-workspace` file whose configs count (repeatable). */
export const WORKSPACE_OPTION = {
  type: 'repeatable',
  value: 'DIR',
  description: 'A workspace folder or .code-workspace file whose configs count (default: the current folder)',
} as const;

/**
 * `--trust-workspace` for a command that only looks: the workspaces' own config files are trusted
 * as the user's, so a URL only they name is requested (its serverInfo) and what listens there is
 * taken for its server. Without it, neither (core/snapshot/build.ts `workspaceTrusted`).
 */
export const TRUST_WORKSPACE_OPTION = {
  type: 'boolean',
  description:
    "Trust the workspaces' config files (.vscode/mcp.json, .mcp.json, ...): their URL entries are asked for serverInfo and matched to what listens there",
} as const;

/**
 * The workspaces a command's `--workspace` values name (the current folder when none): each a
 * folder or a `.code-workspace` file, which brings its own folders. A path that names neither is a
 * usage error naming it.
 */
export async function workspacesOf(values: readonly string[] | undefined, io: CliIo): Promise<WorkspaceSelection> {
  const machine = liveMachine(currentHostEnv(io.env));
  const selected = await selectWorkspaces(
    (values?.length ? values : [io.cwd]).map((w) => path.resolve(io.cwd, w)),
    { fs: machine.fs, platform: machine.host.platform },
  );
  if (selected.problems.length > 0) throw new UsageError(`--workspace ${selected.problems.join('; ')}`);
  return selected;
}
