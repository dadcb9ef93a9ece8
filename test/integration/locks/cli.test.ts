import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { cliPath } from '../../support/repo';
import { makeTempRoot } from './support/contenders';
import { pyHold } from './support/python';

const execFileAsync = promisify(execFile);

describe('locks: the built mcp-lifeguard locks command on a lock held by the Python implementation', function () {
  this.timeout(120_000);
  let home: string;

  beforeEach(() => {
    home = makeTempRoot('lg-cli-');
  });
  afterEach(() => {
    fs.rmSync(home, { recursive: true, force: true });
  });

  async function locksJson(): Promise<{ locks: Array<{ state: string; record?: { pid: number }; reason?: string }> }> {
    const { stdout } = await execFileAsync(process.execPath, [cliPath, 'locks', '--json'], {
      env: { ...process.env, MCP_LIFEGUARD_HOME: home },
    });
    return JSON.parse(stdout);
  }

  it('shows the holder live, then dead with the reason once it is killed', async () => {
    const held = await pyHold(path.join(home, 'locks'), 'notes', '/data/notes');
    try {
      assert.equal(held.first.result, 'acquired');
      const live = await locksJson();
      assert.deepEqual(
        live.locks.map((l) => [l.state, l.record?.pid]),
        [['live', held.child.pid]],
      );
    } finally {
      held.child.kill('SIGKILL');
      await held.exited;
    }
    const dead = await locksJson();
    assert.deepEqual(
      dead.locks.map((l) => [l.state, l.reason]),
      [['dead', `pid ${held.child.pid} is gone`]],
    );
    const { stdout } = await execFileAsync(process.execPath, [cliPath, 'locks'], {
      env: { ...process.env, MCP_LIFEGUARD_HOME: home },
    });
    assert.match(stdout, new RegExp(`^notes\\s+dead\\s+${held.child.pid}\\s`, 'm'));
  });
});
