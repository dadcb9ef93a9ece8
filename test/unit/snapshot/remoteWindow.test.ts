import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import type { Snapshot, WatchedMachine } from '../../../src/core/base/model';
import type { ProcessInfo } from '../../../src/core/pids/table';
import { takeSnapshot } from '../../../src/core/snapshot/engine';
import { watchedMachine } from '../../../src/core/snapshot/sides';
import { OWN_UID, testMachine } from '../../support/machines';
import { npmPackage, tempDir, write } from '../versions/layouts';

/**
 * A WSL window's snapshot, taken where its extension runs: on the remote. VS Code runs the window's
 * user servers on the local machine, the remote's own user file's and the workspace's on the
 * remote. A process of the remote's table that runs a user entry's code is not that entry's: the
 * entry is listed as running elsewhere, never matched, never judged, never in a launch group.
 */
describe('snapshot: a remote window', () => {
  const START = Date.now() - 3600_000;

  function setup() {
    const home = tempDir();
    const notes = path.join(npmPackage(path.join(home, 'app', 'node_modules'), 'notes', '1.0.0'), 'dist', 'index.js');
    const memory = path.join(npmPackage(path.join(home, 'app', 'node_modules'), 'memory', '2.0.0'), 'dist', 'index.js');
    const project = path.join(home, 'project');
    write(path.join(project, '.vscode', 'mcp.json'), JSON.stringify({ servers: {} }));
    // The user file VS Code reads for user-scope servers, and the remote's own user file.
    const userFile = write(
      path.join(home, '.config', 'Code', 'User', 'mcp.json'),
      JSON.stringify({
        servers: {
          notes: { command: process.execPath, args: [notes] },
          memory: { command: process.execPath, args: [memory] },
        },
      }),
    );
    const remoteFile = write(
      path.join(home, '.vscode-server', 'data', 'User', 'mcp.json'),
      JSON.stringify({ servers: { memory: { command: process.execPath, args: [memory] } } }),
    );
    const host = {
      home,
      platform: 'linux' as const,
      env: {
        PATH: path.dirname(process.execPath),
        MCP_LIFEGUARD_HOME: path.join(home, 'lg'),
        WSL_DISTRO_NAME: 'Ubuntu',
      },
    };
    const serverNode = path.join(home, '.vscode-server', 'bin', 'abc', 'node');
    // The remote's table: VS Code Server's extension host, and a process running each server's code.
    const processes: ProcessInfo[] = [
      {
        pid: 3000,
        ppid: 1,
        argv: [
          serverNode,
          path.join(home, '.vscode-server', 'bin', 'abc', 'out', 'bootstrap-fork'),
          '--type=extensionHost',
        ],
        startTime: START - 5000,
        uid: OWN_UID,
      },
      { pid: 3101, ppid: 3000, argv: [process.execPath, notes], startTime: START, uid: OWN_UID },
      { pid: 3102, ppid: 3000, argv: [process.execPath, memory], startTime: START, uid: OWN_UID },
    ];
    return { home, project, host, processes, userFile, remoteFile };
  }

  async function take(o: ReturnType<typeof setup>, watching?: WatchedMachine): Promise<Snapshot> {
    return takeSnapshot({
      host: o.host,
      machine: testMachine({ host: o.host, processes: o.processes, selfPid: 1 }),
      engine: { registry: false, docker: false },
      workspaceFolders: [o.project],
      ...(watching ? { watching } : {}),
    });
  }

  it("which machine a window watches, from VS Code's remoteName", () => {
    const host = { home: '/home/u', platform: 'linux' as const, env: { WSL_DISTRO_NAME: 'Debian' } };
    assert.deepEqual(watchedMachine(undefined, host, 'desk'), { kind: 'local' });
    assert.deepEqual(watchedMachine('wsl', host, 'desk'), { kind: 'remote', remote: 'wsl', name: 'Debian' });
    assert.deepEqual(watchedMachine('ssh-remote', host, 'build-box'), {
      kind: 'remote',
      remote: 'ssh-remote',
      name: 'build-box',
    });
    // A container's host name is its id: no name.
    assert.deepEqual(watchedMachine('dev-container', host, '3f2a9c'), { kind: 'remote', remote: 'dev-container' });
    // code-server and serve-web: the authority is the server's address, and the server is this machine.
    assert.deepEqual(watchedMachine('localhost:8080', host, 'desk'), { kind: 'local' });
    assert.deepEqual(watchedMachine('code.example.com', host, 'desk'), { kind: 'local' });
  });

  const entry = (snap: Snapshot, name: string, file: string) =>
    snap.servers.find((s) => s.name === name && s.source.file === file)!;
  const pids = (snap: Snapshot, name: string, file: string) => entry(snap, name, file).instances.map((i) => i.pid);

  it('on this machine (the CLI, a local window) the user entries claim the processes that run their code', async () => {
    const o = setup();
    const snap = await take(o);
    assert.deepEqual(pids(snap, 'notes', o.userFile), [3101]);
    assert.equal(entry(snap, 'notes', o.userFile).elsewhere, undefined);
    assert.equal(snap.machine, undefined, 'a local snapshot says nothing of a machine');
    assert.ok(
      snap.launchGroups.some((g) => g.serverIds.includes(entry(snap, 'memory', o.userFile).id)),
      'the user and remote memory entries are one server configured twice',
    );
  });

  it('from WSL: the user entries are listed as running on the local machine, with no instance, no verdict and no launch group', async () => {
    const o = setup();
    const watching = watchedMachine('wsl', o.host, 'desk');
    assert.deepEqual(watching, { kind: 'remote', remote: 'wsl', name: 'Ubuntu' });
    const snap = await take(o, watching);
    assert.deepEqual(snap.machine, watching);

    for (const name of ['notes', 'memory']) {
      const user = entry(snap, name, o.userFile);
      assert.deepEqual(user.elsewhere, { on: 'local-machine' }, name);
      assert.deepEqual(user.instances, [], `${name}: the remote's process is not the local user entry's`);
      assert.equal(user.installed, undefined, `${name}: what is installed here is not what the local machine runs`);
    }
    // The remote's own user file runs here: its entry claims its process, as before.
    assert.deepEqual(pids(snap, 'memory', o.remoteFile), [3102]);
    assert.equal(entry(snap, 'memory', o.remoteFile).elsewhere, undefined);
    assert.ok(
      !snap.launchGroups.some((g) => g.serverIds.includes(entry(snap, 'memory', o.userFile).id)),
      JSON.stringify(snap.launchGroups),
    );
    // No entry of this machine claims the notes process either.
    assert.ok(!snap.servers.some((s) => s.instances.some((i) => i.pid === 3101)));
    // The entries keep the source table's order (the user file's group before the remote's).
    const order = snap.servers.map((s) => s.source.file);
    assert.ok(order.indexOf(o.userFile) < order.indexOf(o.remoteFile), order.join(', '));
  });
});
