import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { connectGuarded, endGuarded, GuardedClient, runCliOn, tempHome, textOf } from './support';
import { fixturesDir } from '../../support/repo';
import { processesOfHome } from '../../support/homeProcesses';
import { CliWorker } from '../../support/cliWorker';

const tinyServer = path.join(fixturesDir, 'guard', 'tiny-server.mjs');

/**
 * A server declared safe to run twice (`--restart-check probe`) is verified before the serving
 * server goes: the guard starts the installed server beside it and asks it what the client's
 * session would (initialize, tools/list). One that does not start (here: it exits at once, saying
 * why on stderr) is stopped and the serving one keeps serving the same session; the reason reaches
 * whoever asked. Forced, there is no probe. By default nothing runs beside the serving server.
 */
describe('guard: a restart is verified before the serving server stops (built CLI, real SDK server)', function () {
  this.timeout(120_000);
  // The restarts (and listings) run on one CLI process: their subject is the guard, not a Node start.
  const cli = new CliWorker();
  after(() => cli.close());
  let home: string;
  let g: GuardedClient | undefined;

  beforeEach(() => {
    home = tempHome();
  });
  afterEach(async () => {
    await endGuarded(g, home);
    g = undefined;
  });

  const pidOf = async (client: GuardedClient['client']) =>
    Number(textOf(await client.callTool({ name: 'echo', arguments: { text: 'x' } })).split(':')[0]);
  // The server processes (the guard's own command line names the server too: not one of them).
  const servers = () => processesOfHome(home).filter((p) => p.cmdline.split('\0')[1] === tinyServer);

  it('the installed server does not start: not restarted, the serving one keeps the session; fixed, it restarts; forced, it goes down', async () => {
    const flag = path.join(home, 'broken');
    g = await connectGuarded(home, ['--name', 'tiny', '--restart-check', 'probe', '--', process.execPath, tinyServer], {
      env: { TINY_SERVER_EXIT_IF_FILE: flag },
    });
    const first = await pidOf(g.client);

    fs.writeFileSync(flag, '');
    const refused = await runCliOn(cli, home, ['restart', 'tiny']);
    assert.equal(refused.code, 1, refused.stdout);
    assert.match(
      refused.stderr,
      new RegExp(
        `The new server did not start: .*exit code 3.*Its last output: Error: the store is locked by a newer version .*; not restarted, the running server \\(pid ${first}\\) keeps serving`,
      ),
    );
    assert.equal(await pidOf(g.client), first, 'the same process serves the same session');
    assert.deepEqual(
      servers().map((p) => p.pid),
      [first],
      'the probe is gone',
    );
    assert.match(g.stderr(), /The new server did not start/);

    fs.rmSync(flag);
    const restarted = await runCliOn(cli, home, ['restart', 'tiny']);
    assert.equal(restarted.code, 0, restarted.stderr);
    const second = await pidOf(g.client);
    assert.notEqual(second, first);
    assert.match(g.stderr(), /the installed tiny started beside pid \d+: it answered and listed 5 tools/);

    // Forced, nothing is probed: the restart itself fails and the guard says it is down.
    fs.writeFileSync(flag, '');
    const forced = await runCliOn(cli, home, ['restart', 'tiny', '--force']);
    assert.equal(forced.code, 1);
    assert.match(forced.stderr, /times in a row.*Its last output: Error: the store is locked/);
    await assert.rejects(g.client.callTool({ name: 'echo', arguments: { text: 'y' } }), /tiny is down: /);
  });

  for (const check of [[], ['--restart-check', 'none']]) {
    it(`${check.length ? check.join(' ') : 'by default'}: no probe; a new server that does not start is tried again, then down with its cause`, async () => {
      const flag = path.join(home, 'broken');
      g = await connectGuarded(home, ['--name', 'tiny', ...check, '--', process.execPath, tinyServer], {
        env: { TINY_SERVER_EXIT_IF_FILE: flag },
      });
      await pidOf(g.client);
      fs.writeFileSync(flag, '');
      const r = await runCliOn(cli, home, ['restart', 'tiny']);
      assert.equal(r.code, 1);
      assert.doesNotMatch(r.stderr, /The new server did not start/);
      assert.match(r.stderr, /3 times in a row.*Its last output: Error: the store is locked/);
      assert.doesNotMatch(g.stderr(), /started beside pid/);
      assert.equal(g.stderr().match(/restart attempt failed: .*; trying again in \d+ s/g)?.length, 2, g.stderr());
      await assert.rejects(g.client.callTool({ name: 'echo', arguments: { text: 'y' } }), /tiny is down: /);
    });
  }

  it('restart --restart-check none: this one restart without a probe (a per-server choice the extension passes too)', async () => {
    g = await connectGuarded(home, ['--name', 'tiny', '--restart-check', 'probe', '--', process.execPath, tinyServer]);
    const first = await pidOf(g.client);
    const r = await runCliOn(cli, home, ['restart', 'tiny', '--restart-check', 'none']);
    assert.equal(r.code, 0, r.stderr);
    assert.notEqual(await pidOf(g.client), first, 'restarted, the session kept');
    assert.match(g.stderr(), /tiny: restarted without a check, as asked/);
    assert.doesNotMatch(g.stderr(), /started beside pid/, 'nothing was started beside the serving server');
  });
});
