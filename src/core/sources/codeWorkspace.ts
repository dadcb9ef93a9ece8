import { posix, win32 } from 'node:path';
import type { PathRules } from '../base/hostEnv';
import { getNodeValue } from 'jsonc-parser';
import { fileResult, JsoncDocument, misshapen, parseJsoncDocument, propertyValue, readServerMap } from './jsonc';
import { AdaptResult, FileDiagnostic } from './types';

/**
 * A `.code-workspace` file: VS Code's multi-root workspace. Its servers are under `settings.mcp`;
 * its `folders` are the workspace folders (paths relative to the file, or `file://` URIs).
 * `${workspaceFolder}` in its servers means the one folder of a single-folder workspace; in a
 * multi-root workspace VS Code cannot tell which folder is meant, so it is left unresolved.
 */
export function adaptCodeWorkspace(text: string, file: string): AdaptResult {
  const doc = parseJsoncDocument(text);
  const { folders, diagnostics } = readWorkspaceFolders(doc, file);
  const map = readServerMap(
    doc,
    ['settings', 'mcp', 'servers'],
    folders.length === 1 ? { workspaceFolder: folders[0] } : {},
  );
  return fileResult(doc, map, map.entries, [...doc.diagnostics, ...diagnostics, ...map.diagnostics]);
}

/** The absolute folders a `.code-workspace` file names, in order; entries that are not local folders are skipped. */
export function codeWorkspaceFolders(text: string, file: string): string[] {
  return readWorkspaceFolders(parseJsoncDocument(text), file).folders;
}

function readWorkspaceFolders(doc: JsoncDocument, file: string): { folders: string[]; diagnostics: FileDiagnostic[] } {
  const out = { folders: [] as string[], diagnostics: [] as FileDiagnostic[] };
  const node = doc.root ? propertyValue(doc.root, 'folders') : undefined;
  if (!node) return out;
  if (node.type !== 'array') {
    out.diagnostics.push(misshapen(doc.lines, node, '"folders" must be an array of { "path": ... } entries'));
    return out;
  }
  const p = pathStyleOf(file);
  const known = new Set<string>();
  for (const item of node.children ?? []) {
    const value = getNodeValue(item) as unknown;
    const entry =
      typeof value === 'object' && value !== null && !Array.isArray(value)
        ? (value as Record<string, unknown>)
        : undefined;
    let folder: string | undefined;
    if (typeof entry?.path === 'string') folder = p.resolve(p.dirname(file), entry.path);
    else if (typeof entry?.uri === 'string') folder = fileUriToPath(entry.uri, p);
    else {
      out.diagnostics.push({
        severity: 'warning',
        ...doc.lines.position(item.offset),
        message: 'a workspace folder needs a "path" (or a "uri"); skipped',
      });
      continue;
    }
    // Remote folders (vscode-remote://...) are not on this machine.
    if (folder !== undefined && !known.has(folder)) {
      known.add(folder);
      out.folders.push(folder);
    }
  }
  return out;
}

/** Windows paths (`C:\...`, `\\server\share`) resolve with Windows rules, even when tests run on Linux. */
function pathStyleOf(file: string): PathRules {
  return /^[A-Za-z]:[\\/]|^\\\\/.test(file) ? win32 : posix;
}

function fileUriToPath(uri: string, p: PathRules): string | undefined {
  const m = /^file:\/\/([^/]*)(\/.*)$/i.exec(uri);
  if (!m) return undefined;
  let decoded: string;
  try {
    decoded = decodeURIComponent(m[2]);
  } catch {
    return undefined;
  }
  if (p === win32) return p.normalize(/^\/[A-Za-z]:/.test(decoded) ? decoded.slice(1) : `\\\\${m[1]}${decoded}`);
  return p.normalize(decoded);
}
