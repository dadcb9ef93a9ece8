import { fingerprint } from './fingerprint';
import { filesPredateProcess, iso } from './clockSlack';
import type { Facts } from './judgingFacts';
import type { VersionEvidence } from './versionEvidence';
import { Running } from '../base/versionTypes';

/**
 * What the process runs, as the evidence says it: recorded at its start or reported (runningOf), then,
 * when nothing is recorded, completed from the installed files' times or a package manager's history.
 */

function stripScope(name: string): string {
  return name
    .toLowerCase()
    .replace(/^@[^/]+\//, '')
    .replace(/[-_.]+/g, '-');
}

/**
 * The running side, best evidence first: the lock record written at start, the server's own report
 * (trusted only when it names this package or agrees with the disk: many servers hard-code a
 * version unrelated to their package's), what docker or the executable the process runs says (a Go
 * binary's build information), then the first sighting.
 */
export function runningOf(e: VersionEvidence): Running {
  const inst = e.installed;
  // A missing package is named from the path that vanished (sometimes only a bin's name): the
  // records of this very process (pid + start time) name it better, so they are not checked against it.
  const pkgName = inst.state === 'installed' ? inst.name : undefined;
  const pkg = e.lock?.versions.package;
  if (pkg && (!pkgName || stripScope(pkg.name) === stripScope(pkgName))) {
    const deps = e.lock?.versions.dependencies;
    return {
      state: 'known',
      version: pkg.version,
      // A record of an earlier guard may list packages outside the closure: compared as such.
      ...(deps
        ? {
            environment:
              e.lock?.versions.dependenciesScope === 'closure'
                ? fingerprint(deps)
                : Object.assign({}, fingerprint(deps), { scope: undefined }),
          }
        : {}),
      source: 'lock-record',
      how: 'lock record written at start',
      ...(e.lock?.startedAt ? { since: e.lock.startedAt } : {}),
    };
  }
  if (e.serverInfo && inst.state === 'installed') {
    const named = stripScope(e.serverInfo.name) === stripScope(inst.name);
    if (named || e.serverInfo.version === inst.version) {
      const said = `${e.serverInfo.name} ${e.serverInfo.version}`;
      return {
        state: 'known',
        version: e.serverInfo.version,
        source: 'server-info',
        how: e.serverInfo.how
          ? `the server's own serverInfo (${said}), by ${e.serverInfo.how}`
          : `the server's initialize reply (${said})`,
      };
    }
  }
  if (e.reported?.state === 'known') return e.reported;
  if (e.firstSeen && (!pkgName || stripScope(e.firstSeen.name) === stripScope(pkgName))) {
    return {
      state: 'known',
      version: e.firstSeen.version,
      ...(e.firstSeen.environment ? { environment: e.firstSeen.environment } : {}),
      source: 'first-seen',
      how: `installed when this instance was first seen (${e.firstSeen.firstSeenAt}), unchanged since its start`,
      since: e.firstSeen.firstSeenAt,
    };
  }
  if (e.reported?.state === 'unknown') return e.reported;
  return {
    state: 'unknown',
    reason: 'no lock record, no report from the server and no earlier sighting of this instance',
  };
}

/**
 * No record, but the files are older than the process: it loaded exactly these. (Not when a file
 * it mapped was replaced since: then something changed after it started, whatever the file times say.)
 */
export function predatingRunning(j: Facts, running: Running): Running {
  const { e, start, identical } = j;
  const inst = e.installed;
  if (
    running.state !== 'unknown' ||
    inst.state !== 'installed' ||
    !(filesPredateProcess(inst, start) || (e.changeExplained && identical.length)) ||
    j.replaced.length ||
    j.unverified.length
  )
    return running;
  return {
    state: 'known',
    version: inst.version,
    ...(inst.environment ? { environment: inst.environment } : {}),
    source: 'first-seen',
    how: e.changeExplained
      ? `installed files unchanged since before the process started (${iso(start)}) but for a reinstall with identical content: ${identical.join(', ')}`
      : `installed files unchanged since before the process started (${iso(start)})`,
    since: iso(start),
  };
}

/** Still nothing known: what a package manager's history says the process loaded. */
export function inferredRunning(j: Facts, running: Running): Running {
  const { e } = j;
  if (running.state !== 'unknown' || !e.inferred || e.installed.state !== 'installed') return running;
  return {
    state: 'known',
    version: e.inferred.version,
    source: e.inferred.source ?? 'npm-cache',
    how: j.inferredMoves.length && e.inferred.movedHow ? `${e.inferred.how}; ${e.inferred.movedHow}` : e.inferred.how,
    inferred: true,
  };
}
