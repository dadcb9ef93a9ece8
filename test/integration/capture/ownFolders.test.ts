import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempHome } from '../guard/support';
import { captureAndReplay, cursorConfig, userEnv } from './support';

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

  it('the replay answers every question from the capture: no "not in" warning', async () => {
    const home = path.join(base, 'home');
    const root = path.join(base, 'lifeguard');
    const entry = {
      command: process.execPath,
      args: [path.join(base, 'server.js')],
      env: { MCP_LIFEGUARD_HOME: root },
    };
    cursorConfig(home, { notes: entry });
    const env = userEnv(home, root);
    const { replayed } = await captureAndReplay(base, env);
    assert.doesNotMatch(replayed.stderr, /not in .*capture\.json/);
    assert.deepEqual(
      (JSON.parse(replayed.stdout) as { servers: { name: string }[] }).servers.map((s) => s.name),
      ['notes'],
    );
  });
});
