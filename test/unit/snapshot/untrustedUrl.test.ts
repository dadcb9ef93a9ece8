import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import type { Snapshot } from '../../../src/core/base/model';
import type { Machine, ServerInfoAnswer } from '../../../src/core/machine/types';
import type { ProcessInfo } from '../../../src/core/pids/table';
import { takeSnapshot } from '../../../src/core/snapshot/engine';
import { OWN_UID, testMachine } from '../../support/machines';
import { makeTempDir } from '../../support/temp';
import { write } from '../versions/layouts';

/**
 * A URL only an untrusted workspace names is never requested, and what listens on its port is not
 * its server: the workspace's word is all that ties them, and the port may be any of the user's own
 * services. A listener is an entry's instance only when the process holding the socket is proven
 * to be the one the process table lists; answering the probe proves nothing.
 */
describe('snapshot: a URL entry of an untrusted workspace', () => {
  const PORT = 18_765;
  const START = Date.now() - 3600_000;
  // The user's own local service, which has nothing to do with the workspace.
  const service: ProcessInfo = {
    pid: 5100,
    ppid: 1,
    argv: ['/usr/bin/python3', '/opt/admin/service.py'],
    startTime: START,
    uid: OWN_UID,
  };

  function setup(entry: Record<string, unknown>) {
    const home = makeTempDir('lg-untrusted-url-');
    const project = path.join(home, 'cloned-repo');
    const config = write(path.join(project, '.vscode', 'mcp.json'), JSON.stringify({ servers: { repoApi: entry } }));
    const host = { home, platform: 'linux' as const, env: { PATH: '', MCP_LIFEGUARD_HOME: path.join(home, 'lg') } };
    const asked: string[] = [];
    // Every serverInfo request the engine makes goes through the Machine: counted, and answered as a server would.
    const serverInfo = async (url: string): Promise<ServerInfoAnswer> => {
      asked.push(url);
      return { ok: true, name: 'admin-service', version: '9.9.9', era: 'legacy', how: `initialize at ${url}` };
    };
    const machine = testMachine({ host, processes: [service], listening: { [PORT]: service.pid }, serverInfo });
    return { host, project, config, asked, machine };
  }

  const take = (o: ReturnType<typeof setup>, workspaceTrusted?: boolean, machine: Machine = o.machine) =>
    takeSnapshot({
      host: o.host,
      machine,
      engine: { registry: false, docker: false },
      workspaceFolders: [o.project],
      ...(workspaceTrusted !== undefined ? { workspaceTrusted } : {}),
    });

  const repoApi = (s: Snapshot) => s.servers.find((x) => x.name === 'repoApi')!;

  for (const transport of ['http', 'sse'] as const) {
    it(`${transport}: no serverInfo request, no instance, and a note naming the entry's file and line`, async () => {
      const o = setup({ type: transport, url: `http://127.0.0.1:${PORT}/admin/delete?confirm=yes` });
      const snap = await take(o);
      assert.deepEqual(o.asked, [], 'the workspace URL is never requested');
      assert.deepEqual(repoApi(snap).instances, [], 'the service on the port is not the entry’s instance');
      assert.equal(repoApi(snap).listener?.state, 'unknown');
      const note = snap.diagnostics.find((d) => d.file === o.config);
      assert.ok(note, JSON.stringify(snap.diagnostics));
      assert.equal(note.severity, 'info');
      assert.equal(note.line, 1);
      assert.match(note.message, /'repoApi' is defined by a workspace that is not trusted: its URL is not requested/);
      assert.match(note.message, /--trust-workspace/);
    });
  }

  it('trusted: the URL is asked and the proven listener is its instance', async () => {
    const o = setup({ type: 'http', url: `http://127.0.0.1:${PORT}/mcp` });
    const snap = await take(o, true);
    assert.deepEqual(o.asked, [`http://127.0.0.1:${PORT}/mcp`]);
    assert.deepEqual(
      repoApi(snap).instances.map((i) => i.pid),
      [service.pid],
    );
    assert.equal(
      snap.diagnostics.some((d) => d.file === o.config),
      false,
    );
  });

  it('trusted, but the pid holding the socket is another process by the time it is asked again: no instance, no request', async () => {
    const o = setup({ type: 'http', url: `http://127.0.0.1:${PORT}/mcp` });
    // The table read pid 5100 as the service; once its socket has been read from its fds, the pid
    // names a process that started later (the service exited and the pid was reused).
    let fdsRead = false;
    const stat = `/proc/${service.pid}/stat`;
    const reused = (text: string | undefined) =>
      text?.replace(
        /^(\S+ \(\S+\) (?:\S+ ){19})(\d+)/,
        (_, head: string, ticks: string) => `${head}${Number(ticks) + 500}`,
      );
    const fs = o.machine.fs;
    const machine: Machine = {
      ...o.machine,
      fs: {
        ...fs,
        readlinkSync: (p) => {
          const link = fs.readlinkSync(p);
          if (p.startsWith(`/proc/${service.pid}/fd/`)) fdsRead = true;
          return link;
        },
        readText: async (p) => (fdsRead && p === stat ? reused(await fs.readText(p)) : fs.readText(p)),
        readTextSync: (p) => (fdsRead && p === stat ? reused(fs.readTextSync(p)) : fs.readTextSync(p)),
      },
    };
    const snap = await take(o, true, machine);
    assert.ok(fdsRead, 'the socket was looked for in the fds');
    assert.deepEqual(repoApi(snap).instances, [], 'a listener not proven to be the listed process is no instance');
    const listener = repoApi(snap).listener;
    assert.equal(listener?.state, 'unknown');
    assert.match(listener?.state === 'unknown' ? listener.reason : '', /could not be re-identified/);
    assert.deepEqual(o.asked, [], 'and, being no one’s instance, it is not asked either');
  });
});
