import { createScanner, JSONScanner, Node, SyntaxKind } from 'jsonc-parser';

/**
 * A parse tree of a JSONC text known to have no syntax errors, built one level at a time: an
 * object's or array's children are read the first time they are asked for. A 10 MiB file of
 * 400,000 tiny servers made jsonc-parser's parseTree build millions of nodes (seconds, most of it
 * the garbage collector); here the scan reads only the levels it looks at (the map of servers
 * and the fields of the servers it lists). Nodes have the shape, offsets and values parseTree gives.
 *
 * Only for error-free text: with errors, the parser's recovery decides where a value ends, and
 * matching brackets would not say the same (the caller uses parseTree then).
 */
export function lazyTree(text: string): Node | undefined {
  const scanners = new Scanners(text);
  const s = scanners.take();
  const t = s.scan();
  if (t === SyntaxKind.EOF) return undefined;
  // The root's end is found when its children are first read: no separate pass over the whole text.
  const root =
    t === SyntaxKind.OpenBraceToken || t === SyntaxKind.OpenBracketToken
      ? new LazyNode(scanners, t === SyntaxKind.OpenBraceToken ? 'object' : 'array', s.getTokenOffset(), -1)
      : literal(s, t);
  scanners.give(s);
  return root;
}

/**
 * The scanners of one text, reused by every node of its tree: a jsonc-parser scanner is two dozen
 * closures, and a new one per object read (each server, its args, its env) cost a 20,000-server
 * config 130 ms and its garbage. A read takes one and gives it back when done; a read inside
 * another's callback takes another, so no read moves a scanner under another.
 */
class Scanners {
  private readonly free: JSONScanner[] = [];

  constructor(readonly text: string) {}

  take(): JSONScanner {
    return this.free.pop() ?? createScanner(this.text, true);
  }

  give(s: JSONScanner): void {
    this.free.push(s);
  }
}

class LazyNode implements Node {
  private kids: Node[] | undefined;
  private end: number;

  constructor(
    private readonly scanners: Scanners,
    readonly type: 'object' | 'array',
    readonly offset: number,
    length: number,
  ) {
    this.end = length < 0 ? -1 : offset + length;
  }

  get length(): number {
    if (this.end < 0) void this.children;
    return this.end - this.offset;
  }

  get children(): Node[] {
    if (!this.kids) {
      const kids: Node[] = [];
      this.read((key, keyOffset, keyLength, colonOffset, value) => {
        if (this.type === 'array') kids.push(value);
        else
          kids.push({
            type: 'property',
            offset: keyOffset,
            length: value.offset + value.length - keyOffset,
            colonOffset,
            children: [{ type: 'string', offset: keyOffset, length: keyLength, value: key }, value],
          });
      });
      this.kids = kids;
    }
    return this.kids;
  }

  /**
   * Calls `each` with every member of this object (key, its offset and length, the colon's) or
   * element of this array (key ''), in order, without building property nodes: the one pass over
   * a map of 400,000 servers allocates a name and a node per server, nothing more.
   */
  read(each: (key: string, keyOffset: number, keyLength: number, colonOffset: number, value: Node) => void): void {
    if (this.kids) {
      for (const k of this.kids) {
        if (k.type === 'property')
          each(k.children![0].value, k.offset, k.children![0].length, k.colonOffset!, k.children![1]);
        else each('', k.offset, 0, -1, k);
      }
      return;
    }
    const s = this.scanners.take();
    try {
      this.readWith(s, each);
    } finally {
      this.scanners.give(s);
    }
  }

  private readWith(
    s: JSONScanner,
    each: (key: string, keyOffset: number, keyLength: number, colonOffset: number, value: Node) => void,
  ): void {
    s.setPosition(this.offset + 1);
    for (let t = s.scan(); ; t = s.scan()) {
      if (t === SyntaxKind.CloseBraceToken || t === SyntaxKind.CloseBracketToken || t === SyntaxKind.EOF) break;
      if (t === SyntaxKind.CommaToken) continue;
      if (this.type === 'array') {
        each('', s.getTokenOffset(), 0, -1, this.child(s, t));
        continue;
      }
      const keyOffset = s.getTokenOffset();
      const keyLength = s.getTokenLength();
      const key = s.getTokenValue();
      s.scan();
      const colonOffset = s.getTokenOffset();
      each(key, keyOffset, keyLength, colonOffset, this.child(s, s.scan()));
    }
    this.end = s.getTokenOffset() + s.getTokenLength();
  }

  /** The value whose first token is `t`; a nested object or array is skipped to its closing bracket, unread. */
  private child(s: JSONScanner, t: SyntaxKind): Node {
    if (t !== SyntaxKind.OpenBraceToken && t !== SyntaxKind.OpenBracketToken) return literal(s, t);
    const start = s.getTokenOffset();
    const end = closingBracket(this.scanners.text, start) + 1;
    s.setPosition(end);
    return new LazyNode(this.scanners, t === SyntaxKind.OpenBraceToken ? 'object' : 'array', start, end - start);
  }
}

/** Calls `each` with every property of an object node, lazily read or not: see LazyNode.read. */
export function forEachProperty(
  node: Node,
  each: (key: string, keyOffset: number, value: Node | undefined) => void,
): void {
  if (node instanceof LazyNode) {
    node.read((key, keyOffset, _length, _colon, value) => each(key, keyOffset, value));
    return;
  }
  for (const prop of node.children ?? []) {
    const [k, v] = prop.children ?? [];
    if (k && typeof k.value === 'string') each(k.value, k.offset, v);
  }
}

/**
 * The offset of the bracket that closes the one at `open`, in error-free JSONC: strings and
 * comments skipped. A plain loop over the characters: three times faster than the tokenizer.
 */
function closingBracket(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 92 /* \ */) i++;
        else if (d === 34) break;
      }
    } else if (c === 47 /* / */) {
      const n = text.charCodeAt(i + 1);
      if (n === 47) {
        // A line comment ends at \n or \r, as the tokenizer ends it.
        while (i < text.length && text.charCodeAt(i) !== 10 && text.charCodeAt(i) !== 13) i++;
      } else if (n === 42 /* * */) {
        const close = text.indexOf('*/', i + 2);
        i = close < 0 ? text.length : close + 1;
      }
    } else if (c === 123 /* { */ || c === 91 /* [ */) {
      depth++;
    } else if (c === 125 /* } */ || c === 93 /* ] */) {
      if (--depth === 0) return i;
    }
  }
  return text.length - 1;
}

/** A string, number, true, false or null token as parseTree makes it. */
function literal(s: JSONScanner, t: SyntaxKind): Node {
  const offset = s.getTokenOffset();
  const length = s.getTokenLength();
  switch (t) {
    case SyntaxKind.StringLiteral:
      return { type: 'string', offset, length, value: s.getTokenValue() };
    case SyntaxKind.NumericLiteral:
      return { type: 'number', offset, length, value: Number(s.getTokenValue()) };
    case SyntaxKind.TrueKeyword:
      return { type: 'boolean', offset, length, value: true };
    case SyntaxKind.FalseKeyword:
      return { type: 'boolean', offset, length, value: false };
    default:
      return { type: 'null', offset, length, value: null };
  }
}
