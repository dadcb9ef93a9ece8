import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { until } from '../support/poll';
import { CONTINUE_CLI, continueCliBin, modelStub } from '../support/realClients';
import {
  carries,
  clientHome,
  diagnosticsOf,
  expectModelAsked,
  expectNoneLeftAfterKill,
  expectSessionJudged,
  MEMORY_SCRIPT,
  memoryServers,
  only,
  parentOf,
  SESSION_POLL_MS,
  sessionParts,
  status,
} from './support';

/**
 * Real Continue CLI from npm (`cn`). It has **no command that writes an MCP server** (no `mcp`
 * subcommand; its onboarding writes only `models` into `~/.continue/config.yaml`), so the test writes
 * `~/.continue/config.yaml` itself, in Continue's `schema: v1` (`mcpServers:` a list of `{name,
 * command, args, env}` or `{name, type: streamable-http, url, requestOptions.headers}`), the file cn
 * loads when it exists (its `local-config-yaml` source; it reads no workspace `mcpServers/` folder).
 * What is verified is that cn runs exactly what MCP Lifeguard reads there: a real session (`cn -p`,
 * an `openai` model whose `apiBase` is the loopback stub) starts both server-memory entries as
 * children of the node process `cn` is, each under its own entry and client `continue`. `cn -p`
 * refuses to run when a server fails to connect, so the session's file holds the stdio entries only.
 */
describe(`real clients: Continue CLI ${CONTINUE_CLI.version} (npm), its config.yaml and a session`, function () {
  this.timeout(300_000);
  const parts = sessionParts();

  it('~/.continue/config.yaml (written by the test: cn has no `mcp add`) read as cn reads it; `cn -p`: each process under its own entry and client, none a duplicate, none left after the client is killed', async () => {
    const cn = await continueCliBin();
    const model = (parts.model = await modelStub());
    const home = clientHome('lg-continue-cli-', { CONTINUE_CLI_ENABLE_TELEMETRY: '0', CONTINUE_METRICS_ENABLED: '0' });
    parts.h = home;
    const data = path.join(home.home, 'mem-a.json');
    const config = path.join(home.home, '.continue', 'config.yaml');
    const lines = (remote: boolean) =>
      [
        'name: Main Config',
        'version: 1.0.0',
        'schema: v1',
        'models:',
        '  - name: loopback',
        '    provider: openai',
        '    model: gpt-4o',
        `    apiBase: ${model!.url}/v1`,
        '    apiKey: sk-loopback-model-stub',
        '    roles: [chat, edit, apply]',
        'mcpServers:',
        '  - name: mem-a',
        '    command: node',
        `    args: [${JSON.stringify(MEMORY_SCRIPT)}]`,
        '    env:',
        `      MEMORY_FILE_PATH: ${JSON.stringify(data)}`,
        '  - name: mem-b',
        '    command: node',
        `    args: [${JSON.stringify(MEMORY_SCRIPT)}]`,
        ...(remote
          ? [
              '  - name: remote',
              '    type: streamable-http',
              '    url: http://127.0.0.1:9/mcp',
              '    requestOptions:',
              '      headers:',
              '        Authorization: Bearer continue-4b1d',
            ]
          : []),
        '',
      ].join('\n');
    fs.mkdirSync(path.dirname(config), { recursive: true });
    fs.writeFileSync(config, lines(true));

    const before = await status(home);
    assert.deepEqual(diagnosticsOf(before, config), []);
    const read = (name: string) => {
      const s = only(before, name);
      return [s.source.client, s.source.scope, s.source.file, s.transport, s.command ?? s.url, s.args, s.envKeys];
    };
    assert.deepEqual(read('mem-a'), [
      'continue',
      'user',
      config,
      'stdio',
      'node',
      [MEMORY_SCRIPT],
      ['MEMORY_FILE_PATH'],
    ]);
    assert.deepEqual(read('mem-b'), ['continue', 'user', config, 'stdio', 'node', [MEMORY_SCRIPT], []]);
    assert.deepEqual(read('remote'), ['continue', 'user', config, 'http', 'http://127.0.0.1:9/mcp', [], []]);
    assert.deepEqual(only(before, 'remote').headerKeys, ['Authorization']);
    assert.notEqual(only(before, 'mem-a').identityKey, only(before, 'mem-b').identityKey);
    assert.ok(!JSON.stringify(before).includes('continue-4b1d'), 'a header value is never in the snapshot');

    fs.writeFileSync(config, lines(false));
    const session = (parts.session = spawn(cn, ['-p', 'hello'], { cwd: home.project, env: home.env, stdio: 'ignore' }));
    await until(
      'both servers of the session running',
      () => memoryServers(home).length === 2,
      120_000,
      SESSION_POLL_MS,
    );
    const servers = memoryServers(home);
    const aPid = servers.find((p) => carries(p.pid, `MEMORY_FILE_PATH=${data}`))!.pid;
    const bPid = servers.find((p) => p.pid !== aPid)!.pid;
    // `cn` is a node script: that node process is the client, the servers its children.
    const client = parentOf(aPid);
    assert.equal(parentOf(bPid), client);
    assert.equal(client, session.pid);

    await expectSessionJudged(home, {
      byEntry: { 'mem-a': aPid, 'mem-b': bPid },
      client: ['continue', 'Continue CLI', client],
      files: [config],
      secret: data,
    });
    await expectModelAsked(model, 'POST /v1/chat/completions');
    await expectNoneLeftAfterKill(home, client, [aPid, bPid]);
  });
});
