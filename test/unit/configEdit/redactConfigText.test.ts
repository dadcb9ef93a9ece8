import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseJsonc } from 'jsonc-parser';
import { parse as parseYaml } from 'yaml';
import type * as SmolToml from 'smol-toml' with { 'resolution-mode': 'import' };
import { planConfigEdits, redactedDiff } from '../../../src/cli/commands/wrap';
import { configTokens, tomlTokens } from '../../../src/core/configEdit/configTokens';
import { redactConfigLine, redactConfigText } from '../../../src/core/configEdit/redactConfigText';
import { diffWindows } from '../../../src/core/configEdit/unifiedDiff';
import { scanSources } from '../../../src/core/sources/scan';
import { fixturesDir } from '../../support/repo';
import { host, memFs } from '../sources/support';
import { liveFs } from '../../../src/core/machine/liveFs';

// smol-toml's types are declared as ESM only: its CommonJS build, with its types.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { parse: parseToml } = require('smol-toml') as typeof SmolToml;

interface Shape {
  name: string;
  file: 'cursor' | 'claude' | 'codex' | 'continue';
  shown: string;
  secrets: string[];
  pieces?: string[];
  entry: string[];
}
const corpus = JSON.parse(fs.readFileSync(path.join(fixturesDir, 'secrets', 'spellings.json'), 'utf8')) as {
  shapes: Shape[];
};

const HOME = '/home/u';
const FILES: Record<Shape['file'], string> = {
  cursor: `${HOME}/.cursor/mcp.json`,
  claude: `${HOME}/.config/Claude/claude_desktop_config.json`,
  codex: `${HOME}/.codex/config.toml`,
  continue: `${HOME}/.continue/config.yaml`,
};

/** A client's file holding these shapes' entries, as the reliability test writes it. */
function fileText(kind: Shape['file'], shapes: { shape: Shape; server: string }[]): string {
  const entries = shapes.map(({ shape, server }) =>
    shape.entry.join('\n').replaceAll('{SERVER}', server).replaceAll('{SCRIPT}', `/opt/servers/${server}.js`),
  );
  if (kind === 'codex') return `# Codex\n\n${entries.join('\n\n')}\n`;
  if (kind === 'continue') return `name: spellings\nversion: 0.0.1\nschema: v1\nmcpServers:\n${entries.join('\n')}\n`;
  return `{\n  // written by hand\n  "mcpServers": {\n${entries.join(',\n')}\n  }\n}\n`;
}

const byFile = (kind: Shape['file']) =>
  corpus.shapes.map((shape, i) => ({ shape, server: `spell-${i}` })).filter((s) => s.shape.file === kind);

/** Every string the format's own parser reads from a text: keys and string values. */
function parsedStrings(kind: Shape['file'], text: string): Set<string> {
  const doc: unknown =
    kind === 'codex'
      ? parseToml(text)
      : kind === 'continue'
        ? parseYaml(text)
        : parseJsonc(text, [], { allowTrailingComma: true });
  const out = new Set<string>();
  const walk = (v: unknown) => {
    if (typeof v === 'string') out.add(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object')
      for (const [k, x] of Object.entries(v)) {
        out.add(k);
        walk(x);
      }
  };
  walk(doc);
  return out;
}

const needles = (shape: Shape) => [...shape.secrets, ...(shape.pieces ?? [])];

describe('config redaction: a secret found by its decoded value, in any spelling', () => {
  for (const kind of ['cursor', 'claude', 'codex', 'continue'] as const) {
    it(`${kind}: the tokens read every key and string as the format's own parser does`, () => {
      const text = fileText(kind, byFile(kind));
      const tokens = configTokens(text, FILES[kind]);
      assert.ok(tokens, 'the text is read');
      const read = new Set(
        tokens.filter((t) => t.role === 'key' || t.style !== 'bare' || kind === 'continue').map((t) => t.value),
      );
      const parsed = parsedStrings(kind, text);
      assert.deepEqual(
        [...parsed].filter((s) => !read.has(s)),
        [],
        'strings the parser reads that no token has',
      );
      // Each token's span spells what it says: the format's parser reads the span back to the same value.
      for (const t of tokens.filter((x) => x.role === 'value' && x.style !== 'bare' && kind !== 'continue')) {
        const raw = text.slice(t.start, t.end);
        const back = kind === 'codex' ? (parseToml(`x = ${raw}`) as { x: string }).x : (JSON.parse(raw) as string);
        assert.equal(back, t.value, `the span ${t.start}-${t.end}`);
      }
    });
  }

  it('TOML: multi-line strings with quotes before the closing ones, dotted keys, lists over lines with comments, inline tables over lines, arrays of tables', () => {
    const text = [
      '[[servers.list]]',
      'a.b."c d" = """x""""',
      "e = '''",
      "two ''lines'''''",
      'f = [ # a comment',
      '  "one",  # and another',
      '  \'two\', [3, "\\u00e9"],',
      ']',
      'g = { h = "i", j = { k = 1979-05-27T07:32:00Z },',
      '  l = "m" }',
      'n = "tab\\there\\e"',
      '',
    ].join('\n');
    const tokens = tomlTokens(text);
    assert.ok(tokens);
    const values = tokens.map((t) => t.value);
    for (const s of parsedStrings('codex', text)) assert.ok(values.includes(s), `${JSON.stringify(s)} read`);
    assert.ok(values.includes('x"'), JSON.stringify(values));
    assert.ok(values.includes("two ''lines''"));
    const listed = tokens.filter((t) => t.role === 'item');
    assert.deepEqual(
      listed.map((t) => [t.value, t.key]),
      [
        ['one', 'f'],
        ['two', 'f'],
        ['3', 'f'],
        ['é', 'f'],
      ],
    );
    assert.equal(new Set(listed.slice(0, 2).map((t) => t.list)).size, 1, 'one list');
    assert.equal(tomlTokens('a = "unterminated\nb = 1\n'), undefined);
    // A byte order mark, CRLF line ends, a date with a space, numbers TOML writes with underscores.
    const crlf = tomlTokens(
      '\ufeff[mcp_servers.x]\r\nKEY = "\\u0073k"  # c\r\nd = 1979-05-27 07:32:00Z\r\nn = 1_000\r\n',
    );
    assert.deepEqual(
      crlf?.filter((t) => t.role === 'value').map((t) => t.value),
      ['sk', '1979-05-27 07:32:00Z', '1_000'],
    );
  });

  it('every spelling of the corpus is masked whole through the plan and diff `wrap` prints; line numbers kept; the rest readable', async () => {
    const texts = Object.fromEntries(
      (Object.keys(FILES) as Shape['file'][]).map((kind) => [FILES[kind], fileText(kind, byFile(kind))]),
    );
    const scan = await scanSources({
      fs: liveFs,
      host: host(HOME),
      workspaceFolders: [],
      ...memFs('linux', texts),
      cache: false,
    });
    const leaks: string[] = [];
    for (const [i, shape] of corpus.shapes.entries()) {
      const server = `spell-${i}`;
      for (const verb of ['wrap', 'unwrap'] as const) {
        const plan = planConfigEdits({
          verb,
          target: server,
          share: false,
          servers: scan.servers,
          launcher: '/home/u/.local/state/mcp-lifeguard/bin/mcp-lifeguard',
          read: (f) => texts[f] ?? new Error('ENOENT'),
          refusal: () => undefined,
        });
        if ('error' in plan) assert.fail(`${shape.name}: ${plan.error}`);
        if (verb === 'unwrap') {
          // Nothing is wrapped yet: unwrap says so.
          assert.equal(plan.files.length, 0, shape.name);
          continue;
        }
        assert.equal(plan.files.length, 1, `${shape.name}: ${JSON.stringify(plan.left)}`);
        const diff = redactedDiff(plan.files[0], scan.secrets, scan.servers);
        if (needles(shape).some((n) => diff.includes(n))) leaks.push(shape.name);
        assert.ok(diff.includes(shape.shown), `${shape.name}: the secret's line is shown`);
        assert.match(diff, new RegExp(`^\\+.*"?--"?,?`, 'm'), 'the wrapped command is readable');
        // Each text keeps its lines: the diff's line numbers are the file's own.
        const { before, after, file } = plan.files[0];
        for (const t of [before, after])
          assert.equal(redactConfigText(t, file, scan.secrets).split('\n').length, t.split('\n').length, shape.name);
      }
    }
    assert.deepEqual(leaks, [], `${leaks.length} of ${corpus.shapes.length} spellings leaked`);
  });

  it('masks in part where a rule masks in part: URL credentials keep the host, a flag keeps its name; ordinary values stay', () => {
    const text = [
      '{',
      '  "s": {',
      '    "command": "npx",',
      '    "args": ["-y", "pkg@1.2.3", "https:\\/\\/u:pw-9x8y7z@mcp.example.com\\/sse", "--api-key\\u003dabc123", "--port", "8080"]',
      '  }',
      '}',
    ].join('\n');
    const out = redactConfigText(text, '/x/mcp.json', new Set());
    assert.match(out, /"https:\/\/<redacted>@mcp\.example\.com\/sse"/);
    assert.match(out, /"--api-key=<redacted>"/);
    assert.match(out, /"-y", "pkg@1\.2\.3",/);
    assert.match(out, /"--port", "8080"/);
    assert.ok(!out.includes('pw-9x8y7z') && !out.includes('abc123'));
    // A collected value inside a longer one is masked there; a data folder only where it stands whole,
    // never as the head of the paths under it (as status shows them).
    const paths = redactConfigText(
      '{ "command": "/srv/data/bin/x", "args": ["--db=/srv/data", "--k=xsk-9x8y7z6w5v"], "env": { "DIR": "/srv/data", "K": "sk-9x8y7z6w5v" } }',
      '/x/mcp.json',
      new Set(['/srv/data', 'sk-9x8y7z6w5v']),
    );
    assert.equal(
      paths,
      '{ "command": "/srv/data/bin/x", "args": ["--db=<redacted>", "--k=x<redacted>"], "env": { "DIR": "<redacted>", "K": "<redacted>" } }',
    );
  });

  it('a collected value is masked inside other text by the rule of every face (maskSecret): from 6 characters; whole at any length', () => {
    // `PORT=8080`, `DEBUG=true` are collected like any env value: their own place is masked, the same
    // words elsewhere in the file stay, as status and the logs show them.
    const secrets = new Set(['8080', 'true', 'sk-9x8y7z']);
    const text =
      '{ "args": ["--url=http://localhost:8080/mcp", "--verbose=true", "--k=xsk-9x8y7z"], "env": { "PORT": "8080", "DEBUG": "true" } }';
    const same = text
      .replace('"PORT": "8080"', '"PORT": "<redacted>"')
      .replace('"DEBUG": "true"', '"DEBUG": "<redacted>"')
      .replace('--k=xsk-9x8y7z', '--k=x<redacted>');
    assert.equal(redactConfigText(text, '/x/mcp.json', secrets), same);
    for (const line of ['  # serves on 8080, verbose is true', '  - --url=http://localhost:8080/mcp'])
      assert.equal(redactConfigLine(line, secrets), line);
    assert.equal(redactConfigLine('  PORT: 8080', secrets), '  PORT: <redacted>');
  });

  it('YAML block scalars keep their header and lines; a value that holds a secret is masked, a key named like a short value is not', () => {
    const text = ['env:', '  KEY: |-', '    abcdef', '    ghijkl', '  "on": "o\\x6e"', ''].join('\n');
    const out = redactConfigText(text, '/x/config.yaml', new Set(['abcdef\nghijkl', 'on']));
    assert.equal(out, ['env:', '  KEY: |-', '    <redacted>', '    <redacted>', '  "on": "<redacted>"', ''].join('\n'));
  });

  it("redactConfigLine, the second net: a double-quoted string's escapes are decoded before it is judged", () => {
    assert.equal(redactConfigLine('  "X": "\\u0073ecret-1",', new Set(['secret-1'])), '  "X": "<redacted>",');
    assert.equal(
      redactConfigLine('  - "https:\\/\\/u:p4ssw0rd@h.example\\/"', new Set()),
      '  - "https://<redacted>@h.example/"',
    );
    assert.equal(redactConfigLine('  "a\\/b": "c\\/d"', new Set()), '  "a\\/b": "c\\/d"');
  });
});

describe('diffWindows: the part of each text a diff may show', () => {
  it('the changed lines and three around them, as offsets into each text (CRLF too)', () => {
    const lines = Array.from({ length: 20 }, (_, i) => `line ${i + 1}`);
    for (const eol of ['\n', '\r\n']) {
      const a = lines.join(eol);
      const b = lines.map((l) => (l === 'line 10' ? `ten${eol}and a half` : l)).join(eol);
      const w = diffWindows(a, b);
      assert.equal(a.slice(w.before.from, w.before.to), lines.slice(6, 13).join(eol) + eol);
      assert.equal(
        b.slice(w.after.from, w.after.to),
        ['line 7', 'line 8', 'line 9', 'ten', 'and a half', 'line 11', 'line 12', 'line 13', ''].join(eol),
      );
    }
    const w = diffWindows('a\nb', 'a\nc');
    assert.deepEqual(w, { before: { from: 0, to: 3 }, after: { from: 0, to: 3 } });
  });
});
