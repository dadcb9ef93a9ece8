/**
 * A unified diff (`---`/`+++`, `@@` hunks, 3 lines of context) of two texts, line by line, for
 * showing an edit before it is written. The common head and tail are set aside first: an entry's
 * edit touches a few lines of what may be a large file (`~/.claude.json`), so the line-by-line
 * comparison runs on the changed middle only.
 */
export function unifiedDiff(before: string, after: string, fromLabel: string, toLabel: string, context = 3): string {
  if (before === after) return '';
  const a = before.split(/\r?\n/);
  const b = after.split(/\r?\n/);
  const { head, tail } = commonEnds(a, b);
  const ops = [
    ...a.slice(0, head).map((l) => ({ op: ' ' as const, line: l })),
    ...middle(a.slice(head, a.length - tail), b.slice(head, b.length - tail)),
    ...a.slice(a.length - tail).map((l) => ({ op: ' ' as const, line: l })),
  ];
  const out = [`--- ${fromLabel}`, `+++ ${toLabel}`];
  // Hunks: runs of changes with up to `context` unchanged lines around them, joined when close.
  let i = 0;
  let aLine = 1;
  let bLine = 1;
  const positions = ops.map((o) => {
    const at = { a: aLine, b: bLine };
    if (o.op !== '+') aLine++;
    if (o.op !== '-') bLine++;
    return at;
  });
  while (i < ops.length) {
    if (ops[i].op === ' ') {
      i++;
      continue;
    }
    const start = Math.max(0, i - context);
    let end = i;
    for (let j = i; j < ops.length; j++) {
      if (ops[j].op !== ' ') end = j;
      else if (j - end > 2 * context) break;
    }
    const stop = Math.min(ops.length, end + context + 1);
    const hunk = ops.slice(start, stop);
    const aCount = hunk.filter((o) => o.op !== '+').length;
    const bCount = hunk.filter((o) => o.op !== '-').length;
    out.push(`@@ -${positions[start].a},${aCount} +${positions[start].b},${bCount} @@`);
    for (const o of hunk) out.push(`${o.op}${o.line}`);
    i = stop;
  }
  return `${out.join('\n')}\n`;
}

/** How many lines two texts (as lines) share at their start and, after that, at their end. */
export function commonEnds(a: readonly string[], b: readonly string[]): { head: number; tail: number } {
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  return { head, tail };
}

/**
 * The part of each text a diff of the two may show (its changed lines and `context` lines around
 * them), as character offsets: what is outside is the same in both and never shown.
 */
export function diffWindows(
  before: string,
  after: string,
  context = 3,
): { before: { from: number; to: number }; after: { from: number; to: number } } {
  const a = before.split(/\r?\n/);
  const b = after.split(/\r?\n/);
  const { head, tail } = commonEnds(a, b);
  const window = (text: string, lines: string[]) => {
    const firstLine = Math.max(0, head - context);
    const endLine = Math.min(lines.length, lines.length - tail + context);
    // Offsets of line starts, counted on the text itself (line breaks may be \r\n).
    let from = 0;
    let to = text.length;
    let offset = 0;
    for (let line = 0; line < lines.length; line++) {
      if (line === firstLine) from = offset;
      if (line === endLine) {
        to = offset;
        break;
      }
      const next = text.indexOf('\n', offset);
      offset = next < 0 ? text.length : next + 1;
    }
    return { from, to };
  };
  return { before: window(before, a), after: window(after, b) };
}

type Op = { op: ' ' | '-' | '+'; line: string };

/** The changed middle, by longest common subsequence. */
function middle(a: string[], b: string[]): Op[] {
  const n = a.length;
  const m = b.length;
  // Past this size a common subsequence is not worth its quadratic cost: all out, all in.
  if (n * m > 4_000_000)
    return [...a.map((line) => ({ op: '-' as const, line })), ...b.map((line) => ({ op: '+' as const, line }))];
  const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  const out: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      out.push({ op: ' ', line: a[i] });
      i++;
      j++;
    } else if (lcs[i + 1][j] >= lcs[i][j + 1]) out.push({ op: '-', line: a[i++] });
    else out.push({ op: '+', line: b[j++] });
  }
  while (i < n) out.push({ op: '-', line: a[i++] });
  while (j < m) out.push({ op: '+', line: b[j++] });
  return out;
}
