/**
 * A command line that `ps` printed with its arguments joined by spaces (macOS, the BSDs), split
 * back into arguments. A space inside an argument and a space between two look alike, so the line
 * is never split on spaces blindly: an absolute path (an argument that starts with `/`, or an
 * option's value after `=`) is followed through the folders that exist, each one's entries read
 * once, so `/Users/ana/Library/Application Support/Claude/Claude Extensions/x/server/index.js`
 * stays one argument where those folders exist. Where the folders say nothing (a path gone, a
 * folder that cannot be read, two entries that both fit), the path ends at its first space, as
 * the line alone says: undecided, never guessed longer.
 */

/** The entries of a folder, or undefined when it cannot be read (absent, not a folder, not allowed). */
export type ReadFolder = (folder: string) => readonly string[] | undefined;

/** Splits a joined command line; paths with spaces are kept whole where `readFolder` proves them. */
export function splitJoinedArgs(line: string, readFolder: ReadFolder): string[] {
  const text = line.trim();
  const argv: string[] = [];
  let i = 0;
  while (i < text.length) {
    if (text[i] === ' ' || text[i] === '\t') {
      i++;
      continue;
    }
    const naiveEnd = wordEnd(text, i);
    const path = pathStart(text, i, naiveEnd);
    const end = path === undefined || naiveEnd === text.length ? naiveEnd : provenEnd(text, path, naiveEnd, readFolder);
    argv.push(text.slice(i, end));
    i = end;
  }
  return argv;
}

function wordEnd(text: string, from: number): number {
  const m = /[ \t]/.exec(text.slice(from));
  return m ? from + m.index : text.length;
}

/** Where an absolute path begins in the word at `start`: the word itself, or an option's value (`--dir=/a b`). */
function pathStart(text: string, start: number, end: number): number | undefined {
  if (text[start] === '/') return start;
  const eq = text.indexOf('=', start);
  return eq > start && eq + 1 < end && text[eq + 1] === '/' ? eq + 1 : undefined;
}

/**
 * Where the path at `start` ends: its components are followed folder by folder; a component that
 * holds no space up to its slash is what it says, one whose text runs into a space is looked up
 * among its folder's entries (an entry is the component only if the line goes on with `/`, a space
 * or the end after it). The single end so proven, else the first space.
 */
function provenEnd(text: string, start: number, naiveEnd: number, readFolder: ReadFolder): number {
  const ends = new Set<number>();
  const walk = (folder: string, at: number, depth: number): void => {
    if (depth > 64 || ends.size > 1) return;
    const slash = text.indexOf('/', at);
    const space = text.indexOf(' ', at);
    // Past a space already proven part of the path, the rest of the line is one word: the path's last.
    if (space < 0) {
      ends.add(text.length);
      return;
    }
    if (slash >= 0 && slash < space) {
      const name = text.slice(at, slash);
      walk(join(folder, name), slash + 1, depth + 1);
      return;
    }
    // The component's text runs into a space: which entries of the folder does the line spell?
    for (const entry of readFolder(folder) ?? []) {
      if (entry === '' || !text.startsWith(entry, at)) continue;
      const after = at + entry.length;
      const next = text[after];
      if (next === '/') walk(join(folder, entry), after + 1, depth + 1);
      else if (next === ' ' || after === text.length) ends.add(after);
    }
  };
  walk('/', start + 1, 0);
  if (ends.size !== 1) return naiveEnd;
  const [end] = ends;
  return end > naiveEnd ? end : naiveEnd;
}

function join(folder: string, name: string): string {
  return folder.endsWith('/') ? `${folder}${name}` : `${folder}/${name}`;
}
