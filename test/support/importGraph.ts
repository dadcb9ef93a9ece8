import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The import graph of a source tree, for the architecture tests: which file imports which (relative
 * imports only, type-only imports included, since a type import is still knowledge pointing up).
 * Pure functions over a plain map so the checks can be shown failing on a made-up graph.
 */
export type ImportGraph = Map<string, string[]>;

// `from '…'` (imports, type-only ones and re-exports), require('…'), import('…') and a bare `import '…'`.
const importRe = /(?:from\s+|require\(\s*|import\(\s*|\bimport\s+)['"]([^'"]+)['"]/g;

export function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

/** Every import specifier in a source text, relative or not. */
export function importSpecifiers(text: string): string[] {
  return [...text.matchAll(importRe)].map((m) => m[1]);
}

/** Files under `root` and the files (under `root`) each imports, as paths relative to `root`. */
export function importGraph(root: string): ImportGraph {
  const graph: ImportGraph = new Map();
  for (const file of sourceFiles(root)) {
    const targets: string[] = [];
    for (const spec of importSpecifiers(fs.readFileSync(file, 'utf8'))) {
      if (!spec.startsWith('.')) continue;
      const base = path.resolve(path.dirname(file), spec);
      const hit = [`${base}.ts`, path.join(base, 'index.ts'), base].find((c) => c.endsWith('.ts') && fs.existsSync(c));
      if (hit && hit.startsWith(root + path.sep)) targets.push(path.relative(root, hit));
    }
    graph.set(path.relative(root, file), targets);
  }
  return graph;
}

/** The import cycles of a graph (strongly connected groups of more than one file, or a file importing itself). */
export function importCycles(graph: ImportGraph): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const group: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      group.push(w);
    } while (w !== v);
    if (group.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(group.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return cycles;
}

/** The top folder a file sits in (".": directly in the root). */
export const folderOf = (file: string): string => (file.includes('/') ? file.split('/')[0] : '.');

/**
 * Imports between folders that do not point down: `order` lists the folders bottom first, and a
 * file may import from its own folder or from one listed before it. A folder missing from `order`
 * (or a file at the root) is itself a violation, so a new folder has to be given its place.
 */
export function layerViolations(graph: ImportGraph, order: readonly string[]): string[] {
  const rank = new Map(order.map((f, i) => [f, i]));
  const out = new Set<string>();
  for (const [file, targets] of graph) {
    const from = folderOf(file);
    if (!rank.has(from)) out.add(`${file}: folder "${from}" has no place in the layer order`);
    for (const target of targets) {
      const to = folderOf(target);
      if (to === from || !rank.has(from) || !rank.has(to)) continue;
      if (rank.get(to)! > rank.get(from)!) out.add(`${file} -> ${target}: "${from}" may not import "${to}" (above it)`);
    }
  }
  return [...out].sort();
}

/**
 * Imports of `modules` (by their exact specifier, `node:fs` and `fs` alike) from files outside
 * `allowed`: `files` maps a path relative to the tree's root (as importGraph keys them) to its text.
 * Type-only imports count: a type of `node:fs` in a signature is the OS leaking through it.
 */
export function moduleImportViolations(
  files: ReadonlyMap<string, string>,
  modules: readonly string[],
  allowed: readonly string[],
): string[] {
  const out = new Set<string>();
  for (const [file, text] of files) {
    if (allowed.includes(folderOf(file))) continue;
    for (const spec of importSpecifiers(text))
      if (modules.includes(spec))
        out.add(`${file} imports "${spec}": only ${allowed.map((f) => `${f}/`).join(' and ')} may`);
  }
  return [...out].sort();
}

/**
 * Imports that go past a folder's front door: `doors` maps a top folder to its one file others may
 * import (`guard` -> `guard/index.ts`); a file outside that folder importing any other file in it is a
 * violation. Files inside the folder import each other freely.
 */
export function frontDoorViolations(graph: ImportGraph, doors: Readonly<Record<string, string>>): string[] {
  const out: string[] = [];
  for (const [file, targets] of graph)
    for (const target of targets) {
      const to = folderOf(target);
      const door = doors[to];
      if (door !== undefined && folderOf(file) !== to && target !== door)
        out.push(`${file} -> ${target}: "${to}" is imported through ${door} alone`);
    }
  return out.sort();
}
