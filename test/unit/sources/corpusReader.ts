import * as path from 'node:path';
import { ClientId } from '../../../src/core/base/model';
import { MachineFs } from '../../../src/core/machine/types';
import { scanSources } from '../../../src/core/sources/scan';
import { SOURCES } from '../../../src/core/sources/table';
import { ListDir, SourceFile, SourceSpec } from '../../../src/core/sources/types';
import { host, memFs } from './support';

/**
 * How a corpus file is read: put where one of its client's source rows reads it, in a fake Linux
 * home, and scanned through the whole source table as discovery scans a machine. What the scan
 * lists is then written in the same shape as the checked-in `.expected.json`.
 */

/** The fake home and workspace folder; shown as `<home>` and `<workspace>` in the listings. */
export const HOME = '/corpus-home/dev';
export const WORKSPACE = '/corpus-work/project';

/** The row a corpus file is read by, and where that row reads it. */
export interface Placement {
  spec: SourceSpec;
  file: string;
}

/** One row's claim on a file name: how closely the name matches the file the row reads there. */
interface Claim extends Placement {
  score: number;
  /** How many of the name's words are the row's scope or a folder of the path it reads. */
  named: number;
  inWorkspace: boolean;
  row: number;
}

const FAKE_CONTEXT = { host: host(HOME), workspaceFolders: [WORKSPACE] };

/**
 * The files a row reads in the fake home, its folders listing as `listDir` says. A row that finds
 * its files through other files' content (records a client keeps) finds none here, so no single
 * corpus file can stand in for it.
 */
async function filesOf(spec: SourceSpec, listDir: ListDir): Promise<SourceFile[]> {
  // Beside the listing, a reader of files that finds none, for a row that reads other files to
  // find its own.
  const files = spec.files as (...args: unknown[]) => Promise<SourceFile[]>;
  try {
    return await files(FAKE_CONTEXT, listDir, async () => undefined);
  } catch {
    return [];
  }
}

/** Whether a corpus file can be put where the row reads it: the row reads some file in the fake home. */
export async function placeable(spec: SourceSpec): Promise<boolean> {
  return (await filesOf(spec, async () => ['corpus.json'])).length > 0;
}

/** Source rows of a client, or none when the table does not know the id. */
export function rowsOf(client: string): SourceSpec[] {
  return SOURCES.filter((s) => s.client === (client as ClientId));
}

/**
 * Where a file named `name` of `client` goes: the row whose file name it carries (`x.mcp.json` is
 * read as a `.mcp.json`, `x.claude.json` as `~/.claude.json`, `x.code-workspace` as a workspace
 * file), a row naming the file outright before one that finds it by listing a folder (Continue's
 * blocks); then the row whose scope or folders the name's other words say (`x.user.mcp.json` is VS
 * Code's user file, `x.cline.cline_mcp_settings.json` the Cline CLI's under `~/.cline`); then a
 * workspace row before a user one, then the table's order. The row chosen is part of the expected
 * listing, so a change of reader shows.
 */
export async function placementOf(client: string, name: string): Promise<Placement | undefined> {
  const claims: Claim[] = [];
  const words = name.toLowerCase().split('.').slice(0, -1);
  for (const [row, spec] of SOURCES.entries()) {
    if (spec.client !== client) continue;
    const listed = await filesOf(spec, async () => [name]);
    const fixed = new Set(
      (
        await filesOf(spec, async (dir) => {
          throw Object.assign(new Error(`ENOENT: ${dir}`), { code: 'ENOENT' });
        })
      ).map((f) => f.file),
    );
    for (const f of listed) {
      const base = path.posix.basename(f.file);
      const exact = base === name;
      const suffix = name.endsWith(`.${base}`) || (base.startsWith('.') && name.endsWith(base));
      const score = (exact ? 2 : suffix ? 1 : 0) + (fixed.has(f.file) && (exact || suffix) ? 2 : 0);
      const inWorkspace = f.file.startsWith(`${WORKSPACE}/`);
      const folders = path.posix
        .dirname(path.posix.relative(inWorkspace ? WORKSPACE : HOME, f.file))
        .split('/')
        .map((d) => d.replace(/^\./, '').toLowerCase());
      const named = new Set(words.filter((w) => w === spec.scope || folders.includes(w))).size;
      claims.push({ spec, file: f.file, score, named, inWorkspace, row });
    }
  }
  claims.sort(
    (a, b) => b.score - a.score || b.named - a.named || Number(b.inWorkspace) - Number(a.inWorkspace) || a.row - b.row,
  );
  const best = claims[0];
  if (!best) return undefined;
  return { spec: best.spec, file: best.file };
}

/** A server as the expected listing holds it: what the client runs or connects to, never a value of env or headers. */
export interface ListedServer {
  name: string;
  scope?: string;
  transport: string;
  command?: string;
  args?: string[];
  url?: string;
  env?: string[];
  headers?: string[];
  disabled: boolean;
}

export interface ListedProblem {
  line?: number;
  severity: string;
  message: string;
}

export interface Listing {
  /** The row that read the file: its label and scope, and where the file was put. */
  readAs: { client: string; label: string; scope: string; file: string };
  servers: ListedServer[];
  problems: ListedProblem[];
}

/** A machine holding nothing but the corpus file (read through `readFile`): every look-up finds nothing. */
const NOTHING_ELSE = new Proxy({} as MachineFs, { get: () => () => undefined });

/** Paths of the fake machine, written as placeholders so the listing reads the same anywhere. */
function placeholders(text: string): string {
  return text.split(WORKSPACE).join('<workspace>').split(HOME).join('<home>');
}

/** The scan of the one file at its place, as a listing, with every secret value the scan saw. */
export async function readCorpusFile(
  placement: Placement,
  text: string,
): Promise<{ listing: Listing; secrets: string[] }> {
  const { readFile, listDir } = memFs('linux', { [placement.file]: text });
  const result = await scanSources({
    host: host(HOME),
    workspaceFolders: [WORKSPACE],
    fs: NOTHING_ELSE,
    readFile,
    listDir,
  });
  const servers = result.servers.map((s): ListedServer => {
    const out: Omit<ListedServer, 'disabled'> = { name: s.name, transport: s.transport };
    if (s.source.scope !== placement.spec.scope) out.scope = s.source.scope;
    if (s.command !== undefined) out.command = s.command;
    if (s.transport === 'stdio') out.args = s.args;
    if (s.url !== undefined) out.url = s.url;
    if (s.envKeys.length > 0) out.env = s.envKeys;
    if (s.headerKeys.length > 0) out.headers = s.headerKeys;
    return { ...out, disabled: s.disabled };
  });
  const problems = result.diagnostics.map((d): ListedProblem => ({
    ...(d.line !== undefined ? { line: d.line } : {}),
    severity: d.severity,
    message: d.message,
  }));
  const listing: Listing = {
    readAs: {
      client: placement.spec.client,
      label: placement.spec.label,
      scope: placement.spec.scope,
      file: placement.file,
    },
    servers,
    problems,
  };
  return { listing: JSON.parse(placeholders(JSON.stringify(listing))) as Listing, secrets: [...result.secrets] };
}
