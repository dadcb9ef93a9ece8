import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { Instance, Snapshot } from '../../../src/core/base/model';
import { controlStatus } from '../../../src/core/control';
import { listLocks } from '../../../src/core/locks';
import { cliPath } from '../../support/repo';
import { until } from '../../support/poll';
import { isAlive } from '../../support/liveness';
import { PIPX_VERSION, pythonTool } from '../../support/toolCache';
import { PYTHON, tempDir } from './support';
import { NEW, OLD, pipxSetup, TIME, uvToolInstalled } from './pythonTools';

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Upgrade and Roll back for real with Python's tool installers: `mcp-server-time` from PyPI
 * (offline from cached wheelhouses) installed by pipx and by `uv tool`, guarded, configured in
 * Cursor, with a real SDK client. Upgrade installs into the tool's own environment through its own
 * installer (`pipx runpip`, `uv pip --python`) and restarts the guard; Roll back goes back.
 */
describe('upgrade and rollback (real pipx and uv tool): into the tool environment, through its installer', function () {
  this.timeout(600_000);
  const sessions: Array<{ client: Client; transport: StdioClientTransport; home: string }> = [];
  after(async () => {
    for (const s of sessions) {
      const pid = s.transport.pid;
      await s.client.close().catch(() => undefined);
      if (pid && isAlive(pid)) process.kill(pid, 'SIGKILL');
      await until(
        'the guard gone',
        async () => (await listLocks(path.join(s.home, '.lifeguard', 'locks'))).every((l) => l.state !== 'live'),
        30_000,
      ).catch(() => undefined);
    }
  });

  /** One tool-installed server, guarded in Cursor, a client connected; the CLI with the same env. */
  async function guarded(root: string, home: string, bin: string, env: Record<string, string>) {
    const args = [cliPath, 'run', '--name', 'time', '--', bin];
    fs.mkdirSync(path.join(home, '.cursor'), { recursive: true });
    fs.writeFileSync(
      path.join(home, '.cursor', 'mcp.json'),
      JSON.stringify({ mcpServers: { time: { command: process.execPath, args } } }),
    );
    const full = {
      ...(process.env as Record<string, string>),
      ...env,
      HOME: home,
      MCP_LIFEGUARD_HOME: path.join(home, '.lifeguard'),
      MCP_LIFEGUARD_UPDATE_CHECK: '0',
    };
    const transport = new StdioClientTransport({
      command: process.execPath,
      args,
      env: full,
      cwd: home,
      stderr: 'pipe',
    });
    transport.stderr?.on('data', () => undefined);
    const client = new Client({ name: 'upgrade-py-test', version: '1.0.0' });
    await client.connect(transport);
    sessions.push({ client, transport, home });
    const lifeguard = (cliArgs: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
      new Promise((resolve) =>
        execFile(
          process.execPath,
          [cliPath, ...cliArgs],
          { cwd: root, env: full, maxBuffer: 32 << 20 },
          (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
        ),
      );
    const childPid = async () => {
      const live = (await listLocks(path.join(home, '.lifeguard', 'locks'))).flatMap((l) =>
        l.state === 'live' && l.record.control ? [l.record.control] : [],
      );
      assert.equal(live.length, 1);
      const s = await controlStatus(live[0], { timeoutMs: 5000 });
      return s.ok ? s.result.childPid : undefined;
    };
    const instance = async (): Promise<Instance> => {
      const r = await lifeguard(['status', '--json']);
      const list = (JSON.parse(r.stdout) as Snapshot).servers
        .filter((x) => x.name === 'time')
        .flatMap((x) => x.instances);
      assert.equal(list.length, 1, 'one instance of time');
      return list[0];
    };
    const runs = async (version: string, when: string) => {
      const i = await instance();
      assert.equal(i.versions?.verdict.state, 'current', `${when}: ${JSON.stringify(i.versions?.verdict)}`);
      const inst = i.versions?.installed;
      assert.equal(inst?.state === 'installed' && inst.version, version, when);
    };
    return { client, lifeguard, childPid, runs };
  }

  async function upgradeThenRollBack(
    s: Awaited<ReturnType<typeof guarded>>,
    where: RegExp,
    command: RegExp,
    afterUpgrade: () => void = () => undefined,
  ): Promise<void> {
    await s.runs(OLD, 'at start');
    const first = await s.childPid();
    const shown = await s.lifeguard(['upgrade', 'time', '--to', NEW]);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, where);
    assert.match(shown.stdout, command);
    assert.match(shown.stdout, /Nothing was run/);
    const done = await s.lifeguard(['upgrade', 'time', '--to', NEW, '--yes']);
    assert.equal(done.code, 0, `${done.stdout}\n${done.stderr}`);
    assert.match(done.stdout, new RegExp(`^time: ${TIME} ${esc(NEW)} is installed\\.$`, 'm'));
    const upgraded = await s.childPid();
    assert.notEqual(upgraded, first, 'the guard started the new version');
    await s.runs(NEW, 'after upgrade');
    afterUpgrade();
    // The same session answers, from the new server.
    const tools = await s.client.listTools();
    assert.ok(tools.tools.some((t) => t.name === 'get_current_time'));

    const back = await s.lifeguard(['rollback', 'time', '--yes']);
    assert.equal(back.code, 0, `${back.stdout}\n${back.stderr}`);
    assert.match(back.stdout, new RegExp(`^ {2}${TIME} ${esc(NEW)} -> ${esc(OLD)}$`, 'm'));
    assert.notEqual(await s.childPid(), upgraded, 'restarted onto the version rolled back to');
    await s.runs(OLD, 'after rollback');
  }

  it('pipx: pipx runpip installs into its venv', async () => {
    const root = tempDir('lg-upgrade-pipx-');
    const { home, pipxEnv, pipxRun } = await pipxSetup(root);
    // Setup (the upgrade and rollback are the subject): pip compiles nothing, the server's first start what it imports.
    await pipxRun('install', '--pip-args=--no-compile', `${TIME}==${OLD}`);
    // pipx as a user has it: a `pipx` on PATH.
    const pipxDir = await pythonTool(PYTHON, 'pipx', PIPX_VERSION);
    const shims = path.join(root, 'shims');
    fs.mkdirSync(shims);
    fs.writeFileSync(path.join(shims, 'pipx'), `#!/bin/sh\nPYTHONPATH='${pipxDir}' exec '${PYTHON}' -m pipx "$@"\n`, {
      mode: 0o755,
    });
    const s = await guarded(root, home, path.join(pipxEnv.PIPX_BIN_DIR, TIME), {
      ...pipxEnv,
      PATH: `${shims}${path.delimiter}${process.env.PATH}`,
    });
    const venv = path.join(pipxEnv.PIPX_HOME, 'venvs', TIME);
    await upgradeThenRollBack(
      s,
      new RegExp(`^time: ${TIME} ${esc(OLD)} -> ${esc(NEW)} \\(pipx venv ${esc(venv)}\\):$`, 'm'),
      new RegExp(`${esc(path.join(shims, 'pipx'))} runpip ${TIME} install ${TIME}==${esc(NEW)}$`, 'm'),
    );
  });

  it("uv tool: uv tool install moves the tool's own package, so uv's receipt says the version installed (its next `uv tool upgrade` keeps it), and Roll Back puts both back", async () => {
    const root = tempDir('lg-upgrade-uvtool-');
    const { home, bin, uvEnv } = await uvToolInstalled(root, OLD);
    const s = await guarded(root, home, path.join(uvEnv.UV_TOOL_BIN_DIR, TIME), uvEnv);
    const tool = path.join(uvEnv.UV_TOOL_DIR, TIME);
    const receipt = () => fs.readFileSync(path.join(tool, 'uv-receipt.toml'), 'utf8');
    assert.match(receipt(), new RegExp(`specifier = "==${esc(OLD)}"`));
    // The tool's own interpreter, the one its venv was made from (pyvenv.cfg): never the receipt's
    // bare request (`3`), which the PATH of the face that runs the upgrade would answer.
    const interpreter = () => fs.realpathSync(path.join(tool, 'bin', 'python'));
    const own = interpreter();
    await upgradeThenRollBack(
      s,
      new RegExp(`^time: ${TIME} ${esc(OLD)} -> ${esc(NEW)} \\(uv tool ${esc(tool)}\\):$`, 'm'),
      new RegExp(`${esc(path.join(bin, 'uv'))} tool install ${TIME}==${esc(NEW)} --python /\\S+$`, 'm'),
      () => {
        assert.match(receipt(), new RegExp(`specifier = "==${esc(NEW)}"`), "uv's receipt after the upgrade");
        assert.equal(interpreter(), own, 'the tool runs on the interpreter it was made from');
      },
    );
    assert.equal(interpreter(), own, 'the tool runs on the interpreter it was made from, after the roll back');
    assert.match(receipt(), new RegExp(`specifier = "==${esc(OLD)}"`), "uv's receipt after the roll back");
    // The dependencies the roll back moved are left to uv: none becomes a requirement the user never asked for.
    assert.deepEqual(
      [...receipt().matchAll(/\bname = "([^"]+)", specifier/g)].map((m) => m[1]),
      [TIME],
      "uv's receipt names the tool alone",
    );
  });
});
