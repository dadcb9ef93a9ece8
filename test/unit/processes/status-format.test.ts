import * as assert from 'node:assert/strict';
import { watchKey, watchStatus } from '../../../src/cli/commands/status';
import { formatStatus } from '../../../src/cli/format/status';
import type { Instance, Snapshot } from '../../../src/core/base/model';
import { stdioConfig } from './support';

const instance = (pid: number, verdicts: Instance['verdicts'] = []): Instance => ({
  pid,
  ppid: 5,
  startTime: Date.parse('2026-11-21T10:00:00Z') + pid,
  startedAt: '2026-11-21T10:00:00.000Z',
  commandLine: 'node /x/mcp-server-memory',
  commandHash: 'h',
  client: { id: 'vscode', name: 'VS Code', pid: 5 },
  launcherChain: [],
  memoryBytes: 70 * 1024 * 1024,
  matchedBy: 'npx:@modelcontextprotocol/server-memory',
  verdicts,
});

const memory = stdioConfig('memory', 'vscode', 'npx', ['-y', '@modelcontextprotocol/server-memory']);

function snapshot(instances: Instance[], takenAt = '2026-11-21T11:30:00.000Z'): Snapshot {
  return {
    schemaVersion: 1,
    generator: { name: 'mcp-lifeguard', version: '0' },
    takenAt,
    platform: 'linux',
    workspaceFolders: [],
    servers: [{ ...memory, instances }],
    notConfigured: [],
    processes: { state: 'ok', count: 100 },
    launchGroups: [],
    files: [],
    diagnostics: [],
  };
}

describe('status: instances in the human-readable output', () => {
  it('names each entry of a server configured in several places by its place, brackets never nested', () => {
    const ws = {
      ...memory,
      id: 'vscode:workspace:/w#memory',
      source: { ...memory.source, label: 'VS Code (workspace)' },
    };
    const cursor = { ...memory, id: 'cursor:user:/c#memory', source: { ...memory.source, label: 'Cursor' } };
    const snap = snapshot([]);
    snap.servers = [
      { ...ws, instances: [] },
      { ...cursor, instances: [] },
    ];
    snap.launchGroups = [{ launchKey: 'l', identityKey: 'i', serverIds: [ws.id, cursor.id] }];
    assert.match(
      formatStatus(snap),
      /Same server configured in several places:\n {2}memory in VS Code \(workspace\), memory in Cursor$/m,
    );
  });

  it('shows each instance with pid, client, uptime, memory and a duplicate verdict naming the one that stays', () => {
    const ref = (pid: number) => ({ pid, client: { id: 'vscode' as const, name: 'VS Code', pid: 5 } });
    const out = formatStatus(
      snapshot([
        instance(100, [
          {
            kind: 'duplicate',
            identityKey: 'k',
            client: ref(200).client,
            keep: ref(200),
            instances: [ref(100), ref(200)],
          },
        ]),
        instance(200),
      ]),
    );
    assert.match(out, /Running instances \(2\):/);
    assert.match(out, /memory\s+100\s+VS Code \(5\)\s+1h30m\s+70 MB\s+duplicate: 2 under one client, newest 200 stays/);
    assert.match(out, /memory\s+200\s+VS Code \(5\)\s+1h30m\s+70 MB\s+ok/);
  });

  it('says when the process table could not be read', () => {
    const s = { ...snapshot([]), processes: { state: 'unavailable' as const, reason: 'ps is missing' } };
    assert.match(formatStatus(s), /Running instances: unknown \(ps is missing\)/);
  });
});

describe('status --watch', () => {
  it('redraws only when instances or verdicts change, not when uptimes tick', async () => {
    const frames = [
      snapshot([instance(100)], '2026-11-21T11:30:00Z'),
      snapshot([instance(100)], '2026-11-21T11:30:02Z'),
      snapshot([instance(100), instance(101)], '2026-11-21T11:30:04Z'),
    ];
    const ac = new AbortController();
    const written: string[] = [];
    let i = 0;
    await watchStatus({
      take: async () => {
        const s = frames[i++];
        if (i === frames.length) ac.abort();
        return s;
      },
      write: (t) => written.push(t),
      intervalMs: 2000,
      signal: ac.signal,
      sleep: async () => {},
    });
    assert.equal(i, 3);
    assert.equal(written.length, 2);
    assert.match(written[1], /Running instances \(2\)/);
    assert.equal(watchKey(frames[0]), watchKey(frames[1]));
  });
});
