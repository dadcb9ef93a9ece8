import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ClientId } from '../../../src/core/base/model';
import { ScanResult } from '../../../src/core/sources/scan';
import { wrapSupport } from '../../../src/core/configEdit/guardCommand';
import { repoRoot } from '../../support/repo';
import { host, scan, server, tempDir, writeTree } from './support';

/**
 * Kiro, JetBrains Junie, Amazon Q Developer and Antigravity, none of which installs from npm or
 * PyPI: their files are read as their documentation and sources describe them, here from real files
 * other people wrote (test/fixtures/corpus) put where each client reads them in a fake home.
 */

const corpus = (client: string, name: string) =>
  fs.readFileSync(path.join(repoRoot, 'test', 'fixtures', 'corpus', client, name), 'utf8');

/** A Linux home and one workspace folder under a fresh temp folder. */
function fakeHome() {
  const root = tempDir('more-clients');
  return { home: path.join(root, 'home'), ws: path.join(root, 'work', 'proj') };
}

async function scanHome(home: string, ws: string): Promise<ScanResult> {
  return scan({ host: host(home), workspaceFolders: [ws] });
}

/** The servers of one client as `name scope transport [off]`, sorted. */
function listed(result: ScanResult, client: ClientId): string[] {
  return result.servers
    .filter((s) => s.source.client === client)
    .map((s) => `${s.name} ${s.source.scope} ${s.transport}${s.disabled ? ' off' : ''}`)
    .sort();
}

describe('sources: Kiro, Junie, Amazon Q Developer and Antigravity', () => {
  it("real files others wrote, each where its client reads it, are listed under the client's scopes", async () => {
    const { home, ws } = fakeHome();
    // An agent of the Amazon Q CLI in the format its `q agent create` writes (agent-v1 schema).
    const qAgent = {
      $schema: 'https://raw.githubusercontent.com/aws/amazon-q-developer-cli/refs/heads/main/schemas/agent-v1.json',
      name: 'aws',
      mcpServers: { 'aws-pricing': { command: 'uvx', args: ['awslabs.aws-pricing-mcp-server@latest'] } },
      tools: ['*'],
      useLegacyMcpJson: true,
    };
    writeTree({
      [path.join(ws, '.kiro', 'settings', 'mcp.json')]: corpus('kiro', 'k8s-virtual-coffee.mcp.json'),
      [path.join(home, '.kiro', 'settings', 'mcp.json')]: corpus('kiro', 'asu-unity-stack.mcp.json'),
      [path.join(ws, '.junie', 'mcp', 'mcp.json')]: corpus('junie', 'majlisilmu.mcp.json'),
      [path.join(home, '.junie', 'mcp', 'mcp.json')]: corpus('junie', 'aes.mcp.json'),
      [path.join(home, '.aws', 'amazonq', 'mcp.json')]: corpus('amazon-q', 'awslabs-mcp.mcp.json'),
      [path.join(ws, '.amazonq', 'mcp.json')]: corpus('amazon-q', 'promptz.mcp.json'),
      [path.join(ws, '.amazonq', 'agents', 'default.json')]: corpus('amazon-q', 'aws-q-academy.default.json'),
      [path.join(home, '.aws', 'amazonq', 'cli-agents', 'aws.json')]: JSON.stringify(qAgent, null, 2),
      [path.join(home, '.gemini', 'config', 'mcp_config.json')]: corpus(
        'antigravity',
        'vegerot-dotfiles.config.mcp_config.json',
      ),
      [path.join(home, '.gemini', 'antigravity', 'mcp_config.json')]: corpus(
        'antigravity',
        'mesnada.antigravity.mcp_config.json',
      ),
      [path.join(ws, '.agents', 'mcp_config.json')]: corpus('antigravity', 'idaho-vault.antigravity.mcp_config.json'),
    });
    const result = await scanHome(home, ws);
    assert.deepEqual(result.diagnostics, []);

    const kiro = listed(result, 'kiro');
    assert.equal(kiro.length, 12 + 10);
    assert.ok(kiro.includes('aws-docs workspace stdio'));
    // A `url` with no type: Kiro connects over streamable HTTP.
    assert.ok(kiro.includes('figma user http'));
    assert.equal(server(result, 'figma').url, 'http://127.0.0.1:3845/mcp');
    // `autoApprove` and an explicit `"disabled": false` leave a server on.
    assert.ok(result.servers.filter((s) => s.source.client === 'kiro').every((s) => !s.disabled));
    // `$JIRA_API_TOKEN` is no variable Kiro expands (its `${VAR}` is): an env key, never a value, is shown.
    assert.ok(server(result, 'mcp-atlassian').envKeys.includes('JIRA_API_TOKEN'));

    assert.deepEqual(listed(result, 'junie'), [
      'herd workspace stdio',
      'laravel-boost user stdio',
      'laravel-boost workspace stdio',
    ]);
    assert.equal(
      result.servers.find((s) => s.name === 'laravel-boost' && s.source.scope === 'user')?.command,
      '/Users/rli/Library/Application Support/Herd/bin/php84',
    );

    assert.deepEqual(listed(result, 'amazon-q'), [
      'aws-pricing user stdio',
      'cost-explorer user stdio',
      'playwright workspace stdio',
      'powertools-typescript-docs workspace stdio',
      'terraform workspace stdio',
    ]);
    assert.equal(server(result, 'terraform').source.label, 'Amazon Q agent (workspace)');
    assert.equal(server(result, 'aws-pricing').source.label, 'Amazon Q CLI agent');

    const antigravity = listed(result, 'antigravity');
    // `serverUrl` is streamable HTTP; `"type": "local"` beside a command is a local server.
    for (const line of [
      'mesnada user http',
      'remembrances user http',
      'hyper-mcp user stdio',
      'fff user stdio',
      'chrome-devtools-mcp workspace stdio off',
      'cloudrun workspace stdio',
    ])
      assert.ok(antigravity.includes(line), `${line} in ${antigravity.join(', ')}`);
    assert.equal(server(result, 'mesnada').url, 'http://127.0.0.1:8766/mcp');
    assert.equal(antigravity.length, 4 + 2 + 12);
  });

  it('a server off with `"disabled": true` is listed off in every file of each client', async () => {
    const { home, ws } = fakeHome();
    const pair = (client: string) =>
      JSON.stringify({
        mcpServers: {
          [`${client}-on`]: { command: 'npx', args: ['-y', 'server-on'], disabled: false },
          [`${client}-off`]: { command: 'npx', args: ['-y', 'server-off'], disabled: true },
        },
      });
    const files: Record<string, [ClientId, string]> = {
      [path.join(home, '.kiro', 'settings', 'mcp.json')]: ['kiro', 'kiro-user'],
      [path.join(ws, '.kiro', 'agents', 'builder.json')]: ['kiro', 'kiro-agent'],
      [path.join(ws, '.junie', 'mcp', 'mcp.json')]: ['junie', 'junie-ws'],
      [path.join(home, '.aws', 'amazonq', 'mcp.json')]: ['amazon-q', 'q-user'],
      [path.join(ws, '.amazonq', 'cli-agents', 'dev.json')]: ['amazon-q', 'q-agent'],
      [path.join(home, '.gemini', 'config', 'mcp_config.json')]: ['antigravity', 'ag-user'],
    };
    writeTree(Object.fromEntries(Object.entries(files).map(([file, [, prefix]]) => [file, pair(prefix)])));
    const result = await scanHome(home, ws);
    assert.deepEqual(result.diagnostics, []);
    for (const [file, [client, prefix]] of Object.entries(files)) {
      const on = server(result, `${prefix}-on`);
      const off = server(result, `${prefix}-off`);
      assert.equal(on.source.client, client);
      assert.equal(on.source.file, file);
      assert.equal(on.disabled, false, `${prefix}-on`);
      assert.equal(off.disabled, true, `${prefix}-off`);
    }
  });

  it('a file that is not JSON is reported with its file, line and column, and the other files are still read', async () => {
    const { home, ws } = fakeHome();
    const broken = '{\n  "mcpServers": {\n    "a": { "command": "npx" }\n    "b": { "command": "npx" }\n  }\n}\n';
    const good = JSON.stringify({ mcpServers: { fine: { command: 'uvx', args: ['fine-server'] } } });
    const cases: Array<[ClientId, string, string]> = [
      ['kiro', path.join(home, '.kiro', 'settings', 'mcp.json'), path.join(ws, '.kiro', 'settings', 'mcp.json')],
      ['junie', path.join(home, '.junie', 'mcp', 'mcp.json'), path.join(ws, '.junie', 'mcp', 'mcp.json')],
      ['amazon-q', path.join(home, '.aws', 'amazonq', 'mcp.json'), path.join(ws, '.amazonq', 'mcp.json')],
      [
        'antigravity',
        path.join(home, '.gemini', 'config', 'mcp_config.json'),
        path.join(ws, '.agents', 'mcp_config.json'),
      ],
    ];
    for (const [client, bad, other] of cases) {
      const dir = fakeHome();
      const rebase = (f: string) => f.replace(home, dir.home).replace(ws, dir.ws);
      writeTree({ [rebase(bad)]: broken, [rebase(other)]: good });
      const result = await scanHome(dir.home, dir.ws);
      const problems = result.diagnostics.filter((d) => d.severity === 'error');
      assert.equal(problems.length, 1, `${client}: ${JSON.stringify(result.diagnostics)}`);
      // The missing comma before "b": line 4, column 5.
      assert.deepEqual(
        { file: problems[0].file, line: problems[0].line, column: problems[0].column, client: problems[0].client },
        { file: rebase(bad), line: 4, column: 5, client },
      );
      assert.match(problems[0].message, /comma expected/);
      const fine = server(result, 'fine');
      assert.equal(fine.source.client, client);
      assert.equal(fine.source.scope, 'workspace');
    }
  });

  it("Antigravity's old user file is read until Antigravity 2 has migrated it (~/.gemini/config/.migrated)", async () => {
    const { home, ws } = fakeHome();
    const oldFile = path.join(home, '.gemini', 'antigravity', 'mcp_config.json');
    writeTree({
      [oldFile]: corpus('antigravity', 'innoobwetrust-dotfiles.antigravity.mcp_config.json'),
      [path.join(home, '.gemini', 'config', 'mcp_config.json')]: JSON.stringify({ mcpServers: {} }),
    });
    const before = await scanHome(home, ws);
    assert.deepEqual(listed(before, 'antigravity'), ['chrome-devtools user stdio', 'serena user stdio']);
    assert.equal(server(before, 'serena').source.file, oldFile);

    writeTree({ [path.join(home, '.gemini', 'config', '.migrated')]: '' });
    const after = await scanHome(home, ws);
    assert.deepEqual(listed(after, 'antigravity'), []);
    assert.ok(!after.files.some((f) => f.file === oldFile), 'the migrated file is not read');
  });

  it("agent folders: each .json is an agent with its own servers; the Amazon Q CLI's example agent is not", async () => {
    const { home, ws } = fakeHome();
    const agent = (name: string) => JSON.stringify({ name, mcpServers: { [name]: { command: 'uvx', args: [name] } } });
    writeTree({
      [path.join(home, '.kiro', 'agents', 'reviewer.json')]: agent('kiro-reviewer'),
      [path.join(ws, '.kiro', 'agents', 'builder.json')]: agent('kiro-builder'),
      [path.join(home, '.aws', 'amazonq', 'cli-agents', 'aws.json')]: agent('q-aws'),
      // The Q CLI writes this beside its agents; it loads only files ending in .json, and no subfolder.
      [path.join(home, '.aws', 'amazonq', 'cli-agents', 'agent_config.json.example')]: agent('q-example'),
      [path.join(home, '.aws', 'amazonq', 'cli-agents', 'old', 'aws.json')]: agent('q-old'),
    });
    const result = await scanHome(home, ws);
    assert.deepEqual(result.diagnostics, []);
    assert.deepEqual(result.servers.map((s) => `${s.name} ${s.source.label} ${s.source.scope}`).sort(), [
      'kiro-builder Kiro agent (workspace) workspace',
      'kiro-reviewer Kiro agent user',
      'q-aws Amazon Q CLI agent user',
    ]);
    assert.equal(server(result, 'kiro-builder').source.workspaceFolder, ws);
  });

  it("Kiro's Markdown agents: the servers of their YAML front matter, at their lines, in nested folders too", async () => {
    const { home, ws } = fakeHome();
    // The shape of kiro.dev's custom agents page: configuration in front matter, the prompt below.
    const backend = [
      '---',
      'description: Backend development agent',
      'tools: [read, write, shell, web]',
      'mcpServers:',
      '  postgres:',
      '    command: npx',
      '    args: ["-y", "@modelcontextprotocol/server-postgres"]',
      '    env:',
      '      DATABASE_URL: "${DATABASE_URL}"',
      '  docs:',
      '    url: https://docs.example.com/mcp',
      '    disabled: true',
      '---',
      'You are a backend developer.',
      '---',
      'mcpServers: {not: [read]}',
      '',
    ].join('\n');
    const planner = '---\ndescription: Plans\nmcpServers:\n  tracker:\n    command: tracker-mcp\n---\nPlan the work.\n';
    writeTree({
      [path.join(home, '.kiro', 'agents', 'backend.md')]: backend,
      [path.join(ws, '.kiro', 'agents', 'team', 'planner.md')]: planner,
      // A prompt kept beside the agents: no front matter, no servers, no problem.
      [path.join(ws, '.kiro', 'agents', 'prompts', 'backend-system.md')]: '# Backend\n\nUse async/await.\n',
    });
    const result = await scanHome(home, ws);
    assert.deepEqual(result.diagnostics, []);
    assert.deepEqual(listed(result, 'kiro'), ['docs user http off', 'postgres user stdio', 'tracker workspace stdio']);
    const postgres = server(result, 'postgres');
    assert.deepEqual(postgres.position, { line: 5, column: 3 });
    assert.deepEqual(postgres.args, ['-y', '@modelcontextprotocol/server-postgres']);
    assert.deepEqual(postgres.envKeys, ['DATABASE_URL']);
    assert.equal(server(result, 'tracker').source.file, path.join(ws, '.kiro', 'agents', 'team', 'planner.md'));
    // Wrap with Guard does not rewrite front matter: it says so, where a JSON agent's entry is offered.
    const support = wrapSupport({ ...postgres, keyPath: postgres.keyPath ?? [] });
    assert.equal(support.supported, false);
    assert.match(support.supported ? '' : support.reason, /does not rewrite a Markdown file's front matter/);
  });

  it("a Markdown agent's front matter that is not YAML is reported at its line in the file", async () => {
    const { home, ws } = fakeHome();
    const file = path.join(home, '.kiro', 'agents', 'broken.md');
    writeTree({ [file]: '---\ndescription: x\nmcpServers:\n  a:\n    command: [npx\n---\nbody\n' });
    const result = await scanHome(home, ws);
    const problems = result.diagnostics.filter((d) => d.file === file);
    // The unclosed list of line 5 runs into the front matter's end (line 6); every problem is inside it.
    assert.deepEqual(
      problems.map((d) => [d.client, d.line, d.message.split(':')[0]]),
      [
        ['kiro', 6, 'invalid YAML'],
        ['kiro', 5, 'server "a"'],
        ['kiro', 4, 'server "a"'],
      ],
    );
  });

  it('an entry Antigravity drops is a problem in its words, the rest of the file still listed; it reads no `enabled`', async () => {
    const { home, ws } = fakeHome();
    const file = path.join(home, '.gemini', 'config', 'mcp_config.json');
    // skillsaw's example of a dropped server: an env value written as a number.
    const text = JSON.stringify(
      {
        mcpServers: {
          'harbour-db': { command: './bin/harbour-mcp', env: { PGPORT: 5432 } },
          planner: { command: './bin/planner-mcp', args: '--read-only' },
          feed: { serverUrl: 'https://feeds.example/mcp/sse', disabledTools: ['publish_feed'] },
          legacy: { command: './bin/legacy-mcp', enabled: false },
          off: { command: './bin/off-mcp', disabled: true },
        },
      },
      null,
      2,
    );
    writeTree({ [file]: text });
    const result = await scanHome(home, ws);
    assert.deepEqual(listed(result, 'antigravity'), ['feed user http', 'legacy user stdio', 'off user stdio off']);
    assert.deepEqual(
      result.diagnostics.map((d) => [d.file, d.line, d.message]),
      [
        [file, 5, 'server "harbour-db": Antigravity drops it: "env" is not an object of strings'],
        [file, 11, 'server "planner": Antigravity drops it: "args" is not a list of strings'],
      ],
    );
  });

  it("the Amazon Q CLI's agents: a server it would not start is a problem in its words; no `enabled` or `cwd` read", async () => {
    const { home, ws } = fakeHome();
    const agentFile = path.join(home, '.aws', 'amazonq', 'cli-agents', 'dev.json');
    const servers = {
      remote: { url: 'https://mcp.example.com/mcp' },
      typed: { type: 'http', url: 'https://mcp.example.com/mcp' },
      blank: { command: '' },
      local: { command: 'uvx', args: ['awslabs.aws-documentation-mcp-server@latest'], enabled: false, cwd: '/srv' },
    };
    writeTree({
      [agentFile]: JSON.stringify({ name: 'dev', mcpServers: servers }, null, 2),
      // The same entries in mcp.json, which its IDE plugins read too: read by the shared rules.
      [path.join(ws, '.amazonq', 'mcp.json')]: JSON.stringify({ mcpServers: { 'ws-remote': servers.remote } }),
    });
    const result = await scanHome(home, ws);
    assert.deepEqual(listed(result, 'amazon-q'), ['local user stdio', 'typed user http', 'ws-remote workspace http']);
    assert.equal(server(result, 'local').cwd, undefined);
    assert.deepEqual(
      result.diagnostics.map((d) => [d.file, d.line, d.message]),
      [
        [
          agentFile,
          5,
          'server "remote": Amazon Q CLI: "MCP config is malformed: transport type is specified to be stdio but command is empty"',
        ],
        [
          agentFile,
          12,
          'server "blank": Amazon Q CLI: "MCP config is malformed: transport type is specified to be stdio but command is empty"',
        ],
      ],
    );
  });
});
