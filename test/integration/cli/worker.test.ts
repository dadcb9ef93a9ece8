import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import type { Snapshot } from '../../../src/core/base/model';
import { CliWorker } from '../../support/cliWorker';
import { repoRoot } from '../../support/repo';
import { listenOn } from '../../support/startup';
import { npmPackage, write } from '../../unit/versions/layouts';
import { runCli, runCliOn, tempHome } from '../guard/support';
import { cli, cliEnv } from '../processes/support/harness';

/**
 * The tests' CLI worker (test/support/cliWorker.ts), which many tests ask for a snapshot or a plan
 * instead of starting `node dist/cli.js` each time, answers as that process would: each command
 * reads its own environment's home and nothing a command before it read, and the worker keeps no
 * test's folder as its working folder between commands.
 */
describe('CLI worker: commands in one process answer as `node dist/cli.js` does', function () {
  this.timeout(60_000);
  const homes: string[] = [];
  const worker = new CliWorker();

  after(async () => {
    await worker.close();
    for (const h of homes) fs.rmSync(h, { recursive: true, force: true });
  });

  /** A home whose Claude Desktop config names one server, `name`, of a command that does not run. */
  function homeWith(name: string): string {
    const home = tempHome();
    homes.push(home);
    const dir = path.join(home, '.config', 'Claude');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(
      path.join(dir, 'claude_desktop_config.json'),
      JSON.stringify({ mcpServers: { [name]: { command: path.join(home, 'no-such-server'), args: [] } } }),
    );
    return home;
  }

  /** What a snapshot says of the home's configs: their servers, each with its source file and instances. */
  const reading = (stdout: string, home: string) =>
    (JSON.parse(stdout) as Snapshot).servers
      .filter((s) => s.source.file.startsWith(`${home}${path.sep}`))
      .map((s) => [s.name, s.source.file, s.instances.length]);

  it('each command reads its own home, none of the one before it, as a spawned CLI reads it', async () => {
    const alpha = homeWith('alpha');
    const beta = homeWith('beta');
    for (const [home, name] of [
      [alpha, 'alpha'],
      [beta, 'beta'],
      [alpha, 'alpha'],
    ]) {
      const inWorker = await runCliOn(worker, home, ['status', '--json']);
      const spawned = await runCli(home, ['status', '--json']);
      assert.equal(inWorker.code, 0, inWorker.stderr);
      assert.equal(spawned.code, 0, spawned.stderr);
      assert.deepEqual(reading(inWorker.stdout, home), reading(spawned.stdout, home));
      assert.deepEqual(
        reading(inWorker.stdout, home).map(([n]) => n),
        [name],
      );
    }
  });

  it('runs a command in the folder it is given (its workspace, by default), and is back in its own once it is done', async () => {
    const home = homeWith('gamma');
    fs.writeFileSync(
      path.join(home, '.mcp.json'),
      JSON.stringify({ mcpServers: { delta: { command: path.join(home, 'no-such-server'), args: [] } } }),
    );
    const inWorker = await worker.run(['status', '--json'], cliEnv(home), home);
    const spawned = await cli(home, ['status', '--json']);
    assert.equal(inWorker.code, 0, inWorker.stderr);
    assert.equal(spawned.code, 0, spawned.stderr);
    assert.deepEqual(reading(inWorker.stdout, home), reading(spawned.stdout, home));
    assert.deepEqual(
      reading(inWorker.stdout, home)
        .map(([n]) => n)
        .sort(),
      ['delta', 'gamma'],
    );
    if (process.platform === 'linux') assert.equal(fs.readlinkSync(`/proc/${worker.pid}/cwd`), repoRoot);
  });

  it('answers once the work a command started and does not wait for has settled, as a spawned CLI exits only then', async () => {
    // A registry that holds its answer: the registry check a snapshot starts in the background ends
    // only when the engine gives up on it (its timeout), long after the snapshot is printed.
    const asked: string[] = [];
    const registry = http.createServer((req) => asked.push(req.url ?? ''));
    const port = await listenOn(registry);
    try {
      const home = tempHome();
      homes.push(home);
      const pkg = npmPackage(path.join(home, 'nm'), 'held-server', '1.0.0');
      write(
        path.join(home, '.config', 'Claude', 'claude_desktop_config.json'),
        JSON.stringify({
          mcpServers: { held: { command: process.execPath, args: [path.join(pkg, 'dist', 'index.js')] } },
        }),
      );
      const env = cliEnv(home, { MCP_LIFEGUARD_NPM_REGISTRY: `http://127.0.0.1:${port}/` });
      const answer = await worker.run(['status', '--json'], env, home);
      assert.equal(answer.code, 0, answer.stderr);
      // The check has settled when the answer comes: its outcome (here: no answer in time) is saved.
      const cacheFile = path.join(home, '.lifeguard', 'cache', 'registry.json');
      assert.ok(fs.existsSync(cacheFile), 'the registry check had not settled when the worker answered');
      assert.deepEqual(asked, ['/held-server']);
      const saved = JSON.parse(fs.readFileSync(cacheFile, 'utf8')) as { entries: Record<string, { error?: string }> };
      assert.deepEqual(
        Object.values(saved.entries).map((e) => e.error),
        ['no answer within 2000 ms'],
      );
    } finally {
      registry.closeAllConnections();
      await new Promise((r) => registry.close(r));
    }
  });
});
