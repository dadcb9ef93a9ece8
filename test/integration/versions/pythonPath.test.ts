import * as assert from 'node:assert/strict';
import { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Instance } from '../../../src/core/base/model';
import { isAlive, killAndWait, stopChildren } from '../../support/liveness';
import { startReady } from '../../support/startup';
import { pastJudgedStart } from '../../support/judgedStart';
import { instanceOf, PYTHON, run, serverIn, snapshot, tempDir } from './support';
import { OLD, startMcp, TIME, timeWheels } from './pythonTools';

/** A stdlib-only stdio MCP server as a package run with `-m`, importing a module of its own package. */
const MAIN = `import json, sys
from lgpath_server.helper import name
print('lgpath server ready', file=sys.stderr, flush=True)
for line in sys.stdin:
    msg = json.loads(line)
    if msg.get('method') == 'initialize':
        print(json.dumps({'jsonrpc': '2.0', 'id': msg['id'], 'result': {'protocolVersion': '2025-06-18', 'capabilities': {}, 'serverInfo': {'name': name(), 'version': '0.0.0'}}}), flush=True)
`;
const HELPER = `def name():\n    return 'lgpath'\n`;

/** `<root>/<name>/src/lgpath_server/`: one copy of the server's code, its PYTHONPATH root returned. */
function copyOfServer(root: string, name: string): string {
  const src = path.join(root, name, 'src');
  const pkg = path.join(src, 'lgpath_server');
  fs.mkdirSync(pkg, { recursive: true });
  fs.writeFileSync(path.join(pkg, '__init__.py'), '');
  fs.writeFileSync(path.join(pkg, '__main__.py'), MAIN);
  fs.writeFileSync(path.join(pkg, 'helper.py'), HELPER);
  return src;
}

/**
 * Entries that run `python3 -m module` with the module's code on the entry's PYTHONPATH (a checkout's
 * `src`, or a folder `pip install --target` filled): the code there is the server's, for what it is
 * judged by and for which entry a process is.
 */
describe('versions (integration): the code an entry puts on PYTHONPATH', function () {
  this.timeout(300_000);
  const started: ChildProcess[] = [];
  const seen: number[] = [];
  after(async () => {
    await stopChildren(started.splice(0));
    for (const pid of seen) if (isAlive(pid)) await killAndWait(pid);
  });

  it('python3 -m a module on PYTHONPATH: judged by its files there, each process under the entry whose PYTHONPATH it runs with', async () => {
    const root = tempDir('lg-pypath-');
    const home = path.join(root, 'home');
    fs.mkdirSync(path.join(home, '.cursor'), { recursive: true });
    const projectDir = path.join(root, 'project');
    fs.mkdirSync(projectDir);
    const roots = { 'path-a': copyOfServer(root, 'a'), 'path-b': copyOfServer(root, 'b') };
    const entry = (src: string) => ({ command: PYTHON, args: ['-m', 'lgpath_server'], env: { PYTHONPATH: src } });
    fs.writeFileSync(
      path.join(home, '.cursor', 'mcp.json'),
      JSON.stringify({ mcpServers: { 'path-a': entry(roots['path-a']), 'path-b': entry(roots['path-b']) } }),
    );
    const PATH = process.env.PATH ?? '';
    const take = () => snapshot(home, projectDir, path.join(root, 'lg'), { PATH });
    const pids: Record<string, number> = {};
    for (const [name, src] of Object.entries(roots)) {
      const child = await startReady(
        PYTHON,
        ['-m', 'lgpath_server'],
        { cwd: home, env: { PATH, PYTHONPATH: src }, ready: /lgpath server ready/ },
        started,
      );
      pids[name] = child.pid!;
    }
    const main = (name: keyof typeof roots) => path.join(roots[name], 'lgpath_server', '__main__.py');

    const judged = async (name: keyof typeof roots): Promise<Instance> => {
      const found = await instanceOf(take, name, pids[name]);
      seen.push(found.pid);
      const v = found.versions;
      const said = JSON.stringify(v);
      assert.equal(v?.installed.state, 'installed', `${name}: ${said}`);
      if (v?.installed.state === 'installed') {
        assert.equal(v.installed.location, main(name), `${name}: ${said}`);
        assert.equal(v.installed.dev?.script, true, `${name}: ${said}`);
      }
      const snap = await take();
      const other = name === 'path-a' ? 'path-b' : 'path-a';
      assert.deepEqual(
        serverIn(snap, name).instances.map((i) => i.pid),
        [found.pid],
        `${name}: ${JSON.stringify(serverIn(snap, name).instances.map((i) => i.commandLine))}`,
      );
      assert.ok(
        !serverIn(snap, other).instances.some((i) => i.pid === found.pid),
        `${name}'s process (PYTHONPATH ${roots[name]}) is listed under ${other} too`,
      );
      const configured = serverIn(snap, name).installed;
      assert.equal(
        configured?.state === 'installed' ? configured.location : JSON.stringify(configured),
        main(name),
        `${name}: the configured launch resolves to ${JSON.stringify(configured)}`,
      );
      return found;
    };

    let latest = 0;
    for (const name of ['path-a', 'path-b'] as const) {
      const i = await judged(name);
      assert.equal(i.versions?.verdict.state, 'current', `${name}: ${JSON.stringify(i.versions)}`);
      latest = Math.max(latest, i.startTime ?? Date.now());
    }

    await pastJudgedStart(latest);
    const helper = path.join(roots['path-a'], 'lgpath_server', 'helper.py');
    fs.appendFileSync(helper, `# edited ${Date.now()}\n`);
    const a = (await judged('path-a')).versions?.verdict;
    assert.equal(a?.state, 'changed', `path-a after its helper was edited: ${JSON.stringify(a)}`);
    if (a?.state === 'changed')
      assert.ok(
        a.changedFiles.some((f) => f.path === helper),
        `names ${helper}: ${JSON.stringify(a)}`,
      );
    const b = (await judged('path-b')).versions?.verdict;
    assert.equal(b?.state, 'current', `path-b, whose files did not change: ${JSON.stringify(b)}`);
  });

  it('python3 -m mcp_server_time from a folder pip install --target filled, on PYTHONPATH: the distribution there, current', async () => {
    const root = tempDir('lg-pypath-target-');
    const lib = path.join(root, 'lib');
    const wheels = await timeWheels();
    await run(PYTHON, [
      '-m',
      'pip',
      'install',
      '-q',
      '--disable-pip-version-check',
      '--no-index',
      ...wheels.flatMap((w) => ['--find-links', w]),
      '--target',
      lib,
      `${TIME}==${OLD}`,
    ]);
    const home = path.join(root, 'home');
    fs.mkdirSync(path.join(home, '.cursor'), { recursive: true });
    const projectDir = path.join(root, 'project');
    fs.mkdirSync(projectDir);
    const args = ['-m', 'mcp_server_time'];
    fs.writeFileSync(
      path.join(home, '.cursor', 'mcp.json'),
      JSON.stringify({ mcpServers: { time: { command: PYTHON, args, env: { PYTHONPATH: lib } } } }),
    );
    const PATH = process.env.PATH ?? '';
    const server = await startMcp(PYTHON, args, home, { ...process.env, PATH, PYTHONPATH: lib }, started);
    const take = () => snapshot(home, projectDir, path.join(root, 'lg'), { PATH });
    const i = await instanceOf(take, 'time', server.pid!);
    seen.push(i.pid);
    const installed = i.versions?.installed;
    assert.equal(installed?.state === 'installed' && installed.name, TIME, JSON.stringify(i.versions));
    assert.equal(installed?.state === 'installed' && installed.version, OLD, JSON.stringify(i.versions));
    assert.match(installed?.state === 'installed' ? installed.how : '', /PYTHONPATH/);
    assert.equal(i.versions?.verdict.state, 'current', JSON.stringify(i.versions));
    await stopChildren([server]);
  });
});
