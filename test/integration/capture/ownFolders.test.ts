import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempHome } from '../guard/support';
import { cliPath } from '../../support/repo';

/**
 * `capture` then `status --replay`, through the built CLI, on a home whose client entry sets
 * MCP_LIFEGUARD_HOME as the reader does (so its guards keep their locks where the reader looks):
 * the entry's value gets a stand-in, and the capture still records MCP Lifeguard's own folders, so
 * the replay asks nothing the capture does not answer.
 */
describe("capture and replay: MCP Lifeguard's own folders recorded when an entry names them", function () {
  this.timeout(60_000);
  let base: string;

  beforeEach(() => {
    base = tempHome();
  });

  afterEach(() => fs.rmSync(base, { recursive: true, force: true }));

  function cli(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      execFile(process.execPath, [cliPath, ...args], { cwd: base, env }, (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
  }

  it('the replay answers every question from the capture: no "not in" warning', async () => {
    const home = path.join(base, 'home');
    const root = path.join(base, 'lifeguard');
    const config = path.join(home, '.cursor', 'mcp.json');
    fs.mkdirSync(path.dirname(config), { recursive: true });
    const entry = {
      command: process.execPath,
      args: [path.join(base, 'server.js')],
      env: { MCP_LIFEGUARD_HOME: root },
    };
    fs.writeFileSync(config, JSON.stringify({ mcpServers: { notes: entry } }, null, 2));
    const env = {
      PATH: process.env.PATH ?? '',
      HOME: home,
      MCP_LIFEGUARD_HOME: root,
      MCP_LIFEGUARD_UPDATE_CHECK: '0',
    };
    const file = path.join(base, 'capture.json');
    const taken = await cli(['capture', '--out', file], env);
    assert.equal(taken.code, 0, taken.stderr);

    const replayed = await cli(['status', '--json', '--replay', file], env);
    assert.equal(replayed.code, 0, replayed.stderr);
    assert.doesNotMatch(replayed.stderr, /not in .*capture\.json/);
    assert.deepEqual(
      (JSON.parse(replayed.stdout) as { servers: { name: string }[] }).servers.map((s) => s.name),
      ['notes'],
    );
  });
});
