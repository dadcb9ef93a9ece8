import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { until } from '../support/poll';
import { isAlive, signal } from '../support/liveness';
import { repoRoot } from '../support/repo';
import { CLAUDE_CODE, claudeCodeBin, clientEnv, modelStub, ModelStub } from '../support/realClients';
import {
  badVerdicts,
  ClientHome,
  clientHome,
  homeProcesses,
  killDuplicatesPlanned,
  only,
  parentOf,
  removeClientHome,
  runClient,
  untilGone,
  untilListed,
} from './support';

/** A real SDK server that ignores its stdin's end and SIGTERM (see clientExit.test.ts): what its session leaves stays. */
const OUTLIVING_SCRIPT = path.join(repoRoot, 'test', 'fixtures', 'clients', 'outliving-server.mjs');

function argvOf(pid: number): string[] {
  return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').slice(0, -1);
}

/**
 * Real Claude Code's background service: `claude --bg` starts (or reuses) a detached daemon,
 * `claude.exe daemon run --origin transient ...`, which runs the session as a worker (a warm
 * `claude bg-spare`, or `claude.exe --session-id ID PROMPT`) under a pty host of its own
 * (`claude bg-pty-host`); the session's servers are
 * the worker's children. The terminal that ran `claude --bg` is gone at once: the servers are the
 * daemon's session's, never orphans; with the daemon itself gone (killed, as after an upgrade's
 * respawn) the session runs on and its servers are still its own; only once the session's worker
 * is gone is what it left an orphan.
 */
describe(`real clients: Claude Code ${CLAUDE_CODE.version} (npm), its background daemon`, function () {
  this.timeout(300_000);
  let h: ClientHome | undefined;
  let model: ModelStub | undefined;
  let daemonDir: string | undefined;

  before(function () {
    if (process.platform !== 'linux' || process.arch !== 'x64') this.skip();
  });

  afterEach(async () => {
    await removeClientHome(h);
    h = undefined;
    // The daemon's own folder (`<tmp>/cc-daemon-<uid>/<id>`: its sockets), the test's alone.
    if (daemonDir) fs.rmSync(daemonDir, { recursive: true, force: true });
    daemonDir = undefined;
    await model?.close();
    model = undefined;
  });

  it('`claude --bg`: servers of a live daemon session are never orphans, also with the daemon gone; the session gone, the left one is', async () => {
    const claude = await claudeCodeBin();
    model = await modelStub();
    const home = clientHome('lg-claude-daemon-', clientEnv(model.url));
    h = home;
    await runClient(claude, ['mcp', 'add', 'outl', '--', 'node', OUTLIVING_SCRIPT], home.project, home.env);
    // A background session runs only in a folder the user trusted (the prompt's answer, kept in ~/.claude.json).
    const configFile = path.join(home.home, '.claude.json');
    const config = JSON.parse(fs.readFileSync(configFile, 'utf8'));
    config.projects[home.project].hasTrustDialogAccepted = true;
    fs.writeFileSync(configFile, JSON.stringify(config));
    const out = await runClient(claude, ['--bg', 'hello'], home.project, home.env);
    assert.match(out, /backgrounded/);

    const server = await until(
      'the background session to start its server',
      () => homeProcesses(home).find((p) => p.cmdline.includes(OUTLIVING_SCRIPT) && isAlive(p.pid)),
      120_000,
    );
    const worker = parentOf(server.pid);
    const ptyHost = parentOf(worker);
    const daemon = parentOf(ptyHost);
    // Its socket's folder, removed at the end: `<tmp>/cc-daemon-<uid>/<id>/{pty,spare}/<sock>`.
    const sock = argvOf(ptyHost)[argvOf(ptyHost).indexOf('--bg-pty-host') + 1] ?? '';
    if (/cc-daemon-\d+[/][0-9a-f]+[/]\w+[/][^/]+$/.test(sock)) daemonDir = path.dirname(path.dirname(sock));
    // The shape, as Claude Code runs it.
    const chain = [worker, ptyHost, daemon].map((p) => `${p}: ${argvOf(p).join(' ')}`).join('\n');
    // A spare worker the daemon keeps warm claims the session, or, with none ready, it starts one
    // for it (`claude.exe --session-id ID PROMPT`).
    assert.match(argvOf(worker).join(' '), /^(claude bg-spare --bg-spare |\S+\/claude\.exe --session-id )/, chain);
    assert.match(argvOf(ptyHost)[0], /^claude bg-pty-host$/, chain);
    assert.deepEqual(argvOf(daemon).slice(1, 3), ['daemon', 'run']);
    assert.match(argvOf(daemon)[0], /@anthropic-ai\/claude-code\/bin\/claude\.exe$/);
    assert.ok(daemonDir, `the daemon's folder from ${sock}`);

    const judged = async (what: string) => {
      const snap = await untilListed(home, [server.pid]);
      const [i] = only(snap, 'outl').instances.filter((x) => x.pid === server.pid);
      assert.equal(i.client.id, 'claude-code', what);
      assert.deepEqual(badVerdicts(i), [], `${what}: ${JSON.stringify(i.verdicts)}`);
      assert.deepEqual(await killDuplicatesPlanned(home, [server.pid]), [], what);
      return i;
    };
    const underDaemon = await judged('under the live daemon');
    assert.deepEqual(underDaemon.client.agentHost, { pid: daemon, name: 'Claude Code daemon', sessionPid: ptyHost });
    assert.equal(underDaemon.client.pid, daemon);

    // The daemon gone (as when an upgrade respawns it, or it crashes): its session runs on.
    signal(daemon, 'SIGKILL');
    await untilGone('the daemon to end', [daemon]);
    assert.ok(isAlive(worker) && isAlive(server.pid), 'the session and its server run on');
    const withoutDaemon = await judged('with the daemon gone');
    assert.equal(withoutDaemon.client.pid, worker);

    // The session's worker gone: the server it left (it ignores its stdin's end) is an orphan.
    signal(worker, 'SIGKILL');
    await untilGone('the worker to end', [worker]);
    const snap = await untilListed(home, [server.pid]);
    const [left] = only(snap, 'outl').instances.filter((x) => x.pid === server.pid);
    assert.deepEqual(
      left.verdicts.map((v) => v.kind),
      ['orphan'],
      JSON.stringify(left.verdicts),
    );
    assert.deepEqual(await killDuplicatesPlanned(home, [server.pid]), [server.pid]);
  });
});
