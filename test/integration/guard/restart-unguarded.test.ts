import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Snapshot } from '../../../src/core/base/model';
import { everythingBin, runCli, tempHome } from './support';
import { repoRoot } from '../../support/repo';
import { until } from '../../support/poll';
import { isAlive } from '../../support/liveness';

const cli = runCli;

describe('restart of an unguarded server: stopped, and the output says the client must start it again', function () {
  this.timeout(180_000);
  let home: string;
  let serverPid: number | undefined;

  beforeEach(() => {
    home = tempHome();
  });
  afterEach(() => {
    if (serverPid && isAlive(serverPid)) process.kill(serverPid, 'SIGKILL');
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('stops the one instance of a configured server named on the command line', async () => {
    // A unique argument: this launch is nobody else's on a shared machine.
    const tag = `--lg-tag=${path.basename(home)}`;
    fs.mkdirSync(path.join(home, '.config', 'Claude'), { recursive: true });
    fs.writeFileSync(
      path.join(home, '.config', 'Claude', 'claude_desktop_config.json'),
      JSON.stringify({ mcpServers: { everything: { command: everythingBin, args: ['stdio', tag] } } }),
    );
    // This test process plays the client: it holds the server's stdin.
    const server = spawn(everythingBin, ['stdio', tag], { cwd: repoRoot, stdio: ['pipe', 'ignore', 'ignore'] });
    serverPid = server.pid!;
    await until('the snapshot to show the instance', async () => {
      const r = await cli(home, ['status', '--json']);
      const snap = JSON.parse(r.stdout) as Snapshot;
      return snap.servers.find((s) => s.name === 'everything')?.instances.some((i) => i.pid === serverPid);
    });
    const r = await cli(home, ['restart', 'everything', '--grace', '5']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, new RegExp(`STOPPED pid ${serverPid}`));
    assert.match(
      r.stdout,
      new RegExp(`pid ${serverPid} was not guarded, so it was stopped, not restarted: .* must start it again`),
    );
    await until('the server to be gone', () => !isAlive(serverPid!));

    const none = await cli(home, ['restart', 'everything']);
    assert.equal(none.code, 1);
    assert.match(
      none.stderr,
      /'everything' is not guarded .* no running MCP server instance matches it; nothing was signalled/,
    );
  });
});
