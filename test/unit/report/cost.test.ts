import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { costSentence, mcpCost, SHARED_CLIENT } from '../../../src/core/report/cost';
import { EngineCache } from '../../../src/core/base/engineCache';
import type { Machine } from '../../../src/core/machine/types';
import {
  KEPT_PSS,
  KEPT_PSS_ALONE_MS,
  parseSmapsRollupPss,
  PssAsk,
  PssReading,
  readPss,
  readPssKept,
} from '../../../src/core/pids/pss';
import { pssAsks, setPss } from '../../../src/core/processes/proportionalMemory';
import type { Instance } from '../../../src/core/base/model';
import { CLAUDE, instance, server, snapshot } from '../extension/fixtures';

const MB = 1024 * 1024;
const CURSOR = { id: 'cursor', name: 'Cursor' };

describe('report: what the MCP servers cost', () => {
  it('reads PSS from smaps_rollup (stored text), and nothing from text without it', () => {
    const text = fs.readFileSync(path.join(__dirname, '../../fixtures/process-tables/linux-smaps-rollup.txt'), 'utf8');
    const kb = Number(/^Pss:\s+(\d+) kB$/m.exec(text)?.[1]);
    assert.ok(kb > 0);
    assert.equal(parseSmapsRollupPss(text), kb * 1024);
    assert.equal(parseSmapsRollupPss('Rss: 12 kB\n'), undefined);
  });

  it('asks each process once (an instance and what it started) and sets PSS on every instance of it', () => {
    const a = { pid: 10, startTime: 5, memoryBytes: 9 * MB, children: [{ pid: 11 }] } as unknown as Instance;
    const b = { pid: 10 } as unknown as Instance; // the same process under a second entry
    assert.deepEqual(pssAsks([a, b]), [{ pid: 10, startTime: 5, memoryBytes: 9 * MB }, { pid: 11 }]);
    setPss(
      [a, b],
      new Map([
        [10, 5 * MB],
        [11, 2 * MB],
      ]),
    );
    assert.equal(a.pssBytes, 5 * MB);
    assert.equal(a.children?.[0].pssBytes, 2 * MB);
    assert.equal(b.pssBytes, 5 * MB);
  });

  it('keeps a PSS while the RSS read fresh moved less than a tenth, 2 minutes whatever else runs and 10 while the same processes are measured together; a reused pid is read again', async () => {
    let now = 1_000_000;
    const pss = new Map<number, number>([
      [10, 5 * MB],
      [11, 2 * MB],
    ]);
    const reads: number[] = [];
    const machine = {
      host: { home: '/h', platform: 'linux', env: {} },
      now: () => now,
      fs: {
        readText: async (p: string) => {
          const pid = Number(/^\/proc\/(\d+)\/smaps_rollup$/.exec(p)?.[1]);
          reads.push(pid);
          const v = pss.get(pid);
          return v === undefined ? undefined : `Rss: 1 kB\nPss:   ${v / 1024} kB\n`;
        },
      },
    } as unknown as Machine;
    const kept = new EngineCache(() => now).bucket<string, PssReading>(KEPT_PSS.name, KEPT_PSS);
    const ask = (rss10: number, start10 = 100, more: PssAsk[] = []) =>
      readPssKept(
        [
          { pid: 10, startTime: start10, memoryBytes: rss10 },
          { pid: 11, startTime: 200, memoryBytes: 30 * MB },
          ...more,
        ],
        machine,
        kept,
      );
    assert.deepEqual(
      [...(await ask(100 * MB))],
      [
        [10, 5 * MB],
        [11, 2 * MB],
      ],
    );
    pss.set(10, 6 * MB);
    assert.equal((await ask(105 * MB)).get(10), 5 * MB, 'RSS within a tenth: the kept PSS stands');
    assert.deepEqual(reads, [10, 11]);
    assert.equal((await ask(120 * MB)).get(10), 6 * MB, 'RSS moved by a fifth: read again');
    assert.equal((await ask(120 * MB, 150)).get(10), 6 * MB);
    assert.deepEqual(reads, [10, 11, 10, 10], 'another start is another process');
    reads.length = 0;
    // 11 was read beside the process 10 was before: past 2 minutes, with another process beside it, it is read again.
    now += KEPT_PSS_ALONE_MS;
    await ask(120 * MB, 150);
    assert.deepEqual(reads, [11], 'past 2 minutes, measured with other processes than when read: read again');
    // The same processes together: the figures stand past 2 minutes, up to 10.
    now += KEPT_PSS_ALONE_MS;
    await ask(120 * MB, 150);
    now += KEPT_PSS.ttlMs - 2 * KEPT_PSS_ALONE_MS - 1;
    await ask(120 * MB, 150);
    assert.deepEqual(reads, [11], 'the same processes measured together: kept');
    // A process starts beside them (another instance, a child): every figure older than 2 minutes is read again.
    pss.set(12, 1 * MB);
    await ask(120 * MB, 150, [{ pid: 12, startTime: 300, memoryBytes: 10 * MB }]);
    assert.deepEqual(reads, [11, 10, 11, 12]);
    now += KEPT_PSS.ttlMs;
    await ask(120 * MB, 150, [{ pid: 12, startTime: 300, memoryBytes: 10 * MB }]);
    assert.deepEqual(reads, [11, 10, 11, 12, 10, 11, 12], 'past 10 minutes every figure is read again');
  });

  it('reads one smaps_rollup at a time, each pid asked once, leaving out the unreadable', async () => {
    let reading = 0;
    let most = 0;
    const asked: string[] = [];
    const machine = {
      host: { home: '/h', platform: 'linux', env: {} },
      fs: {
        readText: async (p: string) => {
          asked.push(p);
          most = Math.max(most, ++reading);
          await new Promise((r) => setImmediate(r));
          reading--;
          if (p === '/proc/12/smaps_rollup') throw new Error('EACCES');
          return p === '/proc/13/smaps_rollup' ? 'Rss: 1 kB\n' : `Pss:  ${p.length} kB\n`;
        },
      },
    } as unknown as Machine;
    const read = await readPss([10, 11, 12, 13, 14], machine);
    assert.equal(most, 1, 'never two reads in flight');
    assert.deepEqual(
      asked,
      [10, 11, 12, 13, 14].map((pid) => `/proc/${pid}/smaps_rollup`),
    );
    assert.deepEqual(
      [...read],
      [10, 11, 14].map((pid) => [pid, `/proc/${pid}/smaps_rollup`.length * 1024]),
    );
  });

  it('adds each process once, with what it started; copies are all but the largest instance of one server', () => {
    const memory = (pid: number, mb: number, over = {}) =>
      instance(pid, { memoryBytes: 3 * mb * MB, pssBytes: mb * MB, cpuMs: 1000, ...over });
    const shared = memory(30, 40, {
      lock: { serverName: 'git', attached: [{ clientName: 'Cursor' }, { clientName: 'Claude Code' }] },
    });
    const vm = snapshot(
      [
        // Two entries of one identity (Claude's and Cursor's) whose processes are copies of one server.
        server('memory', { identityKey: 'id:memory', instances: [memory(10, 100), memory(11, 60)] }),
        server('memory', { identityKey: 'id:memory', instances: [memory(12, 50, { client: CURSOR })] }),
        // One instance and the data server it started.
        server('buckaroo', {
          identityKey: 'id:buckaroo',
          instances: [
            memory(20, 30, {
              childProcesses: [
                {
                  pid: 21,
                  ppid: 20,
                  commandLine: 'python -m buckaroo.server',
                  pssBytes: 170 * MB,
                  cpuMs: 500,
                  verdicts: [],
                },
              ],
            }),
          ],
        }),
        // A shared process, listed under the entry of each client it serves: one process.
        server('git', { identityKey: 'id:git', instances: [shared] }),
        server('git', {
          identityKey: 'id:git',
          source: { ...server('x').source, client: 'cursor' },
          instances: [shared],
        }),
        server('idle', { identityKey: 'id:idle' }),
      ],
      { notConfigured: [memory(90, 15)] },
    );
    const cost = mcpCost(vm);
    assert.equal(cost.measure, 'pss');
    assert.equal(cost.instances, 5);
    assert.equal(cost.bytes, (100 + 60 + 50 + 30 + 170 + 40) * MB);
    assert.equal(cost.cpuMs, 5 * 1000 + 500);
    assert.equal(cost.copiesBytes, (60 + 50) * MB, 'the memory server runs three times: two of them are copies');
    assert.deepEqual(
      cost.servers.map((s) => [s.name, s.instances, s.bytes / MB, s.copiesBytes / MB]),
      [
        ['memory', 3, 210, 110],
        ['buckaroo', 1, 200, 0],
        ['git', 1, 40, 0],
      ],
    );
    assert.deepEqual(
      cost.clients.map((c) => [c.client, c.instances, c.bytes / MB]),
      [
        [CLAUDE.name, 3, 360],
        [SHARED_CLIENT, 1, 40],
        ['Cursor', 1, 50],
      ].sort((x, y) => (y[2] as number) - (x[2] as number)),
    );
    assert.deepEqual(cost.notConfigured, { bytes: 15 * MB, instances: 1 });
    assert.equal(
      costSentence(cost),
      'MCP servers use 450 MB (PSS) and 5.5 s of CPU in 5 instances; 110 MB of it is copies of the same server.',
    );
  });

  it('says which measure it added (RSS where PSS was not readable) and what it could not measure', () => {
    const vm = snapshot([
      server('a', { instances: [instance(1, { memoryBytes: 80 * MB, pssBytes: 20 * MB })] }),
      server('b', { instances: [instance(2, { memoryBytes: 70 * MB })] }),
      server('c', { instances: [instance(3, { memoryBytes: undefined })] }),
    ]);
    const cost = mcpCost(vm);
    assert.equal(cost.measure, 'mixed');
    assert.equal(cost.bytes, 90 * MB);
    assert.equal(cost.unmeasured, 1);
    assert.match(
      costSentence(cost) ?? '',
      /^MCP servers use 90 MB \(PSS, RSS where PSS was not readable\) .* in 3 instances \(1 not measured\)\.$/,
    );
    assert.equal(costSentence(mcpCost(snapshot([server('a')]))), undefined, 'nothing runs: nothing to say');
  });

  it('a process no entry explains, read in RSS, leaves the measure of what the servers use as PSS', () => {
    const vm = snapshot([server('a', { instances: [instance(1, { memoryBytes: 80 * MB, pssBytes: 20 * MB })] })]);
    vm.notConfigured = [instance(7, { memoryBytes: 60 * MB })];
    const cost = mcpCost(vm);
    assert.equal(cost.measure, 'pss');
    assert.deepEqual(cost.notConfigured, { bytes: 60 * MB, instances: 1 });
    assert.match(costSentence(cost) ?? '', /^MCP servers use 20 MB \(PSS\) and/);
  });
});
