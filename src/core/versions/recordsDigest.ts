import { createHash } from 'node:crypto';
import type { EngineCache } from '../base/engineCache';
import { normalizeName } from '../base/pythonName';
import type { PathRules } from '../base/hostEnv';
import type { Installed } from '../base/versionTypes';
import type { MachineFs } from '../machine/types';
import type { InstanceReaders } from './instanceEvidence';
import { CLOCK_SLACK_MS } from './clockSlack';
import { PACKAGE_DIGESTS } from './packageDigest';

/** Files an installer writes of its own into a `.dist-info` folder: who installed it and how, not what. */
const INSTALLER_OWN = /^(INSTALLER|REQUESTED|RECORD|direct_url\.json|uv_[^/]*\.json)$/;

/** A RECORD's rows that name a file of the wheel and its hash: `path,sha256=...`, installer-written files left out. */
function codeRows(record: string): string[] {
  const rows: string[] = [];
  for (const line of record.split(/\r?\n/)) {
    const size = line.lastIndexOf(',');
    const hashAt = size > 0 ? line.lastIndexOf(',', size - 1) : -1;
    if (hashAt <= 0) continue;
    const file = line.slice(0, hashAt).replace(/^"(.*)"$/, '$1');
    const hash = line.slice(hashAt + 1, size);
    // Launchers in `bin/` are written by the installer for this interpreter (`../../../bin/x`).
    if (!hash || file.startsWith('../')) continue;
    const parts = file.split('/');
    if (parts.length === 2 && parts[0].endsWith('.dist-info') && INSTALLER_OWN.test(parts[1])) continue;
    rows.push(`${file},${hash}`);
  }
  return rows.sort();
}

/**
 * The content of a Python environment's distributions as their installers hashed it: for each of
 * `packages` (name -> version) at that version in `sitePackages`, the rows of its RECORD that name a
 * file of its wheel with its SHA-256, in name order. A reinstall of the same wheels (a roll back by
 * pip to the versions a script started with) gives the same digest, whatever its files' times; a
 * release built again under the same version does not. Undefined when a distribution or its RECORD
 * is not there, or a RECORD names no hashed file (nothing to compare).
 */
export async function recordsDigest(
  fs: Pick<MachineFs, 'readdir' | 'readText'>,
  path: PathRules,
  sitePackages: string,
  packages: Readonly<Record<string, string>>,
): Promise<string | undefined> {
  const folders = new Map<string, string>();
  for (const name of (await fs.readdir(sitePackages)) ?? []) {
    const m = /^(.+)-([^-]+)\.dist-info$/.exec(name);
    if (m) folders.set(`${normalizeName(m[1])} ${m[2]}`, name);
  }
  const hash = createHash('sha256');
  for (const [name, version] of Object.entries(packages).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const folder = folders.get(`${normalizeName(name)} ${version}`);
    if (!folder) return undefined;
    const record = await fs.readText(path.join(sitePackages, folder, 'RECORD'));
    const rows = record === undefined ? [] : codeRows(record);
    if (!rows.length) return undefined;
    hash.update(`${normalizeName(name)} ${version}\n${rows.join('\n')}\n`);
  }
  return hash.digest('hex');
}

/**
 * A Python script's closure, rewritten after its start (a roll back by pip reinstalls the very wheels,
 * with new file times), against its first sighting: the same RECORDs, other ones, or `unverified`
 * when nothing was recorded to compare with; none when its own files or a development member changed
 * since (that is a change of code). Digests kept by the engine with the packages' (by the
 * site-packages, its change time and the environment). A snapshot's reader (instanceEvidence.ts).
 */
export function scriptRecordsReaders(
  fs: Pick<MachineFs, 'readdir' | 'readText'>,
  path: PathRules,
  cache: EngineCache | undefined,
): Required<Pick<InstanceReaders, 'recordsDigest' | 'closureContent'>> {
  const digests = cache?.bucket<string, string>(PACKAGE_DIGESTS.name, PACKAGE_DIGESTS);
  const digestOf = async (inst: Installed) => {
    if (inst.state !== 'installed' || !inst.dev?.script || inst.ecosystem !== 'python') return undefined;
    const packages = inst.environment?.packages;
    if (!inst.sitePackages || !packages) return undefined;
    const key =
      inst.changedAt === undefined
        ? undefined
        : `records:${inst.sitePackages}@${inst.changedAt}@${inst.environment?.hash ?? ''}`;
    const kept = key === undefined ? undefined : digests?.get(key);
    if (kept !== undefined) return kept;
    const digest = await recordsDigest(fs, path, inst.sitePackages, packages);
    if (key !== undefined && digest !== undefined) digests?.set(key, digest);
    return digest;
  };
  return {
    recordsDigest: digestOf,
    closureContent: async (inst, firstSeen, start) => {
      if (inst.state !== 'installed' || !inst.dev?.script || inst.ecosystem !== 'python') return undefined;
      // Its own code or a development member changed: that is a change of code, whatever its environment holds.
      const after = (f: { at: string }) => Date.parse(f.at) > start + CLOCK_SLACK_MS;
      if (inst.dev.newest.some(after) || inst.devMembers?.some((m) => m.newest.some(after))) return undefined;
      const seen = firstSeen?.recordsDigest;
      const now = seen !== undefined && firstSeen?.version === inst.version ? await digestOf(inst) : undefined;
      if (now === undefined)
        return {
          check: 'unverified',
          how: 'its environment was rewritten since its start, and nothing recorded then compares with it',
        };
      return now === seen
        ? {
            check: 'identical',
            how: 'its environment was reinstalled since its start, with the same RECORD hashes as first seen',
          }
        : {
            check: 'differs',
            how: 'its environment holds other RECORD hashes than first seen under the same versions',
          };
    },
  };
}
