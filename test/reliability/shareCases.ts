/**
 * Seeded cases for the share host's fuzz: what one client of a shared server sends, and, for a
 * call, what the server writes back, as bytes, with what the client must get. Hostile in the ways a
 * client or a server can be: nesting thousands of levels deep, lines across the share host's bound,
 * batches, garbage, frames cut into many writes, invalid UTF-8, notifications around an answer.
 */

import { MAX_MESSAGE_BYTES, MAX_NESTING } from '../../src/guard/share/hub';

/** The placeholder the scripted server replaces with the id it was called under. */
export const ID_PLACEHOLDER = '"__SERVER_ID__"';

export type ShareCaseKind =
  | 'answer'
  | 'deep-answer'
  | 'big-answer'
  | 'invalid-utf8-answer'
  | 'noisy-answer'
  | 'deep-request'
  | 'big-request'
  | 'batch'
  | 'garbage'
  | 'partial'
  | 'deep-notification';

/** What the client must get back for a case. */
export type Expected =
  /** One line, byte for byte (an answer relayed under the client's id). */
  | { kind: 'exact'; id: string; line: Buffer }
  /** An error under `id` (null: JSON-RPC's id for a message it could not read) with this code, its message matching. */
  | { kind: 'error'; id: string | null; code: number; message: RegExp }
  /** A result under `id` (the scripted server's answer to ping: `{}`). */
  | { kind: 'result'; id: string }
  /** One array: an error per id (null for an element that is no message), in any order. */
  | { kind: 'batch'; ids: Array<string | null> }
  /** Nothing at all. */
  | { kind: 'nothing' };

export interface ShareCase {
  kind: ShareCaseKind;
  /** What the client writes, cut into the writes it makes. */
  writes: Buffer[];
  expected: Expected;
}

const KINDS: Array<[ShareCaseKind, number]> = [
  ['answer', 16],
  ['deep-answer', 14],
  ['big-answer', 3],
  ['invalid-utf8-answer', 6],
  ['noisy-answer', 8],
  ['deep-request', 14],
  ['big-request', 2],
  ['batch', 12],
  ['garbage', 12],
  ['partial', 10],
  ['deep-notification', 3],
];

/** Text with what JSON escapes and multi-byte UTF-8. */
function text(int: (n: number) => number): string {
  const alphabet = ['a', 'é', '日本', '😀', '"', '\\', '\n', ']', '[', '}', '{', ',', ':', ' ', '\u0000', '\u2028'];
  let s = '';
  for (let i = int(12); i > 0; i--) s += alphabet[int(alphabet.length)];
  return s;
}

/** A value nested `depth` levels deep (arrays and objects at random), as canonical JSON. */
function nest(rand: () => number, depth: number): string {
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
}

/** Bytes cut into up to `most` writes anywhere (inside a line, a multi-byte character, an escape). */
export function cut(rand: () => number, bytes: Buffer, most: number): Buffer[] {
  const cuts = Array.from({ length: Math.floor(rand() * most) }, () => Math.floor(rand() * bytes.length)).sort(
    (a, b) => a - b,
  );
  const chunks: Buffer[] = [];
  let from = 0;
  for (const at of [...cuts, bytes.length]) {
    if (at > from) chunks.push(bytes.subarray(from, at));
    from = Math.max(from, at);
  }
  return chunks;
}

const line = (s: string | Buffer): Buffer => Buffer.concat([Buffer.from(s), Buffer.from('\n')]);

/** A `tools/call` of the scripted server's `write`: it writes `chunks`, its id in place of the placeholder. */
const callTo = (id: string, chunks: Buffer[]): string =>
  JSON.stringify({
    jsonrpc: '2.0',
    id,
    method: 'tools/call',
    params: {
      name: 'write',
      arguments: { idPlaceholder: ID_PLACEHOLDER, chunks: chunks.map((c) => c.toString('base64')) },
    },
  });

/** The case the `n`-th of client `who` runs (its ids start with `who`, so a misdelivered answer shows). */
export function shareCase(rand: () => number, who: string, n: number): ShareCase {
  const int = (k: number) => Math.floor(rand() * k);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];
  const total = KINDS.reduce((sum, [, w]) => sum + w, 0);
  let roll = int(total);
  const kind = KINDS.find(([, w]) => (roll -= w) < 0)![0];
  const id = `${who}-${n}`;
  const ping = (params = '{}', idFirst = true) =>
    idFirst
      ? `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"method":"ping","params":${params}}`
      : `{"method":"ping","params":${params},"jsonrpc":"2.0","id":${JSON.stringify(id)}}`;

  /** A call whose answer the server writes as `answer` (with the placeholder for its id), and the client gets as `expect`. */
  const call = (answer: Buffer, expect: Buffer, around: Buffer[] = [], after: Buffer[] = []): ShareCase => {
    const server = Buffer.concat([...around.map(line), line(answer), ...after.map(line)]);
    return {
      kind,
      writes: cut(rand, line(callTo(id, cut(rand, server, 9))), 4),
      expected: { kind: 'exact', id, line: expect },
    };
  };
  const answerOf = (result: string) => `{"jsonrpc":"2.0","id":${ID_PLACEHOLDER},"result":${result}}`;
  const expectOf = (result: string) => Buffer.from(`{"jsonrpc":"2.0","id":${JSON.stringify(id)},"result":${result}}`);

  switch (kind) {
    case 'answer': {
      const result = `{"content":[{"type":"text","text":${JSON.stringify(text(int))}}]${rand() < 0.3 ? ',"isError":true' : ''}}`;
      return call(Buffer.from(answerOf(result)), expectOf(result));
    }
    case 'deep-answer': {
      const depth = pick([100, 1_000, 4_000, 6_000, 20_000, 50_000]) + int(100);
      const result = pick([
        `{"content":[{"type":"text","text":"deep"}],"structuredContent":{"x":${nest(rand, depth)}}}`,
        `{"content":[${nest(rand, depth)}]}`,
        `{"_meta":{"x":${nest(rand, depth)}},"content":[]}`,
      ]);
      return call(Buffer.from(answerOf(result)), expectOf(result));
    }
    case 'big-answer': {
      const result = `{"content":[{"type":"text","text":"${'x'.repeat(200_000 + int(1_300_000))}"}]}`;
      return call(Buffer.from(answerOf(result)), expectOf(result));
    }
    case 'invalid-utf8-answer': {
      // The share host reads JSON as UTF-8: a byte sequence that is not becomes U+FFFD, as any client's parser makes it.
      const good = Buffer.from(answerOf(`{"content":[{"type":"text","text":"BAD"}]}`));
      const at = good.indexOf('BAD');
      const bad = Buffer.from(
        pick([[0xff], [0xc3], [0xe6, 0x97], [0xed, 0xa0, 0x80], [0xf0, 0x9f, 0x98], [0xc0, 0xaf]]),
      );
      const answer = Buffer.concat([good.subarray(0, at), bad, good.subarray(at + 3)]);
      const decoded = Buffer.from(answer.subarray(answer.indexOf('"result"')).toString('utf8'));
      return call(answer, Buffer.concat([Buffer.from(`{"jsonrpc":"2.0","id":${JSON.stringify(id)},`), decoded]));
    }
    case 'noisy-answer': {
      // Notifications and lines that are not JSON-RPC around the answer: a log message goes to every
      // client (each ignores it), a progress notification for no one's token and the garbage to none.
      const noise = (): Buffer =>
        Buffer.from(
          pick([
            () =>
              `{"jsonrpc":"2.0","method":"notifications/message","params":{"level":"info","data":${JSON.stringify(text(int))}}}`,
            () =>
              `{"jsonrpc":"2.0","method":"notifications/message","params":{"level":"info","data":${nest(rand, pick([10, 5_000, 30_000]))}}}`,
            () =>
              `{"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":"nobody","progress":1}}`,
            () => `garbage ${text(int)}`,
            () => '[1,2',
            () => '{"jsonrpc":"2.0","id":{"not":"an id"},"result":{}}',
          ])(),
        );
      const result = `{"content":[]}`;
      return call(
        Buffer.from(answerOf(result)),
        expectOf(result),
        Array.from({ length: 1 + int(3) }, noise),
        Array.from({ length: int(3) }, noise),
      );
    }
    case 'deep-request': {
      const depth = pick([10, MAX_NESTING - 4, MAX_NESTING - 3, MAX_NESTING - 2, 300, 6_000, 50_000]);
      // The request nests 3 levels (itself, params, _meta) around the value.
      const request = ping(`{"_meta":{"x":${nest(rand, depth)}}}`, rand() < 0.5);
      return {
        kind,
        writes: cut(rand, line(request), 4),
        expected:
          depth + 3 > MAX_NESTING
            ? { kind: 'error', id, code: -32600, message: /nested deeper than 256 levels/ }
            : { kind: 'result', id },
      };
    }
    case 'big-request': {
      const size = pick([1024, 1024 * 1024, MAX_MESSAGE_BYTES - 200, MAX_MESSAGE_BYTES + 10, 6 * 1024 * 1024]);
      const request = ping(`{"_meta":{"blob":"${'b'.repeat(size)}"}}`, rand() < 0.5);
      return {
        kind,
        writes: cut(rand, line(request), 9),
        expected:
          request.length > MAX_MESSAGE_BYTES
            ? { kind: 'error', id, code: -32600, message: new RegExp(`longer than ${MAX_MESSAGE_BYTES} bytes`) }
            : { kind: 'result', id },
      };
    }
    case 'batch': {
      const items: string[] = [];
      const ids: Array<string | null> = [];
      for (let i = int(5); i > 0; i--) {
        const element = pick(['request', 'notification', 'answer', 'junk'] as const);
        if (element === 'request') {
          const rid = `${id}.${i}`;
          items.push(`{"jsonrpc":"2.0","id":${JSON.stringify(rid)},"method":"ping"}`);
          ids.push(rid);
        } else if (element === 'notification') items.push('{"jsonrpc":"2.0","method":"notifications/initialized"}');
        else if (element === 'answer') items.push(`{"jsonrpc":"2.0","id":"nobody-${id}","result":{}}`);
        else {
          items.push(pick(['1', '"x"', 'null', '[]', '{}']));
          ids.push(null);
        }
      }
      return {
        kind,
        writes: cut(rand, line(`[${items.join(',')}]`), 4),
        expected:
          items.length === 0
            ? { kind: 'error', id: null, code: -32600, message: /empty JSON-RPC batch/ }
            : ids.length === 0
              ? { kind: 'nothing' }
              : { kind: 'batch', ids },
      };
    }
    case 'garbage': {
      const g = pick([
        () => ({ bytes: Buffer.from(`not json ${text(int).replace(/\n/g, ' ')}`), id: null, code: -32700 }),
        () => ({ bytes: Buffer.from('{"jsonrpc":"2.0","id":1,'), id: null, code: -32700 }),
        () => ({ bytes: Buffer.from([0xff, 0xfe, 0x7b]), id: null, code: -32700 }),
        () => ({ bytes: Buffer.from('5'), id: null, code: -32600 }),
        () => ({ bytes: Buffer.from(`{"id":${JSON.stringify(id)},"method":"ping"}`), id, code: -32600 }),
        () => ({ bytes: Buffer.from(`{"jsonrpc":"2.0","id":${JSON.stringify(id)},"method":7}`), id, code: -32600 }),
        () => ({ bytes: Buffer.from('{"jsonrpc":"2.0","id":{"a":1},"method":"ping"}'), id: null, code: -32600 }),
        () => ({
          bytes: Buffer.from(`{"jsonrpc":"2.0","id":${JSON.stringify(id)},"method":"ping","params":[1]}`),
          id,
          code: -32600,
        }),
      ])();
      return {
        kind,
        writes: cut(rand, line(g.bytes), 4),
        expected: { kind: 'error', id: g.id, code: g.code, message: /./ },
      };
    }
    case 'partial':
      return {
        kind,
        writes: cut(rand, line(ping(`{"_meta":{"t":${JSON.stringify(text(int))}}}`)), 12),
        expected: { kind: 'result', id },
      };
    case 'deep-notification':
      return {
        kind,
        writes: cut(
          rand,
          line(`{"jsonrpc":"2.0","method":"notifications/roots/list_changed","params":{"x":${nest(rand, 6_000)}}}`),
          4,
        ),
        expected: { kind: 'nothing' },
      };
  }
}
