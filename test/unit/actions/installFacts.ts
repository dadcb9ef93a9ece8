import type { InstallFacts } from '../../../src/core/actions/installCommand';

/** A Linux machine of these files, folders and programs on PATH, as the install planner reads it. */
export function facts(files: string[], dirs: string[] = [], onPath: Record<string, string> = {}): InstallFacts {
  return {
    platform: 'linux',
    isFile: (p) => files.includes(p),
    isDir: (p) => dirs.includes(p),
    which: (program) => onPath[program],
  };
}
