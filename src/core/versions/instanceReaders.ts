import type { EngineCache } from '../base/engineCache';
import type { Machine } from '../machine/types';
import { startLagMs } from '../pids/startLag';
import { RUNNING_BUILD_INFO, runningBuildInfo } from './goBinary';
import type { InstanceReaders } from './instanceEvidence';
import { folderSignature, KEPT_MAPS, KeptMaps, readMapsKept } from './maps';
import {
  compareReplaced,
  ContentCheck,
  distInfoFinder,
  CONTENT_PROOFS,
  PendingProofs,
  ProofBucket,
  RecordedContent,
} from './mappedContent';
import { stillInstalled } from './outsideClosure';
import { readRuntime, sightRuntime } from './runtime';
import { PACKAGE_DIGESTS, packageDigest } from './packageDigest';
import { HostEnv, pathFor } from '../base/hostEnv';

/**
 * What one instance's judgement reads of a Machine (instanceEvidence.ts): its maps, its mapped
 * files compared by content, its runtime, its executable's build information, the packages still
 * installed beside its closure. One set of readers for a snapshot and for a guard asking about its
 * own child, so there is one judgement; what never changes for one process is kept in the engine's cache.
 */
export function machineReaders(
  machine: Machine,
  cache: EngineCache | undefined,
  host: HostEnv = machine.host,
  /** Proofs that outlive this engine (the first-seen store's), asked when its cache has none. */
  keptProofs?: ProofBucket,
  /** Installed files' SHA-256 as their RECORDs list them (installerRecord.ts), shared by the snapshot's processes. */
  installed?: RecordedContent['installed'],
  /** What hashes a package's files: the first-seen store's kept digests (keptFacts.ts) for a snapshot; else `machine.fs`. */
  digestFs: Pick<Machine['fs'], 'readdirSync' | 'lstatSync' | 'digest' | 'readTextSync'> = machine.fs,
): InstanceReaders {
  const fs = machine.fs;
  // How early this machine's start times read, asked once per set of readers (one snapshot, one question).
  let lag: Promise<number> | undefined;
  const cached = cache?.bucket<string, ContentCheck>(CONTENT_PROOFS.name, CONTENT_PROOFS);
  const proofs: ProofBucket | undefined = keptProofs
    ? {
        get: (key) => {
          const hit = cached?.get(key) ?? keptProofs.get(key);
          if (hit !== undefined) cached?.set(key, hit);
          return hit;
        },
        set: (key, check) => {
          cached?.set(key, check);
          keptProofs.set(key, check);
        },
      }
    : cached;
  const pendingProofs: PendingProofs = new Map();
  const keptMaps = cache?.bucket<string, KeptMaps>(KEPT_MAPS.name, KEPT_MAPS);
  const packageDigests = cache?.bucket<string, string>(PACKAGE_DIGESTS.name, PACKAGE_DIGESTS);
  // Each folder of a mapped file is asked once per set of readers: the instances of one environment share them.
  const folders = new Map<string, ReturnType<typeof folderSignature>>();
  const signature = (folder: string) => {
    let sig = folders.get(folder);
    if (!sig) folders.set(folder, (sig = folderSignature(fs, folder)));
    return sig;
  };
  return {
    fs,
    readMaps: (pid, startTime) => readMapsKept(pid, startTime, machine, keptMaps, signature),
    compareReplaced: (pid, mapsText, paths, sighted) =>
      compareReplaced(pid, mapsText, paths, fs, proofs, pendingProofs, {
        ...(installed ? { installed } : {}),
        ...(sighted ? { sighted } : {}),
      }),
    distInfoOf: distInfoFinder(fs),
    sightRuntime: (pid, maps) => sightRuntime(pid, machine, maps, cache),
    readRuntime: (pid, start, sighting, mapsText) => readRuntime(pid, start, sighting, mapsText, fs, cache),
    runningBuild: (pid, start) =>
      runningBuildInfo(pid, start, machine, cache?.bucket(RUNNING_BUILD_INFO.name, RUNNING_BUILD_INFO)),
    stillInstalled: (inst, names) => stillInstalled({ host, fs, ...(cache ? { cache } : {}) }, inst, names),
    startLag: () => (lag ??= startLagMs(machine)),
    packageDigest: async (dir, changedAt) => {
      // Without a change time nothing says the files are the ones hashed before: hashed again.
      const key = changedAt === undefined ? undefined : `${dir}@${changedAt}`;
      const kept = key === undefined ? undefined : packageDigests?.get(key);
      if (kept !== undefined) return kept;
      const digest = await packageDigest(digestFs, pathFor(host), dir);
      if (key !== undefined && digest !== undefined) packageDigests?.set(key, digest);
      return digest;
    },
  };
}
