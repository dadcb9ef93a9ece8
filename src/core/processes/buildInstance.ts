import type { Instance, InstanceChild, InstanceClient, LauncherStep, Verdict } from '../base/model';
import { redactArgs, redactUrl } from '../base/redact';
import { programName, splitShellWords } from './argv';
import { SUBREAPERS } from './clients';
import type { LockOwners } from './guarded';
import { commandHash } from '../pids/identity';
import { ProcessInfo } from '../pids/table';
import { ProcessTree } from './tree';

/**
 * A command line fit for a snapshot: argv redacted, and a shell's command string (`sh -c 'x --token y'`,
 * `cmd /c "..."`) redacted word by word too.
 */
export function redactCommandLine(argv: readonly string[], secrets: ReadonlySet<string>): string {
  return (
    redactArgs(argv, secrets)
      .map((t) => (/\s/.test(t) ? redactArgs(splitShellWords(t), secrets).join(' ') : t))
      // `--conn=postgres://user:pass@host`: a URL as a flag's value.
      .map((t) =>
        t.replace(
          /^(--?[\w.-]+=)([a-z][a-z0-9+.-]*:\/\/.*)$/i,
          (_m, flag: string, url: string) => flag + redactUrl(url),
        ),
      )
      .map((t) => (/\s/.test(t) ? `'${t}'` : t))
      .join(' ')
  );
}

function toStep(p: ProcessInfo, secrets: ReadonlySet<string>): LauncherStep {
  return {
    pid: p.pid,
    startTime: p.startTime,
    commandLine: redactCommandLine(p.argv, secrets),
    commandHash: commandHash(p.argv),
  };
}

/**
 * The orphan verdict when no client or terminal owns the launch and what started it is gone: its
 * parent is init or a subreaper (the OS handed it on), or, where the OS does not reparent (Windows),
 * its parent pid no longer runs or names a process younger than it (the pid was reused). Without
 * the start times that tell a reused pid, whether it is an orphan is unknown. A launch a live lock
 * owns (the guard, or the server it runs) is not one: `ensure` detaches its guard to init on
 * purpose, and the lock says a live holder answers for it.
 */
function orphanVerdict(
  root: ProcessInfo,
  tree: ProcessTree,
  client: InstanceClient,
  ownedByLock: boolean,
): Verdict | undefined {
  if (client.id !== 'unknown' || ownedByLock) return undefined;
  const orphan = (parentCommand: string | undefined, reason: string): Verdict => ({
    kind: 'orphan',
    launchPid: root.pid,
    ppid: root.ppid,
    ...(parentCommand !== undefined ? { parentCommand } : {}),
    reason,
  });
  if (root.ppid === 1 || root.ppid === 0)
    return orphan(
      tree.get(root.ppid)?.argv[0],
      `reparented to pid ${root.ppid} (init): the process that started it is gone`,
    );
  const named = tree.get(root.ppid);
  if (!named)
    return orphan(undefined, `its parent, pid ${root.ppid}, no longer runs: the process that started it is gone`);
  const parentProg = programName(named.argv[0] ?? '');
  if (tree.reusedParent(root))
    return orphan(
      named.argv[0],
      `its parent pid ${root.ppid} now names ${parentProg || 'another process'}, started after it: the pid was reused, the process that started it is gone`,
    );
  if (SUBREAPERS.test(parentProg))
    return orphan(
      named.argv[0],
      `reparented to ${parentProg} (pid ${root.ppid}), a subreaper: the process that started it is gone`,
    );
  if (root.startTime === undefined || named.startTime === undefined)
    return {
      kind: 'unknown',
      question: 'orphan',
      reason: `its parent pid ${root.ppid} names ${parentProg || 'a process'}, but without both start times whether that is the process that started it (pids are reused) is unknown`,
    };
  return undefined;
}

export function buildInstance(
  main: ProcessInfo,
  root: ProcessInfo,
  chain: ProcessInfo[],
  tree: ProcessTree,
  client: InstanceClient,
  matchedBy: string,
  secrets: ReadonlySet<string>,
  owners?: LockOwners,
): Instance {
  const ownedByLock = !!owners && [root, ...chain, main].some((p) => owners.ownerOf(p.pid, p.startTime) !== undefined);
  const orphan = orphanVerdict(root, tree, client, ownedByLock);
  const children = tree.descendants(main.pid).map((p): InstanceChild => ({
    pid: p.pid,
    ppid: p.ppid,
    startTime: p.startTime,
    startedAt: p.startTime !== undefined ? new Date(p.startTime).toISOString() : undefined,
    commandLine: redactCommandLine(p.argv, secrets),
    commandHash: commandHash(p.argv),
    memoryBytes: p.memoryBytes,
    ...(p.cpuMs !== undefined ? { cpuMs: p.cpuMs } : {}),
  }));
  return {
    pid: main.pid,
    ppid: main.ppid,
    startTime: main.startTime,
    startedAt: main.startTime !== undefined ? new Date(main.startTime).toISOString() : undefined,
    commandLine: redactCommandLine(main.argv, secrets),
    commandHash: commandHash(main.argv),
    uid: main.uid,
    client,
    launcherChain: chain.map((p) => toStep(p, secrets)),
    memoryBytes: main.memoryBytes,
    ...(main.cpuMs !== undefined ? { cpuMs: main.cpuMs } : {}),
    matchedBy,
    verdicts: orphan ? [orphan] : [],
    ...(children.length ? { children } : {}),
  };
}
