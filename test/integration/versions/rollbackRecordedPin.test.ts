import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cliPath } from '../../support/repo';
import { testSettleEnv } from '../../support/settle';
import { MEM, npmEnv, npxPinnedMemoryCache, tempDir } from './support';

const OLD = '2026.7.4';
const NEW = '2026.8.31';

/**
 * A runner's pin the product's upgrade wrote, then the client quit before it ever fetched the new
 * release: nothing of it runs or is installed, but the upgrade's record is enough to put the old pin
 * back (real npm cache, the CLI as a user runs it).
 */
describe('rollback (real npx cache): a pin the upgrade wrote, never fetched by its client', function () {
  this.timeout(180_000);
  let root: string;
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it("goes back by the upgrade's record, saying so; a pin moved since is not the record's", async () => {
    root = tempDir('lg-rollback-recorded-');
    const home = path.join(root, 'home');
    fs.mkdirSync(home);
    // Only the old pin was ever fetched: the client quit before it started the new one.
    await npxPinnedMemoryCache(root, [OLD]);
    const cursor = path.join(home, '.cursor', 'mcp.json');
    fs.mkdirSync(path.dirname(cursor), { recursive: true });
    fs.writeFileSync(
      cursor,
      JSON.stringify({ mcpServers: { mem: { command: 'npx', args: ['-y', `${MEM}@${OLD}`] } } }),
    );
    const lifeguard = (args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
        execFile(
          process.execPath,
          [cliPath, ...args],
          {
            cwd: root,
            env: {
              ...(npmEnv(root) as Record<string, string>),
              HOME: home,
              MCP_LIFEGUARD_HOME: path.join(home, '.lifeguard'),
              MCP_LIFEGUARD_UPDATE_CHECK: '0',
              ...testSettleEnv,
            },
          },
          (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
        ),
      );

    const up = await lifeguard(['upgrade', 'mem', '--to', NEW, '--yes']);
    assert.equal(up.code, 0, `${up.stdout}\n${up.stderr}`);
    assert.ok(fs.readFileSync(cursor, 'utf8').includes(`${MEM}@${NEW}`));
    const history = path.join(home, '.lifeguard', 'state', 'upgrades.json');
    assert.ok(fs.existsSync(history), 'the upgrade is recorded');

    const plan = await lifeguard(['rollback', 'mem']);
    assert.equal(plan.code, 0, `${plan.stdout}\n${plan.stderr}`);
    assert.match(
      plan.stdout,
      new RegExp(
        `^mem: what it runs is not known .*but the pin ${NEW} is the one the upgrade of \\S+ wrote, recorded with the pin before it \\(${OLD}\\)`,
        'm',
      ),
    );
    assert.match(plan.stdout, new RegExp(`^mem: .* ${NEW} -> ${OLD}: npx fetches it`, 'm'));
    assert.ok(fs.readFileSync(cursor, 'utf8').includes(`${MEM}@${NEW}`), 'nothing written without --yes');

    const back = await lifeguard(['rollback', 'mem', '--yes']);
    assert.equal(back.code, 0, `${back.stdout}\n${back.stderr}`);
    assert.ok(fs.readFileSync(cursor, 'utf8').includes(`${MEM}@${OLD}`), fs.readFileSync(cursor, 'utf8'));

    // The user pins another release by hand: the record no longer speaks for the entry.
    fs.writeFileSync(
      cursor,
      JSON.stringify({ mcpServers: { mem: { command: 'npx', args: ['-y', `${MEM}@2026.9.9`] } } }),
    );
    const other = await lifeguard(['rollback', 'mem']);
    assert.equal(other.code, 1, other.stdout);
    assert.match(other.stderr, /not rolled back/);
  });
});
