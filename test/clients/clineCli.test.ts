import * as assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { until } from '../support/poll';
import { stopChildren } from '../support/liveness';
import { freePort } from '../support/startup';
import { CLINE_CLI, clineAuthArgs, clineCliBin, modelStub, ModelStub } from '../support/realClients';
import {
  answerPrompts,
  badVerdicts,
  carries,
  ClientHome,
  clientHome,
  diagnosticsOf,
  killDuplicatesPlanned,
  MEMORY_SCRIPT,
  memoryServers,
  only,
  parentOf,
  removeClientHome,
  runClient,
  SESSION_POLL_MS,
  sessionPids,
  status,
  untilListed,
} from './support';

function cmdline(pid: number): string {
  return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
}

/**
 * Real Cline CLI from npm (`cline`): `cline mcp add NAME --yes -- CMD ARGS` and `--transport
 * http|sse URL --header "K: V"` write `~/.cline/data/settings/cline_mcp_settings.json`, its only
 * MCP file (no scope flag), each entry's launch nested in `transport` (`"type": "stdio"`,
 * `"streamableHttp"` or `"sse"`). It has no flag for a server's env: without `--yes` the same
 * command opens its wizard, prefilled, which asks for one (`KEY=VALUE`, comma-separated); the test
 * answers it on a terminal. With a provider set by its own `cline auth` (OpenAI-compatible, base URL
 * the loopback stub), a first session (`cline "..."`) runs both server-memory entries as its own
 * children and starts a hub (`cline --cline-hub-daemon`) that outlives it; a second session runs
 * in that hub, its servers the hub's children (or, when Cline cannot reach the hub, its own): each
 * process under its own entry, client `cline`, the hub's named as its agent host, none a duplicate.
 *
 * Two things of Cline's are the machine's, not the test's, and are set so that the test holds beside
 * others: the hub listens on one fixed loopback port (25463) unless CLINE_HUB_PORT names another, and
 * a hub already there (another run's, the user's own) leaves a session no hub of its own; and a stdio
 * server gets 3 s to answer `initialize` unless its entry sets Cline's own `timeout` (seconds), after
 * which Cline ends it, starts it once more, then runs the session without it. On a busy machine (a
 * code-server and a browser beside) server-memory takes longer than that to start.
 */
describe(`real clients: Cline CLI ${CLINE_CLI.version} (npm), its own mcp add and two sessions`, function () {
  this.timeout(300_000);
  let h: ClientHome | undefined;
  let model: ModelStub | undefined;
  const sessions: ChildProcess[] = [];

  before(function () {
    if (process.platform !== 'linux') this.skip();
  });

  afterEach(async () => {
    await stopChildren(sessions.splice(0));
    // The hub outlives the sessions: it is ended with every other process of the home.
    await removeClientHome(h);
    h = undefined;
    await model?.close();
    model = undefined;
  });

  it("`cline mcp add` (--yes and its wizard for env), stdio; two `cline` sessions: each process under its own entry, the second session's in the hub, none a duplicate", async () => {
    const cline = await clineCliBin();
    model = await modelStub();
    const home = clientHome('lg-cline-cli-', { CLINE_HUB_PORT: String(await freePort()) });
    h = home;
    const data = path.join(home.home, 'mem-a.json');
    const clineIn = (args: string[]) => runClient(cline, args, home.project, home.env);
    await answerPrompts(
      [cline, 'mcp', 'add', 'mem-a', '--', 'node', MEMORY_SCRIPT],
      [
        [/Server name/, '\r'],
        [/Server type/, '\r'],
        [/Command to run/, '\r'],
        [/Environment variables/, `MEMORY_FILE_PATH=${data}\r`],
      ],
      home.project,
      home.env,
    );
    await clineIn(['mcp', 'add', 'mem-b', '--yes', '--', 'node', MEMORY_SCRIPT]);
    // Its `--transport http|sse URL [--header]` entries are the file it wrote
    // (test/fixtures/client-configs/cline-3.0.65-cline_mcp_settings.json), read in the unit layer
    // (test/unit/sources/layouts.test.ts): each of its commands costs about 3 s of processor.

    // What the Cline CLI wrote, as it wrote it.
    const settings = path.join(home.home, '.cline', 'data', 'settings', 'cline_mcp_settings.json');
    assert.deepEqual(JSON.parse(fs.readFileSync(settings, 'utf8')), {
      mcpServers: {
        'mem-a': {
          transport: { type: 'stdio', command: 'node', args: [MEMORY_SCRIPT], env: { MEMORY_FILE_PATH: data } },
        },
        'mem-b': { transport: { type: 'stdio', command: 'node', args: [MEMORY_SCRIPT] } },
      },
    });

    const before = await status(home);
    assert.deepEqual(diagnosticsOf(before, settings), []);
    const read = (name: string) => {
      const s = only(before, name);
      return [s.source.client, s.source.scope, s.source.file, s.transport, s.command ?? s.url, s.args, s.envKeys];
    };
    assert.deepEqual(read('mem-a'), [
      'cline',
      'user',
      settings,
      'stdio',
      'node',
      [MEMORY_SCRIPT],
      ['MEMORY_FILE_PATH'],
    ]);
    assert.deepEqual(read('mem-b'), ['cline', 'user', settings, 'stdio', 'node', [MEMORY_SCRIPT], []]);
    assert.notEqual(only(before, 'mem-a').identityKey, only(before, 'mem-b').identityKey);
    assert.ok(!JSON.stringify(before).includes(data), 'an env value is never in the snapshot');

    // Cline's own `timeout` on each stdio entry, as a user sets it in the file: a start-up on a busy
    // machine is waited for, not ended after 3 s.
    const written = JSON.parse(fs.readFileSync(settings, 'utf8')) as {
      mcpServers: Record<string, { timeout?: number }>;
    };
    written.mcpServers['mem-a'].timeout = 60;
    written.mcpServers['mem-b'].timeout = 60;
    fs.writeFileSync(settings, JSON.stringify(written, null, 2));

    // A provider on the loopback model, set with Cline's own command; then the first session.
    await clineIn(clineAuthArgs(model.url));
    const start = (prompt: string) => {
      const s = spawn(cline, [prompt], { cwd: home.project, env: home.env, stdio: 'ignore' });
      sessions.push(s);
      return s;
    };
    const first = start('say hello');
    // The session asks the model once its servers are connected: the ones running then are the ones it kept.
    const stub = model;
    await until('the session to ask the model', () => stub.requests.length > 0, 120_000);
    await until(
      'both servers of the first session running',
      () => memoryServers(home).length === 2,
      120_000,
      SESSION_POLL_MS,
    );
    const firstServers = memoryServers(home);
    const aPid = firstServers.find((p) => carries(p.pid, `MEMORY_FILE_PATH=${data}`))!.pid;
    const bPid = firstServers.find((p) => p.pid !== aPid)!.pid;
    assert.equal(parentOf(aPid), first.pid, "the session's own process runs its servers");
    assert.equal(parentOf(bPid), first.pid);

    const judge = async (pids: { a: number; b: number }, client: number, agentHost: string | undefined) => {
      const snap = await untilListed(home, [pids.a, pids.b]);
      assert.deepEqual(diagnosticsOf(snap, settings), []);
      assert.deepEqual(sessionPids(only(snap, 'mem-a'), [pids.a, pids.b]), [pids.a]);
      assert.deepEqual(sessionPids(only(snap, 'mem-b'), [pids.a, pids.b]), [pids.b]);
      const instances = [...only(snap, 'mem-a').instances, ...only(snap, 'mem-b').instances];
      for (const i of instances.filter((x) => x.pid === pids.a || x.pid === pids.b)) {
        assert.deepEqual(
          [i.client.id, i.client.name, i.client.pid, i.client.agentHost?.name],
          ['cline', 'Cline CLI', client, agentHost],
        );
        assert.deepEqual(badVerdicts(i), [], `pid ${i.pid}: ${JSON.stringify(i.verdicts)}`);
      }
      assert.ok(!JSON.stringify(snap).includes(data), 'an env value is never in the snapshot');
    };
    await judge({ a: aPid, b: bPid }, first.pid!, undefined);
    assert.ok(
      stub.requests.some((r) => r.startsWith('POST /v1/chat/completions')),
      stub.requests.join('\n'),
    );

    // The first session started the hub; the second runs in it. Under load a session may start a
    // second daemon before the first answers (the loser of Cline's lock exits), so the hub is the
    // daemon the second session's servers run under, whichever of them won.
    const isHub = (pid: number) => {
      try {
        return /@cline[/\\]cli-linux-x64[/\\]bin[/\\]cline\0--cline-hub-daemon\0/.test(cmdline(pid));
      } catch {
        return false;
      }
    };
    await until(
      'the hub of the first session',
      () =>
        fs
          .readdirSync('/proc')
          .filter((p) => /^\d+$/.test(p))
          .map(Number)
          .some((pid) => {
            try {
              return isHub(pid) && parentOf(pid) === first.pid;
            } catch {
              return false; // gone between the listing and the read
            }
          }),
      60_000,
      SESSION_POLL_MS,
    );
    const secondSession = start('say hello again');
    await until(
      'both servers of the second session running',
      () => memoryServers(home).length === 4,
      120_000,
      SESSION_POLL_MS,
    );
    const second = memoryServers(home).filter((p) => p.pid !== aPid && p.pid !== bPid);
    const a2 = second.find((p) => carries(p.pid, `MEMORY_FILE_PATH=${data}`))!.pid;
    const b2 = second.find((p) => p.pid !== a2)!.pid;
    const parent = parentOf(a2);
    assert.equal(parentOf(b2), parent, "the second session's servers have one parent");
    if (parent === secondSession.pid) {
      // Cline's default backend ("auto") runs the session itself when connecting to the hub fails
      // (it logs "Falling back to local runtime host"; under load it does): then the session is
      // its servers' client, with no agent host.
      await judge({ a: a2, b: b2 }, parent, undefined);
    } else {
      assert.ok(
        isHub(parent),
        `the second session's servers are a hub's children (parent ${parent}: ${cmdline(parent)})`,
      );
      await judge({ a: a2, b: b2 }, parent, 'Cline hub');
    }
    // Each session's copy is its own session's: none is a duplicate of the other.
    await judge({ a: aPid, b: bPid }, first.pid!, undefined);
    assert.deepEqual(await killDuplicatesPlanned(home, [aPid, bPid, a2, b2]), []);
  });
});
