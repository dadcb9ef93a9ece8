import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { MovedDependency } from '../../../src/core/base/versionTypes';
import { cliPath } from '../../support/repo';
import { isAlive } from '../../support/liveness';
import { until } from '../../support/poll';
import { testSettleEnv } from '../../support/settle';
import { pastJudgedStart } from '../../support/judgedStart';
import { cli, server, statusJson } from '../processes/support/harness';
import { fixtureVenv, tempDir } from '../versions/support';
import { moveSdk, SDK, sdkScriptProject } from '../versions/sdkScriptProject';

type ToolResult = { content: Array<{ type: string; text?: string }> };

const notices = (r: ToolResult) =>
  r.content.filter((b) => b.type === 'text' && b.text?.startsWith('[MCP Lifeguard]')).map((b) => b.text!);

/**
 * A guarded script server (a script no package installs, importing packages by name from its
 * project's node_modules or its venv) whose imported package a real installer moves under it: the
 * guard's own judgement of its child is the one `status` gives, so the model hears it in its tool
 * results (`annotate`, the default) as it would of an upgrade of a released package.
 */
describe("guard: a script server's imported package moved by a real installer, heard by the model", function () {
  this.timeout(300_000);
  let home: string | undefined;
  let client: Client | undefined;
  let transport: StdioClientTransport | undefined;

  afterEach(async () => {
    const pid = transport?.pid;
    await client?.close().catch(() => undefined);
    if (pid && isAlive(pid)) process.kill(pid, 'SIGKILL');
    const h = home;
    if (h)
      await until(
        'the guard to release its lock',
        async () => (await statusJson(h, testSettleEnv)).servers[0].instances.length === 0,
        20_000,
      );
    client = transport = home = undefined;
  });

  /**
   * The script run by `command` under the built CLI's guard, configured in Cursor and connected to
   * by the SDK's client; `move` changes what it imports, `moved` is the dependency status must name.
   */
  async function heardAfterMove(o: {
    root: string;
    command: string;
    script: string;
    cwd: string;
    tool: string;
    answer: string;
    move(): Promise<unknown>;
    moved: MovedDependency;
    /** The notice's start: the verdict's words. */
    notice: RegExp;
  }) {
    home = o.root;
    const args = [cliPath, 'run', '--name', 'proj', '--stale-interval', '1', '--', o.command, o.script];
    fs.mkdirSync(path.join(o.root, '.cursor'), { recursive: true });
    fs.writeFileSync(
      path.join(o.root, '.cursor', 'mcp.json'),
      JSON.stringify({ mcpServers: { proj: { command: process.execPath, args } } }),
    );
    transport = new StdioClientTransport({
      command: process.execPath,
      args,
      env: {
        ...(process.env as Record<string, string>),
        HOME: o.root,
        MCP_LIFEGUARD_HOME: path.join(o.root, '.lifeguard'),
        ...testSettleEnv,
      },
      cwd: o.cwd,
      stderr: 'pipe',
    });
    transport.stderr?.on('data', () => undefined);
    client = new Client({ name: 'script-dependency-test', version: '1.0.0' });
    await client.connect(transport);
    const call = async () => (await client!.callTool({ name: o.tool, arguments: {} })) as ToolResult;
    assert.deepEqual(notices(await call()), [], 'current: no notice');

    const status = () => statusJson(o.root, testSettleEnv);
    let last = '';
    const verdictOf = async () => {
      const versions = server(await status(), 'proj').instances[0]?.versions;
      last = JSON.stringify(versions?.verdict);
      return versions?.verdict;
    };
    const first = await until('the guarded script judged', async () => {
      const i = server(await status(), 'proj').instances[0];
      return i?.versions?.verdict.state === 'current' ? i : undefined;
    });
    await pastJudgedStart(first.startTime);

    await o.move();
    const stale = await until(
      () => `status to judge the move (last: ${last})`,
      async () => {
        const v = await verdictOf();
        return v?.state === 'stale' ? v : undefined;
      },
      30_000,
    );
    assert.deepEqual(
      stale.movedDependencies.find((m) => m.name === o.moved.name),
      o.moved,
    );

    // The guard checks every second: its next check gives the verdict status gave, and the results carry it.
    const heard = await until(
      'a tool result with the notice',
      async () => {
        const r = await call();
        assert.equal(r.content[0].text, o.answer, "the server's own answer, first and unchanged");
        return notices(r).length ? notices(r) : undefined;
      },
      30_000,
      200,
    );
    // The verdict status gave, in the engine's words with its values quoted.
    assert.equal(heard.length, 1);
    assert.match(heard[0], o.notice);
    assert.match(
      heard[0],
      / Restart it to load the installed code: run `mcp-lifeguard restart proj`, or use Restart in the MCP Lifeguard view in VS Code\. The guard restarts it without ending this session\.$/,
    );

    // What the notice says to do works: the restarted server runs what is installed, and says nothing more.
    const restart = await cli(o.root, ['restart', 'proj'], testSettleEnv);
    assert.equal(restart.code, 0, `${restart.stdout}\n${restart.stderr}`);
    assert.deepEqual(notices(await call()), []);
  }

  it('a JavaScript script (node server.mjs) whose SDK npm moves in its project', async () => {
    const root = tempDir('lg-gjs-');
    const { proj, script } = await sdkScriptProject(root);
    await heardAfterMove({
      root,
      command: process.execPath,
      script,
      cwd: proj,
      tool: 'hello',
      answer: 'hi',
      move: () => moveSdk(root, proj),
      moved: { name: SDK, from: '1.32.2', to: '1.25.0' },
      // The script's version is its files' ("script"), the same before and after: the verdict's summary says what moved.
      notice:
        /^\[MCP Lifeguard\] This server \("proj"\): Stale: "server\.mjs: runs script, still installed, but its dependencies moved; dependencies: [^"]*@modelcontextprotocol\/sdk 1\.32\.2 -> 1\.25\.0[^"]*"\./,
    });
  });

  it('a Python script (python server.py) whose imported distribution pip moves in its venv', async () => {
    const root = tempDir('lg-gpy-');
    const { py, pip } = await fixtureVenv(root);
    await pip('lgdemo-server==1.0.0', 'lgdemo-dep==1.0.0');
    const proj = path.join(root, 'proj');
    fs.mkdirSync(proj);
    const script = path.join(proj, 'server.py');
    fs.writeFileSync(script, 'import lgdemo_dep\nfrom lgdemo_server.__main__ import main\n\nmain()\n');
    await heardAfterMove({
      root,
      command: py,
      script,
      cwd: proj,
      tool: 'greet',
      answer: 'hello world from lgdemo_dep 1.0.0',
      move: () => pip('lgdemo-dep==2.0.0'),
      moved: { name: 'lgdemo-dep', from: '1.0.0', to: '2.0.0' },
      notice:
        /^\[MCP Lifeguard\] This server \("proj"\): Stale: runs "server\.py" "lgdemo-dep 1\.0\.0", but "lgdemo-dep 2\.0\.0" is installed\./,
    });
  });
});
