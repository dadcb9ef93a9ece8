import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { until } from '../support/poll';
import { freePort } from '../support/startup';
import { claudeCodeBin, clientEnv, CLAUDE_CODE, modelStub } from '../support/realClients';
import { cli } from '../integration/processes/support/harness';
import {
  badVerdicts,
  clientHome,
  expectModelAsked,
  homeProcesses,
  killDuplicatesPlanned,
  MEMORY_SCRIPT,
  only,
  runClient,
  sessionParts,
  status,
} from './support';

/**
 * Real Claude Code from npm against a shared server's URL: `ensure --share` starts one share host
 * with its HTTP front, `claude mcp add --transport http` names the URL (an entry that starts
 * nothing), and two real sessions (`claude -p`, the model a loopback stub) each open their own MCP
 * session on it. One server process serves both, with no relay: the share host lists each session
 * as a client, the URL entry's row shows that one instance, and nothing is a duplicate.
 */
describe(`real clients: Claude Code ${CLAUDE_CODE.version} (npm), two sessions on a shared server's URL`, function () {
  this.timeout(300_000);
  // The share host and its server carry the home's marker: they end with every other process of it.
  const parts = sessionParts();

  it('`ensure --share` prints the URL, `claude mcp add --transport http` names it; two sessions, one server, each session a client of the share host', async () => {
    const claude = await claudeCodeBin();
    const model = await modelStub();
    parts.model = model;
    const home = clientHome('lg-claude-share-', clientEnv(model.url));
    parts.h = home;
    const data = path.join(home.home, 'memory.jsonl');
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/mcp`;
    const ensured = await cli(
      home.home,
      ['ensure', '--share', '--name', 'memory', '--share-listen', `127.0.0.1:${port}`, '--', 'node', MEMORY_SCRIPT],
      { MEMORY_FILE_PATH: data },
    );
    assert.equal(ensured.code, 0, ensured.stderr);
    assert.equal(ensured.stdout, `${url}\n`);

    await runClient(claude, ['mcp', 'add', '--transport', 'http', 'memory-shared', url], home.project, home.env);
    // What Claude Code wrote, as it wrote it: an entry that names the URL and starts nothing.
    const written = JSON.parse(fs.readFileSync(path.join(home.home, '.claude.json'), 'utf8'));
    assert.deepEqual(written.projects[home.project].mcpServers, { 'memory-shared': { type: 'http', url } });

    // The server itself, not the share host whose command line ends with it.
    const memoryServers = () => homeProcesses(home).filter((p) => p.cmdline.split('\0')[1] === MEMORY_SCRIPT);
    const [server] = memoryServers();
    assert.ok(server, 'ensure started the server');

    for (let i = 0; i < 2; i++)
      parts.sessions.push(spawn(claude, ['-p', 'hello'], { cwd: home.project, env: home.env, stdio: 'ignore' }));
    const snap = await until(
      'both sessions attached to the share host',
      async () => {
        const s = await status(home);
        const shared = s.servers.flatMap((x) => x.instances).find((i) => i.pid === server.pid);
        return shared?.lock?.attached?.length === 2 ? s : undefined;
      },
      120_000,
    );
    // One server for both sessions: neither started a process of its own for the URL.
    assert.deepEqual(
      memoryServers().map((p) => p.pid),
      [server.pid],
    );
    const entry = only(snap, 'memory-shared');
    assert.deepEqual(
      [entry.source.client, entry.source.scope, entry.transport, entry.url],
      ['claude-code', 'local', 'http', url],
    );
    const instance = entry.instances.find((i) => i.pid === server.pid);
    assert.ok(instance, `the URL entry's row shows the shared instance: ${JSON.stringify(entry.instances)}`);
    assert.equal(instance.lock?.shareUrl, url);
    assert.deepEqual(
      // Each client named as the process table shows it (its initialize name is `claude-code`).
      instance.lock!.attached!.map((c) => c.clientName),
      ['Claude Code', 'Claude Code'],
    );
    assert.deepEqual(badVerdicts(instance), [], JSON.stringify(instance.verdicts));
    assert.ok(!JSON.stringify(snap).includes(data), 'an env value is never in the snapshot');
    assert.deepEqual(await killDuplicatesPlanned(home, [server.pid]), []);
    // `locks` and a restart's outcome, which read the lock record without a snapshot, name them so too.
    const locks = await cli(home.home, ['locks']);
    assert.match(locks.stdout, /shared by 2 clients \(Claude Code, Claude Code\)/);
    const restarted = await cli(home.home, ['restart', String(server.pid)]);
    assert.equal(restarted.code, 0, restarted.stderr);
    assert.match(restarted.stdout, /Claude Code and Claude Code kept their sessions/);
    // The sessions really ran: they asked the model.
    await expectModelAsked(model, 'POST /v1/');
  });
});
