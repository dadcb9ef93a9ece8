import { normalizeName } from '../base/pythonName';
import type { ServerStatus } from '../base/model';
import { InstalledPackage, installedOf } from './installCommand';

/**
 * One install, all its users: the entries (in any client's file) that run the same package from
 * the same place. An Upgrade or a Roll back of one of them changes the code of every one, so the
 * plan names them all and what still runs the old code is restarted (or named) for each.
 */

/** Where a package lives, the same before and after an install: npm's package folder; Python's site-packages and name (its dist-info folder carries the version). */
function installHome(installed: InstalledPackage): string {
  if (installed.ecosystem !== 'python') return `${installed.ecosystem}\0${installed.location}`;
  const site = installed.sitePackages ?? installed.location.replace(/[\\/][^\\/]*$/, '');
  return `python\0${site}\0${normalizeName(installed.name)}`;
}

/** The servers whose installed package is the one in `installed`'s place (the server itself among them). */
export function serversOfInstall(servers: readonly ServerStatus[], installed: InstalledPackage): ServerStatus[] {
  const home = installHome(installed);
  return servers.filter((s) => {
    const own = installedOf(s);
    return own !== undefined && installHome(own) === home;
  });
}

/** An entry an install serves: its name and the client whose file lists it. */
export interface ServedEntry {
  name: string;
  client: string;
  file: string;
}

/** The entries an install serves, each once (one entry may be seen as several servers). */
export function installServes(servers: readonly ServerStatus[], installed: InstalledPackage): ServedEntry[] {
  const seen = new Set<string>();
  const out: ServedEntry[] = [];
  for (const s of serversOfInstall(servers, installed)) {
    const key = `${s.source.file}\0${s.name}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ name: s.name, client: s.source.label, file: s.source.file });
  }
  return out;
}

/** The entries in words, when the install serves more than the one asked about. */
export function servesText(serves: readonly ServedEntry[]): string[] {
  if (serves.length < 2) return [];
  const clients = new Set(serves.map((s) => s.client));
  return [
    `  the same install runs ${serves.length} entries in ${clients.size} client${clients.size === 1 ? '' : 's'}: each gets the new code`,
    ...serves.map((s) => `    ${s.name} (${s.client})`),
  ];
}
