import * as assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import { liveMachine, currentHostEnv } from '../../../src/core/machine/live';
import { findListeners } from '../../../src/core/processes/listen';

describe('HTTP listeners: which process serves a local port', function () {
  this.timeout(60000);
  let child: ChildProcess | undefined;
  afterEach(() => {
    if (child?.pid && child.exitCode === null && child.signalCode === null) process.kill(child.pid, 'SIGKILL');
  });

  // Linux (/proc/net/tcp and fds), like CI.
  const linux = liveMachine({ ...currentHostEnv(process.env), platform: 'linux' });
  it('finds a real listening process by its socket, and says "none" for a free port', async () => {
    child = spawn(
      process.execPath,
      [
        '-e',
        "const s = require('http').createServer(() => {}).listen(0, '127.0.0.1', () => console.log(s.address().port))",
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const port = await new Promise<number>((resolve) =>
      child?.stdout?.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))),
    );
    const found = await findListeners([port], [process.pid, child.pid as number], linux);
    assert.deepEqual(found.get(port), { state: 'local', port, pid: child.pid });
    // Not among the candidates (another user's, say): known to be in use, owner unknown.
    const hidden = await findListeners([port], [process.pid], linux);
    assert.equal(hidden.get(port)?.state, 'unknown');
    child.kill('SIGKILL');
    await new Promise((r) => child?.once('exit', r));
    const free = await findListeners([port], [process.pid], linux);
    assert.equal(free.get(port)?.state, 'none');
  });
});
