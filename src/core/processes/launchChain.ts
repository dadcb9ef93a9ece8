import { pathFor } from '../base/hostEnv';
import { isGuard, isWrapper, launchKeyOf, OwnScript } from './argv';
import { hasSeparator } from '../launch/program';
import { ProcessInfo } from '../pids/table';
import { ProcessTree } from './tree';
import type { PathFacts } from './matchOptions';

/**
 * Whether a process's script is our CLI bundle, judged by the file (its path as the process names it,
 * made absolute against its working directory); undefined without file facts.
 */
export function ownScriptOf(p: ProcessInfo, { facts, platform }: PathFacts): OwnScript | undefined {
  const bundle = facts?.cliBundle;
  if (!facts || !bundle) return undefined;
  const path = pathFor({ platform });
  return (script) => {
    if (!hasSeparator(script)) return undefined;
    const cwd = path.isAbsolute(script) ? undefined : facts.cwd(p.pid);
    const file = path.isAbsolute(script) ? script : cwd !== undefined ? path.resolve(cwd, script) : undefined;
    return file !== undefined ? bundle(file) : undefined;
  };
}

/** From the process a client started, down through wrappers (npx, sh, uv, cmd.exe, our guard) to the one doing the work. */
export function descendToMain(
  root: ProcessInfo,
  tree: ProcessTree,
  read?: PathFacts,
): { main: ProcessInfo; chain: ProcessInfo[] } {
  const chain: ProcessInfo[] = [];
  let cur = root;
  let key: string | null | undefined = null; // the root's launch key, read once when a launcher has several children
  for (let depth = 0; depth < 8 && isWrapper(cur.argv, read && ownScriptOf(cur, read)); depth++) {
    let kids = tree.children(cur.pid);
    // Several children (a pipeline's stages, a watcher's helper): the one that runs what the launch names.
    if (kids.length > 1) {
      if (key === null) key = launchKeyOf(root.argv, false)?.key;
      kids = key === undefined ? [] : kids.filter((k) => launchKeyOf(k.argv, false)?.key === key);
    }
    if (kids.length !== 1) break;
    chain.push(cur);
    cur = kids[0];
  }
  return { main: cur, chain };
}

export function hasAncestorIn(p: ProcessInfo, set: { has(pid: number): boolean }, tree: ProcessTree): boolean {
  let cur = tree.parent(p);
  for (let depth = 0; cur && depth < 64; depth++) {
    if (set.has(cur.pid)) return true;
    cur = tree.parent(cur);
  }
  return false;
}

/**
 * Whether a process is under a matched launch: everything under one is that launch's work. One
 * memoised walk up per process (linear in the table, however big a server's subtree is).
 */
export function claimedUnder(roots: ReadonlySet<number>, tree: ProcessTree): (start: ProcessInfo) => boolean {
  const underRoot = new Map<number, boolean>();
  return (start) => {
    const path: number[] = [];
    let cur: ProcessInfo | undefined = start;
    let result = false;
    while (cur) {
      const known = underRoot.get(cur.pid);
      if (known !== undefined) {
        result = known;
        break;
      }
      path.push(cur.pid);
      if (roots.has(cur.pid)) {
        result = true;
        break;
      }
      const parent: ProcessInfo | undefined = tree.parent(cur);
      if (parent && path.includes(parent.pid)) break; // a cycle from a pid reused between reads
      cur = parent;
    }
    for (const pid of path) underRoot.set(pid, result);
    return result;
  };
}

/** A guard above a process is part of its launch (the guard's lock marks the instance as guarded). */
export function underItsGuard(p: ProcessInfo, tree: ProcessTree, read: PathFacts): ProcessInfo {
  let top = p;
  for (
    let parent = tree.parent(top);
    parent && isGuard(parent.argv, ownScriptOf(parent, read)) && tree.children(parent.pid).length === 1;
    parent = tree.parent(top)
  )
    top = parent;
  return top;
}
