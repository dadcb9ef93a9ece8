import type { ClientId, Diagnostic, ServerConfig } from '../base/model';
import type { RunnerHomes } from '../launch/runnerHomes';
import type { LockOwners } from './guarded';
import { JoinedEnviron } from './joinedEnviron';
import { LaunchFacts } from './launchFacts';

export interface MatchOptions {
  platform: NodeJS.Platform;
  /** Our own pid: it and its ancestors are never listed (nor, later, signalled). */
  selfPid?: number;
  /** Values to redact from an instance's command line (e.g. the values of its config's env keys). */
  secretsOf?: (pid: number, config: ServerConfig | undefined) => ReadonlySet<string>;
  /** Live lock records by the processes they own: a launch a live lock owns is never an orphan. */
  owners?: LockOwners;
  /** Executable, working directory and path lookups for candidates; without them only argv strings are compared. */
  facts?: LaunchFacts;
  /**
   * The env values an entry sets and the environment a process started with: entries that run the
   * same command with different data (`MEMORY_FILE_PATH`) are told apart by them. Without them, or
   * when a process's environment cannot be read, every fitting entry keeps its claim.
   */
  env?: {
    declared(config: ServerConfig): Readonly<Record<string, string>> | undefined;
    ofProcess(pid: number): ReadonlyMap<string, string> | undefined;
    /** Where no exact environment is read (macOS): the one `ps -E` printed, for the processes it was read for. */
    joined?(pid: number): JoinedEnviron | undefined;
  };
  /**
   * Our uid: a process of another user is never one of this user's instances (nor listed as not
   * configured); it cannot be signalled anyway, and counting it would be counting a stranger.
   * Absent (a recorded table): every process is judged.
   */
  ownUid?: number;
  /** This user's home, for `~` in configured folders. */
  home?: string;
  /**
   * The home the OS gives this account, whatever HOME says: a process started under any other home
   * than it and ours is another home's (processOfAnotherHome). Absent (a capture that did not
   * record it): only ours is.
   */
  accountHome?: string;
  /**
   * Our lifeguard root: a guard whose environment puts its root elsewhere (another home, another
   * MCP_LIFEGUARD_HOME) runs a stranger's server, even on the very same command line. Absent (a
   * recorded table): not compared.
   */
  ownRoot?: string;
  /** Where this user's runners keep what they fetch: a package run from another home's cache is a stranger's. */
  homes?: RunnerHomes;
  /**
   * A client's config problem that may have dropped entries (a file that does not parse, an entry
   * left out): the entry that started one of its processes may be the one missing, so another
   * client's entry of the same command is no proof that the process is that entry's.
   */
  unreadableConfig?: (client: ClientId) => Diagnostic | undefined;
}

/** What reading a process's paths needs: the machine's facts of its files, and its platform's path rules. */
export type PathFacts = Pick<MatchOptions, 'facts' | 'platform'>;
