import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Instance, Snapshot } from '../../../src/core/base/model';
import {
  claudeDesktopConfig,
  cli,
  clientApp,
  FakeClient,
  server,
  startFakeClient,
  statusJson,
} from './support/harness';
import { until } from '../../support/poll';
import { isAlive, killAll } from '../../support/liveness';

/** Every pid a snapshot lists: as an instance of any entry, in its launcher chain, or as not configured. */
function listedPids(s: Snapshot): { claimed: Map<number, string[]>; loose: number[] } {
  const claimed = new Map<number, string[]>();
  for (const sv of s.servers) {
    for (const i of sv.instances)
      for (const pid of [i.pid, ...i.launcherChain.map((c) => c.pid)])
        claimed.set(pid, [...(claimed.get(pid) ?? []), sv.name]);
  }
  return { claimed, loose: s.notConfigured.map((i) => i.pid) };
}

const undecided = (i: Instance): boolean => i.verdicts.some((v) => v.kind === 'unknown' && v.question === 'owner');

/** A user other than us, made once (root only): another user's processes are never ours. */
function otherUser(): string | undefined {
  if (process.getuid?.() !== 0) return undefined;
  try {
    execFileSync('id', ['lgstranger'], { stdio: 'ignore' });
  } catch {
    try {
      execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', 'lgstranger'], {
        stdio: 'ignore',
      });
    } catch {
      return undefined;
    }
  }
  return 'lgstranger';
}

/**
 * Whose process is it, with real processes started as the OS runs them: shell-wrapped launches are
 * read as the shell runs them, a watcher's server is its current child, and strangers running the
 * same package or script from other homes, folders and users are never claimed.
 */
describe('attribution (integration): an entry claims only the processes that run its code', function () {
  this.timeout(120_000);
  const started: number[] = [];
  let home: string;
  let tag: string;
  let idle: string;

  before(function () {
    if (process.platform !== 'linux') this.skip();
  });

  beforeEach(() => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'lg-attr-'));
    fs.chmodSync(home, 0o755); // another user's process must be able to run the stranger's script
    tag = `--lg-tag=${path.basename(home)}`;
    idle = 'process.stdin.resume(); setTimeout(() => process.exit(0), 110000);\n';
  });

  afterEach(async () => {
    await killAll(started.splice(0), path.basename(home));
    fs.rmSync(home, { recursive: true, force: true });
  });

  /** A script file that idles (a server stand-in at a real path: argv, exe and cwd are real). */
  function script(rel: string): string {
    const file = path.join(home, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o755 });
    fs.writeFileSync(file, idle, { mode: 0o755 });
    return file;
  }

  function userConfig(servers: Record<string, unknown>): void {
    const file = path.join(home, '.config', 'Code', 'User', 'mcp.json');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify({ servers }));
  }

  /** Claude Desktop's entry `notes`: an idle script with its data file in env (what Wrap and Unwrap rewrite). */
  function notesInClaudeDesktop(): {
    file: string;
    entry: { command: string; args: string[]; env: Record<string, string> };
    desktop: string;
  } {
    const file = script('srv/notes.js');
    const data = path.join(home, 'notes.json');
    const entry = { command: process.execPath, args: [file, tag], env: { NOTES_FILE: data } };
    return { file, entry, desktop: claudeDesktopConfig(home, { notes: entry }) };
  }

  it("shell-wrapped launches (cd &&, exec, VAR=x, a pipeline, script -qfc) are their entry's; the same script in other folders is not", async () => {
    const app = script('proj/app/server.js');
    const other = script('elsewhere/app/server.js');
    const abs = script('proj/abs/mcp-server.js');
    userConfig({
      cdChain: { command: 'bash', args: ['-c', `cd ${path.dirname(app)} && node server.js ${tag}`] },
      execd: { command: 'sh', args: ['-c', `exec node ${abs} ${tag} --execd`] },
      assigned: { command: 'sh', args: ['-c', `VAR=x node ${abs} ${tag} --assigned`] },
      piped: { command: 'sh', args: ['-c', `cat | node ${abs} ${tag} --piped`] },
      scripted: { command: 'script', args: ['-qfc', `node ${abs} ${tag} --scripted`, '/dev/null'] },
    });
    const own: FakeClient[] = [];
    own.push(
      await startFakeClient(
        { command: 'bash', args: ['-c', `cd ${path.dirname(app)} && node server.js ${tag}`], cwd: home },
        started,
      ),
    );
    own.push(
      await startFakeClient({ command: 'sh', args: ['-c', `exec node ${abs} ${tag} --execd`], cwd: home }, started),
    );
    own.push(
      await startFakeClient({ command: 'sh', args: ['-c', `VAR=x node ${abs} ${tag} --assigned`], cwd: home }, started),
    );
    own.push(
      await startFakeClient({ command: 'sh', args: ['-c', `cat | node ${abs} ${tag} --piped`], cwd: home }, started),
    );
    // util-linux script(1) with its letters on one dash, as terminal-session wrappers write it.
    own.push(
      await startFakeClient(
        { command: 'script', args: ['-qfc', `node ${abs} ${tag} --scripted`, '/dev/null'], cwd: home },
        started,
      ),
    );
    // Strangers: the same command line in another folder, run directly and through a shell.
    const strangers: FakeClient[] = [];
    strangers.push(
      await startFakeClient({ command: 'node', args: ['server.js', tag], cwd: path.dirname(other) }, started),
    );
    strangers.push(
      await startFakeClient(
        { command: 'bash', args: ['-c', `cd ${path.dirname(other)} && node server.js ${tag}`], cwd: home },
        started,
      ),
    );

    const OWN = ['cdChain', 'execd', 'assigned', 'piped', 'scripted'];
    const snap = await until('every own launch to be listed', async () => {
      const s = await statusJson(home);
      return OWN.every((n) => server(s, n).instances.length === 1) ? s : undefined;
    });
    for (const [i, name] of OWN.entries()) {
      const [inst] = server(snap, name).instances;
      assert.ok(!undecided(inst), `${name}: proven, not undecided: ${JSON.stringify(inst.verdicts)}`);
      assert.match(
        inst.commandLine,
        /^node /,
        `${name}: the instance is the node server, not its shell: ${inst.commandLine}`,
      );
      const launched = own[i].servers[0];
      assert.ok(
        inst.pid === launched || inst.launcherChain.some((c) => c.pid === launched),
        `${name}: the process its client started (${launched}) leads to it`,
      );
    }
    const { claimed } = listedPids(snap);
    for (const s of strangers) {
      for (const pid of s.servers)
        assert.equal(
          claimed.get(pid),
          undefined,
          `stranger pid ${pid} is no entry's: ${JSON.stringify(claimed.get(pid))}`,
        );
    }
  });

  it("the same bin from another home's npx cache, started as sh -c 'bin', is not claimed by an entry naming this project's bin", async () => {
    const ours = script('proj/node_modules/@acme/mcp-srv/dist/index.js');
    const bin = path.join(home, 'proj', 'node_modules', '.bin', 'acme-mcp-srv');
    fs.mkdirSync(path.dirname(bin), { recursive: true });
    fs.symlinkSync(path.relative(path.dirname(bin), ours), bin);
    const theirs = script('otherhome/.npm/_npx/0a1b2c3d/node_modules/@acme/mcp-srv/dist/index.js');
    const theirBin = path.join(home, 'otherhome', '.npm', '_npx', '0a1b2c3d', 'node_modules', '.bin');
    fs.mkdirSync(theirBin, { recursive: true });
    fs.writeFileSync(path.join(theirBin, 'acme-mcp-srv'), `#!${process.execPath}\n${idle}`, { mode: 0o755 });
    userConfig({ acme: { command: process.execPath, args: [bin, tag] } });
    const mine = await startFakeClient({ command: process.execPath, args: [bin, tag], cwd: home }, started);
    const stranger = await startFakeClient(
      {
        command: 'sh',
        args: ['-c', `acme-mcp-srv ${tag}`],
        cwd: home,
        env: { PATH: `${theirBin}:${process.env.PATH}`, HOME: path.join(home, 'otherhome') },
      },
      started,
    );
    void theirs;
    const snap = await until("the entry's own process to be listed", async () => {
      const s = await statusJson(home);
      return server(s, 'acme').instances.some((i) => i.pid === mine.servers[0]) ? s : undefined;
    });
    const acme = server(snap, 'acme');
    assert.deepEqual(
      acme.instances.map((i) => i.pid),
      [mine.servers[0]],
      `only the entry's own process: ${JSON.stringify(acme.instances.map((i) => [i.pid, i.commandLine]))}`,
    );
    assert.ok(!undecided(acme.instances[0]));
    const { claimed } = listedPids(snap);
    assert.equal(claimed.get(stranger.servers[0]), undefined, "the stranger's sh is no entry's");
  });

  it("the same script with the same env, started by a client of another home, is not claimed; the account's home's is", async () => {
    const srv = script('shared/server.js');
    const env = { MEMORY_FILE_PATH: path.join(home, 'kb.json') };
    userConfig({ kb: { command: process.execPath, args: [srv, tag], env } });
    // This account's client (the runner's HOME, the account's own) and another home's, alike but for HOME.
    const mine = await startFakeClient({ command: process.execPath, args: [srv, tag], env, cwd: home }, started);
    const theirs = await startFakeClient(
      { command: process.execPath, args: [srv, tag], env: { ...env, HOME: path.join(home, 'otherhome') }, cwd: home },
      started,
    );
    const snap = await until("this account's process to be listed", async () => {
      const s = await statusJson(home);
      return listedPids(s).claimed.has(mine.servers[0]) ? s : undefined;
    });
    const kb = server(snap, 'kb');
    assert.deepEqual(
      kb.instances.map((i) => i.pid),
      [mine.servers[0]],
      `only this account's process: ${JSON.stringify(kb.instances.map((i) => [i.pid, i.verdicts]))}`,
    );
    assert.ok(!kb.instances[0].verdicts.some((v) => v.kind === 'duplicate' || v.kind === 'sameData'));
    const plan = await cli(home, ['kill-duplicates', '--json']);
    assert.doesNotMatch(
      plan.stdout,
      new RegExp(`\\b${theirs.servers[0]}\\b`),
      "the other home's process is never offered",
    );
  });

  it("node --watch: the instance is the watcher's current child, and a reload is a new start", async () => {
    const file = script('proj/watched/server.js');
    userConfig({ watched: { command: process.execPath, args: ['--watch', file, tag] } });
    const client = await startFakeClient(
      { command: process.execPath, args: ['--watch', file, tag], cwd: home },
      started,
    );
    const first = await until("the watched server's child", async () => {
      const [i] = server(await statusJson(home), 'watched').instances;
      return i && i.pid !== client.servers[0] ? i : undefined;
    });
    assert.equal(first.launcherChain[0]?.pid, client.servers[0], 'the watcher is a launcher above the server');
    assert.doesNotMatch(first.commandLine, /--watch/, 'the instance is the child node runs, not the watcher');
    assert.ok(!undecided(first));
    // A save: node restarts its child. A save node's watcher was not yet set up to see is saved
    // again, each look, until a new child runs.
    let saves = 0;
    const second = await until('a new child after the save', async () => {
      fs.writeFileSync(file, `${idle}// saved ${++saves}\n`);
      const [i] = server(await statusJson(home), 'watched').instances;
      return i && i.pid !== first.pid && i.pid !== client.servers[0] ? i : undefined;
    });
    assert.ok((second.startTime ?? 0) > (first.startTime ?? 0), 'the reload is a new start');
    assert.equal(server(await statusJson(home), 'watched').instances.length, 1);
  });

  it("another user's process running the entry's very script is never one of this user's instances", async function () {
    const user = otherUser();
    if (!user) this.skip();
    const file = script('shared/mcp-server.js');
    userConfig({ shared: { command: process.execPath, args: [file, tag] } });
    // The other user must reach the script: the run's private temp folder lets others pass (not list) for this test.
    const runTemp = os.tmpdir();
    const mode = fs.statSync(runTemp).mode & 0o777;
    fs.chmodSync(runTemp, mode | 0o711);
    let snap: Snapshot;
    let theirs: FakeClient;
    let mine: FakeClient;
    try {
      mine = await startFakeClient({ command: process.execPath, args: [file, tag], cwd: home }, started);
      theirs = await startFakeClient(
        {
          command: 'setpriv',
          args: [`--reuid=${user}`, `--regid=${user}`, '--clear-groups', process.execPath, file, tag],
          cwd: '/',
        },
        started,
      );
      snap = await until('our own instance, and theirs running as the other user', async () => {
        const s = await statusJson(home);
        const uid = /^Uid:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${theirs.servers[0]}/status`, 'utf8'))?.[1];
        return server(s, 'shared').instances.length > 0 && uid !== undefined && Number(uid) !== process.getuid?.()
          ? s
          : undefined;
      });
    } finally {
      fs.chmodSync(runTemp, mode);
    }
    // It really runs the entry's script (it did not fail to start).
    assert.ok(
      fs.readFileSync(`/proc/${theirs.servers[0]}/cmdline`, 'utf8').includes(file),
      'the other user runs the same script',
    );
    const { claimed, loose } = listedPids(snap);
    assert.deepEqual(
      server(snap, 'shared').instances.map((i) => i.pid),
      [mine.servers[0]],
    );
    assert.equal(claimed.get(theirs.servers[0]), undefined, "another user's process is no entry's instance");
    assert.ok(!loose.includes(theirs.servers[0]), 'nor listed as ours under Not configured');
    assert.ok(
      !server(snap, 'shared').instances.some((i) => i.verdicts.some((v) => v.kind === 'duplicate')),
      'and never makes ours a duplicate',
    );
  });

  it("after Wrap with Guard, the old unguarded process of Claude Desktop's entry stays under that entry, not under other clients' entries of the same command", async () => {
    const file = script('srv/mcp-server.js');
    const command = [process.execPath, file, tag];
    // Claude Desktop's entry is wrapped; VS Code's and Cursor's run the same command unwrapped.
    const wrapped = {
      command: path.join(home, 'bin', 'mcp-lifeguard'),
      args: ['run', '--name', 'notes', '--', ...command],
    };
    claudeDesktopConfig(home, { notes: wrapped });
    const cursor = path.join(home, '.cursor', 'mcp.json');
    fs.mkdirSync(path.dirname(cursor), { recursive: true });
    fs.writeFileSync(
      cursor,
      JSON.stringify({ mcpServers: { notes: { command: command[0], args: command.slice(1) } } }),
    );
    userConfig({ notes: { command: command[0], args: command.slice(1) } });
    // Claude Desktop (a process of that name) still runs the server it started before the wrap.
    const app = clientApp(home);
    const client = await startFakeClient({ command: command[0], args: command.slice(1), cwd: home, app }, started);
    const snap = await until('the old process listed', async () => {
      const s = await statusJson(home);
      return s.servers.some((sv) => sv.instances.some((i) => i.pid === client.servers[0])) ? s : undefined;
    });
    const owners = snap.servers
      .filter((sv) => sv.instances.some((i) => i.pid === client.servers[0]))
      .map((sv) => sv.source.client);
    assert.deepEqual(owners, ['claude-desktop'], `listed under: ${JSON.stringify(owners)}`);
    const inst = snap.servers.find((sv) => sv.source.client === 'claude-desktop')!.instances[0];
    assert.equal(inst.client.id, 'claude-desktop');
    for (const sv of snap.servers.filter((x) => x.source.client !== 'claude-desktop'))
      assert.deepEqual(sv.instances, [], `${sv.source.client}'s entry lists none`);
  });

  it('after the real `wrap --share --install-guard` (the entry names the installed guard), the process its client started before keeps its entry, judged as before: an edit under it is counted, and status says which client to restart', async () => {
    const { file, entry, desktop } = notesInClaudeDesktop();
    const app = clientApp(home);
    const client = await startFakeClient({ ...entry, cwd: home, app }, started);
    await until(
      'the process listed under notes',
      async () =>
        server(await statusJson(home), 'notes').instances.some((i) => i.pid === client.servers[0]) || undefined,
    );
    const wrap = await cli(home, ['wrap', 'notes', '--share', '--install-guard', '--yes']);
    assert.equal(wrap.code, 0, wrap.stderr);
    const written = (
      JSON.parse(fs.readFileSync(desktop, 'utf8')) as { mcpServers: Record<string, { command: string }> }
    ).mcpServers.notes;
    assert.match(written.command, /[/\\]bin[/\\]mcp-lifeguard$/, 'the entry names the installed launcher');
    const after = await statusJson(home);
    const notes = server(after, 'notes');
    assert.deepEqual(
      notes.instances.map((i) => i.pid),
      [client.servers[0]],
      `still its entry's after the wrap (not configured: ${JSON.stringify(after.notConfigured.map((i) => i.pid))})`,
    );
    assert.equal(notes.instances[0].lock, undefined, 'not guarded: its client has not started it again');
    assert.equal(
      notes.installed?.state === 'installed' ? notes.installed.name : notes.installed?.state,
      'notes.js',
      'the INSTALLED column is the server the guard runs',
    );
    const pending = (after as Snapshot & { guardPending?: Array<{ pid: number; client: string; nextStep: string }> })
      .guardPending;
    assert.deepEqual(
      pending?.map((p) => [p.pid, p.client]),
      [[client.servers[0], 'Claude Desktop']],
    );
    assert.match(pending![0].nextStep, /^Claude Desktop: quit it/);
    const text = await cli(home, ['status']);
    assert.match(text.stdout, /Wrapped, not guarded yet \(1\)/);
    // Its code edited under it: still judged, and counted.
    fs.appendFileSync(file, '// edited\n');
    const changed = await until('the edit judged', async () => {
      const [i] = server(await statusJson(home, { MCP_LIFEGUARD_SETTLE_MS: '0' }), 'notes').instances;
      return i?.versions?.verdict.state === 'changed' ? i : undefined;
    });
    assert.equal(changed.pid, client.servers[0]);
  });

  it('after the real `unwrap` (the entry runs its command bare again), the guarded process its client started before keeps its entry, guarded, judged as before: an edit under it is counted, and status says which client to restart', async () => {
    const { file, entry, desktop } = notesInClaudeDesktop();
    const wrap = await cli(home, ['wrap', 'notes', '--install-guard', '--yes']);
    assert.equal(wrap.code, 0, wrap.stderr);
    const written = (
      JSON.parse(fs.readFileSync(desktop, 'utf8')) as {
        mcpServers: Record<string, { command: string; args: string[]; env: Record<string, string> }>;
      }
    ).mcpServers.notes;
    // Claude Desktop starts the wrapped entry: the installed guard, running the server under its lock.
    const app = clientApp(home);
    const client = await startFakeClient(
      { command: written.command, args: written.args, env: written.env, cwd: home, app },
      started,
    );
    // Listed, guarded, and the same process on two looks in a row (the guard has settled on its server).
    let last: number | undefined;
    const guarded = await until('the guarded process listed under notes', async () => {
      const [i] = server(await statusJson(home), 'notes').instances;
      const seen = last;
      last = i?.lock !== undefined ? i.pid : undefined;
      return i?.lock !== undefined && i.pid === seen ? i : undefined;
    });
    started.push(guarded.pid);
    const unwrap = await cli(home, ['unwrap', 'notes', '--yes']);
    assert.equal(unwrap.code, 0, unwrap.stderr);
    assert.deepEqual(JSON.parse(fs.readFileSync(desktop, 'utf8')), { mcpServers: { notes: entry } }, 'unwrapped');
    const after = await statusJson(home);
    const notes = server(after, 'notes');
    assert.deepEqual(
      notes.instances.map((i) => i.pid),
      [guarded.pid],
      `still its entry's after the unwrap (not configured: ${JSON.stringify(after.notConfigured.map((i) => i.pid))})`,
    );
    assert.equal(notes.instances[0].client.id, 'claude-desktop');
    assert.ok(notes.instances[0].lock, 'still under its guard: its client has not started it again');
    assert.ok(!after.notConfigured.some((i) => i.pid === guarded.pid), 'not listed as not configured');
    const pending = (
      after as Snapshot & { guardPending?: Array<{ pid: number; client: string; guarded: boolean; nextStep: string }> }
    ).guardPending;
    assert.deepEqual(
      pending?.map((p) => [p.pid, p.client, p.guarded]),
      [[guarded.pid, 'Claude Desktop', true]],
    );
    assert.match(pending![0].nextStep, /^Claude Desktop: quit it/);
    const text = await cli(home, ['status']);
    assert.match(
      text.stdout,
      new RegExp(`Unwrapped, still guarded \\(1\\).*\\n  notes \\(pid ${guarded.pid}\\): Claude Desktop: quit it`),
    );
    assert.doesNotMatch(text.stdout, new RegExp(`Not configured[^]*\\b${guarded.pid}\\b`));
    // Its code edited under it: still judged, and counted.
    fs.appendFileSync(file, '// edited\n');
    const changed = await until('the edit judged', async () => {
      const [i] = server(await statusJson(home, { MCP_LIFEGUARD_SETTLE_MS: '0' }), 'notes').instances;
      return i?.versions?.verdict.state === 'changed' ? i : undefined;
    });
    assert.equal(changed.pid, guarded.pid);
    assert.ok(client.client > 0);
    // `stop PID` from that row: the guard its entry no longer names is part of the launch, so it ends
    // with its server (re-identified); stopped alone, the server was started again by the guard.
    const [guard] = changed.launcherChain;
    assert.ok(guard && /\brun\b/.test(guard.commandLine), JSON.stringify(changed.launcherChain));
    const stop = await cli(home, ['stop', String(guarded.pid)]);
    assert.equal(stop.code, 0, `${stop.stdout}\n${stop.stderr}`);
    assert.ok(!isAlive(guarded.pid), 'the server is gone');
    assert.ok(!isAlive(guard.pid), 'its guard is gone too');
    assert.deepEqual(server(await statusJson(home), 'notes').instances, [], 'nothing started it again');
  });

  it('launchers that run another program (env -u -C, nice, ionice, stdbuf, timeout, setsid, nohup, script -c) are walked through to the server', async () => {
    const app = script('proj/app/server.js');
    const abs = script('proj/abs/mcp-server.js');
    const launches: Record<string, string[]> = {
      envC: ['env', '-u', 'NODE_OPTIONS', '-C', path.dirname(app), process.execPath, 'server.js', tag, '--envC'],
      nice: ['nice', '-n', '5', process.execPath, abs, tag, '--nice'],
      ionice: ['ionice', '-c', '3', process.execPath, abs, tag, '--ionice'],
      stdbuf: ['stdbuf', '-oL', process.execPath, abs, tag, '--stdbuf'],
      timeout: ['timeout', '-k', '5', '1h', process.execPath, abs, tag, '--timeout'],
      setsid: ['setsid', process.execPath, abs, tag, '--setsid'],
      nohup: ['nohup', process.execPath, abs, tag, '--nohup'],
      script: ['script', '-q', '-c', `${process.execPath} ${abs} ${tag} --script`, '/dev/null'],
    };
    userConfig(
      Object.fromEntries(
        Object.entries(launches).map(([name, argv]) => [name, { command: argv[0], args: argv.slice(1) }]),
      ),
    );
    const clients: Record<string, FakeClient> = {};
    for (const [name, argv] of Object.entries(launches))
      clients[name] = await startFakeClient({ command: argv[0], args: argv.slice(1), cwd: home }, started);
    const snap = await until("every launcher's server listed as its node process", async () => {
      const s = await statusJson(home);
      return Object.keys(launches).every((n) =>
        server(s, n).instances.some((i) => /^node /.test(i.commandLine) || i.commandLine.startsWith(process.execPath)),
      )
        ? s
        : undefined;
    });
    for (const name of Object.keys(launches)) {
      const list = server(snap, name).instances;
      assert.equal(list.length, 1, `${name}: ${JSON.stringify(list.map((i) => i.commandLine))}`);
      const [inst] = list;
      assert.match(
        inst.commandLine,
        new RegExp(`--${name}\\b`),
        `${name}: the instance is the server: ${inst.commandLine}`,
      );
      assert.ok(
        !/^(env|nice|ionice|stdbuf|timeout|setsid|nohup|script) /.test(inst.commandLine),
        `${name}: not the launcher: ${inst.commandLine}`,
      );
      assert.ok(!undecided(inst), `${name}: ${JSON.stringify(inst.verdicts)}`);
      const launched = clients[name].servers[0];
      assert.ok(
        inst.pid === launched || inst.launcherChain.some((c) => c.pid === launched),
        `${name}: its client's launch (${launched}) leads to it`,
      );
    }
  });
});
