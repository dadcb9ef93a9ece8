import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { Diagnostic, SCHEMA_VERSION, Snapshot } from '../../../src/core/base/model';
import { formatStatus } from '../../../src/cli/format/status';
import { toViewInput } from '../../../src/core/report/input';
import { counts } from '../../../src/core/report/state';
import { ScanResult } from '../../../src/core/sources/scan';
import { host, scan, tempDir, writeTree } from './support';

/**
 * One typo is one problem, in every format the scan parses: a double comma (and what stands for it
 * in TOML and YAML) yields exactly one diagnostic naming the file, line and column, whatever number
 * of errors the parser reports there.
 */

interface Case {
  format: string;
  /** Where the client reads it, from the home folder. */
  file: string[];
  text: string;
  line: number;
  column: number;
}

const CASES: Case[] = [
  {
    format: 'JSON (Claude Desktop), between two entries',
    file: ['.config', 'Claude', 'claude_desktop_config.json'],
    text: '{\n  "mcpServers": {\n    "a": { "command": "node", "args": ["x.js"] },,\n    "b": { "command": "npx" }\n  }\n}\n',
    line: 3,
    column: 50,
  },
  {
    format: 'JSON (Cursor), between two keys of an entry',
    file: ['.cursor', 'mcp.json'],
    text: '{\n  "mcpServers": {\n    "a": { "command": "node",, "args": ["x.js"] }\n  }\n}\n',
    line: 3,
    column: 30,
  },
  {
    format: 'JSON (Cursor), right after the opening brace (one error per comma)',
    file: ['.cursor', 'mcp.json'],
    text: '{,,\n  "mcpServers": { "a": { "command": "node" } }\n}\n',
    line: 1,
    column: 2,
  },
  {
    format: 'JSON (Cursor), in an array',
    file: ['.cursor', 'mcp.json'],
    text: '{\n  "mcpServers": {\n    "a": { "command": "node", "args": ["x.js",, "y"] }\n  }\n}\n',
    line: 3,
    column: 47,
  },
  {
    format: 'JSONC (VS Code user mcp.json, with comments)',
    file: ['.config', 'Code', 'User', 'mcp.json'],
    text: '{\n  // mine\n  "servers": {\n    "a": { "type": "stdio", "command": "node" },,\n    "b": { "type": "stdio", "command": "npx" },\n  }\n}\n',
    line: 4,
    column: 49,
  },
  {
    format: 'TOML (Codex), in an array',
    file: ['.codex', 'config.toml'],
    text: '[mcp_servers.a]\ncommand = "node"\nargs = ["x.js",, "y"]\n',
    line: 3,
    column: 16,
  },
  {
    format: 'TOML (Codex), in an inline table',
    file: ['.codex', 'config.toml'],
    text: '[mcp_servers.a]\ncommand = "node"\nenv = { A = "1",, B = "2" }\n',
    line: 3,
    column: 17,
  },
  {
    format: 'YAML (Continue), in a flow sequence',
    file: ['.continue', 'config.yaml'],
    text: 'mcpServers:\n  - name: a\n    command: node\n    args: [x.js,, y]\n',
    line: 4,
    column: 17,
  },
  {
    format: 'YAML (Continue), in a flow map',
    file: ['.continue', 'config.yaml'],
    text: 'mcpServers:\n  - { name: a,, command: node }\n',
    line: 2,
    column: 15,
  },
];

function problemsOf(r: ScanResult, file: string): Diagnostic[] {
  return r.diagnostics.filter((d) => d.file === file && d.severity !== 'info');
}

describe('sources: a double comma is one problem in every format', () => {
  for (const c of CASES) {
    it(`${c.format}: one diagnostic naming the file, line and column; one problem in the badge and the CLI`, async () => {
      const root = tempDir('dc');
      const home = path.join(root, 'home');
      const file = path.join(home, ...c.file);
      writeTree({ [file]: c.text });
      const r = await scan({
        host: host(home, 'linux', { MCP_LIFEGUARD_SYSTEM_ROOT: path.join(root, 'sys') }),
        workspaceFolders: [],
      });
      const found = problemsOf(r, file);
      assert.equal(found.length, 1, JSON.stringify(r.diagnostics, null, 1));
      assert.deepEqual([found[0].line, found[0].column, found[0].severity], [c.line, c.column, 'error']);
      // Every face counts it once: the badge's and tree's count, the CLI's Problems.
      const snapshot: Snapshot = {
        schemaVersion: SCHEMA_VERSION,
        generator: { name: 'mcp-lifeguard', version: '0.0.0' },
        takenAt: new Date(0).toISOString(),
        platform: 'linux',
        workspaceFolders: [],
        launchGroups: [],
        servers: [],
        notConfigured: [],
        processes: { state: 'ok', count: 0 },
        files: r.files,
        diagnostics: r.diagnostics,
      };
      assert.equal(counts(toViewInput(snapshot)).problems, 1);
      const text = formatStatus(snapshot);
      assert.match(text, /Problems \(1\):/);
      assert.ok(text.includes(`${file}:${c.line}:${c.column}:`), text);
    });
  }
});
