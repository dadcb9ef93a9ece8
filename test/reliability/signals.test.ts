import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Instance, Snapshot } from '../../src/core/base/model';
import { thisMachine } from '../../src/core/machine/live';
import { readProcessIdentity } from '../../src/core/pids/identity';
import { commandHash } from '../../src/core/pids/identity';
import { cli, cliAnswer } from '../integration/processes/support/harness';
import { processScenario, writeIdleScript } from './support';
import { until } from '../support/poll';
import { isAlive } from '../support/liveness';

/**
 * Which processes the CLI may signal when an action is aimed at it by a saved snapshot or by a
 * user-level entry that cannot tell its own processes from others: only what is re-identified
 * exactly, and only what the configs on disk (not the file) say the user trusts.
 */
describe('reliability: signals reach only processes re-identified and owned', function () {
  this.timeout(120_000);
  const scene = processScenario('lgsignals');

  async function identityOf(pid: number): Promise<{ pid: number; startTime: number; commandHash: string }> {
    const live = await until(`pid ${pid} to be readable`, () => readProcessIdentity(pid, thisMachine()));
    return { pid, startTime: live.startTime, commandHash: commandHash(live.commandLine) };
  }

  function writeJson(name: string, value: unknown): string {
    const file = path.join(scene.home, name);
    fs.writeFileSync(file, JSON.stringify(value));
    return file;
  }

  it('stop --from: a launcher named in launcherChain without its commandHash is left alone, the server is stopped', async () => {
    const app = writeIdleScript(path.join(scene.home, 'app.js'));
    // A client that spawned the server and goes on with its own work.
    const client = spawn(
      'python3',
      ['-c', `import subprocess,time; subprocess.Popen(['node', ${JSON.stringify(app)}]); time.sleep(60)`, scene.tag],
      { stdio: 'ignore' },
    );
    scene.started.push(client.pid!);
    const nodePid = await until('the server to start', async () => {
      const kids = fs.readFileSync(`/proc/${client.pid}/task/${client.pid}/children`, 'utf8').trim();
      const pid = kids ? Number(kids.split(/\s+/)[0]) : undefined;
      // Between fork and exec the child still shows Python's command line, which names the script
      // too: wait for node's own argv, or the identity read is the pre-exec one.
      const argv = pid === undefined ? [] : fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      return argv[0] === 'node' && argv[1] === app ? pid : undefined;
    });
    scene.started.push(nodePid);
    const server = await identityOf(nodePid);
    const launcher = await readProcessIdentity(client.pid!, thisMachine());
    const instance = {
      ...server,
      commandLine: `node ${app}`,
      verdicts: [],
      launcherChain: [{ pid: client.pid, startTime: launcher!.startTime, commandLine: 'npx x' }],
    };
    const file = writeJson('snapshot.json', { servers: [], notConfigured: [instance] });
    const r = await cli(scene.home, ['stop', String(nodePid), '--from', file, '--grace', '1']);
    // On a failure, say what became of both processes (a server gone before the stop, or a client that ended).
    const states = () =>
      [client.pid!, nodePid]
        .map((pid) => {
          try {
            return `pid ${pid}: ${fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.slice(0, 1)} ${fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ')}`;
          } catch {
            return `pid ${pid}: gone`;
          }
        })
        .join('; ');
    assert.equal(r.code, 0, `${r.stdout}${r.stderr}(${states()})`);
    assert.ok(isAlive(client.pid!), `the client pid ${client.pid} was signalled: ${r.stdout}`);
    assert.match(r.stdout, new RegExp(`launcher pid ${client.pid} left alone: .*no commandHash`));
    await until('the server to exit', async () => (isAlive(nodePid) ? undefined : true));
  });

  it('stop --from: an entry the file calls user-level but a workspace file defines is refused without --trust-workspace', async () => {
    const workspace = path.join(scene.home, 'cloned-repo');
    const app = writeIdleScript(path.join(workspace, 'server.js'));
    fs.writeFileSync(
      path.join(workspace, '.mcp.json'),
      JSON.stringify({ mcpServers: { ws: { command: 'node', args: [app] } } }),
    );
    const proc = spawn('node', [app], { stdio: 'ignore' });
    scene.started.push(proc.pid!);
    const self = await identityOf(proc.pid!);
    const forged = {
      servers: [
        {
          id: 'ws',
          name: 'ws',
          source: {
            client: 'vscode',
            scope: 'user',
            file: path.join(scene.home, '.config', 'Code', 'User', 'mcp.json'),
          },
          instances: [{ ...self, commandLine: `node ${app}`, launcherChain: [], verdicts: [] }],
        },
      ],
      notConfigured: [],
    };
    const r = await cli(scene.home, [
      'stop',
      String(proc.pid),
      '--from',
      writeJson('forged.json', forged),
      '--workspace',
      workspace,
      '--grace',
      '0.2',
    ]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.ok(isAlive(proc.pid!), `pid ${proc.pid} was signalled: ${r.stdout}`);
    assert.match(r.stderr, /--trust-workspace/);
  });

  it('stop --from: a server id no config defines now is untrusted; a real user-level entry is trusted', async () => {
    const app = writeIdleScript(path.join(scene.home, 'mine.js'));
    const configFile = scene.userConfig({ mine: { command: 'node', args: [app] } });
    const proc = spawn('node', [app], { stdio: 'ignore' });
    scene.started.push(proc.pid!);
    const self = await identityOf(proc.pid!);
    const instance = { ...self, commandLine: `node ${app}`, launcherChain: [], verdicts: [] };
    const source = { client: 'vscode', scope: 'user', file: configFile };
    const unknown = await cli(scene.home, [
      'stop',
      String(proc.pid),
      '--from',
      writeJson('a.json', { servers: [{ id: 'nowhere', name: 'x', source, instances: [instance] }] }),
      '--grace',
      '0.2',
    ]);
    assert.equal(unknown.code, 1, unknown.stdout + unknown.stderr);
    assert.ok(isAlive(proc.pid!), `pid ${proc.pid} was signalled: ${unknown.stdout}`);
    const status = JSON.parse((await cliAnswer(scene.home, ['status', '--json'])).stdout) as Snapshot;
    const id = status.servers.find((s) => s.name === 'mine')!.id;
    const known = await cli(scene.home, [
      'stop',
      String(proc.pid),
      '--from',
      writeJson('b.json', { servers: [{ id, name: 'mine', source: { scope: 'workspace' }, instances: [instance] }] }),
      '--grace',
      '0.2',
    ]);
    assert.equal(known.code, 0, known.stdout + known.stderr);
    await until('the process to exit', async () => (isAlive(proc.pid!) ? undefined : true));
  });

  it('kill-duplicates --from: a duplicate verdict without keep is refused by pid, never a crash', async () => {
    const sleeper = spawn('sleep', ['60'], { stdio: 'ignore' });
    scene.started.push(sleeper.pid!);
    const self = await identityOf(sleeper.pid!);
    const dup = { kind: 'duplicate', reason: 'older' };
    const file = writeJson('dup.json', {
      servers: [
        { id: 'x', name: 'x', instances: [{ ...self, commandLine: 'sleep 60', launcherChain: [], verdicts: [dup] }] },
      ],
      notConfigured: [],
    });
    for (const extra of [[], ['--yes']]) {
      const r = await cli(scene.home, [
        'kill-duplicates',
        '--from',
        file,
        '--trust-workspace',
        '--grace',
        '0.2',
        ...extra,
      ]);
      const out = r.stdout + r.stderr;
      assert.doesNotMatch(out, /Cannot read properties/);
      assert.match(out, new RegExp(`pid ${sleeper.pid}.*keep`));
      assert.ok(isAlive(sleeper.pid!), `pid ${sleeper.pid} was signalled: ${out}`);
    }
  });

  it('an HTTP entry: the detached process listening on its port is no orphan, and kill-duplicates --yes leaves it running', async () => {
    const info = path.join(scene.home, 'listener.json');
    const script = `import json,os,socket,time\ns=socket.socket(); s.bind(('127.0.0.1',0)); s.listen()\nopen(${JSON.stringify(info)}+'.tmp','w').write(json.dumps([os.getpid(), s.getsockname()[1]])); os.rename(${JSON.stringify(info)}+'.tmp', ${JSON.stringify(info)})\ntime.sleep(60)`;
    // Started through a shell that exits at once: the listener is adopted by init, as a daemon is.
    const sh = spawn(
      'sh',
      ['-c', 'setsid python3 -c "$1" "$2" </dev/null >/dev/null 2>&1 &', 'sh', script, scene.tag],
      { stdio: 'ignore', detached: true },
    );
    sh.unref();
    const [pid, port] = await until('the listener', async () =>
      fs.existsSync(info) ? (JSON.parse(fs.readFileSync(info, 'utf8')) as [number, number]) : undefined,
    );
    scene.started.push(pid);
    scene.userConfig({ mine: { type: 'http', url: `http://127.0.0.1:${port}/mcp` } });
    const status = JSON.parse((await cliAnswer(scene.home, ['status', '--json'])).stdout) as Snapshot;
    const instances: Instance[] = status.servers.find((s) => s.name === 'mine')!.instances;
    assert.deepEqual(
      instances.map((i) => i.pid),
      [pid],
    );
    assert.deepEqual(
      instances[0].verdicts.filter((v) => v.kind === 'orphan'),
      [],
    );
    const r = await cli(scene.home, ['kill-duplicates', '--yes', '--grace', '0.2']);
    assert.ok(isAlive(pid), `the listener was signalled: ${r.stdout}`);
  });

  it('an entry with a relative script and no cwd claims node app.js of other folders only as owner-undecided, and never stops them', async () => {
    scene.userConfig({ napp: { command: 'node', args: ['app.js'] } });
    const pids: number[] = [];
    for (const [dir, flags] of [
      ['a', []],
      ['b', ['--max-old-space-size=100']],
    ] as const) {
      const cwd = path.join(scene.home, dir);
      writeIdleScript(path.join(cwd, 'app.js'));
      const p = spawn('node', [...flags, 'app.js'], { cwd, stdio: 'ignore' });
      scene.started.push(p.pid!);
      pids.push(p.pid!);
      await identityOf(p.pid!);
    }
    const status = JSON.parse((await cliAnswer(scene.home, ['status', '--json'])).stdout) as Snapshot;
    const listed = status.servers.find((s) => s.name === 'napp')!.instances.filter((i) => pids.includes(i.pid));
    assert.equal(listed.length, 2, 'status still lists both');
    for (const i of listed) {
      const v = i.verdicts.find((x) => x.kind === 'unknown' && x.question === 'owner');
      assert.ok(
        v && v.kind === 'unknown' && /no cwd/.test(v.reason) && /relative/.test(v.reason),
        JSON.stringify(i.verdicts),
      );
    }
    const r = await cli(scene.home, ['kill-duplicates', 'napp', '--yes', '--grace', '0.2']);
    for (const pid of pids) assert.ok(isAlive(pid), `pid ${pid} was signalled: ${r.stdout}${r.stderr}`);
  });
});
