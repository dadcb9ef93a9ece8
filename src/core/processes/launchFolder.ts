import type { PathRules } from '../base/hostEnv';
import type { ServerConfig } from '../base/model';
import { interpreterOf } from './argv';
import { isPathLike } from './pathAnswers';

/**
 * The folder a configured launch runs in: the entry's absolute `cwd`, moved by what its launchers do
 * (`cd d &&`, `uv --directory d`, `env -C d`); undefined when that is not known from the entry.
 */
export function configFolder(
  path: PathRules,
  config: ServerConfig,
  launchCwd: string | undefined,
  home: string | undefined,
): string | undefined {
  const base = config.cwd !== undefined && path.isAbsolute(config.cwd) ? config.cwd : undefined;
  const moved = launchCwd?.replace(/^~(?=$|\/)/, home ?? '~').replace(/^\$\{?HOME\}?(?=$|\/)/, home ?? '$HOME');
  if (moved === undefined) return base;
  if (path.isAbsolute(moved)) return moved;
  return base !== undefined ? path.resolve(base, moved) : undefined;
}

/** Whether the configured program or script is a relative path (`app.js`, `./bin/x`): found in the working directory. */
export function relativeScript(path: PathRules, cfg: ReturnType<typeof interpreterOf>): boolean {
  const first = cfg.eff[0];
  return (
    first !== undefined &&
    !path.isAbsolute(first) &&
    (isPathLike(first) || (cfg.interpreter !== undefined && !cfg.module))
  );
}
