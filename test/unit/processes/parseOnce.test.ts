import * as assert from 'node:assert/strict';
import type { LaunchReadings } from '../../../src/core/launch/parse';
import { envCandidates, matchProcesses } from '../../../src/core/processes/match';
import type { MatchOptions } from '../../../src/core/processes/matchOptions';
import { ProcessTree } from '../../../src/core/processes/tree';
import { stdioConfig } from './support';

/**
 * macOS reads the environments matching may ask ahead (envCandidates, one `ps -E` run), then matches:
 * two passes over the same command lines on either side of that read. Each is parsed once for both.
 */
describe('a snapshot parses each command line once, across the read ahead of environments and the matching', () => {
  const SCRIPT = '/srv/node_modules/@modelcontextprotocol/server-memory/dist/index.js';
  const memory = stdioConfig('memory', 'claude-desktop', 'node', [SCRIPT], { envKeys: ['MEMORY_FILE_PATH'] });
  const tree = new ProcessTree([
    { pid: 1, ppid: 0, argv: ['/sbin/init'], startTime: 1 },
    { pid: 10, ppid: 1, argv: ['/Applications/Claude.app/Contents/MacOS/Claude'], startTime: 1000 },
    { pid: 20, ppid: 10, argv: ['node', SCRIPT], startTime: 5000 },
  ]);
  const options: MatchOptions = {
    platform: 'darwin',
    env: { declared: () => ({ MEMORY_FILE_PATH: '/data/m.json' }), ofProcess: () => undefined },
  };

  it('the matching reads each argv as the read ahead read it (the same reading), and finds the same process', () => {
    const parses: LaunchReadings = new WeakMap();
    const ahead = envCandidates([memory], tree, options, parses);
    assert.deepEqual(
      ahead.map((p) => p.pid),
      [20, 10],
    );
    const server = tree.get(20)?.argv as readonly string[];
    const read = parses.get(server);
    assert.ok(read, 'the read ahead kept its reading of the candidate');
    const matched = matchProcesses([memory], tree, options, parses);
    assert.strictEqual(parses.get(server), read, 'the matching parsed it again');
    assert.deepEqual(
      matched.byServer.get(memory.id)?.map((i) => i.pid),
      [20],
    );
  });
});
