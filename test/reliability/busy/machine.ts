import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { repoRoot } from '../../support/repo';
import { until } from '../../support/poll';
import { npmTool, toolCacheRoot } from '../../support/toolCache';
import { run } from '../../support/run';
import { otherUserIds } from '../../support/otherUser';

/**
 * The parts of a busy machine: real installs of one npm MCP server in many folders, idle stand-ins
 * at the same paths, fake clients named like real ones, processes of another user, and a way to
 * tell from the process table which process the test started for what.
 *
 * Every process the harness starts carries two environment variables: `LG_BUSY_RUN` (this run's
 * tag) and `LG_BUSY_ROLE` (`own:<entry>:<n>`, `stranger:<label>:<n>`, `other-user:<label>:<n>` or
 * `client:<n>`). Children inherit them through every launcher (npx, sh, node --watch), so each
 * process is classified from its own environment, never from how MCP Lifeguard reads it, and
 * teardown finds every leftover by its tag (by hand: the processes whose /proc/PID/environ holds
 * `LG_BUSY_RUN=`).
 */

/** What a client's spawn searches: a plain system PATH, the same for every client and for the CLI. */
export const BASE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Idle stand-ins and fake clients end by themselves after this, should teardown miss them. */
export const LIFETIME_MS = 240_000;

export const MEMORY_PKG = '@modelcontextprotocol/server-memory';

const RUN_VAR = 'LG_BUSY_RUN';
const ROLE_VAR = 'LG_BUSY_ROLE';

export type RoleKind = 'own' | 'stranger' | 'other-user' | 'client';

export interface Role {
  kind: RoleKind;
  /** own: the entry's name; stranger and other-user: what kind of stranger; client: the client's program. */
  label: string;
  /** Which launch of that label (one launch may become several processes: npx, sh, node). */
  n: number;
}

export function roleText(r: Role): string {
  return `${r.kind}:${r.label}:${r.n}`;
}

function parseRole(text: string): Role | undefined {
  const m = /^(own|stranger|other-user|client):(.+):(\d+)$/.exec(text);
  return m ? { kind: m[1] as RoleKind, label: m[2], n: Number(m[3]) } : undefined;
}

/** One process a client starts: argv, folder and environment as the client passes them. */
export interface Launch {
  role: Role;
  command: string;
  args: string[];
  cwd: string;
  /** On top of the base environment (PATH, HOME of the client's user, the tags). */
  env?: Record<string, string>;
  /** Which of the launch's processes is the server (the one doing the work), by its argv. */
  main(argv: readonly string[]): boolean;
}

export interface ProcessSeen {
  pid: number;
  ppid: number;
  uid: number;
  argv: string[];
  role?: Role;
}

/** The process table as this test sees it: every process, with the role of those the run started. */
export function readTable(run: string): Map<number, ProcessSeen> {
  const out = new Map<number, ProcessSeen>();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    try {
      const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0');
      while (argv.length > 0 && argv[argv.length - 1] === '') argv.pop();
      const status = fs.readFileSync(`/proc/${pid}/status`, 'latin1');
      const ppid = Number(/^PPid:\s+(\d+)/m.exec(status)?.[1] ?? 0);
      const uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1] ?? -1);
      // A zombie is gone for every purpose here.
      if (/^State:\s+Z/m.test(status)) continue;
      let role: Role | undefined;
      try {
        const env = fs.readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0');
        if (env.includes(`${RUN_VAR}=${run}`))
          role = parseRole(env.find((e) => e.startsWith(`${ROLE_VAR}=`))?.slice(ROLE_VAR.length + 1) ?? '');
      } catch {
        // Not ours to read (another user's process we did not start): no role.
      }
      out.set(pid, { pid, ppid, uid, argv, ...(role ? { role } : {}) });
    } catch {
      // Gone between the listing and the read.
    }
  }
  return out;
}

/** The machine's folders, its other user and what it started. */
export class BusyMachine {
  /** The run's tag (the root folder's name), in every started process's environment. */
  readonly run: string;
  readonly root: string;
  /** The test user's HOME: their configs, projects and npx cache. */
  readonly home: string;
  /** Pids of every fake client (and holder) started, for teardown. */
  readonly started: number[] = [];
  readonly launches: Launch[] = [];
  private clientCount = 0;
  private tmpMode?: { dir: string; mode: number };

  constructor(prefix: string) {
    this.root = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    this.run = path.basename(this.root);
    this.home = path.join(this.root, 'home');
    fs.mkdirSync(this.home);
    // The other user runs scripts from this tree (some of them the test user's own files): every
    // folder on the way must let them through. The run's private temp folder is made traversable
    // (not listable) for the test and put back afterwards.
    fs.chmodSync(this.root, 0o755);
    fs.chmodSync(this.home, 0o755);
    const tmp = path.dirname(this.root);
    const mode = fs.statSync(tmp).mode & 0o7777;
    if ((mode & 0o001) === 0) {
      this.tmpMode = { dir: tmp, mode };
      fs.chmodSync(tmp, mode | 0o711);
    }
  }

  dir(...parts: string[]): string {
    const d = path.join(this.root, ...parts);
    fs.mkdirSync(d, { recursive: true });
    return d;
  }

  /** The base environment of a process the harness starts: a plain PATH, a HOME, the run's tags. */
  env(role: Role, home: string, extra: Record<string, string> = {}): Record<string, string> {
    return {
      PATH: BASE_PATH,
      HOME: home,
      LANG: 'C.UTF-8',
      npm_config_update_notifier: 'false',
      [RUN_VAR]: this.run,
      [ROLE_VAR]: roleText(role),
      ...extra,
    };
  }

  /**
   * Starts a fake client named `program` (its process is `node .../<program> <spec>`) that spawns
   * `launches`, as `user` when given. Resolves with the client's pid and its children's.
   */
  async startClient(
    program: string,
    launches: Launch[],
    o: { user?: OtherUser; hold?: boolean; gapMs?: number } = {},
  ): Promise<{ client: number; pids: number[] }> {
    const n = this.clientCount++;
    const folder = this.dir('clients', `${n}`);
    const file = path.join(folder, program);
    fs.copyFileSync(path.join(__dirname, 'client.cjs'), file);
    const userHome = o.user?.home ?? this.home;
    const spec = {
      hold: !!o.hold,
      gapMs: o.gapMs ?? 0,
      lifetimeMs: LIFETIME_MS,
      launches: launches.map((l) => ({
        command: l.command,
        args: l.args,
        cwd: l.cwd,
        env: this.env(l.role, userHome, l.env),
      })),
    };
    const specFile = path.join(folder, 'spec.json');
    fs.writeFileSync(specFile, JSON.stringify(spec));
    fs.chmodSync(folder, 0o755);
    fs.chmodSync(specFile, 0o644);
    const env = this.env({ kind: 'client', label: program, n }, userHome);
    const argv = [process.execPath, file, specFile];
    const proc = o.user
      ? spawn('setpriv', [`--reuid=${o.user.uid}`, `--regid=${o.user.gid}`, '--clear-groups', '--', ...argv], {
          env,
          cwd: userHome,
          stdio: ['ignore', 'pipe', 'inherit'],
        })
      : spawn(argv[0], argv.slice(1), { env, cwd: userHome, stdio: ['ignore', 'pipe', 'inherit'] });
    this.started.push(proc.pid as number);
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      proc.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('\n')) resolve(out.split('\n')[0]);
      });
      proc.once('exit', (code) => reject(new Error(`fake client ${program} exited with ${code} before reporting`)));
    });
    proc.stdout.destroy();
    proc.unref();
    const report = JSON.parse(line) as { client: number; holder?: number; pids: number[] };
    if (report.holder) this.started.push(report.holder);
    this.launches.push(...launches);
    return { client: report.client, pids: report.pids };
  }

  /** Waits until every launch started so far runs its server process (npx may be downloading). */
  async allMainsUp(timeoutMs = 90_000): Promise<Map<string, number>> {
    let missing: string[] = [];
    return until(
      () =>
        `every launch's server process; missing: ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ` and ${missing.length - 10} more` : ''}`,
      () => {
        const mains = this.mains(readTable(this.run));
        missing = this.launches.map((l) => roleText(l.role)).filter((r) => !mains.has(r));
        return missing.length === 0 ? mains : undefined;
      },
      timeoutMs,
      500,
    );
  }

  /** Each launch's server process by the launch's role, as the table shows it now. */
  mains(table: ReadonlyMap<number, ProcessSeen>): Map<string, number> {
    const byRole = new Map<string, ProcessSeen[]>();
    for (const p of table.values()) {
      if (!p.role) continue;
      const key = roleText(p.role);
      byRole.set(key, [...(byRole.get(key) ?? []), p]);
    }
    const out = new Map<string, number>();
    for (const l of this.launches) {
      const key = roleText(l.role);
      const main = (byRole.get(key) ?? []).find((p) => l.main(p.argv));
      if (main) out.set(key, main.pid);
    }
    return out;
  }

  /** Kills every process of the run (by its tag, so what launchers started goes too), then removes the folders. */
  async cleanUp(): Promise<void> {
    const kill = (pid: number) => {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Gone already.
      }
    };
    for (const pid of this.started) kill(pid);
    try {
      // A launcher may spawn its child between two looks: look until nothing of the run is left.
      await until(
        `every process of run ${this.run} to be gone`,
        () => {
          const left = [...readTable(this.run).values()].filter((p) => p.role);
          for (const p of left) kill(p.pid);
          return left.length === 0;
        },
        30_000,
        200,
      );
    } finally {
      // Thousands of files (npx's and pnpm's trees): rm(1) removes them several times faster than a walk from Node.
      await run('rm', ['-rf', '--one-file-system', this.root]);
      if (this.tmpMode) fs.chmodSync(this.tmpMode.dir, this.tmpMode.mode);
    }
  }
}

/** A throwaway system user for processes that are not the test user's: made once, kept. */
export interface OtherUser {
  name: string;
  uid: number;
  gid: number;
  /** A folder of theirs in the machine's tree. */
  home: string;
}

export function otherUser(m: BusyMachine): OtherUser {
  const ids = otherUserIds();
  const home = m.dir('other-user-home');
  const user = { ...ids, home };
  fs.chownSync(home, user.uid, user.gid);
  return user;
}

/** `node <.../.bin/mcp-server-memory>`: how the bin's `#!/usr/bin/env node` line leaves the server in the table. */
export function isMemoryBin(argv: readonly string[]): boolean {
  return argv.length === 2 && path.basename(argv[0]) === 'node' && argv[1].endsWith('/.bin/mcp-server-memory');
}

/** `node server.js` (or `/usr/bin/node server.js`, as `node --watch` starts its child): the server, never its watcher. */
export function isNodeScript(script: string): (argv: readonly string[]) => boolean {
  return (argv) => argv.length === 2 && path.basename(argv[0]) === 'node' && argv[1] === script;
}

const STUB_JS = `#!/usr/bin/env node\n// An idle stand-in at a real server's path: its argv, executable and folder are real.\nsetTimeout(() => process.exit(0), ${LIFETIME_MS});\n`;
const STUB_PY = `# An idle stand-in for a Python server.\nimport time\ntime.sleep(${LIFETIME_MS / 1000})\n`;

export function writeJsStub(file: string): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, STUB_JS, { mode: 0o755 });
  return file;
}

export function writePyStub(file: string): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, STUB_PY, { mode: 0o644 });
  return file;
}

/** A release of server-memory to install from: its package folder. */
export interface MemoryRelease {
  version: string;
  pkg: string;
}

/**
 * What server-memory imports, linked to this repository's copies: the SDK release npm picks for
 * both releases' ranges today (`^1.29.0`, `^1.30.0`), in a folder every user may read (the other
 * user runs the user's own install).
 */
const MEMORY_IMPORTS = ['@modelcontextprotocol/sdk', 'zod'];

/** The release this repository depends on (the newer one). */
export const NEW_RELEASE: MemoryRelease = {
  version: '2026.8.31',
  pkg: path.join(repoRoot, 'node_modules', '@modelcontextprotocol', 'server-memory'),
};

/** The release before it, installed from npm once into the test tool cache. */
export async function oldRelease(): Promise<MemoryRelease> {
  const version = '2026.7.4';
  const modules = path.dirname(await npmTool(MEMORY_PKG, version));
  return { version, pkg: path.join(modules, '@modelcontextprotocol', 'server-memory') };
}

function writePackage(pkg: string, release: MemoryRelease, kind: 'real' | 'stub'): void {
  fs.mkdirSync(pkg, { recursive: true });
  fs.copyFileSync(path.join(release.pkg, 'package.json'), path.join(pkg, 'package.json'));
  // Copied, never hard-linked: a later upgrade of this install must not reach the release's files.
  if (kind === 'real') fs.cpSync(path.join(release.pkg, 'dist'), path.join(pkg, 'dist'), { recursive: true });
  else writeJsStub(path.join(pkg, 'dist', 'index.js'));
}

/**
 * server-memory installed under `prefix` as npm lays it out: the package in
 * `node_modules/@modelcontextprotocol/server-memory`, its bin linked from `node_modules/.bin`. `real`
 * copies the release's package (what it imports linked to the release's copies); a stand-in puts
 * an idle script where the package's entry point is. Returns the bin's path.
 */
export function installMemory(prefix: string, kind: 'real' | 'stub', release: MemoryRelease): string {
  const pkg = path.join(prefix, 'node_modules', '@modelcontextprotocol', 'server-memory');
  writePackage(pkg, release, kind);
  if (kind === 'real') {
    for (const dep of MEMORY_IMPORTS) {
      const link = path.join(prefix, 'node_modules', dep);
      fs.symlinkSync(path.join(repoRoot, 'node_modules', dep), link);
    }
  }
  const bin = path.join(prefix, 'node_modules', '.bin', 'mcp-server-memory');
  fs.mkdirSync(path.dirname(bin), { recursive: true });
  fs.symlinkSync('../@modelcontextprotocol/server-memory/dist/index.js', bin);
  return bin;
}

/** An upgrade as npm does it: the package folder replaced by the new release's (a new folder renamed into place). */
export function upgradeMemory(prefix: string, kind: 'real' | 'stub', release: MemoryRelease): void {
  const pkg = path.join(prefix, 'node_modules', '@modelcontextprotocol', 'server-memory');
  const next = `${pkg}.next`;
  writePackage(next, release, kind);
  fs.rmSync(pkg, { recursive: true, force: true });
  fs.renameSync(next, pkg);
}

/** A Python venv as `python -m venv` makes it (without pip: nothing here installs into it). */
export function makeVenv(dir: string): string {
  execFileSync('/usr/bin/python3', ['-m', 'venv', '--without-pip', dir]);
  return path.join(dir, 'bin', 'python');
}

/**
 * The pnpm releases a project may be installed with. The current one's `.bin` shims name the
 * package's `.pnpm` folder itself (`.bin/../.pnpm/<pkg>@<version>_<peers>/node_modules/<pkg>/...`),
 * so an upgrade rewrites the shim to another path while the old server runs on; pnpm 9's (the one
 * the other tests pin) name the top-level link (`.bin/../<pkg>/...`), which an upgrade moves.
 */
export const PNPM_RELEASES = ['12.21.0', '9.15.9'] as const;

export interface Pnpm {
  version: string;
  run(cwd: string, args: string[]): Promise<void>;
}

/**
 * Real pnpm, with its store and metadata cache kept in the test tool cache: the first run on a
 * machine downloads the packages once, later runs link them from the store.
 */
export async function pnpm(version: string): Promise<Pnpm> {
  const bin = path.join(await npmTool('pnpm', version), 'pnpm');
  const store = [
    '--store-dir',
    path.join(toolCacheRoot(), 'pnpm-store-busy'),
    '--cache-dir',
    path.join(toolCacheRoot(), 'pnpm-cache-busy'),
    '--reporter',
    'silent',
  ];
  const env = { ...process.env, npm_config_update_notifier: 'false' };
  return {
    version,
    run: async (cwd, args) => {
      await run(bin, [...args, ...store], { cwd, env });
    },
  };
}

/** A project with server-memory installed by pnpm at `version`; returns its `.bin` shim (a shell script pnpm rewrites on install). */
export async function pnpmProject(dir: string, version: string, pm: Pnpm): Promise<string> {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify({ name: path.basename(dir), version: '1.0.0', private: true }),
  );
  await pm.run(dir, ['add', `${MEMORY_PKG}@${version}`]);
  return path.join(dir, 'node_modules', '.bin', 'mcp-server-memory');
}

/** The server a pnpm shim leaves running: `node <project>/node_modules/.bin/../(.pnpm/...|@modelcontextprotocol)/server-memory/dist/index.js`, spelled as the shim spelled it. */
export function isPnpmShimServer(project: string): (argv: readonly string[]) => boolean {
  return (argv) =>
    argv.length === 2 &&
    path.basename(argv[0]) === 'node' &&
    argv[1].startsWith(`${project}/node_modules/`) &&
    argv[1].endsWith('/@modelcontextprotocol/server-memory/dist/index.js');
}
