import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { adaptExtensionManifest, missingRequired, replaceVariables } from '../../../src/core/sources/mcpb';
import { normalizeEntry } from '../../../src/core/sources/normalize';
import { AdaptInput, Companion } from '../../../src/core/sources/types';
import { host, memFs, scan, server, tempDir, writeTree } from './support';

/**
 * Claude Desktop extensions (MCP Bundles) on stored text: a manifest as `mcpb init` writes one and
 * a settings file as Claude Desktop keeps it, read into one configured server.
 */

const HOME = '/home/me';
const CLAUDE = `${HOME}/.config/Claude`;
const ID = 'local.mcpb.me.notes';
const FOLDER = `${CLAUDE}/Claude Extensions/${ID}`;
const MANIFEST = `${FOLDER}/manifest.json`;
const SETTINGS = `${CLAUDE}/Claude Extensions Settings/${ID}.json`;

/** A manifest of the shape `mcpb init` writes (manifest_version 0.3), with settings of every kind. */
const manifestText = `{
  "$schema": "../../dist/mcpb-manifest.schema.json",
  "manifest_version": "0.3",
  "name": "notes",
  "display_name": "Notes",
  "version": "1.2.0",
  "description": "Keeps notes",
  "author": { "name": "Me" },
  "server": {
    "type": "node",
    "entry_point": "server/index.js",
    "mcp_config": {
      "command": "node",
      "args": ["\${__dirname}/server/index.js", "--token", "\${user_config.token}", "\${user_config.roots}", "--verbose=\${user_config.verbose}"],
      "env": {
        "NOTES_DIR": "\${user_config.dir}",
        "API_KEY": "\${user_config.api_key}",
        "LIMIT": "\${user_config.limit}"
      },
      "platform_overrides": {
        "win32": { "command": "node.exe" }
      }
    }
  },
  "user_config": {
    "token": { "type": "string", "title": "Token", "description": "t", "sensitive": true, "required": true },
    "api_key": { "type": "string", "title": "API key", "description": "k", "sensitive": true },
    "roots": { "type": "directory", "title": "Roots", "description": "r", "multiple": true, "default": ["/srv/a", "/srv/b"] },
    "verbose": { "type": "boolean", "title": "Verbose", "description": "v", "default": false },
    "dir": { "type": "directory", "title": "Dir", "description": "d", "default": "\${HOME}/notes" },
    "limit": { "type": "number", "title": "Limit", "description": "l", "default": 10 }
  }
}
`;

const TOKEN = 'tok-1234567890-notes';
const ENCRYPTED = '__encrypted__:djEwZ4ZzKIpTaohZbWFkZXVw';

function settings(obj: unknown): Companion {
  return { file: SETTINGS, outcome: { state: 'read', text: JSON.stringify(obj, null, 2), diagnostics: [] } };
}

function input(companion: Companion | undefined, platform: NodeJS.Platform = 'linux'): AdaptInput {
  return {
    host: host(HOME, platform),
    companions: [companion ?? { file: SETTINGS, outcome: { state: 'missing' } }],
  };
}

const SOURCE = {
  client: 'claude-desktop' as const,
  scope: 'user' as const,
  label: 'Claude Desktop extension',
  file: MANIFEST,
};

function normalized(text: string, inp: AdaptInput) {
  const r = adaptExtensionManifest(text, MANIFEST, inp);
  assert.equal(r.entries.length, 1, JSON.stringify(r.diagnostics));
  const n = normalizeEntry(r.entries[0], { host: inp.host, source: SOURCE, variables: 'none', urlTransport: 'http' });
  return { adapted: r, n };
}

describe('sources: Claude Desktop extensions (MCP Bundles)', () => {
  describe('replaceVariables, as @anthropic-ai/mcpb 2.1.2 substitutes', () => {
    const vars = {
      __dirname: '/x/ext',
      '/': '/',
      'user_config.list': ['/a', '/b'],
      'user_config.one': 'v',
      'user_config.empty': '',
      'user_config.dollar': 'p$&q',
    };

    it('replaces every occurrence in a string, and leaves unknown variables as written', () => {
      assert.equal(replaceVariables('${__dirname}${/}a:${__dirname}', vars), '/x/ext/a:/x/ext');
      assert.equal(replaceVariables('${user_config.nope}/${HOME}', vars), '${user_config.nope}/${HOME}');
    });

    it('expands a list setting that is a whole argument, and keeps a list out of a string', () => {
      assert.deepEqual(replaceVariables(['a', '${user_config.list}', 'b'], vars), ['a', '/a', '/b', 'b']);
      assert.deepEqual(replaceVariables(['--r=${user_config.list}'], vars), ['--r=${user_config.list}']);
    });

    it('keeps a whole argument as written when its setting is empty or unset (as the library does)', () => {
      assert.deepEqual(replaceVariables(['${user_config.empty}', '${user_config.nope}'], vars), [
        '${user_config.empty}',
        '${user_config.nope}',
      ]);
      assert.deepEqual(replaceVariables(['x${user_config.empty}y'], vars), ['xy']);
    });

    it("uses String.replace's replacement patterns, as the library does ($& is the match)", () => {
      assert.equal(replaceVariables('${user_config.dollar}', vars), 'p${user_config.dollar}q');
    });

    it('walks objects value by value and leaves other values alone', () => {
      assert.deepEqual(replaceVariables({ A: '${user_config.one}', N: 5 }, vars), { A: 'v', N: 5 });
    });
  });

  it('missingRequired: only the saved settings count, not the defaults (hasRequiredConfigMissing)', () => {
    const defs = {
      a: { sensitive: false, required: true, default: 'x' },
      b: { sensitive: false, required: true },
      c: { sensitive: false, required: false },
    };
    assert.deepEqual(missingRequired(defs, {}), ['a', 'b']);
    assert.deepEqual(missingRequired(defs, { a: 'v', b: ['', 'x'] }), ['b']);
    assert.deepEqual(missingRequired(defs, { a: 'v', b: ['x'] }), []);
  });

  it('an enabled extension: one server of Claude Desktop, its launch substituted, its version and id named', () => {
    const { adapted, n } = normalized(
      manifestText,
      input(settings({ isEnabled: true, userConfig: { token: TOKEN, verbose: true, api_key: ENCRYPTED } })),
    );
    assert.deepEqual(adapted.diagnostics, []);
    const s = n.server!;
    assert.equal(s.name, 'notes');
    assert.equal(s.disabled, false);
    assert.deepEqual(s.keyPath, ['server', 'mcp_config']);
    assert.deepEqual(s.position, { line: 12, column: 19 });
    assert.deepEqual(s.source.extension, { id: ID, version: '1.2.0', serverType: 'node', settings: SETTINGS });
    assert.equal(s.command, 'node');
    assert.deepEqual(s.args, [
      `${FOLDER}/server/index.js`,
      '--token',
      '<redacted>',
      '/srv/a',
      '/srv/b',
      '--verbose=true',
    ]);
    assert.deepEqual(s.envKeys, ['NOTES_DIR', 'API_KEY', 'LIMIT']);
    // The launch a process is matched against holds the real values.
    assert.deepEqual(n.launch?.args, [
      `${FOLDER}/server/index.js`,
      '--token',
      TOKEN,
      '/srv/a',
      '/srv/b',
      '--verbose=true',
    ]);
    // A default's ${HOME} is not substituted: the library puts defaults in after the system folders.
    assert.deepEqual(n.launch?.env, { NOTES_DIR: '${HOME}/notes', LIMIT: '10' });
    // The encrypted key is decrypted by Claude Desktop at launch: unknown here, never a contradiction.
    assert.deepEqual(s.unresolved, ['${user_config.api_key}']);
    assert.ok(n.secrets.includes(TOKEN) && n.secrets.includes(ENCRYPTED));
    const shown = JSON.stringify(s);
    assert.ok(!shown.includes(TOKEN) && !shown.includes(ENCRYPTED), shown);
  });

  it('a sensitive value of any length is shown as <redacted> in the arguments (the adapter substitutes it itself)', () => {
    const { n } = normalized(manifestText, input(settings({ isEnabled: true, userConfig: { token: 'ab' } })));
    assert.equal(n.server!.args[2], '<redacted>');
    assert.equal(n.launch?.args[2], 'ab');
  });

  it("this OS's platform_overrides entry replaces command, args or env whole", () => {
    const { n } = normalized(manifestText, input(settings({ isEnabled: true, userConfig: { token: TOKEN } }), 'win32'));
    assert.equal(n.server!.command, 'node.exe');
    assert.equal(n.launch?.args[0], `${FOLDER}/server/index.js`);
  });

  it('no settings file: listed, disabled; isEnabled false: disabled', () => {
    assert.equal(normalized(manifestText, input(undefined)).n.server!.disabled, true);
    const off = normalized(manifestText, input(settings({ isEnabled: false, userConfig: { token: TOKEN } })));
    assert.equal(off.n.server!.disabled, true);
    assert.deepEqual(off.adapted.diagnostics, []);
  });

  it('a required setting without a value: disabled, with a warning saying Claude Desktop does not start it', () => {
    const { adapted, n } = normalized(manifestText, input(settings({ isEnabled: true, userConfig: {} })));
    assert.equal(n.server!.disabled, true);
    assert.deepEqual(adapted.diagnostics, [
      {
        severity: 'warning',
        line: 12,
        column: 19,
        message: 'extension "notes": required setting "token" has no value: Claude Desktop does not start it',
      },
    ]);
  });

  it('a broken settings file: its problems name that file and position; read as disabled', () => {
    const r = adaptExtensionManifest(
      manifestText,
      MANIFEST,
      input({
        file: SETTINGS,
        outcome: { state: 'read', text: '{\n  "isEnabled": "yes",\n  "userConfig": [1]\n}', diagnostics: [] },
      }),
    );
    assert.deepEqual(r.diagnostics, [
      {
        severity: 'warning',
        line: 2,
        column: 16,
        message: '"isEnabled" must be true or false, found a string; read as disabled',
        file: SETTINGS,
      },
      {
        severity: 'error',
        line: 3,
        column: 17,
        message: '"userConfig" must be an object of setting names to values, found an array; no setting read',
        file: SETTINGS,
      },
    ]);
    assert.equal(r.entries[0].fields.disabled.value, true);
    const syntax = adaptExtensionManifest(
      manifestText,
      MANIFEST,
      input({ file: SETTINGS, outcome: { state: 'read', text: '{"isEnabled": true,,}', diagnostics: [] } }),
    );
    assert.equal(syntax.diagnostics[0].file, SETTINGS);
    assert.equal(syntax.diagnostics[0].line, 1);
    assert.match(syntax.diagnostics[0].message, /^invalid JSON: /);
  });

  it('a broken manifest: problems at their line and column, and no server when nothing can be run', () => {
    const bad = adaptExtensionManifest(
      '{\n  "name": "x",\n  "version": 2,\n  "server": []\n}',
      MANIFEST,
      input(undefined),
    );
    assert.deepEqual(bad.entries, []);
    assert.deepEqual(bad.diagnostics, [
      { severity: 'error', line: 3, column: 14, message: '"version" must be a string, found a number' },
      { severity: 'error', line: 4, column: 13, message: 'extension "x": "server" must be an object, found an array' },
    ]);
    const cut = adaptExtensionManifest('{\n  "name": "x",\n  "server": {\n', MANIFEST, input(undefined));
    assert.ok(
      cut.diagnostics.some((d) => d.severity === 'error' && d.line !== undefined && /invalid JSON/.test(d.message)),
    );
    const noConfig = adaptExtensionManifest(
      '{"name":"u","version":"1","server":{"type":"uv","entry_point":"src/server.py"}}',
      MANIFEST,
      input(undefined),
    );
    assert.deepEqual(noConfig.entries, []);
    assert.equal(noConfig.diagnostics[0].severity, 'info');
    const wrongType = normalized(
      '{"name":"w","version":"1","server":{"type":"node","mcp_config":{"command":"node","args":"x.js"}}}',
      input(settings({ isEnabled: true })),
    );
    assert.match(
      wrongType.n.diagnostics.map((d) => d.message).join('\n'),
      /server "w": "args" must be an array of strings, found a string/,
    );
  });

  it('a manifest of another manifest version, with comments, or without a version: warned, still read', () => {
    const r = adaptExtensionManifest(
      '{\n  // hand-edited\n  "manifest_version": "9.9",\n  "name": "c",\n  "server": {"type":"binary","mcp_config":{"command":"${__dirname}/bin/srv"}}\n}',
      MANIFEST,
      input(settings({ isEnabled: true })),
    );
    assert.deepEqual(
      r.diagnostics.map((d) => d.message),
      [
        'is not strict JSON (comments or trailing commas): Claude Desktop may not load this extension',
        'manifest version "9.9" is not one of the MCPB manifest versions known here (0.1 to 0.4); read as they are',
        'has no "version": the installed version of this extension is not known',
      ],
    );
    assert.equal(r.entries[0].fields.command.value, `${FOLDER}/bin/srv`);
    const strict = adaptExtensionManifest(
      '{"name":"t","version":"1","server":{"mcp_config":{"command":"x"}},}',
      MANIFEST,
      input(undefined),
    );
    assert.match(strict.diagnostics[0].message, /not strict JSON/);
  });

  describe('the scan', () => {
    it('lists each folder of Claude Extensions with its settings file, and the files it looked at', async () => {
      const home = tempDir('mcpb');
      const claude = path.join(home, '.config', 'Claude');
      const ext = (id: string) => path.join(claude, 'Claude Extensions', id);
      writeTree({
        [path.join(ext('a.one'), 'manifest.json')]: manifestText,
        [path.join(claude, 'Claude Extensions Settings', 'a.one.json')]: JSON.stringify({
          isEnabled: true,
          userConfig: { token: TOKEN },
        }),
        [path.join(ext('b.two'), 'manifest.json')]: manifestText.replace('"notes"', '"notes-two"'),
        [path.join(ext('.DS_Store'), 'x')]: '',
      });
      const r = await scan({ host: host(home), workspaceFolders: [], cache: false });
      assert.deepEqual(r.diagnostics, []);
      const one = server(r, 'notes');
      assert.equal(one.disabled, false);
      assert.equal(one.source.label, 'Claude Desktop extension');
      assert.equal(one.source.file, path.join(ext('a.one'), 'manifest.json'));
      assert.equal(server(r, 'notes-two').disabled, true);
      const files = r.files
        .filter((f) => f.file.includes('Claude Extensions'))
        .map((f) => [path.relative(claude, f.file), f.state, f.servers]);
      assert.deepEqual(files, [
        ['Claude Extensions/a.one/manifest.json', 'read', 1],
        ['Claude Extensions Settings/a.one.json', 'read', 0],
        ['Claude Extensions/b.two/manifest.json', 'read', 1],
        ['Claude Extensions Settings/b.two.json', 'missing', 0],
      ]);
      assert.ok(r.secrets.has(TOKEN));
      assert.ok(!JSON.stringify([r.servers, r.files, r.diagnostics]).includes(TOKEN));
    });

    it('a settings file changed between scans is read again (the parse cache keys on it too)', async () => {
      const home = tempDir('mcpb-cache');
      const claude = path.join(home, '.config', 'Claude');
      const settingsFile = path.join(claude, 'Claude Extensions Settings', 'c.json');
      writeTree({
        [path.join(claude, 'Claude Extensions', 'c', 'manifest.json')]: manifestText,
        [settingsFile]: JSON.stringify({ isEnabled: true, userConfig: { token: TOKEN } }),
      });
      const first = await scan({ host: host(home), workspaceFolders: [] });
      assert.equal(server(first, 'notes').disabled, false);
      writeTree({ [settingsFile]: JSON.stringify({ isEnabled: false, userConfig: { token: TOKEN } }) });
      const second = await scan({ host: host(home), workspaceFolders: [] });
      assert.equal(server(second, 'notes').disabled, true);
    });

    it('the Windows (and Microsoft Store) and macOS folders, on any OS', async () => {
      const win = 'C:\\Users\\me';
      const appData = `${win}\\AppData\\Roaming`;
      const store = `${win}\\AppData\\Local\\Packages\\Claude_pzs8sxrjxfjjc\\LocalCache\\Roaming\\Claude`;
      const m = memFs('win32', {
        [`${appData}\\Claude\\Claude Extensions\\w.one\\manifest.json`]: manifestText,
        [`${appData}\\Claude\\Claude Extensions Settings\\w.one.json`]: JSON.stringify({
          isEnabled: true,
          userConfig: { token: TOKEN },
        }),
        [`${store}\\Claude Extensions\\w.two\\manifest.json`]: manifestText.replace('"notes"', '"notes-store"'),
      });
      const r = await scan({
        host: host(win, 'win32', { APPDATA: appData }),
        workspaceFolders: [],
        readFile: m.readFile,
        listDir: m.listDir,
        cache: false,
      });
      const one = server(r, 'notes');
      assert.equal(one.disabled, false);
      assert.equal(one.command, 'node.exe');
      assert.equal(one.args[0], `${appData}\\Claude\\Claude Extensions\\w.one/server/index.js`);
      assert.equal(server(r, 'notes-store').disabled, true);

      const mac = '/Users/me';
      const support = `${mac}/Library/Application Support/Claude`;
      const mm = memFs('darwin', { [`${support}/Claude Extensions/m.one/manifest.json`]: manifestText });
      const rm = await scan({
        host: host(mac, 'darwin'),
        workspaceFolders: [],
        readFile: mm.readFile,
        listDir: mm.listDir,
        cache: false,
      });
      assert.equal(server(rm, 'notes').args[0], `${support}/Claude Extensions/m.one/server/index.js`);
    });
  });
});
