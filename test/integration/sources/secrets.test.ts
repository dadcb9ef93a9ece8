import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { stringify as yamlStringify } from 'yaml';
import { scanSources } from '../../../src/core/sources/scan';
import { repoRoot } from '../../support/repo';
import { linuxLayout, Row } from '../../unit/sources/fixtureLayouts';
import { tempDir, writeTree } from '../../unit/sources/support';
import { liveFs } from '../../../src/core/machine/liveFs';

/**
 * Secrets never leave: a recognisable secret is planted in every secret-bearing field of every
 * source (env values, headers, URL credentials and tokens, token flags, inline bearer tokens,
 * environment substitutions, broken files quoting it), and the built CLI's `status` and
 * `status --json` must not show it anywhere, nor write it to any file of its own.
 */

const SECRET = `PLANTED-SECRET-${randomBytes(6).toString('hex')}`;
const ENV_VAR = 'PLANTED_VAR';

/** How each client writes a substitution of an environment variable. */
function envRef(row: Row): string | undefined {
  switch (row.client) {
    case 'vscode':
    case 'vscode-insiders':
    case 'cursor':
    case 'windsurf':
      return `\${env:${ENV_VAR}}`;
    case 'claude-code':
    case 'copilot-cli':
      return `\${${ENV_VAR}}`;
    case 'gemini-cli':
    case 'qwen-code':
      return `$${ENV_VAR}`;
    case 'opencode':
    case 'kilo':
      // opencode's `{env:NAME}` (Kilo's own files only: its older .kilocode/mcp.json has none).
      return row.format === 'opencode' ? `{env:${ENV_VAR}}` : undefined;
    default:
      return undefined; // no variables in these clients' configs
  }
}

function secretServers(row: Row): Record<string, Record<string, unknown>> {
  const ref = envRef(row);
  const local = {
    command: 'npx',
    args: [
      '-y',
      'pkg',
      '--token',
      SECRET,
      `--api-key=${SECRET}`,
      '--password',
      SECRET,
      `ACCESS_TOKEN=${SECRET}`,
      '--header',
      `Authorization: Bearer ${SECRET}`,
      `postgres://app:${SECRET}@db/x`,
      `https://h/x?key=${SECRET}`,
      `prefix-${SECRET}-suffix`,
    ],
    env: { API_KEY: SECRET, DB_URL: `prefix-${SECRET}-suffix` },
  };
  const url = `https://user:${SECRET}@mcp.example.com/mcp?token=${SECRET}&api_key=${SECRET}&key=${SECRET}&sig=${SECRET}`;
  const headers = { Authorization: `Bearer ${SECRET}`, 'X-Api-Key': SECRET, Cookie: `session=${SECRET}` };
  const out: Record<string, Record<string, unknown>> = {
    local,
    remote: { url, headers },
    'remote-server-url': { serverUrl: url, headers },
    'remote-http-url': { httpUrl: url, headers },
    'inline-token': {
      url: 'https://mcp.example.com/mcp',
      bearer_token: SECRET,
      apiKey: SECRET,
      http_headers: { Authorization: `Bearer ${SECRET}` },
    },
  };
  if (ref)
    out.substituted = {
      command: 'node',
      args: ['server.js', '--data', `/srv/${ref}`, ref],
      cwd: `/work/${ref}`,
      env: { X: ref },
    };
  if (ref) out['substituted-url'] = { url: `https://mcp.example.com/${ref}/mcp` };
  return out;
}

function secretContent(row: Row, ws: string): string {
  const m = secretServers(row);
  switch (row.format) {
    case 'servers':
      return JSON.stringify({ servers: m });
    case 'mcpServers':
      return JSON.stringify({ mcpServers: m });
    case 'vscodeSettings':
      return JSON.stringify({ mcp: { servers: m } });
    case 'codeWorkspace':
      return JSON.stringify({ folders: [{ path: '.' }], settings: { mcp: { servers: m } } });
    case 'claudeJson':
      return JSON.stringify({ primaryApiKey: SECRET, mcpServers: m, projects: { [ws]: { mcpServers: m } } });
    case 'toml': {
      const s = m['inline-token'];
      return [
        '[mcp_servers.local]',
        'command = "npx"',
        `args = ${JSON.stringify(m.local.args as string[])}`,
        `env = { API_KEY = "${SECRET}", DB_URL = "prefix-${SECRET}-suffix" }`,
        '[mcp_servers.remote]',
        `url = "${m.remote.url as string}"`,
        `http_headers = { Authorization = "Bearer ${SECRET}", "X-Api-Key" = "${SECRET}" }`,
        `bearer_token = "${s.bearer_token as string}"`,
        'bearer_token_env_var = "PLANTED_VAR"',
        'env_http_headers = { "X-Other" = "PLANTED_VAR" }',
      ].join('\n');
    }
    case 'continueYaml':
      return yamlStringify({
        mcpServers: [
          { name: 'local', ...m.local },
          { name: 'remote', type: 'streamable-http', url: m.remote.url, requestOptions: { headers: m.remote.headers } },
          { name: 'templated', command: 'x', args: ['--token', '${{ secrets.GITHUB_TOKEN }}'], env: { K: SECRET } },
        ],
      });
    case 'opencode':
      return JSON.stringify({
        mcp: Object.fromEntries(
          Object.entries(m).map(([name, e]) => [
            name,
            e.command
              ? { type: 'local', command: [e.command, ...(e.args as string[])], environment: e.env }
              : { type: 'remote', url: e.url ?? e.serverUrl ?? e.httpUrl, headers: e.headers ?? e.http_headers },
          ]),
        ),
      });
    case 'clineCli':
      return JSON.stringify({
        mcpServers: Object.fromEntries(
          Object.entries(m).map(([name, e]) => [
            name,
            {
              transport: e.command
                ? { type: 'stdio', ...e }
                : {
                    type: 'streamableHttp',
                    url: e.url ?? e.serverUrl ?? e.httpUrl,
                    headers: e.headers ?? e.http_headers,
                  },
            },
          ]),
        ),
      });
    case 'zed':
      return JSON.stringify({
        context_servers: {
          local: { source: 'custom', ...m.local },
          older: { command: { path: 'srv', args: ['--token', SECRET], env: { K: SECRET } } },
          remote: { url: m.remote.url, headers: m.remote.headers },
          ext: { source: 'extension', settings: { api_key: SECRET } },
        },
      });
  }
}

function run(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(repoRoot, 'dist', 'cli.js'), ...args],
      { env, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

function allFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? allFiles(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

describe('secrets never leave: the built CLI with a secret planted in every field of every source', function () {
  this.timeout(120_000);
  const root = tempDir('secrets');
  const layout = linuxLayout(root, false);
  const broken = path.join(root, 'broken-ws');
  const own = path.join(root, 'lifeguard-home');
  let env: NodeJS.ProcessEnv;

  before(() => {
    assert.ok(
      fs.existsSync(path.join(repoRoot, 'dist', 'cli.js')),
      'dist/cli.js is built by `npm test` (npm run build) before the tests',
    );
    const files: Record<string, string> = {};
    for (const row of layout.rows) files[row.file] = secretContent(row, layout.workspace);
    // Broken files whose parse errors sit on a line holding the secret.
    files[path.join(broken, '.codex', 'config.toml')] =
      `[mcp_servers.a]\ncommand = "x"\nargs = ["--token", "${SECRET}"\nurl = "${SECRET}\n`;
    files[path.join(broken, '.continue', 'mcpServers', 'bad.yaml')] =
      `mcpServers:\n  - name: a\n    env: { K: ${SECRET}\n    args: [${SECRET}\n`;
    files[path.join(broken, '.vscode', 'mcp.json')] = `{"servers":{"a":{"command":"x","env":{"K":"${SECRET}" "L": 1}}`;
    files[path.join(broken, '.cursor', 'mcp.json')] =
      `{"mcpServers":{"a":{"command":"x","args":"--token ${SECRET}","env":["${SECRET}"],"type":"http"}}}`;
    writeTree(files);
    env = {
      PATH: process.env.PATH,
      HOME: layout.home,
      MCP_LIFEGUARD_HOME: own,
      [ENV_VAR]: SECRET,
      ...layout.env,
    };
  });

  it('status --json: every planted server is listed, and the secret appears nowhere', async () => {
    const r = await run(['status', '--json', '--workspace', layout.workspace, '--workspace', broken], env);
    assert.equal(r.code, 0, r.stderr);
    const snapshot = JSON.parse(r.stdout) as {
      servers: { name: string; source: { client: string }; envKeys: string[]; headerKeys: string[] }[];
      diagnostics: { file: string }[];
    };
    // The fixture really went through every source: otherwise "no secret" would prove nothing.
    const clients = new Set(snapshot.servers.map((s) => s.source.client));
    for (const row of layout.rows) assert.ok(clients.has(row.client), `no servers from ${row.client}`);
    assert.ok(snapshot.servers.filter((s) => s.name === 'local').every((s) => s.envKeys.includes('API_KEY')));
    assert.ok(snapshot.servers.some((s) => s.name === 'remote' && s.headerKeys.includes('Authorization')));
    assert.ok(snapshot.servers.length > 100, `${snapshot.servers.length} servers`);
    for (const f of ['config.toml', 'bad.yaml', 'mcp.json'])
      assert.ok(
        snapshot.diagnostics.some((d) => d.file.startsWith(broken) && d.file.endsWith(f)),
        `no diagnostic for broken ${f}`,
      );
    assert.ok(!r.stdout.includes(SECRET), `secret in status --json: ${context(r.stdout)}`);
    assert.ok(!r.stderr.includes(SECRET), `secret on stderr: ${context(r.stderr)}`);
    // Redaction marks where values were.
    assert.ok(r.stdout.includes('<redacted>'));
  });

  it('status (the table and its problems): the secret appears nowhere', async () => {
    const r = await run(['status', '--workspace', layout.workspace, '--workspace', broken], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Problems \(\d+\):/);
    // Problems come after the table, each as `severity: file:line:column: message`.
    assert.ok(r.stdout.indexOf('Problems (') > r.stdout.indexOf('SERVER'));
    assert.ok(
      r.stdout.includes(`error: ${path.join(broken, '.codex', 'config.toml')}:4:`),
      'TOML error with its position',
    );
    assert.ok(
      r.stdout.includes(`error: ${path.join(broken, '.cursor', 'mcp.json')}:1:`),
      'wrong-typed key with its position',
    );
    assert.ok(r.stdout.includes('<redacted>'));
    assert.ok(!r.stdout.includes(SECRET), `secret in status: ${context(r.stdout)}`);
    assert.ok(!r.stderr.includes(SECRET), `secret on stderr: ${context(r.stderr)}`);
  });

  it('discovery alone, before the last-line masking of the snapshot, lets no secret into servers or diagnostics', async () => {
    const r = await scanSources({
      fs: liveFs,
      host: { home: layout.home, platform: 'linux', env: env as Record<string, string> },
      workspaceFolders: [layout.workspace, broken],
    });
    assert.ok(r.servers.length > 100);
    const shown = JSON.stringify({
      servers: r.servers,
      diagnostics: r.diagnostics,
      files: r.files,
      launchGroups: r.launchGroups,
    });
    assert.ok(!shown.includes(SECRET), `secret in the scan: ${context(shown)}`);
    // The engine keeps the values to mask them elsewhere (process command lines).
    assert.ok(r.secrets.has(SECRET));
  });

  it('nothing MCP Lifeguard wrote of its own holds the secret', () => {
    for (const f of allFiles(own)) assert.ok(!fs.readFileSync(f, 'utf8').includes(SECRET), `secret in ${f}`);
  });
});

function context(text: string): string {
  const i = text.indexOf(SECRET);
  return JSON.stringify(text.slice(Math.max(0, i - 200), i + SECRET.length + 50));
}
