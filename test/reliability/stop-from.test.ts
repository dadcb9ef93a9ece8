import * as assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { thisMachine } from '../../src/core/machine/live';
import { readProcessIdentity } from '../../src/core/pids/identity';
import { commandHash } from '../../src/core/pids/identity';
import { runCli, tempHome } from '../integration/guard/support';
import { until } from '../support/poll';
import { isAlive } from '../support/liveness';

/** A hand-written `status --json` naming one process of a user-level entry, with only the fields given. */
function snapshotFile(home: string, instance: Record<string, unknown>): string {
  const file = path.join(home, 'snapshot.json');
  // The entry is really configured in the user's own VS Code file: trust is judged by the configs on disk.
  const config = path.join(home, '.config', 'Code', 'User', 'mcp.json');
  fs.mkdirSync(path.dirname(config), { recursive: true });
  fs.writeFileSync(config, JSON.stringify({ servers: { x: { command: 'sleep', args: ['60'] } } }));
  const source = { client: 'vscode', scope: 'user', file: config };
  const id = `vscode:user:${config}#servers/x`;
  fs.writeFileSync(
    file,
    JSON.stringify({
      servers: [{ id, name: 'x', source, instances: [{ launcherChain: [], verdicts: [], ...instance }] }],
      notConfigured: [],
    }),
  );
  return file;
}

describe('reliability: stop --from never trusts an incomplete record', function () {
  this.timeout(60_000);
  let home: string;
  let sleeper: ChildProcess;

  beforeEach(() => {
    home = tempHome();
    sleeper = spawn('sleep', ['60'], { stdio: 'ignore' });
  });
  afterEach(() => {
    if (isAlive(sleeper.pid!)) process.kill(sleeper.pid!, 'SIGKILL');
    fs.rmSync(home, { recursive: true, force: true });
  });

  for (const field of ['commandHash', 'startTime'] as const) {
    it(`a record without ${field}: the process survives and the CLI names the pid and the missing field`, async () => {
      const live = (await readProcessIdentity(sleeper.pid!, thisMachine()))!;
      const complete: Record<string, unknown> = {
        pid: live.pid,
        startTime: live.startTime,
        commandHash: commandHash(live.commandLine),
        commandLine: 'sleep 60',
      };
      delete complete[field];
      const r = await runCli(home, [
        'stop',
        String(live.pid),
        '--from',
        snapshotFile(home, complete),
        '--grace',
        '0.2',
      ]);
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.ok(isAlive(sleeper.pid!), 'the process was signalled');
      assert.match(
        r.stdout,
        new RegExp(`REFUSED pid ${live.pid}: refused: the record of pid ${live.pid} has no ${field}`),
      );
    });
  }

  it('kill-duplicates --from --yes with an orphan lacking commandHash: the process survives and the CLI says why', async () => {
    const live = (await readProcessIdentity(sleeper.pid!, thisMachine()))!;
    const orphan = { kind: 'orphan', launchPid: live.pid, ppid: 1, reason: 'its client is gone' };
    const file = snapshotFile(home, {
      pid: live.pid,
      startTime: live.startTime,
      commandLine: 'sleep 60',
      verdicts: [orphan],
    });
    const r = await runCli(home, ['kill-duplicates', '--from', file, '--yes', '--grace', '0.2']);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.ok(isAlive(sleeper.pid!), 'the process was signalled');
    assert.match(
      r.stdout,
      new RegExp(`REFUSED pid ${live.pid}: refused: the record of pid ${live.pid} has no commandHash`),
    );
  });

  it('a complete and correct record still stops the process', async () => {
    const live = (await readProcessIdentity(sleeper.pid!, thisMachine()))!;
    const r = await runCli(home, [
      'stop',
      String(live.pid),
      '--from',
      snapshotFile(home, {
        pid: live.pid,
        startTime: live.startTime,
        commandHash: commandHash(live.commandLine),
        commandLine: 'sleep 60',
      }),
      '--grace',
      '0.2',
    ]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, new RegExp(`STOPPED pid ${live.pid}`));
    await until('the process to be reaped', () => sleeper.exitCode !== null || sleeper.signalCode !== null);
  });
});
