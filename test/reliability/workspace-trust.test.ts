import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Snapshot } from '../../src/core/base/model';
import { cli, startFakeClient } from '../integration/processes/support/harness';
import { isAlive } from '../support/liveness';
import { processScenario } from './support';

interface DryRun {
  dryRun: true;
  plan: { pid: number; serverName: string }[];
}

/**
 * A cloned repository's `.vscode/mcp.json` is not the user's word: it must not aim signals at
 * ordinary processes (a shell, `sleep`), and what it alone defines is acted on only when the user
 * opts in. Each `--yes` run follows a dry run that must plan nothing, so a regression fails the
 * test before anything is signalled.
 */
describe('reliability: a workspace config does not aim kill-duplicates at ordinary processes', function () {
  this.timeout(120_000);
  const scene = processScenario('lgtrust');
  let workspace: string;

  beforeEach(() => {
    workspace = path.join(scene.home, 'cloned-repo');
    fs.mkdirSync(path.join(workspace, '.vscode'), { recursive: true });
  });

  function workspaceConfig(servers: Record<string, unknown>): void {
    fs.writeFileSync(path.join(workspace, '.vscode', 'mcp.json'), JSON.stringify({ servers }));
  }

  /** The dry run plans none of `pids`; then `--yes` signals none of them either. */
  async function killDuplicatesSpares(pids: number[], extra: string[] = []): Promise<string> {
    const dry = await cli(scene.home, ['kill-duplicates', '--json', '--workspace', workspace, ...extra]);
    assert.equal(dry.code, 0, dry.stderr);
    const planned = (JSON.parse(dry.stdout) as DryRun).plan.filter((p) => pids.includes(p.pid));
    assert.deepEqual(planned, [], 'the plan names none of the ordinary processes');
    const real = await cli(scene.home, ['kill-duplicates', '--yes', '--workspace', workspace, ...extra]);
    for (const pid of pids) assert.ok(isAlive(pid), `pid ${pid} still runs: ${real.stdout}${real.stderr}`);
    return real.stdout + real.stderr;
  }

  it('{"command":"bash"}: four plain bash processes of one parent survive, and the entry says why it lists none', async () => {
    workspaceConfig({ shell: { command: 'bash' } });
    const parent = await startFakeClient({ command: 'bash', args: [], count: 4, gapMs: 50 }, scene.started);
    await killDuplicatesSpares(parent.servers);
    const r = await cli(scene.home, ['status', '--json', '--workspace', workspace]);
    const withWorkspace = JSON.parse(r.stdout) as Snapshot;
    const shell = withWorkspace.servers.find((s) => s.name === 'shell');
    assert.ok(shell, 'the workspace entry is read');
    assert.deepEqual(shell.instances, []);
    const diag = withWorkspace.diagnostics.find(
      (d) => d.file === path.join(workspace, '.vscode', 'mcp.json') && /bash/.test(d.message),
    );
    assert.ok(diag, JSON.stringify(withWorkspace.diagnostics));
    assert.match(diag.message, /cannot be told apart from ordinary/);
  });

  it('{"command":"sleep","args":["600"]}: four sleep processes of one parent survive', async () => {
    workspaceConfig({ pause: { command: 'sleep', args: ['600'] } });
    const parent = await startFakeClient({ command: 'sleep', args: ['600'], count: 4, gapMs: 50 }, scene.started);
    await killDuplicatesSpares(parent.servers);
  });

  it('a server only the workspace defines is signalled only with --trust-workspace, and the refusal says so', async () => {
    const script = path.join(scene.home, `srv-${scene.tag}.js`);
    fs.writeFileSync(script, 'setInterval(() => {}, 1 << 30);\n');
    workspaceConfig({ repoTool: { command: process.execPath, args: [script] } });
    const parent = await startFakeClient(
      { command: process.execPath, args: [script], count: 2, gapMs: 200 },
      scene.started,
    );
    const [older, newer] = parent.servers;
    const out = await killDuplicatesSpares(parent.servers);
    assert.match(out, /repoTool/);
    assert.match(out, new RegExp(path.join(workspace, '.vscode', 'mcp.json').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    assert.match(out, /--trust-workspace/);

    const stop = await cli(scene.home, ['stop', String(older), '--workspace', workspace]);
    assert.equal(stop.code, 1, stop.stdout + stop.stderr);
    assert.match(stop.stderr, /--trust-workspace/);
    assert.ok(isAlive(older));
    const restart = await cli(scene.home, ['restart', String(older), '--workspace', workspace]);
    assert.equal(restart.code, 1, restart.stdout + restart.stderr);
    assert.match(restart.stderr, /--trust-workspace/);
    assert.ok(isAlive(older));

    const trusted = await cli(scene.home, [
      'kill-duplicates',
      '--yes',
      '--trust-workspace',
      '--grace',
      '5',
      '--workspace',
      workspace,
    ]);
    assert.equal(trusted.code, 0, trusted.stdout + trusted.stderr);
    assert.match(trusted.stdout, new RegExp(`STOPPED pid ${older}`));
    assert.ok(!isAlive(older), 'the older duplicate was stopped once the user opted in');
    assert.ok(isAlive(newer), 'the newest stays');
  });
});
