import { pathFor } from '../base/hostEnv';
import { pathProblem } from './installArgs';

/** What reading a venv's `pyvenv.cfg` needs of the machine (a part of the install command's facts). */
export interface VenvFacts {
  platform: NodeJS.Platform;
  isFile(p: string): boolean;
  readText(p: string): string | undefined;
}

/** One `key = value` line of a venv's `pyvenv.cfg`. */
function cfgValue(cfg: string, key: string): string | undefined {
  return new RegExp(`^\\s*${key}\\s*=\\s*(.+?)\\s*$`, 'm').exec(cfg)?.[1];
}

/**
 * What a venv's `pyvenv.cfg` says of the Python it was made from: `home`, that Python's folder, and
 * the interpreter itself, as a file that exists at an absolute path: `executable` where the venv
 * module wrote it, else the interpreter `home` holds for `version_info` (`python3.12`, `python3`,
 * `python`; Windows `python.exe`), as uv writes neither name. The interpreter is a path, never a
 * version request: a face's PATH (VS Code's extension host) may find another `python3` for one.
 */
export function venvBase(venv: string, facts: VenvFacts): { home?: string; interpreter?: string } {
  const p = pathFor(facts);
  const cfg = facts.readText(p.join(venv, 'pyvenv.cfg')) ?? '';
  const home = cfgValue(cfg, 'home');
  const [major, minor] = (cfgValue(cfg, 'version_info') ?? cfgValue(cfg, 'version') ?? '').split('.');
  const inHome =
    home === undefined
      ? []
      : facts.platform === 'win32'
        ? [p.join(home, 'python.exe')]
        : [
            ...(major && minor ? [p.join(home, `python${major}.${minor}`)] : []),
            ...(major ? [p.join(home, `python${major}`)] : []),
            p.join(home, 'python'),
          ];
  const executable = cfgValue(cfg, 'executable');
  const interpreter = [...(executable !== undefined ? [executable] : []), ...inHome].find(
    (c) => pathProblem(c, facts.platform) === undefined && facts.isFile(c),
  );
  return { ...(home !== undefined ? { home } : {}), ...(interpreter !== undefined ? { interpreter } : {}) };
}
