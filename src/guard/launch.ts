import { isSecretName } from '../core/base/redact';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { parseLaunch } from '../core/launch/parse';
import { defaultResourceKey, ServerIdentity } from '../core/locks';
import { hasSeparator } from '../core/launch/program';
import { which } from '../core/launch/which';

/** The command the guard runs as its server, as it will start it. */
export interface ServerLaunch {
  command: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
}

/**
 * The values the guard never repeats from what the server says of itself (its output, when it went
 * down): those of env keys named as credentials. Not every value: paths (HOME, a venv) are what
 * makes a traceback readable, and the engine masks every value an entry sets when it reads them.
 */
export function launchSecrets(launch: ServerLaunch): ReadonlySet<string> {
  const out = new Set<string>();
  for (const [k, v] of Object.entries(launch.env)) if (v && isSecretName(k)) out.add(v);
  return out;
}

/**
 * The server's identity: `--name` or a name derived from the package or command, and `--resource`
 * or the default resource key over the resolved command, args and cwd.
 */
export async function identityOf(
  launch: ServerLaunch,
  names: { name?: string; resource?: string; packageName?: string },
): Promise<ServerIdentity> {
  const resolved = (await resolveOnPath(launch.command, launch.cwd, launch.env)) ?? launch.command;
  return {
    serverName: names.name ?? derivedName(launch, names.packageName),
    resourceKey: names.resource ?? defaultResourceKey({ cwd: launch.cwd, command: resolved, args: launch.args }),
  };
}

/** The command as a shell would find it (the one PATH lookup), or a path against cwd. */
async function resolveOnPath(command: string, cwd: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  if (hasSeparator(command)) return path.resolve(cwd, command);
  return which(command, process.platform, env, async (candidate) => {
    try {
      return (await fsp.stat(candidate)).isFile();
    } catch {
      return false; // not in this PATH entry: try the next one
    }
  });
}

/** `--name` absent: the package, image, module, script or program the launch runs (`npx -y @scope/pkg@1.2` -> `pkg`). */
function derivedName(launch: ServerLaunch, packageName: string | undefined): string {
  if (packageName) return packageName.replace(/^@[^/]+\//, '');
  const base = (p: string) => path.basename(p).replace(/\.(c|m)?[jt]s$|\.py$|\.exe$|\.cmd$/i, '');
  const { target } = parseLaunch([launch.command, ...launch.args]);
  switch (target.kind) {
    case 'package':
      return base(target.name.replace(/^@[^/]+\//, ''));
    case 'image':
      return base(target.image.replace(/@[^@/]*$/, ''));
    case 'module':
      return target.module;
    case 'script':
      return base(target.script);
    case 'program':
      return base(target.program);
    default:
      return base(launch.command);
  }
}
