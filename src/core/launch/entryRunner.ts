import type { ServerConfig } from '../base/model';
import { parseLaunch } from './parse';
import type { PackageRunner } from './types';

/** The command a guard-wrapped entry runs (what follows its `--`), else the entry's own. */
export function innerArgv(s: Pick<ServerConfig, 'command' | 'args'>): string[] {
  const argv = [s.command ?? '', ...s.args];
  const at = argv.indexOf('--');
  return at >= 0 && at + 1 < argv.length ? argv.slice(at + 1) : argv;
}

/**
 * The runner an entry fetches its package with (`npx`, `uvx`...), its spec as written, the package
 * it names and its ecosystem, and the version it pins, if any.
 */
export function runnerOfEntry(
  s: Pick<ServerConfig, 'command' | 'args'>,
): { runner: PackageRunner; spec: string; name: string; ecosystem: 'npm' | 'python' | 'go'; pin?: string } | undefined {
  const { target } = parseLaunch(innerArgv(s));
  if (target.kind !== 'package') return undefined;
  return {
    runner: target.runner,
    spec: target.spec,
    name: target.name,
    ecosystem: target.ecosystem,
    ...(target.version ? { pin: target.version } : {}),
  };
}
