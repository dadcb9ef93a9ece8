import { liveFs } from '../../../src/core/machine/liveFs';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Diagnostic } from '../../../src/core/base/model';
import { MAX_CONFIG_BYTES, readConfigFile } from '../../../src/core/sources/readConfigFile';
import { ScanContext, ScanResult } from '../../../src/core/sources/scan';
import { host, scan, tempDir, writeTree } from './support';

/**
 * Every bad input of the issue yields a diagnostic naming the file (and line and column where the
 * problem has a place), and everything else is still listed: the good entries of the same file
 * where the format allows, and always the good files next to it.
 */

interface Home {
  root: string;
  home: string;
  ws: string;
  run: (extra?: Partial<ScanContext>) => Promise<ScanResult>;
}

function makeHome(): Home {
  const root = tempDir('bad');
  const home = path.join(root, 'home');
  const ws = path.join(root, 'ws');
  // A good file in every home: it must survive whatever is wrong elsewhere.
  writeTree({
    [path.join(home, '.cursor', 'mcp.json')]: JSON.stringify({
      mcpServers: { survivor: { command: 'node', args: ['s.js'] } },
    }),
  });
  fs.mkdirSync(ws, { recursive: true });
  return {
    root,
    home,
    ws,
    run: (extra = {}) =>
      scan({
        host: host(home, 'linux', { MCP_LIFEGUARD_SYSTEM_ROOT: path.join(root, 'sys') }),
        workspaceFolders: [ws],
        ...extra,
      }),
  };
}

function names(r: ScanResult): string[] {
  return r.servers.map((s) => s.name).sort();
}

/** The one diagnostic for `file` whose message matches. */
function diag(r: ScanResult, file: string, message: RegExp): Diagnostic {
  const found = r.diagnostics.filter((d) => d.file === file && message.test(d.message));
  assert.equal(
    found.length,
    1,
    `expected one diagnostic for ${file} matching ${message}; got ${JSON.stringify(r.diagnostics, null, 1)}`,
  );
  return found[0];
}

describe('sources: bad input gets a clear message and nothing else is lost', () => {
  it('malformed JSON: syntax error at its line and column; the entries before it and other files are listed', async () => {
    const h = makeHome();
    const file = path.join(h.home, '.config', 'Claude', 'claude_desktop_config.json');
    writeTree({
      [file]: '{\n  "mcpServers": {\n    "ok": { "command": "a" },\n    "broken": { "command": "b" ,, }\n  }\n}\n',
    });
    const r = await h.run();
    const d = diag(r, file, /invalid JSON: property name expected; value expected/);
    assert.deepEqual([d.line, d.column, d.severity, d.client], [4, 33, 'error', 'claude-desktop']);
    assert.deepEqual(names(r), ['broken', 'ok', 'survivor']);
  });

  it('malformed JSONC (comments allowed, an unclosed object is not)', async () => {
    const h = makeHome();
    const file = path.join(h.ws, '.vscode', 'mcp.json');
    writeTree({
      [file]:
        '// team servers\n{\n  "servers": {\n    /* memory */ "mem": { "command": "npx", "args": ["m"], },\n  },\n',
    });
    const r = await h.run();
    const d = diag(r, file, /close brace expected/);
    assert.equal(d.line, 6);
    assert.equal(d.column, 1);
    assert.deepEqual(names(r), ['mem', 'survivor']);
  });

  it('malformed TOML: the parser error with its line and column, without quoting the file', async () => {
    const h = makeHome();
    const file = path.join(h.home, '.codex', 'config.toml');
    writeTree({ [file]: '[mcp_servers.a]\ncommand = "npx"\nargs = ["-y", "pkg"\n[mcp_servers.b]\ncommand = "x"\n' });
    const r = await h.run();
    const d = diag(r, file, /^invalid TOML: /);
    assert.equal(typeof d.line, 'number');
    assert.equal(typeof d.column, 'number');
    assert.ok(d.line! >= 3, `line ${d.line}`);
    assert.ok(!d.message.includes('\n') && !d.message.includes('pkg'), d.message);
    assert.deepEqual(names(r), ['survivor']);
  });

  it('malformed YAML: the parser error with its line and column; what parsed is still listed', async () => {
    const h = makeHome();
    const file = path.join(h.home, '.continue', 'config.yaml');
    writeTree({ [file]: 'mcpServers:\n  - name: good\n    command: uvx\n  - name: bad\n    args: [one, two\n' });
    const r = await h.run();
    const d = diag(r, file, /^invalid YAML: /);
    assert.deepEqual([d.line, d.column], [6, 1]);
    assert.ok(!d.message.includes('\n'));
    assert.ok(names(r).includes('good') && names(r).includes('survivor'));
  });

  describe('a key of the wrong type', () => {
    it('JSON: "args" a string, "env" an array: named at their value; the server is still listed', async () => {
      const h = makeHome();
      const file = path.join(h.home, '.gemini', 'settings.json');
      writeTree({
        [file]:
          '{\n  "mcpServers": {\n    "g": {\n      "command": "x",\n      "args": "--port 1",\n      "env": ["A=1"]\n    }\n  }\n}\n',
      });
      const r = await h.run();
      assert.deepEqual(
        [diag(r, file, /"args" must be an array of strings, found a string/).line, diag(r, file, /"args"/).column],
        [5, 15],
      );
      assert.deepEqual([diag(r, file, /"env" must be an object/).line, diag(r, file, /"env"/).column], [6, 14]);
      assert.deepEqual(names(r), ['g', 'survivor']);
    });

    it('JSON: "mcpServers" an array', async () => {
      const h = makeHome();
      const file = path.join(h.home, '.codeium', 'windsurf', 'mcp_config.json');
      writeTree({ [file]: '{\n  "mcpServers": [ { "command": "x" } ]\n}\n' });
      const r = await h.run();
      const d = diag(r, file, /"mcpServers" must be an object mapping server names to servers, found an array/);
      assert.deepEqual([d.line, d.column], [2, 17]);
      assert.deepEqual(names(r), ['survivor']);
    });

    it('TOML: "mcp_servers" an array, and "args" a string in another file', async () => {
      const h = makeHome();
      const user = path.join(h.home, '.codex', 'config.toml');
      const project = path.join(h.ws, '.codex', 'config.toml');
      writeTree({
        [user]: 'model = "o3"\nmcp_servers = ["x"]\n',
        [project]: '[mcp_servers.p]\ncommand = "node"\nargs = "server.js"\n\n[mcp_servers.q]\nurl = 42\n',
      });
      const r = await h.run();
      assert.deepEqual(pos(diag(r, user, /"mcp_servers" must be a table of servers/)), [2, 15]);
      assert.deepEqual(pos(diag(r, project, /server "p": "args" must be an array of strings, found a string/)), [3, 8]);
      assert.deepEqual(pos(diag(r, project, /server "q": "url" must be a string, found a number/)), [6, 7]);
      assert.deepEqual(names(r), ['p', 'survivor']);
    });

    it('YAML: "mcpServers" a mapping, an item not a mapping, "args" a string', async () => {
      const h = makeHome();
      const cfg = path.join(h.home, '.continue', 'config.yaml');
      const block = path.join(h.home, '.continue', 'mcpServers', 'b.yaml');
      writeTree({
        [cfg]: 'name: c\nmcpServers:\n  memory:\n    command: npx\n',
        [block]: 'mcpServers:\n  - just a string\n  - name: b\n    command: node\n    args: server.js\n',
      });
      const r = await h.run();
      assert.deepEqual(pos(diag(r, cfg, /"mcpServers" must be a list of servers, found a mapping/)), [3, 3]);
      assert.deepEqual(pos(diag(r, block, /mcpServers\[0\] must be a mapping/)), [2, 5]);
      assert.deepEqual(pos(diag(r, block, /server "b": "args" must be an array of strings, found a string/)), [5, 11]);
      assert.deepEqual(names(r), ['b', 'survivor']);
    });

    it('Zed: "context_servers" an array; ~/.claude.json: "projects" a string', async () => {
      const h = makeHome();
      const zed = path.join(h.home, '.config', 'zed', 'settings.json');
      const claude = path.join(h.home, '.claude.json');
      writeTree({
        [zed]: '{ "context_servers": [] }',
        [claude]: '{ "mcpServers": { "u": { "command": "x" } }, "projects": "nope" }',
      });
      const r = await h.run();
      assert.deepEqual(pos(diag(r, zed, /"context_servers" must be an object/)), [1, 22]);
      assert.deepEqual(
        pos(diag(r, claude, /"projects" must be an object keyed by project path, found a string/)),
        [1, 58],
      );
      assert.deepEqual(names(r), ['survivor', 'u']);
    });
  });

  it('a server with neither command nor url: named at its key; its neighbours are listed', async () => {
    const h = makeHome();
    const file = path.join(h.home, '.config', 'Code', 'User', 'mcp.json');
    writeTree({
      [file]:
        '{\n  "servers": {\n    "empty": { "env": { "A": "1" } },\n    "fine": { "url": "http://localhost:3000/mcp" }\n  }\n}\n',
    });
    const r = await h.run();
    assert.deepEqual(pos(diag(r, file, /server "empty": has neither "command" nor "url"/)), [3, 5]);
    assert.deepEqual(names(r), ['fine', 'survivor']);
  });

  it('an unknown type: named at the type value, in JSON, TOML-free and YAML files', async () => {
    const h = makeHome();
    const json = path.join(h.ws, '.mcp.json');
    const yaml = path.join(h.ws, '.continue', 'mcpServers', 'x.yaml');
    writeTree({
      [json]: '{ "mcpServers": { "pigeon": { "type": "carrier-pigeon", "command": "coo" } } }',
      [yaml]: 'mcpServers:\n  - name: telegraph\n    type: morse\n    url: http://x\n',
    });
    const r = await h.run();
    // `.mcp.json` is Claude Code's: its own words for a type it does not know.
    assert.deepEqual(
      pos(diag(r, json, /server "pigeon": Claude Code skips it: unknown MCP server type "carrier-pigeon"/)),
      [1, 39],
    );
    assert.deepEqual(pos(diag(r, yaml, /server "telegraph": unknown type "morse"/)), [3, 11]);
    assert.deepEqual(names(r), ['survivor']);
  });

  it('a client\'s own type word is its own: Copilot CLI\'s "local" is stdio there and unknown elsewhere', async () => {
    const h = makeHome();
    const copilot = path.join(h.home, '.copilot', 'mcp-config.json');
    const json = path.join(h.ws, '.mcp.json');
    writeTree({
      // As `copilot mcp add` 1.0.102 writes it.
      [copilot]: JSON.stringify({
        mcpServers: {
          mem: { tools: ['*'], type: 'local', command: 'node', args: ['m.js'] },
          up: { tools: ['*'], type: 'LOCAL', command: 'node', args: ['u.js'] },
          odd: { tools: ['*'], type: 'carrier-pigeon', command: 'coo' },
        },
      }),
      [json]:
        '{ "mcpServers": { "claude": { "type": "local", "command": "x" }, "proto": { "type": "constructor", "command": "y" } } }',
    });
    const r = await h.run();
    const mem = r.servers.find((s) => s.name === 'mem')!;
    assert.deepEqual(
      [mem.source.client, mem.transport, mem.command, mem.args],
      ['copilot-cli', 'stdio', 'node', ['m.js']],
    );
    assert.equal(r.servers.find((s) => s.name === 'up')?.transport, 'stdio');
    assert.deepEqual(
      r.diagnostics.filter((d) => d.file === copilot).map((d) => d.message),
      ['server "odd": unknown type "carrier-pigeon" (expected "local", "stdio", "http" or "sse")'],
    );
    diag(r, json, /^server "claude": Claude Code skips it: unknown MCP server type "local"$/);
    diag(r, json, /^server "proto": Claude Code skips it: unknown MCP server type "constructor"/);
    assert.deepEqual(names(r), ['mem', 'survivor', 'up']);
  });

  it(`a file over ${MAX_CONFIG_BYTES / (1024 * 1024)} MiB is refused unread, with a message and no position`, async () => {
    const h = makeHome();
    const file = path.join(h.home, '.gemini', 'settings.json');
    writeTree({ [file]: `{"mcpServers":{"big":{"command":"x"}},"pad":"${'x'.repeat(MAX_CONFIG_BYTES)}"}` });
    const r = await h.run();
    const d = diag(
      r,
      file,
      new RegExp(`over the ${(MAX_CONFIG_BYTES / (1024 * 1024)).toFixed(1)} MiB limit for a config file; not read`),
    );
    assert.equal(d.line, undefined);
    assert.equal(r.files.find((f) => f.file === file)?.state, 'unreadable');
    assert.deepEqual(names(r), ['survivor']);
  });

  it('a directory where a file should be', async () => {
    const h = makeHome();
    const file = path.join(h.ws, '.cursor', 'mcp.json');
    fs.mkdirSync(file, { recursive: true });
    const r = await h.run();
    diag(r, file, /is a directory, expected a file/);
    assert.deepEqual(names(r), ['survivor']);
  });

  it('permission denied (injected: the tests may run as root, which reads any file)', async () => {
    const h = makeHome();
    const file = path.join(h.home, '.gemini', 'settings.json');
    writeTree({ [file]: '{"mcpServers":{"secret-place":{"command":"x"}}}' });
    const denied = Object.assign(new Error(`EACCES: permission denied, open '${file}'`), { code: 'EACCES' });
    const readFile = (f: string) =>
      readConfigFile(f, {
        statSync: liveFs.statSync,
        readBytes: (p, at, n) => (p === file ? Promise.reject(denied) : liveFs.readBytes(p, at, n)),
      });
    const r = await h.run({ readFile });
    diag(r, file, /^cannot be read: permission denied$/);
    assert.deepEqual(names(r), ['survivor']);
  });

  it('permission denied on a real file, when not running as root', async () => {
    const h = makeHome();
    const file = path.join(h.home, '.gemini', 'settings.json');
    writeTree({ [file]: '{"mcpServers":{"x":{"command":"x"}}}' });
    fs.chmodSync(file, 0o000);
    const r = await h.run();
    // Root reads the file regardless of its mode: then it is listed, and that is right too.
    if (process.getuid?.() === 0) assert.deepEqual(names(r), ['survivor', 'x']);
    else {
      diag(r, file, /permission denied/);
      assert.deepEqual(names(r), ['survivor']);
    }
  });

  it('a symlink loop', async () => {
    const h = makeHome();
    const file = path.join(h.home, '.copilot', 'mcp-config.json');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.symlinkSync(path.join(h.home, '.copilot', 'other.json'), file);
    fs.symlinkSync(file, path.join(h.home, '.copilot', 'other.json'));
    const r = await h.run();
    diag(r, file, /symbolic link loop/);
    assert.deepEqual(names(r), ['survivor']);
  });

  it('a UTF-8 BOM is accepted silently, and positions after it stay right', async () => {
    const h = makeHome();
    const file = path.join(h.home, '.cursor', 'mcp.json');
    writeTree({
      [file]: Buffer.concat([
        Buffer.from([0xef, 0xbb, 0xbf]),
        Buffer.from('{"mcpServers":{"bom":{"command":"x","args":"y"}}}'),
      ]),
    });
    const r = await h.run();
    assert.deepEqual(pos(diag(r, file, /"args" must be an array/)), [1, 44]);
    assert.deepEqual(names(r), ['bom']);
  });

  it('a BOM in TOML and YAML files too', async () => {
    const h = makeHome();
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    writeTree({
      [path.join(h.home, '.codex', 'config.toml')]: Buffer.concat([
        bom,
        Buffer.from('[mcp_servers.t]\ncommand = "x"\n'),
      ]),
      [path.join(h.home, '.continue', 'config.yaml')]: Buffer.concat([
        bom,
        Buffer.from('mcpServers:\n  - name: y\n    command: x\n'),
      ]),
    });
    const r = await h.run();
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(names(r), ['survivor', 't', 'y']);
  });

  it('NUL bytes: refused as not a text file, at the first NUL', async () => {
    const h = makeHome();
    const file = path.join(h.home, '.config', 'Code', 'User', 'mcp.json');
    writeTree({ [file]: Buffer.from('{\n  "servers": {\0\0}\n}') });
    const r = await h.run();
    const d = diag(r, file, /contains NUL bytes/);
    assert.deepEqual(pos(d), [2, 15]);
    assert.deepEqual(names(r), ['survivor']);
  });

  it('one file read by two sources reports its read failure once', async () => {
    const h = makeHome();
    const file = path.join(h.home, '.config', 'Code', 'User', 'settings.json');
    writeTree({ [file]: Buffer.from('\0') });
    const r = await h.run();
    assert.equal(r.diagnostics.filter((d) => d.file === file).length, 1);
  });
});

function pos(d: Diagnostic): [number | undefined, number | undefined] {
  return [d.line, d.column];
}
