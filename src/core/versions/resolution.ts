import type { DockerCli } from './docker';
import type { ParsedLaunch } from '../launch/types';
import type { Installed, Running } from '../base/versionTypes';

/**
 * What resolving a launch answers and what its caller may tell it, shared by its stages (the
 * process's own argv, the configured launch): its own file so that each stage reads them without
 * importing the order that runs them (resolve.ts). Types alone, so the bundles carry no module for it.
 */

/** What resolution learned: always the installed side; the running side too when the tool itself tells (docker). */
export interface Resolution {
  installed: Installed;
  running?: Running;
}

export interface ResolveOptions {
  /** The argv of the running main process, when resolving for an instance: its own paths are the best evidence of where its code is. */
  processArgv?: readonly string[];
  /** Its working directory, for relative script paths. */
  processCwd?: string;
  /** ms since the epoch. */
  processStart?: number;
  /** Absent: docker launches resolve to unknown. */
  docker?: DockerCli;
  /** The launch's reading (parseLaunch of its command and args), when the caller made it: one per resolution. */
  reading?: ParsedLaunch;
}
