import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Snapshot } from '../../../src/core/base/model';
import { cliPath, repoRoot } from '../../support/repo';
import { until } from '../../support/poll';
import { killAll } from '../../support/liveness';
import { claudeDesktopConfig, cli, clientApp, startFakeClient, statusJson } from './support/harness';

const MEMORY_SCRIPT = path.join(repoRoot, 'node_modules', '@modelcontextprotocol', 'server-memory', 'dist', 'index.js');

/**
 * An entry wrapped without `--home` (by hand, or by an earlier version) while the CLI reads another
 * root (MCP_LIFEGUARD_HOME): its client starts the guard without that variable, so the guard's lock
 * lands in the default root. The guard stays a stranger's (never claimed), but the mismatch is said,
 * naming the entry, the other root and the fix, in `status` and its `--json` diagnostics.
 */
describe('guard roots (integration): an entry whose guard keeps its lock under another root', function () {
  this.timeout(120_000);
  const started: number[] = [];
  let home: string;

  before(function () {
    if (process.platform !== 'linux') this.skip();
  });
  beforeEach(() => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'lg-guardhome-'));
  });
  afterEach(async () => {
    await killAll(started.splice(0), path.basename(home));
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('is not claimed, and status warns naming the entry, the guard\'s root and "--home <root>"', async () => {
    const args = [cliPath, 'run', '--name', 'memory', '--', process.execPath, MEMORY_SCRIPT];
    const env = { MEMORY_FILE_PATH: path.join(home, 'memory.jsonl') };
    const file = claudeDesktopConfig(home, { memory: { command: process.execPath, args, env } });
    const app = clientApp(home);
    // The client passes its own environment: this HOME, no MCP_LIFEGUARD_HOME.
    const client = await startFakeClient(
      { command: process.execPath, args, env: { ...env, HOME: home, MCP_LIFEGUARD_HOME: '' }, cwd: home, app },
      started,
    );
    const ownRoot = path.join(home, '.lifeguard');
    const otherRoot = path.join(home, '.local', 'state', 'mcp-lifeguard');
    await until('the guard to take its lock in the default root', async () =>
      fs.existsSync(path.join(otherRoot, 'locks')),
    );
    const warned = (s: Snapshot) => s.diagnostics.find((d) => /runs through a guard/.test(d.message));
    const snap = await until('the mismatch said', async () => {
      const s = await statusJson(home);
      return warned(s) ? s : undefined;
    });
    const d = warned(snap)!;
    assert.equal(d.severity, 'warning');
    assert.equal(d.file, file);
    assert.match(
      d.message,
      new RegExp(
        `^'memory' runs through a guard \\(pid ${client.servers[0]}\\) that keeps its lock under ${otherRoot}, not under ${ownRoot}`,
      ),
    );
    assert.match(d.message, new RegExp(`wrap it again so its command carries --home ${ownRoot}$`));
    assert.deepEqual(snap.servers[0].instances, [], 'the guard is still never claimed');
    const text = await cli(home, ['status']);
    assert.match(text.stdout + text.stderr, /'memory' runs through a guard .* --home /);
  });
});
