import { execFile } from 'node:child_process';
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

/**
 * A package from the project's node_modules, reached through a symlink in this fixture's folder.
 * A process is an entry's by the script's real path and the values the entry's env sets, so other
 * tests running the same package beside a session (the other shard) are told apart by env: each
 * fixture server sets a value of its session's own (sessionEnv), never a bare command line.
 */
export function linkedPackage(dirs: FixtureDirs, pkg: string): string {
  const link = path.join(dirs.packages, pkg.replace(/^@[^/]+\//, ''));
  if (!fs.existsSync(link)) {
    fs.mkdirSync(dirs.packages, { recursive: true });
    fs.symlinkSync(path.join(repoRoot, 'node_modules', pkg), link, 'dir');
  }
  return link;
}

/**
 * An env value only this session's processes carry: an entry that sets it claims them alone, as a
 * user's entry with its own env claims only the processes started with it.
 */
export function sessionEnv(dirs: FixtureDirs): Record<string, string> {
  return { E2E_SESSION_DATA: dirs.data };
}

/** The real server-memory from the project's devDependencies, storing its graph in data/<name>.json. */
export function memoryServer(dirs: FixtureDirs, name: string): StdioServer {
  const script = packageScript(linkedPackage(dirs, '@modelcontextprotocol/server-memory'));
  return { command: process.execPath, args: [script], env: { MEMORY_FILE_PATH: path.join(dirs.data, `${name}.json`) } };
}

/** The real server-everything from the project's devDependencies (stdio transport). */
export function everythingServer(dirs: FixtureDirs): StdioServer {
  return {
    command: process.execPath,
    args: [packageScript(linkedPackage(dirs, '@modelcontextprotocol/server-everything')), 'stdio'],
    env: sessionEnv(dirs),
  };
}

/** The main script of the (single) bin of the npm package in `dir`. */
export function packageScript(dir: string): string {
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
    bin: string | Record<string, string>;
  };
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

export interface Fixture extends FixtureDirs {
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

/** Where a fixture's files go, for specs that need paths (data files, prefixes). */
export interface FixtureDirs {
  home: string;
  workspace: string;
  data: string;
  /** Symlinks to npm packages (see linkedPackage). */
  packages: string;
}

export function writeFixture(root: string, specOrBuild: FixtureSpec | ((dirs: FixtureDirs) => FixtureSpec)): Fixture {
  const home = path.join(root, 'home');
  const workspace = path.join(home, 'projects', 'demo');
  const data = path.join(root, 'data');
  const packages = path.join(root, 'packages');
  fs.mkdirSync(workspace, { recursive: true });
  fs.mkdirSync(data, { recursive: true });
  const spec = typeof specOrBuild === 'function' ? specOrBuild({ home, workspace, data, packages }) : specOrBuild;
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
  if (spec.claudeDesktop)
    writeJson(files.claudeDesktop, { mcpServers: mapValues(spec.claudeDesktop, mcpServersEntry) });
  if (spec.cursor) writeJson(files.cursor, { mcpServers: mapValues(spec.cursor, mcpServersEntry) });
  return { home, workspace, data, packages, files };
}

/** Four servers across three clients: the workspace (2), Claude Desktop (1) and Cursor (1). */
export function severalClients(dirs: FixtureDirs): FixtureSpec {
  return {
    workspace: { memory: memoryServer(dirs, 'workspace-memory'), everything: everythingServer(dirs) },
    claudeDesktop: { notes: memoryServer(dirs, 'claude-notes') },
    cursor: { everything: everythingServer(dirs) },
  };
}

/** Installs `spec` (e.g. "@modelcontextprotocol/server-memory@2026.7.4") into `prefix` with real npm. */
export function npmInstall(prefix: string, spec: string): Promise<void> {
  fs.mkdirSync(prefix, { recursive: true });
  if (!fs.existsSync(path.join(prefix, 'package.json')))
    fs.writeFileSync(path.join(prefix, 'package.json'), '{"private":true}\n');
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/.test(k)) env[k] = v;
  return new Promise((resolve, reject) => {
    execFile(
      process.platform === 'win32' ? 'npm.cmd' : 'npm',
      [
        'install',
        '--prefix',
        prefix,
        '--no-save',
        '--no-package-lock',
        '--no-audit',
        '--no-fund',
        '--loglevel=error',
        spec,
      ],
      { env, timeout: 240000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) =>
        err ? reject(new Error(`npm install ${spec} failed: ${err.message}\n${stdout}${stderr}`)) : resolve(),
    );
  });
}

/** The bundled CLI of this checkout (`npm run package` builds it). */
export const cliScript = path.join(repoRoot, 'dist', 'cli.js');

/** `server` wrapped by the guard: `node dist/cli.js run --name <name> -- <server command>`. */
export function guarded(name: string, server: StdioServer): StdioServer {
  return {
    command: process.execPath,
    args: [cliScript, 'run', '--name', name, '--', server.command, ...server.args],
    env: server.env,
  };
}
