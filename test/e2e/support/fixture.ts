import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from '../../support/repo';

/**
 * A fixture machine for one session: a HOME holding several clients' MCP configs and a workspace
 * folder with its own `.vscode/mcp.json`, all pointing at real MCP servers from npm.
 */

export interface StdioServer {
  command: string;
  args: string[];
  env?: Record<string, string>;
}

/** The real server-memory from the project's devDependencies, storing its graph in `dataFile`. */
export function memoryServer(dataFile: string, scriptPath = packageScript('@modelcontextprotocol/server-memory')): StdioServer {
  return { command: process.execPath, args: [scriptPath], env: { MEMORY_FILE_PATH: dataFile } };
}

/** The real server-everything from the project's devDependencies (stdio transport). */
export function everythingServer(): StdioServer {
  return { command: process.execPath, args: [packageScript('@modelcontextprotocol/server-everything'), 'stdio'] };
}

/** The main script of an npm package's (single) bin, under `prefix`'s node_modules. */
export function packageScript(pkg: string, prefix = repoRoot): string {
  const dir = path.join(prefix, 'node_modules', pkg);
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { bin: string | Record<string, string> };
  const bin = typeof manifest.bin === 'string' ? manifest.bin : Object.values(manifest.bin)[0];
  return path.join(dir, bin);
}

export interface FixtureSpec {
  /** Servers of the workspace's `.vscode/mcp.json`, or its raw text (for a malformed file). */
  workspace?: Record<string, StdioServer> | string;
  /** `$HOME/.config/Claude/claude_desktop_config.json` */
  claudeDesktop?: Record<string, StdioServer>;
  /** `$HOME/.cursor/mcp.json` */
  cursor?: Record<string, StdioServer>;
}

export interface Fixture {
  home: string;
  workspace: string;
  /** Where servers keep their data (inside the session folder). */
  data: string;
  files: { workspace: string; claudeDesktop: string; cursor: string };
}

function writeJson(file: string, value: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(value, null, 2) + '\n');
}

function vscodeEntry(s: StdioServer) {
  return { type: 'stdio', command: s.command, args: s.args, ...(s.env ? { env: s.env } : {}) };
}

function mcpServersEntry(s: StdioServer) {
  return { command: s.command, args: s.args, ...(s.env ? { env: s.env } : {}) };
}

function mapValues<T, U>(o: Record<string, T>, f: (v: T) => U): Record<string, U> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, f(v)]));
}

export function writeFixture(root: string, spec: FixtureSpec): Fixture {
  const home = path.join(root, 'home');
  const workspace = path.join(home, 'projects', 'demo');
  const data = path.join(root, 'data');
  fs.mkdirSync(workspace, { recursive: true });
  fs.mkdirSync(data, { recursive: true });
  fs.writeFileSync(path.join(workspace, 'README.md'), '# demo\n');
  const files = {
    workspace: path.join(workspace, '.vscode', 'mcp.json'),
    claudeDesktop: path.join(home, '.config', 'Claude', 'claude_desktop_config.json'),
    cursor: path.join(home, '.cursor', 'mcp.json'),
  };
  if (typeof spec.workspace === 'string') {
    fs.mkdirSync(path.dirname(files.workspace), { recursive: true });
    fs.writeFileSync(files.workspace, spec.workspace);
  } else if (spec.workspace) {
    writeJson(files.workspace, { servers: mapValues(spec.workspace, vscodeEntry) });
  }
  if (spec.claudeDesktop) writeJson(files.claudeDesktop, { mcpServers: mapValues(spec.claudeDesktop, mcpServersEntry) });
  if (spec.cursor) writeJson(files.cursor, { mcpServers: mapValues(spec.cursor, mcpServersEntry) });
  return { home, workspace, data, files };
}
