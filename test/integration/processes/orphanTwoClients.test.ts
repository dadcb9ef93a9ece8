import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { counts } from '../../../src/core/report/state';
import { toViewInput } from '../../../src/core/report/input';
import { repoRoot } from '../../support/repo';
import { until } from '../../support/poll';
import { isAlive, killAll } from '../../support/liveness';
import { FakeClient, startFakeClient, statusJson } from './support/harness';

/**
 * A real server whose client died (SIGKILL), configured alike in Claude Desktop's config and in the
 * workspace's `.vscode/mcp.json`: nothing left tells which client started it, so it is one instance
 * under one entry, its client unknown, its orphan evidence naming both entries; the workspace's
 * entry, which VS Code lists as stopped, is neither its home nor counted running.
 */
describe('an orphan two clients configure alike: one process under one entry', function () {
  this.timeout(120000);
  const started: number[] = [];
  let home: string;
  let tag: string;
  let client: FakeClient;

  before(async () => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'lg-orphan2-'));
    // A unique tag in the args: this launch is nobody else's on a shared machine.
    tag = `--lg-tag=${path.basename(home)}`;
    const everything = path.join(repoRoot, 'node_modules', '.bin', 'mcp-server-everything');
    const entry = { command: everything, args: ['stdio', tag] };
    fs.mkdirSync(path.join(home, '.config', 'Claude'), { recursive: true });
    fs.writeFileSync(
      path.join(home, '.config', 'Claude', 'claude_desktop_config.json'),
      JSON.stringify({ mcpServers: { everything: entry } }),
    );
    // The CLI runs in the home: its workspace is the home, whose .vscode/mcp.json is a workspace file.
    fs.mkdirSync(path.join(home, '.vscode'), { recursive: true });
    fs.writeFileSync(path.join(home, '.vscode', 'mcp.json'), JSON.stringify({ servers: { everything: entry } }));
    client = await startFakeClient({ ...entry, cwd: home }, started);
  });

  after(async () => {
    await killAll(started, tag);
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('is listed once, its client unknown, and the workspace entry is not counted running', async () => {
    process.kill(client.client, 'SIGKILL');
    const pid = client.servers[0];
    const snap = await until('the server to be reported as an orphan', async () => {
      const s = await statusJson(home);
      const listed = s.servers
        .flatMap((x) => x.instances)
        .filter((i) => i.launcherChain[0]?.pid === pid || i.pid === pid);
      return listed.some((i) => i.verdicts.some((v) => v.kind === 'orphan')) ? s : undefined;
    });
    const under = snap.servers.filter((s) => s.instances.some((i) => i.launcherChain[0]?.pid === pid || i.pid === pid));
    assert.deepEqual(
      under.map((s) => `${s.source.client}:${s.source.scope}`),
      ['claude-desktop:user'],
      JSON.stringify(snap.servers.map((s) => [s.source.client, s.source.scope, s.instances.map((i) => i.pid)])),
    );
    const [orphan] = under[0].instances;
    assert.equal(orphan.client.id, 'unknown');
    assert.ok(isAlive(orphan.pid), 'the orphan really runs on');
    const v = orphan.verdicts.find((x) => x.kind === 'orphan');
    assert.match(
      v?.kind === 'orphan' ? v.reason : '',
      /it fits 'everything' \(.+claude_desktop_config\.json\) and 'everything' \(.+\) alike: which client started it is not known/,
    );
    const c = counts(toViewInput(snap));
    assert.equal(c.running, 0, 'no entry runs for its client: the client that started it is gone');
    assert.equal(c.orphan, 1);
  });
});
