import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { killAll } from '../../support/liveness';
import { until } from '../../support/poll';
import { recordedMembers, survivors, treeOf, treeServer } from '../../support/serverTree';
import { cli, instancesOf, server, startFakeClient, statusJson } from '../processes/support/harness';

/**
 * An unguarded server that starts processes of its own (a plain child, a child in a session of its
 * own with two children), run twice by one client: kill-duplicates stops the older with everything
 * it started, and `stop PID` the other, judged by the pids and start ticks they recorded themselves.
 */
describe('stop and kill-duplicates end every process an unguarded server started', function () {
  this.timeout(120_000);
  const started: number[] = [];
  let home: string;
  let record: string;

  before(function () {
    // The tree records its start ticks from /proc/self/stat.
    if (process.platform !== 'linux') this.skip();
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'lg-tree-'));
    record = path.join(home, 'tree-record');
    fs.mkdirSync(path.join(home, '.config', 'Claude'), { recursive: true });
    fs.writeFileSync(
      path.join(home, '.config', 'Claude', 'claude_desktop_config.json'),
      JSON.stringify({ mcpServers: { tree: { command: process.execPath, args: [treeServer, 'server', record] } } }),
    );
  });
  after(async () => {
    if (!home) return;
    await killAll([...started, ...recordedMembers(record).map((m) => m.pid)], path.basename(home));
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('kill-duplicates --yes ends the older copy and its tree, leaves the newer whole; stop PID then ends that one and its tree', async () => {
    const client = await startFakeClient(
      { command: process.execPath, args: [treeServer, 'server', record], count: 2 },
      started,
    );
    const [older, newer] = await Promise.all(client.servers.map((pid) => treeOf(record, pid)));
    await until('the snapshot to call the older copy a duplicate', async () => {
      const inst = instancesOf(server(await statusJson(home), 'tree'), client.servers);
      return inst.find((i) => i.pid === client.servers[0])?.verdicts.some((v) => v.kind === 'duplicate');
    });

    const k = await cli(home, ['kill-duplicates', 'tree', '--yes', '--grace', '2']);
    assert.equal(k.code, 0, k.stdout + k.stderr);
    assert.deepEqual(await survivors(older), [], 'no process of the stopped copy runs');
    assert.equal((await survivors(newer)).length, newer.length, 'the copy that stays runs whole');

    const s = await cli(home, ['stop', String(client.servers[1]), '--grace', '2']);
    assert.equal(s.code, 0, s.stdout + s.stderr);
    assert.deepEqual(await survivors(newer), [], 'no process of the stopped server runs');
  });
});
