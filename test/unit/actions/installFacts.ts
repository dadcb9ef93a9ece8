import type { InstallFacts } from '../../../src/core/actions/installCommand';

/** A Linux machine of these files, folders and programs on PATH (and these files' texts), as the install planner reads it. */
export function facts(
  files: string[],
  dirs: string[] = [],
  onPath: Record<string, string> = {},
  texts: Record<string, string> = {},
): InstallFacts {
  return {
    platform: 'linux',
    isFile: (p) => files.includes(p) || p in texts,
    readText: (p) => texts[p],
    isDir: (p) => dirs.includes(p),
    which: (program) => onPath[program],
  };
}
