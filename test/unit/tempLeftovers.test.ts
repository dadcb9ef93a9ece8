import * as assert from 'node:assert/strict';
import { appeared, checkLeftovers, leftoverProcesses } from '../support/leftovers';

describe('temp leftovers of a test run', () => {
  it("an empty folder, or one holding only the runner's tsx cache, is clean", () => {
    assert.deepEqual(checkLeftovers([]), { state: 'clean' });
    assert.deepEqual(checkLeftovers(['tsx-0', 'tsx-1000']), { state: 'clean' });
  });

  it('names what a test left, grouped by its mkdtemp prefix', () => {
    assert.deepEqual(checkLeftovers(['tsx-0', 'lg-proc-a1B2c3', 'lg-proc-Zz9yX8', 'vscode-ipc-0f1e2d3c.sock']), {
      state: 'left',
      count: 3,
      names: 'lg-proc-* (2), vscode-ipc-0f1e2d3c.sock',
    });
  });

  it('a folder merely named like the tsx cache is still a leftover', () => {
    assert.deepEqual(checkLeftovers(['tsx-cache']), { state: 'left', count: 1, names: 'tsx-cache' });
  });

  it('names what appeared in a folder between two listings', () => {
    assert.deepEqual(appeared(new Set(['a', 'b']), ['b', 'mcp-lifeguard-0', 'a', 'c']), ['c', 'mcp-lifeguard-0']);
  });

  it("names the processes whose command line is in the run's own folder, never the runner nor a neighbour's", () => {
    const listed = [
      { pid: 10, cmdline: 'node /x/mocha.js --config /tmp/lg-test-abc/cfg' },
      { pid: 11, cmdline: 'node /tmp/lg-test-abc/mlh-1/pkg/server.mjs streamableHttp' },
      { pid: 12, cmdline: 'node /tmp/lg-test-abcdef/pkg/server.mjs' },
      { pid: 13, cmdline: 'node /home/u/server.js' },
    ];
    assert.deepEqual(
      leftoverProcesses(listed, '/tmp/lg-test-abc', 10).map((p) => p.pid),
      [11],
    );
  });
});
