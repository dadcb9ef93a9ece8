import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseJsonc } from 'jsonc-parser';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { Snapshot } from '../../../src/core/base/model';
import { liveRecords, memoryBin, runCli, tempHome } from '../guard/support';
import { until } from '../../support/poll';

interface Entry {
  command: string;
  args: string[];
}

/** The processes whose environment carries this HOME: the client's guard and its server (no MCP_LIFEGUARD_HOME in theirs). */
function processesWithHome(home: string): number[] {
  const marker = `HOME=${home}\0`;
  return fs
    .readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((pid) => {
      try {
        return fs.readFileSync(`/proc/${pid}/environ`, 'utf8').includes(marker);
      } catch {
        return false;
      }
    })
    .map(Number);
}

/**
 * MCP_LIFEGUARD_HOME set for the reader (the CLI here, VS Code alike) but not for the client: the
 * entry `wrap` writes carries the reader's folder, so the guard the client starts keeps its lock
 * where `status` reads, and the server reads as running while it serves.
 */
describe('CLI: wrap under a moved MCP_LIFEGUARD_HOME, the client started without it (built CLI, real SDK client)', function () {
  this.timeout(120_000);
  let home: string;
  let file: string;
  let client: Client | undefined;

  beforeEach(() => {
    home = tempHome();
    file = path.join(home, '.cursor', 'mcp.json');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const entry = { command: memoryBin, args: [], env: { MEMORY_FILE_PATH: path.join(home, 'memory.jsonl') } };
    fs.writeFileSync(file, `${JSON.stringify({ mcpServers: { memory: entry } }, null, 2)}\n`);
  });

  afterEach(async () => {
    await client?.close().catch(() => undefined);
    client = undefined;
    await until('no process of the test left', () => processesWithHome(home).length === 0, 30_000);
    fs.rmSync(home, { recursive: true, force: true });
  });

  for (const share of [false, true])
    it(`${share ? 'wrap --share: the share host' : 'wrap: the guard'} the client starts from the entry keeps its lock in the reader's folder: status reads the server running`, async () => {
      // runCli's reader: HOME=home and MCP_LIFEGUARD_HOME=home, not the default <home>/.local/state/mcp-lifeguard.
      const wrote = await runCli(home, ['wrap', 'memory', ...(share ? ['--share'] : []), '--yes', '--install-guard']);
      assert.equal(wrote.code, 0, wrote.stdout + wrote.stderr);
      const e = (parseJsonc(fs.readFileSync(file, 'utf8')) as { mcpServers: { memory: Entry } }).mcpServers.memory;
      assert.deepEqual(e.args.slice(0, 3), ['run', '--home', home]);

      // The client's own environment: HOME, and no MCP_LIFEGUARD_HOME.
      const env: Record<string, string> = {};
      for (const [k, v] of Object.entries(process.env)) if (v !== undefined && k !== 'MCP_LIFEGUARD_HOME') env[k] = v;
      const transport = new StdioClientTransport({
        command: e.command,
        args: e.args,
        env: { ...env, HOME: home, MEMORY_FILE_PATH: path.join(home, 'memory.jsonl') },
        cwd: home,
        stderr: 'pipe',
      });
      client = new Client({ name: 'cursor', version: '1.0.0' });
      await client.connect(transport);
      await client.listTools();

      const status = await runCli(home, ['status', '--json']);
      assert.equal(status.code, 0, status.stderr);
      const memory = (JSON.parse(status.stdout) as Snapshot).servers.find((s) => s.name === 'memory');
      assert.equal(memory?.instances.length, 1, `running, as the reader sees it: ${JSON.stringify(memory?.instances)}`);
      assert.ok(memory?.instances[0].lock, 'under its guard');
      assert.equal((await liveRecords(home)).length, 1, "the guard's lock is in the reader's folder");
    });
});
