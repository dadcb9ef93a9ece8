/**
 * Seeded cases for the relay fuzz: what a server writes for one `tools/call`, as bytes, with the
 * kind of answer it is. Hostile in the ways a real server can be: deep nesting, large results,
 * invalid UTF-8, duplicate keys, odd spacing and line endings, lines that are not JSON, and
 * notifications before and after the answer.
 */

/** mulberry32: a small seeded generator, so a failing case can be run again from its seed. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type AnswerKind =
  | 'plain'
  | 'deep'
  | 'big'
  | 'invalid-utf8'
  | 'duplicate-result'
  | 'duplicate-content'
  | 'content-not-array'
  | 'error'
  | 'not-json';

export interface RelayCase {
  kind: AnswerKind;
  /** The server's whole output for the call, cut into the writes it makes. */
  chunks: Buffer[];
  /** Which line (0-based) is the answer to the call. */
  answerLine: number;
  /** Whether the guard must append its notice to the answer (a plain answer under the bound). */
  mustAnnotate: boolean;
}

const KINDS: Array<[AnswerKind, number]> = [
  ['plain', 30],
  ['deep', 14],
  ['big', 3],
  ['invalid-utf8', 10],
  ['duplicate-result', 8],
  ['duplicate-content', 8],
  ['content-not-array', 6],
  ['error', 6],
  ['not-json', 6],
];

export function relayCase(rand: () => number, id: number): RelayCase {
  const int = (n: number) => Math.floor(rand() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];
  const total = KINDS.reduce((n, [, w]) => n + w, 0);
  let roll = int(total);
  const kind = KINDS.find(([, w]) => (roll -= w) < 0)![0];

  const text = (): string => {
    const alphabet = [
      'a',
      'é',
      '日本',
      '😀',
      '\\"',
      '\\\\',
      '\\n',
      '\\u00e9',
      '\\ud83d\\ude00',
      ']',
      '[',
      '}',
      '{',
      ',',
      ':',
      '"content"',
      ' ',
    ];
    let s = '';
    for (let i = int(12); i > 0; i--) s += pick(alphabet).replace(/^"content"$/, '\\"content\\"');
    return s;
  };
  const block = () => `{"type":"text","text":"${text()}"}`;
  const blocks = (n: number) => Array.from({ length: n }, block).join(',');
  const nest = (depth: number): string => {
    let open = '';
    let close = '';
    for (let i = 0; i < depth; i++) {
      if (rand() < 0.5) {
        open += '[';
        close = `]${close}`;
      } else {
        open += '{"k":';
        close = `}${close}`;
      }
    }
    return `${open}1${close}`;
  };
  const sp = () => pick(['', '', ' ', '  ', '\t']);
  const idPart = `"id"${sp()}:${sp()}${id}`;
  const wrap = (result: string) => {
    const members = [`"jsonrpc":"2.0"`, idPart, `"result":${result}`];
    if (rand() < 0.3) members.push(members.splice(1, 1)[0]); // the id last, as large answers often have it
    return `{${sp()}${members.join(`,${sp()}`)}${sp()}}`;
  };

  let answer: Buffer;
  switch (kind) {
    case 'plain':
      answer = Buffer.from(
        wrap(
          `{"content":[${blocks(int(4))}]${rand() < 0.5 ? `,"structuredContent":{"content":[${blocks(1)}],"a":1.0}` : ''}${rand() < 0.3 ? ',"isError":true' : ''}}`,
        ),
      );
      break;
    case 'deep': {
      const depth = pick([100, 4_000, 6_000, 20_000, 50_000]) + int(100);
      const where = int(3);
      const inner =
        where === 0
          ? `{"content":[${nest(depth)}]}`
          : where === 1
            ? `{"content":[${blocks(1)}],"structuredContent":${nest(depth)}}`
            : `{"_meta":{"x":${nest(depth)}},"content":[${blocks(1)}]}`;
      answer = Buffer.from(wrap(inner));
      break;
    }
    case 'big':
      answer = Buffer.from(wrap(`{"content":[{"type":"text","text":"${'x'.repeat(200_000 + int(120_000))}"}]}`));
      break;
    case 'invalid-utf8': {
      const good = Buffer.from(wrap(`{"content":[{"type":"text","text":"BAD"}]}`));
      const at = good.indexOf('BAD');
      const bad = Buffer.from(
        pick([[0xff], [0xc3], [0xe6, 0x97], [0xed, 0xa0, 0x80], [0xf0, 0x9f, 0x98], [0xc0, 0xaf]]),
      );
      answer = Buffer.concat([good.subarray(0, at), bad, good.subarray(at + 3)]);
      break;
    }
    case 'duplicate-result':
      answer = Buffer.from(
        `{"jsonrpc":"2.0",${idPart},"result":{"content":[${blocks(1)}]},"result":{"content":[${blocks(1)}]}}`,
      );
      break;
    case 'duplicate-content':
      answer = Buffer.from(wrap(`{"content":[${blocks(1)}],"content":[${blocks(1)}]}`));
      break;
    case 'content-not-array':
      answer = Buffer.from(wrap(`{"content":${pick(['{"type":"text"}', '"text"', 'null', '5'])}}`));
      break;
    case 'error':
      answer = Buffer.from(`{"jsonrpc":"2.0",${idPart},"error":{"code":-32000,"message":"${text()}"}}`);
      break;
    case 'not-json':
      answer = Buffer.from(
        pick([
          `{"jsonrpc":"2.0",${idPart},"result":{"content":[`,
          `not json at all ${text()}`,
          '\u0000\u0001',
          `{"jsonrpc":"2.0",${idPart},"result":{"content":[]}}}`,
        ]),
      );
      break;
  }

  const notification = (): Buffer => {
    const kinds = [
      () => `{"jsonrpc":"2.0","method":"notifications/message","params":{"level":"info","data":"${text()}"}}`,
      () =>
        `{"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":${id},"progress":${int(100)}}}`,
      () =>
        `{"jsonrpc":"2.0","method":"notifications/message","params":{"level":"info","data":${nest(pick([10, 5_000, 30_000]))}}}`,
      () => `garbage ${text()}`,
    ];
    return Buffer.from(pick(kinds)());
  };
  const lines: Buffer[] = [];
  for (let i = int(3); i > 0; i--) lines.push(notification());
  const answerLine = lines.length;
  lines.push(answer);
  for (let i = rand() < 0.3 ? int(3) : 0; i > 0; i--) lines.push(notification());

  const bytes = Buffer.concat(lines.map((line) => Buffer.concat([line, Buffer.from(rand() < 0.1 ? '\r\n' : '\n')])));
  // The writes: up to 8 cuts anywhere (inside a line, a multi-byte character, an escape).
  const cuts = Array.from({ length: int(9) }, () => int(bytes.length)).sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    if (cut > from) chunks.push(bytes.subarray(from, cut));
    from = Math.max(from, cut);
  }
  const mustAnnotate = kind === 'plain' || (kind === 'deep' && answer.length < 256 * 1024);
  return { kind, chunks, answerLine, mustAnnotate };
}
