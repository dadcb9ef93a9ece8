import * as assert from 'node:assert/strict';
import { formatStatus } from '../../../src/cli/format/status';
import type { ClientId, Instance, ServerStatus, Snapshot } from '../../../src/core/base/model';
import { formatUpdates } from '../../../src/cli/format/versions';
import { stdioConfig } from '../processes/support';
import { fingerprint } from '../../../src/core/versions/fingerprint';
import { judge } from '../../../src/core/versions/judge';
import type { Installed } from '../../../src/core/base/versionTypes';

const START = Date.parse('2026-11-21T10:00:00Z');
const installedNow: Installed = {
  state: 'installed',
  ecosystem: 'python',
  name: 'mempalace',
  version: '3.1',
  how: 'venv /home/u/.venv',
  location: '/home/u/.venv/lib/python3.11/site-packages/mempalace-3.1.dist-info',
  environment: fingerprint({ chromadb: '1.5.7' }),
  changedAt: START + 3600_000,
};

function instance(pid: number, versions: Instance['versions']): Instance {
  return {
    pid,
    ppid: 1,
    startTime: START,
    startedAt: new Date(START).toISOString(),
    commandLine: 'python -m mempalace',
    commandHash: 'h',
    client: { id: 'vscode', name: 'VS Code', pid: 5 },
    launcherChain: [],
    memoryBytes: 50 * 1024 * 1024,
    matchedBy: 'k',
    verdicts: [],
    versions,
  };
}

function snapshot(instances: Instance[]): Snapshot {
  return {
    schemaVersion: 1,
    generator: { name: 'mcp-lifeguard', version: '0' },
    takenAt: '2026-11-21T12:00:00.000Z',
    platform: 'linux',
    workspaceFolders: [],
    servers: [
      {
        id: 'vscode:user:/m.json#palace',
        name: 'palace',
        source: { client: 'vscode', scope: 'user', label: 'VS Code User', file: '/m.json' },
        keyPath: [],
        transport: 'stdio',
        command: 'python',
        args: ['-m', 'mempalace'],
        envKeys: [],
        headerKeys: [],
        disabled: false,
        unresolved: [],
        launchKey: 'k',
        identityKey: 'k',
        instances,
        installed: installedNow,
        updateAvailable: {
          package: 'mempalace',
          current: '3.1',
          latest: '3.2',
          checkedAt: '2026-11-21T09:00:00.000Z',
          registry: 'https://pypi.org/pypi/mempalace/json',
        },
      },
    ],
    notConfigured: [],
    processes: { state: 'ok', count: 10 },
    launchGroups: [],
    files: [],
    diagnostics: [],
  };
}

describe('status: running vs installed versions', () => {
  it('shows running and installed per instance, marks the stale, changed and unknown ones, and prints their evidence', () => {
    const stale = judge({
      installed: installedNow,
      processStart: START,
      firstSeen: {
        name: 'mempalace',
        version: '3.1',
        environment: fingerprint({ chromadb: '0.6.3' }),
        firstSeenAt: '2026-11-21T10:00:05.000Z',
      },
    });
    const metadata = '/home/u/.venv/lib/python3.11/site-packages/chromadb-1.5.7.dist-info/METADATA';
    const changed = judge({
      installed: installedNow,
      processStart: START,
      changedFiles: [{ path: metadata, at: '2026-11-21T11:00:00.000Z' }],
    });
    const unknown = judge({ installed: installedNow });
    const out = formatStatus(
      snapshot([
        instance(100, { installed: installedNow, ...stale }),
        instance(200, { installed: installedNow, ...changed }),
        instance(300, { installed: installedNow, ...unknown }),
      ]),
    );
    assert.match(out, /SERVER\s+SOURCE\s+TRANSPORT\s+INSTALLED\s+COMMAND \/ URL/);
    assert.match(out, /palace\s+VS Code User\s+stdio\s+3\.1\s+python -m mempalace/);
    assert.match(out, /MEMORY\s+RUNNING\s+INSTALLED\s+VERDICTS/);
    assert.match(
      out,
      /palace\s+100\s+VS Code \(5\)\s+2h\d\dm\s+50 MB\s+3\.1\s+3\.1\s+STALE: runs 3\.1, its dependencies moved: chromadb 0\.6\.3 -> 1\.5\.7/,
    );
    // Changed after the start with nothing recorded: never `ok`; unknown: said, never `ok` either.
    assert.match(
      out,
      /palace\s+200\s+VS Code \(5\)\s+2h\d\dm\s+50 MB\s+\?\s+3\.1\s+CHANGED SINCE START: restart to load what is installed/,
    );
    assert.match(out, /palace\s+300\s+VS Code \(5\)\s+2h\d\dm\s+50 MB\s+\?\s+3\.1\s+version \?/);
    assert.doesNotMatch(out, /\sok$/m);
    assert.match(out, /Needs a restart \(2\):/);
    assert.match(out, /palace \(pid 200\): mempalace: changed since start: restart to load what is installed/);
    assert.match(out, new RegExp(`changed: {3}${metadata.replace(/[.]/g, '\\.')} \\(2026-11-21T11:00:00\\.000Z\\)`));
    assert.match(out, /Version unknown \(1\): .*\n {2}palace \(pid 300\): no lock record/);
    assert.match(out, /palace \(pid 100\): mempalace: runs 3\.1, still installed, but its dependencies moved/);
    assert.match(out, /running: {3}3\.1, learned from installed when this instance was first seen/);
    assert.match(out, /installed: 3\.1, from venv \/home\/u\/\.venv/);
    assert.match(out, /moved: {5}chromadb 0\.6\.3 -> 1\.5\.7/);
    assert.match(out, /since: {5}2026-11-21T11:00:00\.000Z/);
    assert.match(out, /Updates available \(1\):\n {2}palace: mempalace 3\.2 is available \(installed: 3\.1\)/);
  });

  it("the processes an instance started: a row each under it (pid, parent, memory, versions), a judged child's evidence naming its parent", () => {
    const firstSeen = {
      name: 'mempalace',
      version: '3.0',
      environment: fingerprint({ chromadb: '1.5.7' }),
      firstSeenAt: '2026-11-21T10:00:05.000Z',
    };
    const stale = judge({ installed: installedNow, processStart: START, firstSeen });
    const tool = instance(100, { installed: installedNow, ...stale });
    tool.children = [
      {
        pid: 101,
        ppid: 100,
        startTime: START + 1000,
        commandLine: '/home/u/.venv/bin/python3 -m mempalace.dataserver --port 8700',
        commandHash: 'h1',
        memoryBytes: 176 * 1024 * 1024,
        versions: {
          installed: installedNow,
          ...judge({ installed: installedNow, processStart: START + 1000, firstSeen }),
        },
      },
      { pid: 102, ppid: 100, startTime: START + 1000, commandLine: "python3 -c 'import os'", commandHash: 'h2' },
    ];
    const out = formatStatus(snapshot([tool]));
    assert.match(out, /Running instances \(1\):/);
    const rows = out.split('\n');
    const at = rows.findIndex((l) => /^ {2}palace\s+100\s/.test(l));
    assert.match(
      rows[at + 1],
      /^ {4}└ python3 -m mempalace\.dataserver --port 8700\s+101\s+child of 100\s+\dh\d\dm\s+176 MB\s+3\.0\s+3\.1\s+STALE: runs 3\.0, installed 3\.1$/,
    );
    assert.match(rows[at + 2], /^ {4}└ python3 -c 'import os'\s+102\s+child of 100\s+\dh\d\dm\s+\?\s+-\s+-$/);
    assert.match(out, /Needs a restart \(2\):/);
    assert.match(out, /palace \(pid 101, child of pid 100\): mempalace: runs 3\.0 but 3\.1 is installed/);
    assert.doesNotMatch(out, /pid 102/);
  });

  it('an update of a server configured in several places is said once, naming the places', () => {
    const update = { package: 'mempalace', current: '3.1', latest: '3.2', checkedAt: 't', registry: 'PyPI' };
    const at = (client: ClientId, label: string, name = 'palace'): ServerStatus => ({
      ...stdioConfig(name, client, 'mempalace-mcp', []),
      source: { client, scope: 'user', label, file: `/cfg/${label}.json` },
      instances: [],
      updateAvailable: update,
    });
    const lines = formatUpdates([
      at('claude-desktop', 'Claude Desktop'),
      at('cursor', 'Cursor'),
      at('codex', 'Codex'),
      at('cursor', 'Cursor', 'other'),
    ]);
    assert.deepEqual(lines, [
      '',
      'Updates available (2):',
      '  palace (Claude Desktop, Cursor, Codex): mempalace 3.2 is available (installed: 3.1)',
      '  other: mempalace 3.2 is available (installed: 3.1)',
    ]);
  });

  it('has no stale section when nothing is stale', () => {
    const current = judge({ installed: { ...installedNow, changedAt: START - 1000 }, processStart: START });
    const out = formatStatus(snapshot([instance(100, { installed: installedNow, ...current })]));
    assert.doesNotMatch(out, /Needs a restart/);
    assert.doesNotMatch(out, /STALE/);
    assert.match(out, /palace\s+100\s+.*\s+ok$/m);
  });
});
