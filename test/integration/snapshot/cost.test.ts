import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { Snapshot } from '../../../src/core/base/model';
import type { McpCost } from '../../../src/core/report/cost';
import { Engine, engineMachine } from '../../../src/core/snapshot';
import { until } from '../../support/poll';
import { repoRoot } from '../../support/repo';
import { noneLeftThenRemove } from '../guard/erasSupport';
import { guardEnv, memoryBin, runCliAnswer, tempHome } from '../guard/support';

/** What two real copies of one server cost, as `status` and `status --json` say it (Linux: PSS). */
describe('snapshot: what the servers cost (real processes)', function () {
  this.timeout(120_000);
  let home: string;
  const open: Client[] = [];
  before(function () {
    if (process.platform !== 'linux') this.skip();
  });
  beforeEach(() => {
    home = tempHome();
  });
  afterEach(async () => {
    for (const c of open.splice(0)) await c.close().catch(() => undefined);
    await noneLeftThenRemove(home);
  });

  it('each instance in PSS (less than its RSS); the second copy of one server is counted as copies', async () => {
    const tag = `--lg-tag=${path.basename(home)}`;
    const env = { MEMORY_FILE_PATH: path.join(home, 'memory.jsonl') };
    fs.mkdirSync(path.join(home, '.config', 'Claude'), { recursive: true });
    fs.writeFileSync(
      path.join(home, '.config', 'Claude', 'claude_desktop_config.json'),
      JSON.stringify({ mcpServers: { memory: { command: process.execPath, args: [memoryBin, tag], env } } }),
    );
    for (const name of ['one', 'two']) {
      const transport = new StdioClientTransport({
        command: process.execPath,
        args: [memoryBin, tag],
        env: guardEnv(home, env),
        cwd: repoRoot,
        stderr: 'ignore',
      });
      const client = new Client({ name, version: '1.0.0' });
      await client.connect(transport);
      open.push(client);
    }
    let json: (Snapshot & { cost: McpCost }) | undefined;
    await until('both copies listed with their PSS', async () => {
      json = JSON.parse((await runCliAnswer(home, ['status', '--json'])).stdout) as Snapshot & { cost: McpCost };
      const instances = json.servers.flatMap((s) => s.instances);
      return instances.length === 2 && instances.every((i) => i.pssBytes !== undefined);
    });
    const instances = json!.servers.flatMap((s) => s.instances);
    for (const i of instances) {
      assert.ok(
        i.pssBytes! > 0 && i.pssBytes! < i.memoryBytes!,
        `pid ${i.pid}: PSS ${i.pssBytes} < RSS ${i.memoryBytes}`,
      );
      assert.ok(i.cpuMs !== undefined && i.cpuMs >= 0);
    }
    const pss = instances.map((i) => i.pssBytes!);
    const { cost } = json!;
    assert.equal(cost.measure, 'pss');
    assert.equal(cost.instances, 2);
    assert.equal(cost.bytes, pss[0] + pss[1]);
    assert.equal(cost.copiesBytes, Math.min(...pss), 'one copy of the two is what one instance for both would save');
    assert.deepEqual(
      cost.servers.map((s) => [s.name, s.instances]),
      [['memory', 2]],
    );
    const text = (await runCliAnswer(home, ['status'])).stdout;
    assert.match(
      text,
      /MCP servers use \d+ MB \(PSS\) and [\d.]+ s of CPU in 2 instances; \d+ MB of it is copies of the same server\./,
    );
    assert.match(text, /memory runs 2 times \(\d+ MB in copies\)\./);

    // The extension's first look (no versions) reads no PSS: its badge needs none, and the kernel
    // walks every page of a process to say it. The full snapshot that follows has it.
    const host = {
      home,
      platform: process.platform,
      env: { PATH: process.env.PATH, HOME: home, MCP_LIFEGUARD_HOME: home },
    };
    const engine = new Engine(engineMachine(host), { registry: false, persist: false });
    const firstLook = (await engine.snapshot({ workspaceFolders: [], versions: false })).servers.flatMap(
      (s) => s.instances,
    );
    assert.equal(firstLook.length, 2);
    assert.ok(
      firstLook.every((i) => i.pssBytes === undefined && i.memoryBytes! > 0),
      'the first look gives RSS, not PSS',
    );
    const full = (await engine.snapshot({ workspaceFolders: [] })).servers.flatMap((s) => s.instances);
    assert.ok(full.length === 2 && full.every((i) => i.pssBytes! > 0), 'the full snapshot gives PSS');
  });
});
