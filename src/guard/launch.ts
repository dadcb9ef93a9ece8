import * as path from 'node:path';
import { defaultResourceKey, ServerIdentity } from '../core/locks';
import { resolveOnPath } from '../core/versions/npm';

export interface Launch {
  command: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
}

/** Interpreters and launchers whose own name says nothing about the server they run. */
const RUNNERS = new Set(['node', 'nodejs', 'npx', 'bunx', 'bun', 'deno', 'uv', 'uvx', 'python', 'python3', 'pipx', 'docker']);

/**
 * The server's identity: `--name` or a name derived from the package or command, and `--resource`
 * or the default resource key over the resolved command, args and cwd.
 */
export async function identityOf(launch: Launch, names: { name?: string; resource?: string; packageName?: string }): Promise<ServerIdentity> {
  const resolved = (await resolveOnPath(launch.command, launch.cwd, launch.env)) ?? launch.command;
  return {
    serverName: names.name ?? derivedName(launch, names.packageName),
    resourceKey: names.resource ?? defaultResourceKey({ cwd: launch.cwd, command: resolved, args: launch.args }),
  };
}

function derivedName(launch: Launch, packageName: string | undefined): string {
  if (packageName) return packageName.replace(/^@[^/]+\//, '');
  const base = (p: string) => path.basename(p).replace(/\.(c|m)?[jt]s$|\.py$|\.exe$|\.cmd$/i, '');
  if (!RUNNERS.has(base(launch.command).toLowerCase())) return base(launch.command);
  // `npx -y @scope/pkg@1.2`, `uvx pkg`, `node server.js`: the first argument that is not an option.
  const first = launch.args.find((a) => !a.startsWith('-') && a !== 'run' && a !== 'tool');
  if (!first) return base(launch.command);
  return base(first.replace(/^@[^/]+\//, '').replace(/@[^@/]*$/, ''));
}
