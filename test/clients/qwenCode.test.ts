import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { until } from '../support/poll';
import { modelStub, QWEN_CODE, qwenCodeBin, qwenEnv } from '../support/realClients';
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
  runClient,
  SESSION_POLL_MS,
  sessionParts,
  status,
} from './support';

function cmdline(pid: number): string {
  return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
}

/**
 * Real Qwen Code from npm: `qwen mcp add` writes its default scope, user, into
 * `~/.qwen/settings.json` and `-s project` into `<folder>/.qwen/settings.json` (with a `"$version"`
 * of the file beside `mcpServers`); an http server as `httpUrl`, an sse one as `url`. A project's
 * servers wait for approval (`qwen mcp approve NAME`, kept in `~/.qwen/mcpApprovals.json`) before a
 * session starts them. A real session (`qwen -p`, its OpenAI-compatible method on the loopback stub)
 * starts both server-memory entries as children of the node process `cli.js` relaunches itself as.
 * The client killed, its servers' stdin closes and they end: none is left to be an orphan.
 */
describe(`real clients: Qwen Code ${QWEN_CODE.version} (npm), its own mcp add in two scopes and a session`, function () {
  this.timeout(300_000);
  const parts = sessionParts();

  it('`qwen mcp add` (user) and `-s project`, stdio, http and sse; `qwen -p`: each process under its own entry and client, none a duplicate, none left after the client is killed', async () => {
    const qwen = await qwenCodeBin();
    const model = (parts.model = await modelStub());
    const home = clientHome('lg-qwen-code-', qwenEnv(model.url));
    parts.h = home;
    // The user's own settings before any server: the OpenAI-compatible method, no update checks, no usage statistics.
    const userSettings = path.join(home.home, '.qwen', 'settings.json');
    const own = {
      security: { auth: { selectedType: 'openai' } },
      general: { enableAutoUpdate: false },
      privacy: { usageStatisticsEnabled: false },
    };
    fs.mkdirSync(path.dirname(userSettings));
    fs.writeFileSync(userSettings, JSON.stringify(own, null, 2));

    const data = path.join(home.home, 'mem-user.json');
    const qwenIn = (args: string[]) => runClient(qwen, args, home.project, home.env);
    const add = (args: string[]) => qwenIn(['mcp', 'add', ...args]);
    await add(['-e', `MEMORY_FILE_PATH=${data}`, 'mem-user', 'node', MEMORY_SCRIPT]);
    await add(['-s', 'project', 'mem-proj', 'node', MEMORY_SCRIPT]);
    await add(['-t', 'http', 'remote-http', 'http://127.0.0.1:9/mcp', '-H', 'Authorization: Bearer qwen-4b1d']);
    await add(['-s', 'project', '-t', 'sse', 'remote-sse', 'http://127.0.0.1:9/sse']);

    // What Qwen Code wrote, as it wrote it.
    const projectSettings = path.join(home.project, '.qwen', 'settings.json');
    assert.deepEqual(JSON.parse(fs.readFileSync(userSettings, 'utf8')), {
      ...own,
      mcpServers: {
        'mem-user': { command: 'node', args: [MEMORY_SCRIPT], env: { MEMORY_FILE_PATH: data } },
        'remote-http': { httpUrl: 'http://127.0.0.1:9/mcp', headers: { Authorization: 'Bearer qwen-4b1d' } },
      },
      $version: 4,
    });
    assert.deepEqual(JSON.parse(fs.readFileSync(projectSettings, 'utf8')), {
      mcpServers: {
        'mem-proj': { command: 'node', args: [MEMORY_SCRIPT] },
        'remote-sse': { url: 'http://127.0.0.1:9/sse' },
      },
      $version: 4,
    });

    const before = await status(home);
    assert.deepEqual([...diagnosticsOf(before, userSettings), ...diagnosticsOf(before, projectSettings)], []);
    const sourceOf = (name: string) => {
      const s = only(before, name);
      return [s.source.client, s.source.scope, s.source.file, s.transport];
    };
    assert.deepEqual(sourceOf('mem-user'), ['qwen-code', 'user', userSettings, 'stdio']);
    assert.deepEqual(sourceOf('remote-http'), ['qwen-code', 'user', userSettings, 'http']);
    assert.deepEqual(sourceOf('mem-proj'), ['qwen-code', 'workspace', projectSettings, 'stdio']);
    assert.deepEqual(sourceOf('remote-sse'), ['qwen-code', 'workspace', projectSettings, 'sse']);
    assert.deepEqual(only(before, 'remote-http').headerKeys, ['Authorization']);
    assert.deepEqual(only(before, 'mem-user').envKeys, ['MEMORY_FILE_PATH']);
    assert.notEqual(only(before, 'mem-user').identityKey, only(before, 'mem-proj').identityKey);
    assert.ok(!JSON.stringify(before).includes('qwen-4b1d'), 'a header value is never in the snapshot');

    // A project's server runs once approved (Qwen Code's own command); then a session starts both.
    await qwenIn(['mcp', 'approve', 'mem-proj']);
    const session = (parts.session = spawn(qwen, ['-p', 'hello'], {
      cwd: home.project,
      env: home.env,
      stdio: 'ignore',
    }));
    await until(
      'both servers of the session running',
      () => memoryServers(home).length === 2,
      120_000,
      SESSION_POLL_MS,
    );
    const servers = memoryServers(home);
    const userPid = servers.find((p) => carries(p.pid, `MEMORY_FILE_PATH=${data}`))!.pid;
    const projPid = servers.find((p) => p.pid !== userPid)!.pid;
    // `.bin/qwen` (cli-entry.js) runs cli.js, which relaunches itself: the last one is the client.
    const client = parentOf(userPid);
    assert.equal(parentOf(projPid), client);
    assert.match(cmdline(client), /--expose-gc\0[^\0]*@qwen-code[/\\]qwen-code[/\\]cli\.js\0/);
    assert.match(cmdline(parentOf(client)), /[/\\]cli\.js\0/);
    assert.equal(parentOf(parentOf(client)), session.pid, 'cli-entry.js runs cli.js, which runs the client');

    await expectSessionJudged(home, {
      byEntry: { 'mem-user': userPid, 'mem-proj': projPid },
      client: ['qwen-code', 'Qwen Code', client],
      files: [userSettings, projectSettings],
      secret: data,
    });
    await expectModelAsked(model, 'POST /v1/chat/completions');
    await expectNoneLeftAfterKill(home, client, [userPid, projPid]);
  });
});
