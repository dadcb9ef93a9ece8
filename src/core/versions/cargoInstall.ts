/**
 * What `cargo install` recorded of a binary it put under `<root>/bin`: cargo keeps the packages it
 * installed into a root in `<root>/.crates2.json` (`{"installs": {"<name> <version> (<source>)":
 * {"bins": [...]}}}`), written by every cargo since 1.41 (2020) beside the older `<root>/.crates.toml`,
 * which is not read (a TOML parser in the guard for a cargo five years old); the root is `$CARGO_HOME` (`~/.cargo`) unless `--root` named another. A Rust binary
 * carries no version of its own, so these records are what names it. Pure parsing here; the file
 * reads go through the resolution's reader (fromLaunch.ts).
 */

export interface CargoPackage {
  name: string;
  version: string;
  /** `registry+https://...`, `path+file:///...`, `git+https://...#<rev>`. */
  source: string;
  bins: string[];
}

/** The files cargo keeps its records in, in an install root: both are rewritten by every install. */
export const CARGO_RECORDS = ['.crates2.json', '.crates.toml'] as const;

/** `<name> <version> (<source>)`, cargo's package id as its records spell it. */
function parseId(id: string): Omit<CargoPackage, 'bins'> | undefined {
  const m = /^(\S+) (\S+) \((.*)\)$/.exec(id.trim());
  return m ? { name: m[1], version: m[2], source: m[3] } : undefined;
}

/** The packages `.crates2.json` lists; empty when it is not cargo's format. */
export function parseCrates2(text: string): CargoPackage[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return [];
  }
  const installs = (json as { installs?: unknown } | null)?.installs;
  if (!installs || typeof installs !== 'object') return [];
  const out: CargoPackage[] = [];
  for (const [id, entry] of Object.entries(installs as Record<string, unknown>)) {
    const pkg = parseId(id);
    const bins = (entry as { bins?: unknown } | null)?.bins;
    if (pkg && Array.isArray(bins)) out.push({ ...pkg, bins: bins.filter((b): b is string => typeof b === 'string') });
  }
  return out;
}

/** The package whose bins include `bin` (a file name: `mcp-foo`, on Windows `mcp-foo.exe`). */
export function packageOfBin(packages: readonly CargoPackage[], bin: string): CargoPackage | undefined {
  const bare = bin.replace(/\.exe$/i, '');
  return packages.find((p) => p.bins.some((b) => b === bin || b.replace(/\.exe$/i, '') === bare));
}

/**
 * A record of cargo's beside a binary installed at `location` (`<root>/bin/<name>`): rewritten by
 * every `cargo install` into that root, so a change of it alone says nothing of the binary's code.
 */
export function isCargoRecordOf(file: string, location: string, sep: string): boolean {
  const bin = location.lastIndexOf(sep);
  const rootEnd = bin > 0 ? location.lastIndexOf(sep, bin - 1) : -1;
  if (rootEnd < 0 || location.slice(rootEnd + 1, bin) !== 'bin') return false;
  const root = location.slice(0, rootEnd);
  return CARGO_RECORDS.some((name) => file === `${root}${sep}${name}`);
}
