import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { SourceRef } from '../../../src/core/base/model';
import { normalizeEntry } from '../../../src/core/sources/normalize';
import { RawServerEntry, VariableFlavour } from '../../../src/core/sources/types';
import { resolveVariables } from '../../../src/core/sources/variables';
import { host, scan, server, tempDir, writeTree } from './support';

const home = '/home/dev';
const env = { HOME: home, API_TOKEN: 'tok-123456', DATA_DIR: '/srv/data', EMPTY: '' };
const ctx = { host: host(home, 'linux', env), workspaceFolder: '/work/proj' };
const resolve = (text: string, flavour: VariableFlavour) => resolveVariables(text, flavour, ctx);

describe('sources: variables, per client flavour', () => {
  it('VS Code: ${workspaceFolder}, ${userHome}, ${env:NAME}, ${pathSeparator}, ${/}', () => {
    const r = resolve(
      '${workspaceFolder}${/}a:${userHome}${pathSeparator}b:${env:DATA_DIR}:${env:NOT_SET}:${workspaceFolderBasename}',
      'vscode',
    );
    assert.equal(r.value, '/work/proj/a:/home/dev/b:/srv/data::proj');
    assert.deepEqual(r.unresolved, []);
  });

  it('VS Code: ${input:...}, ${config:...}, ${command:...} are left as written and listed', () => {
    const r = resolve('--key=${input:api-key} ${config:x.y} ${command:pick}', 'vscode');
    assert.equal(r.value, '--key=${input:api-key} ${config:x.y} ${command:pick}');
    assert.deepEqual(r.unresolved, ['${input:api-key}', '${config:x.y}', '${command:pick}']);
  });

  it('VS Code: an environment value that may be a secret is resolved for matching but redacted for display', () => {
    const r = resolve('--token=${env:API_TOKEN}', 'vscode');
    assert.equal(r.value, '--token=tok-123456');
    assert.equal(r.display, '--token=<redacted>');
    assert.deepEqual(r.secrets, ['tok-123456']);
  });

  it('Cursor: the same forms as VS Code', () => {
    assert.equal(resolve('${userHome}/.cursor/${env:DATA_DIR}', 'cursor').value, '/home/dev/.cursor//srv/data');
  });

  it('Claude Code / Copilot CLI: ${VAR} and ${VAR:-default}; an unset one without default stays and is listed', () => {
    const r = resolve('${DATA_DIR}/db ${MISSING:-/tmp/fallback} ${EMPTY:-x} ${MISSING}', 'shell');
    assert.equal(r.value, '/srv/data/db /tmp/fallback x ${MISSING}');
    assert.deepEqual(r.unresolved, ['${MISSING}']);
    // VS Code forms mean nothing to these clients.
    assert.deepEqual(resolve('${env:DATA_DIR}', 'shell').unresolved, ['${env:DATA_DIR}']);
  });

  it('Gemini CLI: $VAR and ${VAR}', () => {
    assert.equal(resolve('$DATA_DIR/a ${DATA_DIR}/b', 'dollar').value, '/srv/data/a /srv/data/b');
    assert.deepEqual(resolve('$NOPE', 'dollar').unresolved, ['$NOPE']);
  });

  it('opencode and Kilo: {env:NAME} is the variable, empty when unset (as opencode 1.18.33 substitutes it); {file:...} is left', () => {
    assert.equal(resolve('{env:DATA_DIR}/a:{env:NOT_SET}:$DATA_DIR', 'opencode').value, '/srv/data/a::$DATA_DIR');
    const r = resolve('Bearer {file:~/.secrets/token}', 'opencode');
    assert.equal(r.value, 'Bearer {file:~/.secrets/token}');
    assert.deepEqual(r.unresolved, ['{file:~/.secrets/token}']);
  });

  it('Continue: ${{ secrets.NAME }} templates are filled by Continue: left and listed', () => {
    const r = resolve('--key=${{ secrets.GITHUB_TOKEN }}', 'continue');
    assert.equal(r.value, '--key=${{ secrets.GITHUB_TOKEN }}');
    assert.deepEqual(r.unresolved, ['${{ secrets.GITHUB_TOKEN }}']);
  });

  it('clients without variables keep the text as is', () => {
    assert.deepEqual(resolve('${HOME}/$HOME', 'none'), {
      value: '${HOME}/$HOME',
      display: '${HOME}/$HOME',
      unresolved: [],
      secrets: [],
      warnings: [],
    });
  });
});

const source: SourceRef = {
  client: 'vscode',
  scope: 'workspace',
  label: 'Workspace',
  file: '/work/proj/.vscode/mcp.json',
  workspaceFolder: '/work/proj',
};
function entry(fields: Record<string, unknown>, name = 's'): RawServerEntry {
  return {
    name,
    keyPath: ['servers', name],
    position: { line: 1, column: 1 },
    fields: Object.fromEntries(Object.entries(fields).map(([k, value]) => [k, { value }])),
  };
}
function normalize(fields: Record<string, unknown>, urlTransport: 'http' | 'sse' = 'http') {
  return normalizeEntry(entry(fields), { host: host(home, 'linux', env), source, variables: 'vscode', urlTransport });
}

describe('sources: transport inferred as VS Code does', () => {
  it('no type: stdio with a command, http with a url', () => {
    assert.equal(normalize({ command: 'node' }).server?.transport, 'stdio');
    assert.equal(normalize({ url: 'http://localhost:1/mcp' }).server?.transport, 'http');
  });

  it('explicit types, including Roo Code\'s "streamable-http"', () => {
    assert.equal(normalize({ type: 'sse', url: 'http://x/sse' }).server?.transport, 'sse');
    assert.equal(normalize({ type: 'streamable-http', url: 'http://x/mcp' }).server?.transport, 'http');
    assert.equal(normalize({ type: 'STDIO', command: 'x' }).server?.transport, 'stdio');
  });

  it('Qwen Code: url is SSE, httpUrl is streamable HTTP; Windsurf: serverUrl is HTTP', () => {
    assert.equal(normalize({ url: 'http://x/sse' }, 'sse').server?.transport, 'sse');
    assert.equal(normalize({ httpUrl: 'http://x/mcp' }, 'sse').server?.transport, 'http');
    assert.equal(normalize({ serverUrl: 'http://x/mcp' }).server?.transport, 'http');
  });

  it('a type that contradicts the fields is a diagnostic', () => {
    assert.match(
      normalize({ type: 'stdio', url: 'http://x' }).diagnostics[0].message,
      /type "stdio" needs a "command"/,
    );
    assert.match(normalize({ type: 'http', command: 'x' }).diagnostics[0].message, /type "http" needs a "url"/);
  });

  it('a relative cwd is resolved against the workspace folder; `disabled` and `enabled = false` mark it disabled', () => {
    assert.equal(normalize({ command: 'x', cwd: 'sub' }).server?.cwd, '/work/proj/sub');
    assert.equal(normalize({ command: 'x', disabled: true }).server?.disabled, true);
    assert.equal(normalize({ command: 'x', enabled: false }).server?.disabled, true);
    assert.equal(normalize({ command: 'x' }).server?.disabled, false);
  });

  it("an env value resolved from this process's environment is left out of matching (the client's may differ); a literal, a path of the user's and ${workspaceFolder} stay", () => {
    const r = normalize({
      command: 'node',
      args: ['s.js'],
      env: {
        A: 'literal',
        B: '${workspaceFolder}/data',
        C: '${userHome}/x',
        D: '${env:API_TOKEN}',
        E: '${env:HOME}/y',
      },
    });
    assert.deepEqual(Object.keys(r.launch?.env ?? {}).sort(), ['A', 'B', 'C', 'E']);
    assert.deepEqual(r.server?.envKeys, ['A', 'B', 'C', 'D', 'E']);
    assert.deepEqual(Object.keys(r.server?.envDigests ?? {}).sort(), ['A', 'B', 'C', 'D', 'E']);
  });

  it('unresolved variables are listed on the server', () => {
    assert.deepEqual(normalize({ command: 'x', args: ['--key', '${input:key}'] }).server?.unresolved, ['${input:key}']);
  });
});

describe('sources: workspace folders and the same launch across places', () => {
  it("${workspaceFolder} in a folder's files is that folder; ${userHome} and a literal home path are the same launch", async () => {
    const root = tempDir('launch');
    const home = path.join(root, 'home');
    const a = path.join(root, 'a');
    const b = path.join(root, 'b');
    const mem = (cmd: string) => ({ command: cmd, args: ['-y', '@modelcontextprotocol/server-memory'] });
    writeTree({
      [path.join(home, '.config', 'Code', 'User', 'mcp.json')]: JSON.stringify({
        servers: { memory: { ...mem('npx'), env: { MEMORY_FILE_PATH: 'x' } } },
      }),
      [path.join(home, '.config', 'Claude', 'claude_desktop_config.json')]: JSON.stringify({
        mcpServers: { 'mem-desktop': mem('npx') },
      }),
      [path.join(home, '.codex', 'config.toml')]:
        '[mcp_servers.memory]\ncommand = "npx"\nargs = ["-y", "@modelcontextprotocol/server-memory"]\n',
      // Same command, but run from another folder: another launch.
      [path.join(home, '.cursor', 'mcp.json')]: JSON.stringify({
        mcpServers: { memory: { ...mem('npx'), cwd: '/elsewhere' } },
      }),
      [path.join(a, '.vscode', 'mcp.json')]: JSON.stringify({
        servers: { tool: { command: '${userHome}/bin/tool', args: ['${workspaceFolder}/data'] } },
      }),
      [path.join(a, '.cursor', 'mcp.json')]: JSON.stringify({
        mcpServers: { tool: { command: `${home}/bin/tool`, args: [`${a}/data`] } },
      }),
      [path.join(b, '.vscode', 'mcp.json')]: JSON.stringify({
        servers: { tool: { command: '${userHome}/bin/tool', args: ['${workspaceFolder}/data'] } },
      }),
    });
    const r = await scan({ host: host(home, 'linux', { MCP_LIFEGUARD_SYSTEM_ROOT: root }), workspaceFolders: [a, b] });
    assert.deepEqual(r.diagnostics, []);
    const ids = (pred: (s: (typeof r.servers)[number]) => boolean) =>
      r.servers
        .filter(pred)
        .map((s) => s.id)
        .sort();
    const groups = r.launchGroups.map((g) => [...g.serverIds].sort());
    // One command with other env is another server: VS Code's memory (its own MEMORY_FILE_PATH) is not in the group.
    const memoryGroup = ids((s) => s.name.startsWith('mem') && s.cwd === undefined && s.envKeys.length === 0);
    assert.equal(memoryGroup.length, 2);
    const toolA = ids((s) => s.name === 'tool' && s.source.workspaceFolder === a);
    assert.equal(toolA.length, 2);
    assert.deepEqual(groups.sort(), [memoryGroup, toolA].sort());
    const inB = r.servers.find((s) => s.name === 'tool' && s.source.workspaceFolder === b);
    assert.deepEqual(inB?.args, [`${b}/data`]);
    assert.equal(r.launches.get(inB!.id)?.command, `${home}/bin/tool`);
    // The env values an entry sets are kept for matching only, in the internal launch, never in the server.
    const vscodeMemory = r.servers.find((s) => s.source.client === 'vscode' && s.name === 'memory')!;
    assert.deepEqual(r.launches.get(vscodeMemory.id)?.env, { MEMORY_FILE_PATH: 'x' });
    assert.deepEqual(vscodeMemory.envKeys, ['MEMORY_FILE_PATH']);
    const desktop = r.servers.find((s) => s.name === 'mem-desktop')!;
    assert.equal(vscodeMemory.launchKey, desktop.launchKey, 'the same launch');
    assert.notEqual(vscodeMemory.identityKey, desktop.identityKey, 'but another server');
    assert.deepEqual(Object.keys(vscodeMemory.envDigests ?? {}), ['MEMORY_FILE_PATH']);
    assert.ok(!JSON.stringify(r.servers).includes('"x"'), 'no env value in the servers');
  });

  it('a .code-workspace file: ${workspaceFolder} is its one folder; in a multi-root workspace it stays unresolved', async () => {
    const root = tempDir('cw');
    const single = path.join(root, 'single.code-workspace');
    const multi = path.join(root, 'multi.code-workspace');
    const srv = { command: 'node', args: ['${workspaceFolder}/server.js'] };
    writeTree({
      [single]: JSON.stringify({ folders: [{ path: 'app' }], settings: { mcp: { servers: { one: srv } } } }),
      [multi]: JSON.stringify({
        folders: [{ path: 'app' }, { path: '../other' }],
        settings: { mcp: { servers: { two: srv } } },
      }),
    });
    const r = await scan({
      host: host(path.join(root, 'home'), 'linux', { MCP_LIFEGUARD_SYSTEM_ROOT: root }),
      workspaceFolders: [],
      workspaceFiles: [single, multi],
    });
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(server(r, 'one').args, [`${path.join(root, 'app')}/server.js`]);
    assert.equal(server(r, 'one').source.workspaceFolder, path.join(root, 'app'));
    assert.deepEqual(server(r, 'two').args, ['${workspaceFolder}/server.js']);
    assert.deepEqual(server(r, 'two').unresolved, ['${workspaceFolder}']);
  });
});
