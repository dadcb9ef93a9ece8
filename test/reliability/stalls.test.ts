import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { duplicateKeyConfig, repeatedNameConfig, serversWithEnv } from '../support/bigConfigs';
import { cliPath } from '../support/repo';
import { makeTempDir } from '../support/temp';

/**
 * Input that stalls or blanks discovery, through the built CLI's `status --json` on a fixture home:
 * one pathological source never hides the others, and what is too big is said, not swallowed.
 * No timing is asserted (bench/sources.bench.ts measures it); each case is bounded by its timeout.
 */

interface Snapshot {
  servers: Array<{ name: string; envKeys: string[]; source: { client: string; file: string } }>;
  files: Array<{ file: string; client: string; state: string; servers: number }>;
  diagnostics: Array<{ file: string; severity: string; message: string; line?: number }>;
}

const tempHome = (): string => makeTempDir('lg-stalls-');

function write(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

/** `status --json` for a home; `shell` runs it through `sh -c` (for a descriptor limit set with ulimit). */
function status(home: string, shellPrefix?: string): Promise<Snapshot> {
  const env = {
    PATH: process.env.PATH,
    HOME: home,
    MCP_LIFEGUARD_HOME: path.join(home, '.lifeguard'),
    MCP_LIFEGUARD_UPDATE_CHECK: '0',
  };
  const [file, args] = shellPrefix
    ? ['/bin/sh', ['-c', `${shellPrefix} && exec "$0" "$1" status --json`, process.execPath, cliPath]]
    : [process.execPath, [cliPath, 'status', '--json']];
  return new Promise((resolve, reject) => {
    execFile(file, args, { env, maxBuffer: 256 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`status --json failed: ${err.message}\n${stderr}`));
      else resolve(JSON.parse(stdout) as Snapshot);
    });
  });
}

const claudeDesktop = (home: string) => path.join(home, '.config', 'Claude', 'claude_desktop_config.json');
const vscodeMcp = (home: string) => path.join(home, '.config', 'Code', 'User', 'mcp.json');
const NORMAL = JSON.stringify({
  mcpServers: {
    memory: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-memory'] },
    files: { command: 'node', args: ['/opt/files/index.js'] },
  },
});

describe('reliability: input that stalls discovery', function () {
  this.timeout(180_000);

  before(() =>
    assert.ok(fs.existsSync(cliPath), 'dist/cli.js is built by `npm test` (npm run build) before the tests'),
  );

  it("a 10 MB mcp.json of repeated names beside a normal Claude Desktop config: both sources appear, the big file's first 20,000 servers are listed with the count of the rest, each repeat a warning (the first 200 listed)", async () => {
    const home = tempHome();
    write(claudeDesktop(home), NORMAL);
    const cfg = duplicateKeyConfig(10 * 1024 * 1024 - 1024);
    write(vscodeMcp(home), cfg.text);
    const snap = await status(home);
    assert.deepEqual(
      snap.servers
        .filter((s) => s.source.client === 'claude-desktop')
        .map((s) => s.name)
        .sort(),
      ['files', 'memory'],
    );
    assert.deepEqual(snap.files.find((f) => f.file === claudeDesktop(home))?.state, 'read');
    assert.deepEqual(
      snap.files.find((f) => f.file === vscodeMcp(home)),
      {
        file: vscodeMcp(home),
        client: 'vscode',
        scope: 'user',
        state: 'read',
        servers: 20_000,
        serversAt: ['servers'],
      },
    );
    const big = snap.servers.filter((s) => s.source.file === vscodeMcp(home)).map((s) => s.name);
    assert.equal(big.length, 20_000);
    assert.ok(big.includes('s0') && big.includes('s19999') && !big.includes('s20000'));
    const mine = snap.diagnostics.filter((d) => d.file === vscodeMcp(home));
    assert.ok(
      mine.slice(0, 200).every((d) => /is defined twice in "servers"; the last definition is used$/.test(d.message)),
      JSON.stringify(mine.slice(0, 3)),
    );
    assert.ok(
      mine.some(
        (d) =>
          d.message ===
            `${cfg.names} servers defined; only the first 20000 are listed, the other ${cfg.names - 20_000} (from server "s20000" on) are left out` &&
          d.line === 2,
      ),
      JSON.stringify(mine.slice(-2)),
    );
    assert.ok(
      mine.some((d) => d.message === `${cfg.names - 200} more problems in this file are not listed`),
      JSON.stringify(mine.slice(-2)),
    );
  });

  it('a 7 MB mcp.json of 250,000 names and 250,000 repeats of one more name is read within its bound: the first 20,000 listed, the repeated name counted once', async function () {
    // Bounded, not timed: on a busy machine the scan takes about a second; a quadratic one took 74-92 s.
    this.timeout(45_000);
    const home = tempHome();
    write(claudeDesktop(home), NORMAL);
    write(vscodeMcp(home), repeatedNameConfig(250_000, 250_000));
    const snap = await status(home);
    assert.deepEqual(
      snap.servers
        .filter((s) => s.source.client === 'claude-desktop')
        .map((s) => s.name)
        .sort(),
      ['files', 'memory'],
    );
    const big = snap.servers.filter((s) => s.source.file === vscodeMcp(home)).map((s) => s.name);
    assert.equal(big.length, 20_000);
    assert.deepEqual([big[0], big.at(-1)], ['s0', 's19999']);
    const mine = snap.diagnostics.filter((d) => d.file === vscodeMcp(home));
    assert.ok(
      mine.some(
        (d) =>
          d.message ===
          '250001 servers defined; only the first 20000 are listed, the other 230001 (from server "s20000" on) are left out',
      ),
      JSON.stringify(mine.slice(-2)),
    );
    assert.ok(
      mine
        .slice(0, 200)
        .every((d) => d.message === 'server "r" is defined twice in "servers"; the last definition is used'),
    );
  });

  it('20,000 servers with one env value each: every server listed, no value in the output', async () => {
    const home = tempHome();
    const text = serversWithEnv(20_000);
    write(claudeDesktop(home), text);
    const snap = await status(home);
    assert.equal(snap.servers.length, 20_000);
    assert.ok(snap.servers.every((s) => s.envKeys.join() === 'API_TOKEN'));
    const out = JSON.stringify(snap);
    for (const i of [0, 1, 9_999, 19_999])
      assert.ok(!out.includes(`tok-${i.toString(36).padStart(6, '0')}-value`), `env value of srv${i} in the output`);
  });

  it('1,500 Continue block files under a limit of 256 open files: every block read, no file reported unreadable', async () => {
    const home = tempHome();
    for (let i = 0; i < 1500; i++)
      write(
        path.join(home, '.continue', 'mcpServers', `b${String(i).padStart(4, '0')}.yaml`),
        `mcpServers:\n  - name: block-${i}\n    command: node\n    args: ["/opt/b/${i}.js"]\n`,
      );
    const snap = await status(home, 'ulimit -n 256');
    assert.deepEqual(snap.diagnostics.filter((d) => /cannot be read/.test(d.message)).slice(0, 3), []);
    assert.equal(snap.servers.filter((s) => s.source.client === 'continue').length, 1500);
  });
});
