import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { terminalSafe, terminalSafeDeep, terminalSafeLines } from '../../../src/core/base/terminalSafe';
import { mdCell } from '../../../src/extension/viewModel/format';
import { treeItem } from '../../../src/extension/viewModel/treeItem';

describe('terminal safety: control and bidi characters are shown as visible escapes', () => {
  const hostile =
    'a\x1b[2J\x07b\r\nc\td\x7f\x9b\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u2028\u2029e';

  it('terminalSafe escapes every C0, DEL, C1, bidi and separator character, newlines included', () => {
    assert.equal(
      terminalSafe(hostile),
      'a\\u001b[2J\\u0007b\\r\\nc\\td\\u007f\\u009b\\u061c\\u200e\\u200f\\u202a\\u202b\\u202c\\u202d\\u202e\\u2066\\u2067\\u2068\\u2069\\u2028\\u2029e',
    );
  });

  it('invisible format characters that make two names look alike are escaped too, tag characters as a surrogate pair', () => {
    const lookalike = 'me\u00admory\u200b\u200c\u200d\u2060\ufeff\u180e\u{e0041}';
    const shown = terminalSafe(lookalike);
    assert.equal(shown, 'me\\u00admory\\u200b\\u200c\\u200d\\u2060\\ufeff\\u180e\\udb40\\udc41');
    assert.equal(JSON.parse(`"${shown}"`), lookalike);
  });

  it('ordinary text, including non-Latin scripts and symbols, is unchanged', () => {
    for (const text of [
      '@modelcontextprotocol/server-memory --port 3000',
      'C:\\Users\\me\\mcp.json',
      'Сервер · 服务器 · مخدم · 🚀',
      '',
    ])
      assert.equal(terminalSafe(text), text);
  });

  it('every escape is a valid JSON string escape: text already in JSON parses back exactly', () => {
    const json = JSON.stringify({ name: hostile }, null, 2);
    assert.deepEqual(JSON.parse(terminalSafeLines(json)), { name: hostile });
  });

  it('terminalSafeLines keeps the newlines that separate lines, and nothing else', () => {
    assert.equal(terminalSafeLines('one\x1b[31m\ntwo\r\n'), 'one\\u001b[31m\ntwo\\r\n');
  });

  it('the printable-ASCII shortcut changes nothing: terminalSafe is the full escape (terminalSafeLines, which has no shortcut) on any text without a newline', () => {
    for (const c of ['\x1f', ' ', '~', '\x7f', '\x80', '\u00a0', '\u202e'])
      assert.equal(terminalSafe(`a${c}b`), terminalSafeLines(`a${c}b`), JSON.stringify(c));
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme-ascii' }), (t, ascii) => {
        const line = t.replace(/\n/g, '');
        assert.equal(terminalSafe(line), terminalSafeLines(line));
        assert.equal(terminalSafe(ascii.replace(/\n/g, '')), terminalSafeLines(ascii.replace(/\n/g, '')));
      }),
      { numRuns: 500 },
    );
  });

  it('terminalSafeDeep keeps a key named __proto__ as an own key', () => {
    const data = JSON.parse('{"__proto__": "x\\u001b", "a": 1}');
    const safe = terminalSafeDeep(data) as Record<string, unknown>;
    assert.deepEqual(Object.keys(safe), ['__proto__', 'a']);
    assert.equal(Object.getOwnPropertyDescriptor(safe, '__proto__')?.value, 'x\\u001b');
  });

  it('terminalSafeDeep escapes every string of plain data and keeps the rest', () => {
    assert.deepEqual(terminalSafeDeep({ a: ['x\ny', { b: '\u202e' }], n: 1, z: null }), {
      a: ['x\\ny', { b: '\\u202e' }],
      n: 1,
      z: null,
    });
  });

  it('the extension shows tree labels, descriptions, tooltips and table cells escaped too', () => {
    assert.equal(mdCell('evil\u202egnp.exe'), 'evil\\u202egnp.exe');
    const item = treeItem(
      { kind: 'message', id: 'm', text: 'x\x1b[2J\u202ey', tooltip: 'line\u202e' },
      { trusted: true, now: 0, guardAvailable: false },
      [],
    );
    assert.equal(item.label, 'x\\u001b[2J\\u202ey');
    assert.equal(item.tooltip, 'line\\u202e');
  });
});
