import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import type { Snapshot } from '../../../src/core/base/model';
import { lifeguardPaths } from '../../../src/core/base/paths';
import { redactRecord } from '../../../src/core/capture/redactRecord';
import type { MachineRecord } from '../../../src/core/machine/record';
import { recordedMachine } from '../../../src/core/machine/recorded';
import { recordingMachine } from '../../../src/core/machine/recording';
import { engineMachine } from '../../../src/core/snapshot/engine';
import { gatherVersionFacts } from '../../../src/core/snapshot/versionFacts';
import { registryCacheFile } from '../../../src/core/versions/registry';
import { makeTempDir } from '../../support/temp';

const MEM = '@modelcontextprotocol/server-memory';

/** A snapshot with one entry that runs MEM 1.0.0: what `doctor memory` asks the registries about. */
const snapshot = {
  servers: [
    {
      name: 'memory',
      transport: 'stdio',
      instances: [],
      installed: {
        state: 'installed',
        ecosystem: 'npm',
        name: MEM,
        version: '1.0.0',
        how: 'npm',
        location: `/p/node_modules/${MEM}`,
      },
    },
  ],
  workspaceFolders: [],
} as unknown as Snapshot;

describe("capture: a registry's answer is kept, and a replay gives it again without asking", () => {
  let server: http.Server;
  let base: string;
  const requests: string[] = [];

  before(async () => {
    server = http.createServer((req, res) => {
      requests.push(req.url ?? '');
      if (req.url?.startsWith('/npm/')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ 'dist-tags': { latest: '2.0.0' }, versions: {} }));
      } else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  it("doctor's registry check, captured while the registry answered, replays to the same answer with no request", async () => {
    const home = makeTempDir('lg-capture-net-');
    const host = {
      home,
      platform: process.platform,
      env: { HOME: home, PATH: '', MCP_LIFEGUARD_NPM_REGISTRY: `${base}/npm/` },
    };
    const facts = (machine: Parameters<typeof gatherVersionFacts>[2]['machine']) =>
      gatherVersionFacts(snapshot, 'memory', { machine, workspaceFolders: [], registry: { log: () => undefined } });

    // The capture: doctor's machine (engineMachine), recorded.
    const { machine, record } = recordingMachine(engineMachine(host));
    const captured = await facts(machine);
    assert.equal(captured?.releases.length, 1);
    assert.equal(captured?.releases[0].latest, '2.0.0', JSON.stringify(captured?.releases));
    assert.deepEqual(requests, [`/npm/${encodeURIComponent(MEM).replace('%40', '@')}`]);
    const asked = requests.length;

    // As a capture file holds it: redacted, and through JSON.
    const raw = record();
    assert.deepEqual(
      raw.net?.map((n) => Object.keys(n).sort()),
      [['answer', 'url']],
      'one GET, kept as its URL and answer (never its request headers)',
    );
    const kept = JSON.parse(
      JSON.stringify(redactRecord(raw, { secrets: new Set(), declaredKeys: new Set(), configFiles: new Set() })),
    ) as MachineRecord;

    // The registry cache the capture wrote is gone: a replay finds the registry due and asks its record.
    const cacheFile = registryCacheFile(lifeguardPaths(host));
    fs.rmSync(path.dirname(cacheFile), { recursive: true, force: true });
    const misses: string[] = [];
    const replay = recordedMachine(kept, { onMiss: (m) => misses.push(m) });
    const replayed = await facts(replay);
    assert.deepEqual(replayed?.releases, captured?.releases);
    assert.equal(requests.length, asked, 'the replay made no request');
    assert.equal(fs.existsSync(cacheFile), false, 'the replay wrote no registry cache');
    assert.deepEqual(
      misses.filter((m) => m.startsWith('net ')),
      [],
    );

    // A URL the capture did not ask is unreachable, and no connection is opened for it.
    const other = await replay.net.get({ url: `${base}/npm/other`, maxBytes: 1024, signal: AbortSignal.timeout(1000) });
    assert.equal(other.kind, 'failed');
    assert.equal(requests.length, asked);
    assert.deepEqual(
      misses.filter((m) => m.startsWith('net ')),
      [`net ${base}/npm/other`],
    );
  });
});
