import { isBuiltin } from 'node:module';
import { isRecord } from '../base/isRecord';

/**
 * What a JavaScript source imports from packages, read as text (never run): the bare specifiers
 * (`@modelcontextprotocol/sdk/server/mcp.js`), the package each names and the subpath below it, and
 * whether that package's `exports` map still lets the subpath be loaded. Node's own rules
 * (ESM resolution, `PACKAGE_EXPORTS_RESOLVE`), read for what a restart would find.
 */

/** A package name and the subpath a specifier asks of it: `@scope/pkg/a/b.js` -> `@scope/pkg`, `./a/b.js`. */
export interface PackageSpecifier {
  name: string;
  /** `.` for the package itself, else `./` and the rest, as an `exports` key spells it. */
  subpath: string;
}

/** The package a bare specifier names, or undefined for what no node_modules holds (relative, absolute, a URL, a builtin). */
export function packageOfSpecifier(spec: string): PackageSpecifier | undefined {
  // A name npm could have published: not a path, a URL, an import map's `#x`, one of Node's own
  // modules (`fs/promises`), nor a runner's path alias (`@/lib`, `~/x`).
  const m = /^((?:@[a-z0-9][\w.~-]*\/)?[a-z0-9][\w.~-]*)(\/.*)?$/i.exec(spec);
  if (!m || isBuiltin(spec)) return undefined;
  return { name: m[1], subpath: m[2] ? `.${m[2]}` : '.' };
}

/**
 * Whether an `exports` map (a package.json's `exports`) lets `subpath` be imported: an exact key, a
 * `*` pattern (`./server/*` matches `./server/mcp.js`), a legacy folder key ending in `/`; a map of
 * conditions alone (or a string, an array) exports `.` only; a target of `null` exports nothing.
 * Undefined `exports`: every file may be loaded (the file's presence decides, not this).
 */
export function exportsAllow(exportsField: unknown, subpath: string): boolean {
  if (exportsField === undefined) return true;
  const map = subpathMap(exportsField);
  if (Object.hasOwn(map, subpath)) return map[subpath] !== null;
  let best: { key: string; target: unknown } | undefined;
  for (const [key, target] of Object.entries(map)) {
    const star = key.indexOf('*');
    const matches =
      star >= 0
        ? key.indexOf('*', star + 1) < 0 &&
          subpath.length >= key.length &&
          subpath.startsWith(key.slice(0, star)) &&
          subpath.endsWith(key.slice(star + 1))
        : key.endsWith('/') && subpath.startsWith(key);
    // Node takes the most specific pattern (the longest before its `*`).
    if (matches && (!best || key.length > best.key.length)) best = { key, target };
  }
  return best !== undefined && best.target !== null;
}

/** An `exports` value as a map of subpaths: keys not starting with `.` are conditions of `.`. */
function subpathMap(exportsField: unknown): Record<string, unknown> {
  if (isRecord(exportsField) && Object.keys(exportsField).some((k) => k.startsWith('.'))) return exportsField;
  return { '.': exportsField };
}
