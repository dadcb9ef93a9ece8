import { VmInstance, VmSnapshot } from './input';

/**
 * The "Not configured" group: processes that look like MCP servers but match no entry. A process
 * younger than a few seconds is left out (a client may be starting it, and the next snapshot
 * matches it), and each row says what the process is: its package, else its program.
 */

/** Younger than this at the snapshot, a process is not listed yet. */
export const SETTLE_MS = 5_000;

export function visibleNotConfigured(snapshot: Pick<VmSnapshot, 'takenAt' | 'notConfigured'>): VmInstance[] {
  const at = Date.parse(snapshot.takenAt);
  return snapshot.notConfigured.filter((i) => i.startTime === undefined || !Number.isFinite(at) || at - i.startTime >= SETTLE_MS);
}

/** Polled while anything is configured or listed: a listed process that exits must leave the view. */
export function shouldPoll(snapshot: Pick<VmSnapshot, 'notConfigured'> & { servers: readonly unknown[] }): boolean {
  return snapshot.servers.length > 0 || snapshot.notConfigured.length > 0;
}

const RUNNERS = new Set(['npx', 'npm', 'pnpm', 'pnpx', 'bunx', 'bun', 'yarn', 'uvx', 'uv', 'pipx', 'node', 'deno', 'python', 'python3', 'docker', 'podman', 'env', 'cmd', 'sh', 'bash']);

const base = (p: string) => p.split(/[/\\]/).pop() ?? p;

/**
 * What a process is, from its command line, in a few words: `@scope/pkg` from a node_modules path or
 * a runner's package argument, `module` from `python -m module`, else the program's name.
 */
export function describeProgram(commandLine: string | undefined): string | undefined {
  if (!commandLine) return undefined;
  const inModules = /node_modules[/\\]((?:@[^/\\\s]+[/\\])?[^/\\\s]+)/.exec(commandLine);
  if (inModules) return inModules[1].replace(/\\/g, '/');
  const argv = commandLine.trim().split(/\s+/);
  const m = argv.indexOf('-m');
  const program = base(argv[0]).replace(/\.(exe|cmd)$/i, '');
  if (/^python/.test(program) && m >= 0 && argv[m + 1]) return argv[m + 1];
  if (RUNNERS.has(program) || /^python/.test(program)) {
    // The runner's first argument that is not an option (nor docker's `run`) names what it runs.
    const arg = argv.slice(1).find((a) => !a.startsWith('-') && a !== 'run' && a !== 'x' && a !== 'exec' && a !== 'dlx');
    // A path (a script) by its file name; a package or image name (`@scope/pkg`, `mcp/github`) whole.
    if (arg) return /^[/.~]|\\|\.(m?js|cjs|ts|py)$/.test(arg) ? base(arg) : arg;
  }
  return program;
}
