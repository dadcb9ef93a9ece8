import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import type * as SmolToml from 'smol-toml' with { 'resolution-mode': 'import' };
import { stringify as yamlStringify } from 'yaml';
import { HostEnv } from '../../../src/core/base/hostEnv';
import { adaptClaudePluginServers } from '../../../src/core/sources/claudePluginServers';
import { cliExtensionAdapter } from '../../../src/core/sources/cliExtensionServers';
import { GEMINI_CLI_EXTENSIONS, QWEN_CODE_EXTENSIONS } from '../../../src/core/sources/cliExtensions';
import { adaptContinueBlock } from '../../../src/core/sources/continueYaml';
import { adaptAgentFile } from '../../../src/core/sources/markdownAgent';
import { MAX_NESTING } from '../../../src/core/sources/nesting';
import { normalizeEntry } from '../../../src/core/sources/normalize';
import { SOURCES } from '../../../src/core/sources/table';
import {
  AdaptInput,
  AdaptResult,
  Adapter,
  InstalledClaudePlugin,
  RawServerEntry,
  VariableFlavour,
} from '../../../src/core/sources/types';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const toml = require('smol-toml') as typeof SmolToml;

/**
 * Thousands of random and mutated configs through every adapter and through normalizeEntry: no
 * exception escapes, every result is servers and/or diagnostics, every diagnostic says something.
 * Runs are bounded so the whole file takes seconds.
 */

/** What an adapter knows beside its text: a Linux home, no companion file read. */
const INPUT = { host: { home: '/home/u', platform: 'linux' as const, env: {} }, companions: [] };
/** An installed Claude Code plugin, for its adapter. */
const PLUGIN: InstalledClaudePlugin = {
  kind: 'claude-plugin',
  id: 'p@m',
  name: 'p',
  marketplace: 'm',
  root: '/home/u/p',
  dataDir: '/home/u/.claude/plugins/data/p-m',
  enabled: true,
  scope: 'user',
};

const ADAPTERS: { name: string; adapt: Adapter; file: string; input?: AdaptInput }[] = [
  ...[...new Set(SOURCES.map((s) => s.adapter))].map((adapt, i) => ({
    name: `${adapt.name || 'jsonServerMap'}#${i}`,
    adapt,
    file: '/home/u/x/config',
  })),
  { name: 'continue block (json)', adapt: adaptContinueBlock, file: '/home/u/.continue/mcpServers/a.json' },
  { name: 'continue block (yaml)', adapt: adaptContinueBlock, file: '/home/u/.continue/mcpServers/a.yaml' },
  ...['/home/u/p/.mcp.json', '/home/u/p/.claude-plugin/plugin.json'].map((file) => ({
    name: `Claude Code plugin (${file})`,
    adapt: adaptClaudePluginServers,
    file,
    input: { ...INPUT, addOn: PLUGIN },
  })),
  ...[GEMINI_CLI_EXTENSIONS, QWEN_CODE_EXTENSIONS].map((flavour) => ({
    name: `${flavour.clientName} extension`,
    adapt: cliExtensionAdapter(flavour),
    file: `/home/u/x/${flavour.manifest}`,
    input: {
      ...INPUT,
      addOn: {
        kind: 'cli-extension' as const,
        root: '/home/u/x',
        state: {
          kind: 'loaded' as const,
          ref: { kind: 'cli-extension' as const, name: 'x', root: '/home/u/x' },
          enabled: false,
        },
      },
    },
  })),
  { name: 'Kiro agent (markdown)', adapt: adaptAgentFile, file: '/home/u/.kiro/agents/a.md' },
];
const FLAVOURS: VariableFlavour[] = ['vscode', 'cursor', 'shell', 'dollar', 'opencode', 'continue', 'none'];

const text = fc.string({ maxLength: 30 });
const server = fc.record(
  {
    type: fc.constantFrom('stdio', 'http', 'sse', 'streamable-http', 'websocket', 'carrier-pigeon'),
    command: fc.oneof(text, fc.constantFrom('npx', '${userHome}/bin/x', '$HOME/x', '${env:PATH}')),
    args: fc.array(fc.oneof(text, fc.constantFrom('--token', '${input:key}', '${VAR:-d}', '${{ secrets.X }}')), {
      maxLength: 5,
    }),
    env: fc.dictionary(text, text, { maxKeys: 3 }),
    headers: fc.dictionary(text, text, { maxKeys: 2 }),
    url: fc.oneof(fc.webUrl(), text),
    cwd: text,
    disabled: fc.boolean(),
    enabled: fc.boolean(),
    source: fc.constantFrom('custom', 'extension'),
  },
  { requiredKeys: [] },
);
const servers = fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), server, { maxKeys: 4 });

/** A value of any type, to swap in for a well-typed one. */
const anyValue = fc.oneof(fc.anything({ maxDepth: 3 }), fc.constant(null), fc.constant([]), fc.constant({}));

/** Valid configs in every format the adapters read; each adapter also gets the other formats. */
const validText = fc
  .tuple(
    servers,
    fc.constantFrom(
      'mcpServers',
      'servers',
      'vscodeSettings',
      'claudeJson',
      'zed',
      'codeWorkspace',
      'toml',
      'yaml',
      'frontMatter',
    ),
  )
  .map(([m, format]) => serialize(m, format));

function serialize(m: Record<string, unknown>, format: string): string {
  switch (format) {
    case 'mcpServers':
      return JSON.stringify({ mcpServers: m }, null, 2);
    case 'servers':
      return JSON.stringify({ servers: m });
    case 'vscodeSettings':
      return `// settings\n${JSON.stringify({ mcp: { servers: m } }, null, 1)}`;
    case 'claudeJson':
      return JSON.stringify({ mcpServers: m, projects: { '/p': { mcpServers: m } } });
    case 'zed':
      return JSON.stringify({ context_servers: m });
    case 'codeWorkspace':
      return JSON.stringify({ folders: [{ path: '.' }], settings: { mcp: { servers: m } } });
    case 'toml':
      try {
        return toml.stringify({ mcp_servers: m });
      } catch {
        return JSON.stringify(m);
      }
    case 'frontMatter':
      return `---\n${yamlStringify({ description: 'agent', mcpServers: m })}---\nThe agent's prompt.\n`;
    default:
      return yamlStringify({ mcpServers: Object.entries(m).map(([name, s]) => ({ name, ...(s as object) })) });
  }
}

/** Swaps one field of one server for a value of a random type, then serialises. */
const typeSwapped = fc
  .tuple(
    servers,
    fc.constantFrom('command', 'args', 'env', 'url', 'type', 'cwd', 'headers', 'disabled', 'mcpServers'),
    anyValue,
    fc.constantFrom('mcpServers', 'toml', 'yaml', 'zed'),
  )
  .map(([m, key, value, format]) => {
    if (key === 'mcpServers')
      return format === 'toml'
        ? `mcp_servers = ${JSON.stringify(value) ?? '1'}`
        : JSON.stringify({ mcpServers: value, context_servers: value });
    const first = Object.keys(m)[0];
    if (first !== undefined) (m[first] as Record<string, unknown>)[key] = value;
    return serialize(m, format);
  });

const mutated = fc.oneof(
  // truncation
  fc.tuple(validText, fc.nat()).map(([t, n]) => t.slice(0, n % (t.length + 1))),
  // random bytes spliced in
  fc.tuple(validText, fc.nat(), fc.string({ unit: 'binary', maxLength: 20 })).map(([t, n, junk]) => {
    const i = n % (t.length + 1);
    return t.slice(0, i) + junk + t.slice(i + junk.length);
  }),
  // deep nesting, past the limit and just under it
  fc
    .tuple(
      fc.constantFrom(MAX_NESTING - 5, MAX_NESTING + 1, 5000),
      fc.constantFrom('[', '{"a":', '- ', 'a:\n ', '[mcp_servers.a]\nargs = ['),
    )
    .map(([depth, open]) => {
      const close = open === '[' || open.endsWith('[') ? ']' : open.startsWith('{') ? '}' : '';
      return `{"mcpServers":{"x":{"command":"c","args":${open.repeat(depth)}1${close.repeat(depth)}}}}`;
    }),
  // huge strings
  fc
    .tuple(validText, fc.integer({ min: 10_000, max: 100_000 }))
    .map(([t, n]) => t.replace(/"([^"]*)"/, `"${'A'.repeat(n)}"`)),
  typeSwapped,
);

const anyText = fc.oneof(
  validText,
  mutated,
  mutated,
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.json(),
);

function assertDiagnostics(r: AdaptResult, where: string) {
  assert.ok(Array.isArray(r.entries) && Array.isArray(r.diagnostics), `${where}: not a result`);
  for (const d of r.diagnostics) {
    assert.ok(typeof d.message === 'string' && d.message.length > 0, `${where}: diagnostic without a message`);
    assert.ok(['error', 'warning', 'info'].includes(d.severity), `${where}: severity ${d.severity}`);
    if (d.line !== undefined)
      assert.ok(
        Number.isInteger(d.line) && d.line >= 1 && Number.isInteger(d.column) && d.column! >= 1,
        `${where}: position ${d.line}:${d.column}`,
      );
  }
}

const hosts: HostEnv[] = [
  { home: '/home/u', platform: 'linux', env: { HOME: '/home/u', VAR: 'v', PATH: '/bin' } },
  { home: 'C:\\Users\\u', platform: 'win32', env: { APPDATA: 'C:\\Users\\u\\AppData\\Roaming' } },
];

function normalizeAll(entries: RawServerEntry[], where: string) {
  for (const entry of entries) {
    for (const variables of FLAVOURS) {
      for (const host of hosts) {
        const n = normalizeEntry(entry, {
          host,
          source: { client: 'vscode', scope: 'workspace', label: 'W', file: '/p/f', workspaceFolder: '/p' },
          variables,
          urlTransport: 'http',
        });
        assert.ok(
          n.server !== undefined || n.diagnostics.length > 0,
          `${where}: "${entry.name}" gave neither a server nor a diagnostic`,
        );
        for (const d of n.diagnostics) assert.ok(typeof d.message === 'string' && d.message.length > 0);
        // A server must be plain data: the snapshot is JSON.
        if (n.server) assert.doesNotThrow(() => JSON.stringify(n.server));
      }
    }
  }
}

describe('sources: property-based: random and mutated configs', function () {
  this.timeout(120_000);

  it('every adapter, on any text: no exception, servers and/or diagnostics, each with a message', () => {
    fc.assert(
      fc.property(anyText, (t) => {
        for (const a of ADAPTERS) {
          const r = a.adapt(t, a.file, a.input ?? INPUT);
          assertDiagnostics(r, a.name);
          normalizeAll(r.entries, a.name);
        }
      }),
      { numRuns: 250 },
    );
  });

  it('normalizeEntry, on entries with fields of any type', () => {
    const field = fc.record({
      value: anyValue,
      position: fc.option(fc.record({ line: fc.nat(), column: fc.nat() }), { nil: undefined }),
    });
    const entry = fc.record({
      name: fc.string(),
      keyPath: fc.array(fc.oneof(fc.string(), fc.nat()), { maxLength: 3 }),
      fields: fc.dictionary(
        fc.oneof(
          fc.constantFrom(
            'type',
            'command',
            'args',
            'env',
            'url',
            'serverUrl',
            'httpUrl',
            'cwd',
            'headers',
            'http_headers',
            'disabled',
            'enabled',
            'bearer_token',
          ),
          fc.string(),
        ),
        field,
      ),
      workspaceFolder: fc.option(fc.string(), { nil: undefined }),
    });
    fc.assert(
      fc.property(entry, (e) => normalizeAll([e as RawServerEntry], 'normalizeEntry')),
      { numRuns: 1500 },
    );
  });

  it('the nesting limit: under it a config is read, over it refused with a position (checks the generators reach both)', () => {
    const deep = (n: number) => `{"mcpServers":{"x":{"command":"c","args":${'['.repeat(n)}${']'.repeat(n)}}}}`;
    const adapt = ADAPTERS[0].adapt;
    assert.equal(adapt(deep(MAX_NESTING - 5), '/f', INPUT).diagnostics.length, 0);
    const over = adapt(deep(MAX_NESTING), '/f', INPUT).diagnostics;
    assert.match(over[0].message, /nested more than 256 levels deep/);
    assert.equal(over[0].line, 1);
  });
});
