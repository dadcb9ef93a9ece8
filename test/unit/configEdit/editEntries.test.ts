import * as assert from 'node:assert/strict';
import type * as SmolToml from 'smol-toml' with { 'resolution-mode': 'import' };
import { decodeConfig, encodeConfig, firstInvalidByte } from '../../../src/core/configEdit/configText';
import { EntryFormat } from '../../../src/core/configEdit/entryFormats/types';
import {
  computeWrap,
  editEntries,
  entryFormatFor,
  unwrapChange,
  wrapChange,
} from '../../../src/core/configEdit/wrapEdit';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { parse: parseToml } = require('smol-toml') as typeof SmolToml;

const GUARD = { command: '/g/mcp-lifeguard' };
const json = entryFormatFor('/h/.cursor/mcp.json');
const toml = entryFormatFor('/h/.codex/config.toml');
const yaml = entryFormatFor('/h/.continue/config.yaml');

/** Wraps the entries at `keyPaths` of `bytes` in one plan; the new bytes, or the reason. */
function wrapBytes(bytes: Buffer, format: EntryFormat, keyPaths: (string | number)[][]): Buffer | string {
  const decoded = decodeConfig(bytes);
  const r = editEntries(
    decoded.text,
    format,
    keyPaths.map((keyPath) => ({ keyPath, change: wrapChange('mem', GUARD) })),
    { encoding: decoded.encoding },
  );
  if (r.kind === 'error') return r.reason;
  const refused = r.reasons.find((x) => x !== undefined);
  if (refused !== undefined) return refused;
  return encodeConfig({ ...decoded, text: r.text! });
}

/** `text` with each [from, to] replaced once, in order: what an edit may change and nothing else. */
function only(text: string, ...changes: Array<[string, string]>): string {
  let out = text;
  for (const [from, to] of changes) {
    assert.ok(out.includes(from), from);
    out = out.replace(from, to);
  }
  return out;
}

describe('config editors: the entry the client uses, nothing else, one parse per file', () => {
  it('JSON: a server named twice: the last definition is rewritten (as JSON.parse and the scan read it), the first kept byte for byte', () => {
    const text = `{\n  "mcpServers": {\n    "mem": { "command": "a", "args": ["1"] },\n    "mem": { "command": "b", "args": ["2"] }\n  }\n}\n`;
    const r = computeWrap(text, ['mcpServers', 'mem'], 'mem', GUARD);
    assert.ok(r.kind === 'ok', JSON.stringify(r));
    assert.equal(
      r.text,
      only(text, [
        '"mem": { "command": "b", "args": ["2"] }',
        '"mem": { "command": "/g/mcp-lifeguard", "args": ["run", "--name", "mem", "--", "b", "2"] }',
      ]),
    );
    assert.deepEqual(JSON.parse(r.text).mcpServers.mem, {
      command: GUARD.command,
      args: ['run', '--name', 'mem', '--', 'b', '2'],
    });
  });

  it('JSON: "command", "args" and a map key written twice: the last of each is the one read and rewritten', () => {
    const text =
      '{"mcpServers": {"x": {}}, "mcpServers": {"mem": {"command": "a", "args": ["1"], "command": "b", "args": ["2"]}}}';
    const r = computeWrap(text, ['mcpServers', 'mem'], 'mem', GUARD);
    assert.ok(r.kind === 'ok', JSON.stringify(r));
    assert.deepEqual(JSON.parse(r.text).mcpServers.mem, {
      command: GUARD.command,
      args: ['run', '--name', 'mem', '--', 'b', '2'],
    });
    assert.ok(
      r.text.startsWith(
        '{"mcpServers": {"x": {}}, "mcpServers": {"mem": {"command": "a", "args": ["1"], "command": "/g/',
      ),
    );
  });

  it('JSON that is not UTF-8: every byte outside the edited values kept, a moved value keeps its bytes, a new one is escaped to ASCII', () => {
    const latin1 = (s: string) => Buffer.from(s, 'latin1');
    const before = latin1(
      '{\n  // r\xe9sum\xe9\n  "mcpServers": { "mem": { "command": "caf\xe9", "args": ["\\u00e9t\xe9"] } }\n}\n',
    );
    const decoded = decodeConfig(before);
    assert.equal(decoded.encoding, 'bytes');
    const r = editEntries(
      decoded.text,
      json,
      [{ keyPath: ['mcpServers', 'mem'], change: wrapChange('m\u00e9m', { command: '/h/jos\u00e9/mcp-lifeguard' }) }],
      {
        encoding: decoded.encoding,
      },
    );
    assert.ok(r.kind === 'ok' && r.text !== undefined, JSON.stringify(r));
    const after = encodeConfig({ ...decoded, text: r.text });
    const text = after.toString('latin1');
    assert.ok(
      text.startsWith(
        '{\n  // r\xe9sum\xe9\n  "mcpServers": { "mem": { "command": "/h/jos\\u00e9/mcp-lifeguard", "args": [',
      ),
    );
    assert.ok(text.includes('"m\\u00e9m"'), 'the new name, escaped');
    assert.ok(text.includes('"caf\xe9", "\\u00e9t\xe9"]'), 'the moved values, as written');
    assert.ok(text.endsWith('] } }\n}\n'));
    assert.ok(!after.includes(Buffer.from('\ufffd')), 'no replacement character');
    // And back: unwrap restores the very bytes.
    const back = editEntries(text, json, [{ keyPath: ['mcpServers', 'mem'], change: unwrapChange }], {
      encoding: 'bytes',
    });
    assert.ok(back.kind === 'ok' && back.text !== undefined);
    assert.equal(back.text, before.toString('latin1'));
  });

  it('bytes and text: UTF-8 (with or without a byte order mark) is text, anything else one character per byte, both back exactly', () => {
    for (const bytes of [
      Buffer.from('{"a": "\u00e9\u{1f600}"}'),
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"a": 1}')]),
      Buffer.from([0x7b, 0xe9, 0x7d]),
      Buffer.from([0xed, 0xa0, 0x80]), // a surrogate: not UTF-8
      Buffer.from(Array.from({ length: 256 }, (_, i) => i)),
    ])
      assert.ok(encodeConfig(decodeConfig(bytes)).equals(bytes), bytes.toString('hex'));
    assert.deepEqual(
      [
        decodeConfig(Buffer.from([0xef, 0xbb, 0xbf, 0x7b, 0x7d])).text,
        decodeConfig(Buffer.from([0xef, 0xbb, 0xbf])).bom,
      ],
      ['{}', true],
    );
    assert.equal(firstInvalidByte(Buffer.from('ok \u00e9')), -1);
    assert.equal(firstInvalidByte(Buffer.from([0x61, 0x62, 0xe9, 0x63])), 2);
    assert.equal(firstInvalidByte(Buffer.from([0x61, 0xc0, 0x80])), 1, 'an overlong form');
  });

  it('a file with a byte order mark is edited, the mark kept', () => {
    const bytes = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from('{"mcpServers": {"mem": {"command": "a"}}}'),
    ]);
    const after = wrapBytes(bytes, json, [['mcpServers', 'mem']]);
    assert.ok(Buffer.isBuffer(after), String(after));
    assert.ok(after.subarray(0, 3).equals(bytes.subarray(0, 3)));
    assert.deepEqual(JSON.parse(after.subarray(3).toString()).mcpServers.mem.args, ['run', '--name', 'mem', '--', 'a']);
  });

  it('TOML and YAML must be UTF-8: a file that is not is refused, not re-encoded', () => {
    assert.equal(
      wrapBytes(Buffer.from('# \xe9\n[mcp_servers.m]\ncommand = "a"\n', 'latin1'), toml, [['mcp_servers', 'm']]),
      'the file is not valid UTF-8; fix its encoding first',
    );
    assert.equal(
      wrapBytes(Buffer.from('# \xe9\nmcpServers:\n  - name: m\n    command: a\n', 'latin1'), yaml, [['mcpServers', 0]]),
      'the file is not valid UTF-8; fix its encoding first',
    );
  });

  it('YAML: only the values change; a block list stays a block list at its column, a flow list flow, a missing list gets a block list of its own, and Unwrap gives the text back', () => {
    const text = [
      '# servers',
      'mcpServers:',
      '  - name: a # first',
      '    command: npx   # from npm',
      '    args:',
      '      - -y',
      "      - 'pkg' # pinned",
      '    env: { K: v }',
      '  - name: b',
      '    command: "b-server"',
      '    args: [x,  y]',
      '  - name: c',
      '    command: c-server',
      '    env:',
      '      K: v',
      '',
    ].join('\n');
    const r = editEntries(
      text,
      yaml,
      [0, 1, 2].map((i) => ({ keyPath: ['mcpServers', i], change: wrapChange('mem', GUARD) })),
    );
    assert.ok(r.kind === 'ok' && r.text !== undefined, JSON.stringify(r));
    assert.equal(
      r.text,
      only(
        text,
        ['command: npx   #', 'command: "/g/mcp-lifeguard"   #'],
        ['- -y\n', '- "run"\n      - "--name"\n      - "mem"\n      - "--"\n      - npx\n      - -y\n'],
        ['command: "b-server"', 'command: "/g/mcp-lifeguard"'],
        ['args: [x,  y]', 'args: ["run", "--name", "mem", "--", "b-server", x,  y]'],
        [
          'command: c-server\n',
          'command: "/g/mcp-lifeguard"\n    args:\n      - "run"\n      - "--name"\n      - "mem"\n      - "--"\n      - c-server\n',
        ],
      ),
    );
    const back = editEntries(
      r.text,
      yaml,
      [0, 1, 2].map((i) => ({ keyPath: ['mcpServers', i], change: unwrapChange })),
    );
    assert.ok(back.kind === 'ok' && back.text !== undefined);
    // And back, byte for byte.
    assert.equal(back.text, text);
  });

  it('YAML: a key written twice is refused (the file is not valid YAML)', () => {
    const r = computeWrap(
      'mcpServers:\n  - name: a\n    command: x\n    command: y\n',
      ['mcpServers', 0],
      'a',
      GUARD,
      yaml,
    );
    assert.deepEqual(r, { kind: 'error', reason: 'the file has syntax errors (see Problems); fix them first' });
  });

  it('TOML: many entries in one plan; every other line as it was', () => {
    const tables = Array.from(
      { length: 300 },
      (_, i) => `[mcp_servers.s${i}] # n${i}\ncommand = "srv" # c\nargs = ["--n", "${i}"]\n`,
    );
    const text = `model = "o4"\n\n${tables.join('\n')}`;
    const r = editEntries(
      text,
      toml,
      tables.map((_, i) => ({ keyPath: ['mcp_servers', `s${i}`], change: wrapChange(`s${i}`, GUARD) })),
    );
    assert.ok(r.kind === 'ok' && r.text !== undefined, JSON.stringify(r));
    const doc = parseToml(r.text) as {
      model: string;
      mcp_servers: Record<string, { command: string; args: string[] }>;
    };
    assert.equal(doc.model, 'o4');
    for (let i = 0; i < 300; i++)
      assert.deepEqual(
        { ...doc.mcp_servers[`s${i}`], args: [...doc.mcp_servers[`s${i}`].args] },
        {
          command: GUARD.command,
          args: ['run', '--name', `s${i}`, '--', 'srv', '--n', String(i)],
        },
      );
    const lines = r.text.split('\n');
    assert.equal(lines.length, text.split('\n').length);
    text.split('\n').forEach((line, i) => {
      if (!/^(command|args) =/.test(line)) assert.equal(lines[i], line);
    });
  });

  it('a file is parsed once however many of its entries one plan rewrites', () => {
    let opens = 0;
    const counting: EntryFormat = { open: (...a) => (opens++, json.open(...a)) };
    const text = `{"mcpServers": {${Array.from({ length: 2000 }, (_, i) => `"s${i}": {"command": "srv"}`).join(', ')}}}`;
    const r = editEntries(
      text,
      counting,
      Array.from({ length: 2000 }, (_, i) => ({ keyPath: ['mcpServers', `s${i}`], change: wrapChange('s0', GUARD) })),
    );
    assert.ok(r.kind === 'ok' && r.text !== undefined);
    assert.equal(opens, 1);
    assert.equal(Object.keys(JSON.parse(r.text).mcpServers).length, 2000);
    assert.ok(r.reasons.every((x) => x === undefined));
  });

  it('an entry named twice in one plan is refused for its second edit', () => {
    const r = editEntries('{"s": {"a": {"command": "x"}}}', json, [
      { keyPath: ['s', 'a'], change: wrapChange('a', GUARD) },
      { keyPath: ['s', 'a'], change: wrapChange('a', GUARD) },
    ]);
    assert.ok(r.kind === 'ok');
    assert.deepEqual(r.reasons, [undefined, 'the entry is rewritten twice in one plan']);
  });
});
