import { normalizeName } from '../base/pythonName';
import type { ClientId, ServerStatus } from '../base/model';
import { followsUvxPin, InstalledPackage, installedOf } from './installCommand';

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

/**
 * The servers whose installed package is the one in `installed`'s place (the server itself among
 * them). An entry that pins its release to a runner is not one of them even where the runner reused
 * that install for it (uvx runs a `uv tool` that satisfies its pin): its pin, not the install, says
 * what it runs, and an install there changes nothing of it.
 */
export function serversOfInstall(servers: readonly ServerStatus[], installed: InstalledPackage): ServerStatus[] {
  const home = installHome(installed);
  return servers.filter((s) => {
    const own = installedOf(s);
    return own !== undefined && installHome(own) === home && !followsUvxPin(s, own.name);
  });
}

/** An entry an install serves: its name and the client whose file lists it. */
export interface ServedEntry {
  name: string;
  /** Where the entry is written, in words ("Cursor", "Cursor (workspace)", "VS Code (workspace)"). */
  client: string;
  /** The client that runs it: a user file and a workspace file of one client are one client. */
  clientId: ClientId;
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
    out.push({ name: s.name, client: s.source.label, clientId: s.source.client, file: s.source.file });
  }
  return out;
}

/** How many clients run the entries (a client's user and workspace files count once). */
export function servedClients(serves: readonly ServedEntry[]): number {
  return new Set(serves.map((s) => s.clientId)).size;
}

/** The entries in words, when the install serves more than the one asked about; `change`: what the install does to each. */
export function servesText(serves: readonly ServedEntry[], change: 'upgrade' | 'rollback' = 'upgrade'): string[] {
  if (serves.length < 2) return [];
  const clients = servedClients(serves);
  const each = change === 'upgrade' ? 'each gets the new code' : 'each goes back with it';
  return [
    `  the same install runs ${serves.length} entries in ${clients} client${clients === 1 ? '' : 's'}: ${each}`,
    ...serves.map((s) => `    ${s.name} in ${s.client}`),
  ];
}
