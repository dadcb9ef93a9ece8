import { pathFor } from '../base/hostEnv';
import type { MachineFs } from '../machine/types';
import { codeWorkspaceFolders } from './codeWorkspace';
import { readConfigFile, ReadOutcome } from './readConfigFile';

export interface WorkspaceSelection {
  /** Workspace folders: the folders named, then the folders of each workspace file. */
  folders: string[];
  /** `.code-workspace` files named. */
  files: string[];
  /** Paths that name neither a folder nor a workspace file. */
  problems: string[];
}

export interface WorkspaceIo {
  /** Where the files are read: a Machine's. */
  fs: MachineFs;
  /** That Machine's platform: its path rules read the paths named. */
  platform: NodeJS.Platform;
  readFile?: (file: string) => Promise<ReadOutcome>;
  isDirectory?: (p: string) => Promise<boolean | undefined>;
}

/**
 * Turns the workspaces a user names (`--workspace DIR` or `--workspace x.code-workspace`, as
 * absolute paths) into workspace folders and workspace files, the way VS Code opens them: a
 * `.code-workspace` file brings its `folders`. A workspace file that cannot be parsed still
 * counts as a file (the scan reports why); it just brings no folders.
 */
export async function selectWorkspaces(paths: string[], io: WorkspaceIo): Promise<WorkspaceSelection> {
  const fs = io.fs;
  const read = io.readFile ?? ((file: string) => readConfigFile(file, fs));
  const isDirectory =
    io.isDirectory ??
    (async (p: string) => {
      const st = await fs.stat(p).catch(() => undefined);
      return st ? st.kind === 'dir' : undefined;
    });
  const out: WorkspaceSelection = { folders: [], files: [], problems: [] };
  const addFolder = (f: string) => {
    if (!out.folders.includes(f)) out.folders.push(f);
  };
  for (const p of paths) {
    if (p.endsWith('.code-workspace') && (await isDirectory(p)) !== true) {
      const outcome = await read(p);
      if (outcome.state === 'missing') {
        out.problems.push(`${p}: no such workspace file`);
        continue;
      }
      if (!out.files.includes(p)) out.files.push(p);
      if (outcome.state === 'read') codeWorkspaceFolders(outcome.text, p).forEach(addFolder);
      continue;
    }
    if ((await isDirectory(p)) === false) out.problems.push(`${p}: not a folder or a .code-workspace file`);
    else if ((await isDirectory(p)) === undefined) out.problems.push(`${p}: no such folder`);
    else addFolder(pathFor(io).resolve(p));
  }
  return out;
}
