import * as assert from 'node:assert/strict';
import { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Snapshot } from '../../../src/core/base/model';
import { stopChildren } from '../../support/liveness';
import { freePort, startReady } from '../../support/startup';
import { makeTempDir } from '../../support/temp';
import { cli } from '../processes/support/harness';

const SERVICE = path.join(__dirname, 'fixtures', 'countingService.cjs');

/**
 * A cloned repository's `.vscode/mcp.json` names a URL of the user's own local service (it answers
 * anything, an MCP initialize too). The real CLI's `status --workspace` sends it nothing, of any
 * method or path, and does not list it as the entry's instance, until told to trust the workspace.
 */
describe('http (integration): a URL only an untrusted workspace names is never requested', function () {
  this.timeout(120_000);
  const started: ChildProcess[] = [];
  let home: string;
  let workspace: string;
  let service: ChildProcess;
  let url: string;
  const requests: string[] = [];

  before(async () => {
    home = makeTempDir('lg-untrusted-');
    workspace = path.join(home, 'cloned-repo');
    const port = await freePort();
    url = `http://127.0.0.1:${port}/admin/delete?confirm=yes`;
    fs.mkdirSync(path.join(workspace, '.vscode'), { recursive: true });
    fs.writeFileSync(
      path.join(workspace, '.vscode', 'mcp.json'),
      JSON.stringify({ servers: { repoApi: { type: 'http', url } } }),
    );
    service = await startReady(process.execPath, [SERVICE, String(port)], { cwd: home, ready: /listening/ }, started);
    let pending = '';
    service.stdout?.on('data', (d: Buffer) => {
      pending += d.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      requests.push(...lines.filter((l) => l.startsWith('REQUEST ')));
    });
  });

  after(async () => {
    await stopChildren(started);
  });

  const status = async (extra: string[]): Promise<Snapshot> => {
    const r = await cli(home, ['status', '--json', '--workspace', workspace, ...extra]);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as Snapshot;
  };
  const repoApi = (s: Snapshot) => s.servers.find((x) => x.name === 'repoApi');

  it('untrusted: 0 requests, the service is not the entry’s instance, and a note says why', async () => {
    const snap = await status([]);
    // The service writes its line before it answers: a request that reached it is counted by now.
    assert.deepEqual(requests, []);
    const entry = repoApi(snap);
    assert.ok(entry, 'the workspace entry is shown');
    assert.deepEqual(entry.instances, []);
    const note = snap.diagnostics.find((d) => d.file === path.join(workspace, '.vscode', 'mcp.json'));
    assert.ok(note, JSON.stringify(snap.diagnostics));
    assert.match(note.message, /--trust-workspace/);
    // The text output says so too, and sends nothing either.
    const text = await cli(home, ['status', '--workspace', workspace]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /'repoApi' is defined by a workspace that is not trusted: its URL is not requested/);
    assert.deepEqual(requests, []);
  });

  it('with --trust-workspace: the URL is asked, and the service holding the port is listed', async () => {
    const snap = await status(['--trust-workspace']);
    const target = `${new URL(url).pathname}${new URL(url).search}`;
    assert.ok(requests.length > 0, 'the trusted workspace URL was requested');
    assert.ok(
      requests.every((r) => r.endsWith(` ${target}`)),
      requests.join('\n'),
    );
    assert.deepEqual(
      repoApi(snap)?.instances.map((i) => i.pid),
      [service.pid],
    );
  });
});
