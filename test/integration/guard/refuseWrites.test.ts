import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { GuardErrorCode } from '../../../src/guard/wireErrors';
import { fixturesDir } from '../../support/repo';
import { pastJudgedStart } from '../../support/judgedStart';
import { until } from '../../support/poll';
import { tempDir } from '../versions/support';
import { connectGuarded, endGuarded, GuardedClient, tempHome, textOf } from './support';

/**
 * `--when-stale refuse-writes` in front of a real server that declares no tool annotations (as
 * mempalace 3.10 does), whose script is edited under it: its reads still answer, with the stale
 * notice on their results, its writes are refused, and a tool whose name says neither is refused
 * saying that it cannot be told.
 */
describe('guard: refuse-writes in front of a server that declares no read-only tools', function () {
  this.timeout(120_000);
  let home: string;
  let g: GuardedClient | undefined;
  after(async () => {
    await endGuarded(g, home);
  });

  it('reads named as reads go on once its code changed, carrying the stale notice; writes are refused; a name that says neither is refused, saying so', async () => {
    home = tempHome();
    const dir = tempDir('lg-unannotated-');
    const script = path.join(dir, 'server.mjs');
    fs.copyFileSync(path.join(fixturesDir, 'guard', 'unannotated-server.mjs'), script);
    g = await connectGuarded(home, ['--when-stale', 'refuse-writes', '--', process.execPath, script]);
    const { client } = g;
    const call = (name: string) => client.callTool({ name, arguments: {} });
    assert.deepEqual(
      (await client.listTools()).tools.map((t) => t.annotations),
      [undefined, undefined, undefined, undefined],
    );
    assert.equal(textOf(await call('palace_add_drawer')), 'called palace_add_drawer');

    await pastJudgedStart(Date.now());
    fs.appendFileSync(script, '// edited under the running server\n');
    // Reads go on, judged or not; once the change is judged, the read let through tells the model
    // what a refusal would have: the stale notice rides its result, as under annotate.
    const notice = await until(
      () => `the stale notice on a read:\n${g!.stderr()}`,
      async () => {
        const read = (await call('palace_search')).content as Array<{ text?: string }>;
        assert.equal(read[0]?.text, 'called palace_search');
        return read[1]?.text;
      },
      20_000,
      250,
    );
    assert.match(notice, /^\[MCP Lifeguard\] This server \(".+"\): Changed since start/);
    const refusal = await call('palace_add_drawer').then(
      () => assert.fail('the write went through'),
      (err: { code?: number; message: string }) => err,
    );
    assert.equal(refusal.code, GuardErrorCode.Stale);
    assert.match(
      refusal.message,
      /Changed since start.*"palace_add_drawer" declares nothing, and its name says it changes data, so it is refused/,
    );
    assert.equal(textOf(await call('palace_status')), 'called palace_status');
    await assert.rejects(call('palace_frobnicate'), (err: Error) => {
      assert.match(err.message, /whether tool "palace_frobnicate" changes data cannot be told/);
      return true;
    });
  });

  it('under annotate (the default, checks 30 s apart), the notice rides a result within seconds of the change being judged, not an interval later', async () => {
    const annotateHome = tempHome();
    const dir = tempDir('lg-unannotated-');
    const script = path.join(dir, 'server.mjs');
    fs.copyFileSync(path.join(fixturesDir, 'guard', 'unannotated-server.mjs'), script);
    const a = await connectGuarded(annotateHome, ['--', process.execPath, script]);
    try {
      const texts = async () =>
        ((await a.client.callTool({ name: 'palace_search', arguments: {} })).content as Array<{ text?: string }>).map(
          (b) => b.text ?? '',
        );
      assert.deepEqual(await texts(), ['called palace_search']);
      await pastJudgedStart(Date.now());
      fs.appendFileSync(script, '// edited under the running server\n');
      const edited = Date.now();
      let calls = 0;
      // Bounded well under the 30 s between the guard's timed checks: a check a whole interval later fails.
      const notice = await until(
        'the changed-since-start notice on a tool result',
        async () => {
          calls++;
          return (await texts()).find((t) => t.startsWith('[MCP Lifeguard]'));
        },
        10_000,
        200,
      );
      assert.match(notice, /Changed since start/);
      console.log(
        `      notice after ${calls} calls, ${Date.now() - edited} ms after the edit (settle ${process.env.MCP_LIFEGUARD_SETTLE_MS ?? 'test default'})`,
      );
    } finally {
      await endGuarded(a, annotateHome);
    }
  });
});
