import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { connectGuarded, GuardedClient, liveRecords, memoryBin, runCli, tempHome } from './support';
import { until } from '../../support/poll';
import { isAlive } from '../../support/liveness';

describe('guard: the server log (built CLI, real server-memory)', function () {
  this.timeout(120_000);
  let home: string;
  let g: GuardedClient | undefined;

  beforeEach(() => {
    home = tempHome();
  });
  afterEach(async () => {
    const pid = g?.transport.pid;
    await g?.client.close().catch(() => undefined);
    if (pid && isAlive(pid)) process.kill(pid, 'SIGKILL');
    g = undefined;
    fs.rmSync(home, { recursive: true, force: true });
  });

  it("keeps the server's stderr in a private file the lock names, still passes it to the client, and goes on across a restart", async () => {
    g = await connectGuarded(home, ['--name', 'notes', '--', memoryBin], {
      env: { MEMORY_FILE_PATH: `${home}/memory.jsonl` },
    });
    await g.client.listTools();
    const [record] = await liveRecords(home);
    const file = record.serverLog;
    assert.ok(file, `the lock record names the log: ${JSON.stringify(record)}`);
    assert.equal(path.dirname(file), path.join(home, 'logs'));
    assert.match(path.basename(file), /^notes-[0-9a-f]{16}\.stderr\.log$/);
    // server-memory announces itself on stderr: in the file, and still on the client's side.
    await until(
      'the stderr line in the log',
      () => fs.existsSync(file) && /running on stdio/.test(fs.readFileSync(file, 'utf8')),
      10_000,
    );
    assert.match(g.stderr(), /running on stdio/);
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    assert.equal(fs.statSync(path.dirname(file)).mode & 0o777, 0o700);

    const before = fs.readFileSync(file, 'utf8').match(/running on stdio/g)?.length ?? 0;
    const restarted = await runCli(home, ['restart', 'notes']);
    assert.equal(restarted.code, 0, restarted.stderr);
    // The new child's stderr lands in the same file, after the guard's own line about the restart.
    await until(
      () => `the new child's stderr in the log:\n${fs.readFileSync(file, 'utf8')}`,
      () => (fs.readFileSync(file, 'utf8').match(/running on stdio/g)?.length ?? 0) > before,
      20_000,
    );
    assert.match(fs.readFileSync(file, 'utf8'), /^\[mcp-lifeguard [^\]]+\] restarting notes: /m);
    const result = await g.client.listTools();
    assert.ok(result.tools.length > 0);
  });

  it('mcp-lifeguard logs NAME prints its last lines while the guard runs and after it stopped; an unknown name says why', async () => {
    g = await connectGuarded(home, ['--name', 'notes', '--', memoryBin], {
      env: { MEMORY_FILE_PATH: `${home}/memory.jsonl` },
    });
    await g.client.listTools();
    const live = await until(
      'the log through the CLI',
      async () => {
        const r = await runCli(home, ['logs', 'notes']);
        return r.code === 0 && /running on stdio/.test(r.stdout) && r;
      },
      10_000,
    );
    assert.equal(live.stderr, '');
    const last = await runCli(home, ['logs', 'notes', '--lines', '1']);
    assert.equal(last.stdout.trimEnd().split('\n').length, 1);

    await g.client.close();
    await until('the guard to release its lock', async () => (await liveRecords(home)).length === 0, 20_000);
    const after = await runCli(home, ['logs', 'notes']);
    assert.equal(after.code, 0, after.stderr);
    assert.match(after.stdout, /running on stdio/);

    const none = await runCli(home, ['logs', 'no-such']);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /no log of a server named 'no-such'/);
  });
});
