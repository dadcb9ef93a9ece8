import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { Diagnostic } from '../../../src/core/base/model';
import { decodeConfigText, ReadOutcome } from '../../../src/core/sources/readConfigFile';
import {
  MAX_DIAGNOSTICS_PER_FILE,
  MAX_FILES_PER_SOURCE,
  MAX_SERVERS_PER_FILE,
  READ_CONCURRENCY,
  ScanResult,
} from '../../../src/core/sources/scan';
import { adaptClaudeJson } from '../../../src/core/sources/claudeCode';
import { MAX_TOML_BYTES } from '../../../src/core/sources/codex';
import { adaptContinueYaml, MAX_YAML_BYTES } from '../../../src/core/sources/continueYaml';
import { jsonServerMapAdapter, MAX_RECOVERED_BYTES } from '../../../src/core/sources/jsonc';
import { duplicateKeyConfig, serversWithEnv } from '../../support/bigConfigs';
import { host, scan, tempDir, writeTree } from './support';

/**
 * Input that once stalled discovery or blanked it: repeated names (each repeat re-filtered the
 * whole list), huge YAML mappings (the parser compared every key with every earlier one), a folder
 * of many Continue blocks (all opened at once: EMFILE), and values of the wrong kind on the way to
 * the server map. The results are asserted here; the time they take is measured in
 * bench/sources.bench.ts.
 */

function diagnosticsFor(r: ScanResult, file: string, message: RegExp): Diagnostic[] {
  return r.diagnostics.filter((d) => d.file === file && message.test(d.message));
}

describe('sources: input that stalled discovery', () => {
  it('1.2 MB of definitions, every name repeated (over 20,000 names): each name once, with its last definition, and one warning per repeat', () => {
    const cfg = duplicateKeyConfig(1_200_000);
    assert.ok(cfg.names > MAX_SERVERS_PER_FILE, `${cfg.names} names`);
    const r = jsonServerMapAdapter(['servers'])(cfg.text);
    // The scan lists MAX_SERVERS_PER_FILE servers and names the next: the adapter reads that many and counts the rest.
    assert.equal(r.total, cfg.names);
    assert.equal(r.entries.length, MAX_SERVERS_PER_FILE + 1);
    // The last definition of s<k> is definition 2k+1; a repeat moves the name to where it was last defined.
    r.entries.slice(0, MAX_SERVERS_PER_FILE).forEach((e, k) => {
      assert.equal(e.name, `s${k}`);
      assert.equal(e.fields.command.value, `x${2 * k + 1}`);
    });
    assert.equal(r.entries[MAX_SERVERS_PER_FILE].name, `s${MAX_SERVERS_PER_FILE}`);
    // On line 2, which starts after the first newline.
    const offset = cfg.text.indexOf(`"s${MAX_SERVERS_PER_FILE}":{"command":"x${2 * MAX_SERVERS_PER_FILE + 1}"`);
    assert.deepEqual(r.entries[MAX_SERVERS_PER_FILE].position, { line: 2, column: offset - cfg.text.indexOf('\n') });
    // One warning per repeat: the first MAX_DIAGNOSTICS_PER_FILE written out, the rest counted.
    const repeats = r.diagnostics.filter(
      (d) => d.severity === 'warning' && /is defined twice in "servers"; the last definition is used/.test(d.message),
    );
    assert.equal(repeats.length, MAX_DIAGNOSTICS_PER_FILE);
    assert.equal(r.diagnostics.length + (r.omitted ?? 0), cfg.names);
  });

  it('a repeated name whose last definition is not an object drops the name, as before', () => {
    const r = jsonServerMapAdapter(['servers'])('{"servers":{"a":{"command":"x"},"b":{"command":"y"},"a":5}}');
    assert.deepEqual(
      r.entries.map((e) => e.name),
      ['b'],
    );
    assert.ok(r.diagnostics.some((d) => /server "a" must be an object, found a number/.test(d.message)));
  });

  it('~/.claude.json with 5,000 projects, one written twice: every project read once, the repeat keeps its last definition', () => {
    const projects: string[] = [];
    for (let i = 0; i < 5000; i++) projects.push(`"/p/${i}":{"mcpServers":{"s${i}":{"command":"x${i}"}}}`);
    projects.push('"/p/7":{"mcpServers":{"late":{"command":"y"}}}');
    const r = adaptClaudeJson(`{"projects":{${projects.join(',')}}}`);
    assert.equal(r.entries.length, 5000);
    assert.deepEqual(
      r.entries.filter((e) => e.workspaceFolder === '/p/7').map((e) => e.name),
      ['late'],
    );
    assert.equal(new Set(r.entries.map((e) => `${e.workspaceFolder}#${e.name}`)).size, 5000);
  });

  it('YAML: a mapping of 20,000 env keys is read whole; a repeated key is still an error at its position', () => {
    const env = Array.from({ length: 20_000 }, (_, i) => `      K${i}: v${i}`).join('\n');
    const r = adaptContinueYaml(`mcpServers:\n  - name: big\n    command: node\n    env:\n${env}\n`);
    assert.equal(r.entries.length, 1);
    assert.equal(Object.keys(r.entries[0].fields.env.value as object).length, 20_000);
    assert.deepEqual(r.diagnostics, []);
    const dup = adaptContinueYaml('mcpServers:\n  - name: a\n    command: x\n    env: { A: "1", B: "2", A: "3" }\n');
    assert.deepEqual(dup.diagnostics, [
      { severity: 'error', line: 4, column: 28, message: 'invalid YAML: Map keys must be unique' },
    ]);
  });
});

describe('sources: bounds per file', () => {
  it(`a file of more than ${MAX_SERVERS_PER_FILE} servers: the first ${MAX_SERVERS_PER_FILE} are listed, a warning at the first one left out`, async () => {
    const home = tempDir('bounds');
    const file = path.join(home, '.config', 'Claude', 'claude_desktop_config.json');
    writeTree({ [file]: serversWithEnv(MAX_SERVERS_PER_FILE + 3) });
    const r = await scan({ host: host(home), workspaceFolders: [] });
    assert.equal(r.servers.length, MAX_SERVERS_PER_FILE);
    const d = diagnosticsFor(r, file, /servers defined; only the first/);
    assert.equal(d.length, 1, JSON.stringify(r.diagnostics));
    assert.equal(
      d[0].message,
      `${MAX_SERVERS_PER_FILE + 3} servers defined; only the first ${MAX_SERVERS_PER_FILE} are listed, the other 3 (from server "srv${MAX_SERVERS_PER_FILE}" on) are left out`,
    );
    assert.deepEqual([d[0].line, d[0].column], [MAX_SERVERS_PER_FILE + 2, 1]);
  });

  it(`a file with thousands of problems lists ${MAX_DIAGNOSTICS_PER_FILE} of them and the count of the rest`, async () => {
    const home = tempDir('bounds');
    const file = path.join(home, '.config', 'Code', 'User', 'mcp.json');
    const cfg = duplicateKeyConfig(200_000);
    writeTree({ [file]: cfg.text });
    const r = await scan({ host: host(home), workspaceFolders: [] });
    assert.equal(r.servers.length, cfg.names);
    const mine = r.diagnostics.filter((d) => d.file === file);
    assert.equal(mine.length, MAX_DIAGNOSTICS_PER_FILE + 1);
    assert.equal(
      mine[MAX_DIAGNOSTICS_PER_FILE].message,
      `${cfg.names - MAX_DIAGNOSTICS_PER_FILE} more problems in this file are not listed`,
    );
  });
});

describe('sources: YAML size limit', () => {
  it(`a Continue config.yaml over ${MAX_YAML_BYTES / (1024 * 1024)} MiB is refused unread with its size; the other sources are read`, async () => {
    const home = tempDir('yaml');
    const file = path.join(home, '.continue', 'config.yaml');
    const items: string[] = [];
    for (let i = 0, length = 0; length <= MAX_YAML_BYTES; i++) {
      const item = `  - name: s${i}\n    command: x\n`;
      items.push(item);
      length += item.length;
    }
    writeTree({
      [file]: `mcpServers:\n${items.join('')}`,
      [path.join(home, '.cursor', 'mcp.json')]: '{"mcpServers":{"ok":{"command":"x"}}}',
    });
    const r = await scan({ host: host(home), workspaceFolders: [] });
    const d = diagnosticsFor(r, file, /^is 1\.0 MiB, over the 1\.0 MiB limit for a YAML config; not read$/);
    assert.equal(d.length, 1, JSON.stringify(r.diagnostics));
    assert.equal(d[0].line, undefined);
    assert.deepEqual(
      r.servers.map((s) => s.name),
      ['ok'],
    );
  });
});

describe('sources: large JSON with syntax errors', () => {
  it(`a file over ${MAX_RECOVERED_BYTES / (1024 * 1024)} MiB with a syntax error: its errors are listed (${MAX_DIAGNOSTICS_PER_FILE} and the count of the rest), no servers read from it`, async () => {
    const home = tempDir('broken');
    const file = path.join(home, '.config', 'Code', 'User', 'mcp.json');
    const cfg = duplicateKeyConfig(MAX_RECOVERED_BYTES + 1024);
    // An unclosed map, and 300 stray values (a run of commas would be one typo): 301 errors.
    const text = cfg.text.replace('{"servers":{\n', `{"servers":{\n${'1,\n'.repeat(300)}`).replace(/\}\}\n$/, '}\n');
    writeTree({ [file]: text, [path.join(home, '.cursor', 'mcp.json')]: '{"mcpServers":{"ok":{"command":"x"}}}' });
    const r = await scan({ host: host(home), workspaceFolders: [] });
    const mine = r.diagnostics.filter((d) => d.file === file);
    assert.equal(
      mine[0].message,
      `has syntax errors and is over ${(MAX_RECOVERED_BYTES / (1024 * 1024)).toFixed(1)} MiB: no servers read from it (a smaller file is read around its errors)`,
    );
    assert.deepEqual(
      [mine[1].line, mine[1].column, mine[1].message],
      [2, 1, 'invalid JSON: property name expected; value expected'],
    );
    assert.equal(mine.length, MAX_DIAGNOSTICS_PER_FILE + 1);
    assert.match(mine[MAX_DIAGNOSTICS_PER_FILE].message, /^\d+ more problems in this file are not listed$/);
    assert.equal(r.files.find((f) => f.file === file)?.state, 'read');
    assert.deepEqual(
      r.servers.map((s) => s.name),
      ['ok'],
    );
  });
});

describe('sources: TOML size limit', () => {
  it(`a Codex config.toml over ${MAX_TOML_BYTES / (1024 * 1024)} MiB is refused unread with its size; the other sources are read`, async () => {
    const home = tempDir('toml');
    const file = path.join(home, '.codex', 'config.toml');
    const items: string[] = [];
    for (let i = 0, length = 0; length <= MAX_TOML_BYTES; i++) {
      const item = `[mcp_servers.s${i}]\ncommand = "x"\n`;
      items.push(item);
      length += item.length;
    }
    writeTree({
      [file]: items.join(''),
      [path.join(home, '.cursor', 'mcp.json')]: '{"mcpServers":{"ok":{"command":"x"}}}',
    });
    const r = await scan({ host: host(home), workspaceFolders: [] });
    const d = diagnosticsFor(r, file, /^is 5\.0 MiB, over the 5\.0 MiB limit for a TOML config; not read$/);
    assert.equal(d.length, 1, JSON.stringify(r.diagnostics));
    assert.equal(d[0].line, undefined);
    assert.deepEqual(
      r.servers.map((s) => s.name),
      ['ok'],
    );
  });
});

describe('sources: many Continue block files', () => {
  const block = (i: number) => `mcpServers:\n  - name: block-${i}\n    command: node\n    args: ["b${i}.js"]\n`;

  it(`files are read at most ${READ_CONCURRENCY} at a time, whatever their number`, async () => {
    const home = tempDir('blocks');
    const dir = path.join(home, '.continue', 'mcpServers');
    const names = Array.from({ length: 1500 }, (_, i) => `b${String(i).padStart(4, '0')}.yaml`);
    let inFlight = 0;
    let most = 0;
    const readFile = async (file: string): Promise<ReadOutcome> => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      inFlight--;
      const m = /b(\d+)\.yaml$/.exec(file);
      return m ? decodeConfigText(Buffer.from(block(Number(m[1])))) : { state: 'missing' };
    };
    const listDir = async (d: string) => {
      if (d === dir) return names;
      throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
    };
    const r = await scan({ host: host(home), workspaceFolders: [], readFile, listDir });
    assert.equal(r.servers.length, 1500);
    assert.ok(most <= READ_CONCURRENCY, `${most} files were open at once`);
  });

  it(`more than ${MAX_FILES_PER_SOURCE} block files: the first ${MAX_FILES_PER_SOURCE} by name are read, and a warning names the folder and the count`, async () => {
    const home = tempDir('blocks');
    const dir = path.join(home, '.continue', 'mcpServers');
    const total = MAX_FILES_PER_SOURCE + 7;
    const names = Array.from({ length: total }, (_, i) => `b${String(i).padStart(5, '0')}.yaml`);
    const readFile = async (file: string): Promise<ReadOutcome> => {
      const m = /b(\d+)\.yaml$/.exec(file);
      return m ? decodeConfigText(Buffer.from(block(Number(m[1])))) : { state: 'missing' };
    };
    const listDir = async (d: string) => {
      if (d === dir) return names;
      throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
    };
    const r = await scan({ host: host(home), workspaceFolders: [], readFile, listDir });
    assert.equal(r.servers.length, MAX_FILES_PER_SOURCE);
    assert.ok(!r.servers.some((s) => s.name === `block-${MAX_FILES_PER_SOURCE}`));
    const d = diagnosticsFor(
      r,
      dir,
      new RegExp(
        `^${total} Continue config files found; only the first ${MAX_FILES_PER_SOURCE} are read, the other 7 are left out$`,
      ),
    );
    assert.equal(d.length, 1, JSON.stringify(r.diagnostics));
    assert.equal(d[0].severity, 'warning');
    assert.equal(d[0].client, 'continue');
  });
});

describe('sources: a value of the wrong kind on the way to the servers', () => {
  it('"mcp": 5 in VS Code user settings: named at its value, with the kind found', async () => {
    const home = tempDir('kinds');
    const file = path.join(home, '.config', 'Code', 'User', 'settings.json');
    writeTree({ [file]: '{\n  "editor.fontSize": 14,\n  "mcp": 5\n}\n' });
    const r = await scan({ host: host(home), workspaceFolders: [] });
    const d = diagnosticsFor(r, file, /"mcp" must be an object, found a number/);
    assert.equal(d.length, 1, JSON.stringify(r.diagnostics));
    assert.deepEqual([d[0].line, d[0].column, d[0].severity, d[0].client], [3, 10, 'error', 'vscode']);
  });

  it('"mcp": {"servers": 5} in settings.json and "servers": [] in mcp.json', async () => {
    const home = tempDir('kinds');
    const settings = path.join(home, '.config', 'Code', 'User', 'settings.json');
    const mcp = path.join(home, '.config', 'Code', 'User', 'mcp.json');
    writeTree({ [settings]: '{ "mcp": { "servers": 5 } }', [mcp]: '{\n  "servers": []\n}' });
    const r = await scan({ host: host(home), workspaceFolders: [] });
    const a = diagnosticsFor(
      r,
      settings,
      /"mcp\.servers" must be an object mapping server names to servers, found a number/,
    );
    const b = diagnosticsFor(r, mcp, /"servers" must be an object mapping server names to servers, found an array/);
    assert.deepEqual([a.length, b.length], [1, 1], JSON.stringify(r.diagnostics));
    assert.deepEqual([a[0].line, a[0].column, b[0].line, b[0].column], [1, 23, 2, 14]);
  });

  it('"settings": "x" in a .code-workspace file', async () => {
    const root = tempDir('kinds');
    const ws = path.join(root, 'ws');
    const file = path.join(ws, 'a.code-workspace');
    writeTree({ [file]: '{ "folders": [{ "path": "." }], "settings": "x" }' });
    const r = await scan({ host: host(path.join(root, 'home')), workspaceFolders: [ws] });
    assert.equal(
      diagnosticsFor(r, file, /"settings" must be an object, found a string/).length,
      1,
      JSON.stringify(r.diagnostics),
    );
  });
});
