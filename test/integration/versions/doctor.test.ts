import * as assert from 'node:assert/strict';
import { ChildProcess, execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { DoctorAnswer } from '../../../src/core/report/versionDoctor';
import { cliPath } from '../../support/repo';
import { listenOn } from '../../support/startup';
import { isAlive } from '../../support/liveness';
import { globalAndApp, MEM, npmEnv, tempDir } from './support';
import { NEW as TIME_NEW, OLD as TIME_OLD, startMcp, TIME, uvToolInstalled } from './pythonTools';

const OLD = '2026.7.4';
const NEW = '2026.8.31';
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Local registries for the newest release, nothing asked outside this machine: npm's package
 * document, PyPI's JSON API and the MCP Registry's latest version, each saying `latest` for every
 * package; every path asked is kept.
 */
async function registries(latest: { npm: string; pypi: string }) {
  const asked: string[] = [];
  const server = http.createServer((req, res) => {
    const url = req.url ?? '';
    asked.push(url);
    res.writeHead(200, { 'content-type': 'application/json' });
    if (url.startsWith('/mcp/'))
      res.end(JSON.stringify({ server: { name: 'x/y', version: latest.npm, packages: [] }, _meta: {} }));
    else if (url.startsWith('/pypi/')) res.end(JSON.stringify({ info: { version: latest.pypi } }));
    else res.end(JSON.stringify({ 'dist-tags': { latest: latest.npm }, versions: {} }));
  });
  const port = await listenOn(server);
  const base = `http://127.0.0.1:${port}`;
  return {
    env: {
      MCP_LIFEGUARD_NPM_REGISTRY: `${base}/`,
      MCP_LIFEGUARD_PYPI_INDEX: `${base}/pypi`,
      MCP_LIFEGUARD_MCP_REGISTRY: `${base}/mcp`,
    },
    asked,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

function lifeguard(
  args: string[],
  cwd: string,
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) =>
    execFile(process.execPath, [cliPath, ...args], { cwd, env, maxBuffer: 32 << 20 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    ),
  );
}

/**
 * `mcp-lifeguard doctor` over real installs: server-memory installed by real npm globally (moved on
 * to the newer release), in a project (the older one, shadowing the global one there) and in npx's
 * cache through a pinned entry in one client's file, which a real SDK client runs; mcp-server-time
 * installed by a real `uv tool`, running. The newest release comes from local registries.
 */
describe('doctor (real npm, npx and uv tool): every source of a server version in one answer', function () {
  this.timeout(600_000);
  const sessions: Array<{ client: Client; transport: StdioClientTransport }> = [];
  const started: ChildProcess[] = [];
  after(async () => {
    for (const s of sessions) {
      const pid = s.transport.pid;
      await s.client.close().catch(() => undefined);
      if (pid && isAlive(pid)) process.kill(pid, 'SIGKILL');
    }
    for (const c of started) if (c.pid && isAlive(c.pid)) c.kill('SIGKILL');
  });

  it('npm global, a project shadowing it, a pinned npx entry: names the pin that kept the upgrade from taking effect', async () => {
    const root = tempDir('lg-doctor-npm-');
    const home = path.join(root, 'home');
    const global = path.join(root, 'global');
    const app = path.join(root, 'app');
    fs.mkdirSync(home);
    await globalAndApp(root, NEW, OLD);
    const cursor = path.join(home, '.cursor', 'mcp.json');
    const windsurf = path.join(home, '.codeium', 'windsurf', 'mcp_config.json');
    fs.mkdirSync(path.dirname(cursor), { recursive: true });
    fs.mkdirSync(path.dirname(windsurf), { recursive: true });
    // Cursor runs the global install by its bin; Windsurf pins the older release for npx.
    fs.writeFileSync(cursor, JSON.stringify({ mcpServers: { memory: { command: 'mcp-server-memory' } } }));
    fs.writeFileSync(
      windsurf,
      JSON.stringify({ mcpServers: { memory: { command: 'npx', args: ['-y', `${MEM}@${OLD}`] } } }),
    );
    const reg = await registries({ npm: NEW, pypi: TIME_NEW });
    const env: Record<string, string> = {
      ...(npmEnv(root) as Record<string, string>),
      HOME: home,
      MCP_LIFEGUARD_HOME: path.join(home, '.lifeguard'),
      npm_config_prefix: global,
      PATH: `${path.join(global, 'bin')}${path.delimiter}${process.env.PATH}`,
      ...reg.env,
    };
    try {
      // Windsurf's pinned entry, run by a real client from the home folder: npx fetches the pin into its cache.
      const transport = new StdioClientTransport({
        command: 'npx',
        args: ['-y', `${MEM}@${OLD}`],
        env,
        cwd: home,
        stderr: 'pipe',
      });
      transport.stderr?.on('data', () => undefined);
      const client = new Client({ name: 'doctor-test', version: '1.0.0' });
      await client.connect(transport);
      sessions.push({ client, transport });
      await client.listTools();

      const json = await lifeguard(['doctor', 'memory', '--json', '--workspace', app], root, env);
      assert.equal(json.code, 0, json.stderr);
      const a = JSON.parse(json.stdout) as DoctorAnswer;
      assert.deepEqual(a.package, { ecosystem: 'npm', name: MEM });
      const at = (place: string) => a.copies.filter((c) => c.place === place);
      const globalCopy = at('npm-global');
      assert.deepEqual(
        globalCopy.map((c) => c.version),
        [NEW],
        JSON.stringify(a.copies),
      );
      assert.ok(globalCopy[0].usedBy.includes('memory in Cursor'), JSON.stringify(globalCopy));
      const project = at('npm-project');
      assert.deepEqual(
        project.map((c) => [c.version, c.shadows, c.location]),
        [[OLD, NEW, path.join(app, 'node_modules', MEM)]],
      );
      const npx = at('npx-cache');
      assert.deepEqual(
        npx.map((c) => c.version),
        [OLD],
      );
      assert.ok(
        npx[0].usedBy.some((u) => u.startsWith('memory in Windsurf')),
        JSON.stringify(npx),
      );
      const pinned = a.entries.find((e) => e.file === windsurf);
      assert.equal(pinned?.pin, OLD, JSON.stringify(a.entries));
      assert.equal(pinned?.runner, 'npx');
      assert.equal(pinned?.resolves, OLD);
      assert.equal(a.entries.find((e) => e.file === cursor)?.resolves, NEW);
      // The running instance: the pin's version, and why.
      assert.equal(a.instances.length, 1, JSON.stringify(a.instances));
      assert.equal(a.instances[0].runs, OLD);
      assert.match(a.instances[0].reason, new RegExp(`pins ${esc(MEM)}@${esc(OLD)} for npx`));
      assert.deepEqual(a.newest, { version: NEW, source: 'npm' });
      assert.ok(
        reg.asked.some((u) => u.includes('server-memory')),
        `the local registry was asked: ${reg.asked.join(' ')}`,
      );
      assert.ok(
        a.findings.some((f) =>
          new RegExp(
            `^Windsurf's entry memory \\(${esc(windsurf)}\\) pins ${esc(MEM)}@${esc(OLD)} for npx: it runs ${esc(OLD)} while the npm global install has ${esc(NEW)}`,
          ).test(f),
        ),
        a.findings.join('\n'),
      );
      assert.ok(
        a.findings.some((f) => f.startsWith(`the project copy ${OLD}`) && f.includes(`shadows the npm global ${NEW}`)),
        a.findings.join('\n'),
      );

      const text = await lifeguard(['doctor', 'memory', '--workspace', app], root, env);
      assert.equal(text.code, 0, text.stderr);
      assert.match(text.stdout, new RegExp(`^memory: ${esc(MEM)} \\(npm\\)$`, 'm'));
      assert.match(text.stdout, new RegExp(`^ {2}pid \\d+ \\(.*\\) runs ${esc(OLD)} from npx cache `, 'm'));
      assert.match(text.stdout, new RegExp(`^ {2}${esc(NEW)} +npm global: npm global prefix ${esc(global)}`, 'm'));
      assert.match(text.stdout, new RegExp(`^ {2}npm: ${esc(NEW)} \\(`, 'm'));
      assert.match(text.stdout, /^Why:$/m);

      const unknown = await lifeguard(['doctor', 'no-such-server'], root, env);
      assert.equal(unknown.code, 1);
      assert.match(unknown.stderr, /no configured server is named 'no-such-server'/);
    } finally {
      await reg.close();
    }
  });

  it('uv tool: the tool environment it runs from, the older release than the newest, and why', async () => {
    const root = tempDir('lg-doctor-uvtool-');
    const { home, uvEnv } = await uvToolInstalled(root, TIME_OLD);
    const script = path.join(uvEnv.UV_TOOL_BIN_DIR, TIME);
    fs.mkdirSync(path.join(home, '.cursor'), { recursive: true });
    fs.writeFileSync(
      path.join(home, '.cursor', 'mcp.json'),
      JSON.stringify({ mcpServers: { time: { command: script } } }),
    );
    const reg = await registries({ npm: NEW, pypi: TIME_NEW });
    const env: Record<string, string> = {
      ...(process.env as Record<string, string>),
      ...uvEnv,
      MCP_LIFEGUARD_HOME: path.join(home, '.lifeguard'),
      ...reg.env,
    };
    try {
      const server = await startMcp(script, [], home, env, started);
      const r = await lifeguard(['doctor', 'time', '--json'], root, env);
      assert.equal(r.code, 0, r.stderr);
      const a = JSON.parse(r.stdout) as DoctorAnswer;
      assert.equal(a.package?.ecosystem, 'python');
      const tool = path.join(uvEnv.UV_TOOL_DIR, TIME);
      const tools = a.copies.filter((c) => c.place === 'uv-tool');
      assert.deepEqual(
        tools.map((c) => [c.version, c.how]),
        [[TIME_OLD, `uv tool ${tool}`]],
        JSON.stringify(a.copies),
      );
      assert.deepEqual(
        a.instances.map((i) => [i.pid, i.runs]),
        [[server.pid, TIME_OLD]],
      );
      assert.match(
        a.instances[0].reason,
        new RegExp(`runs ${esc(script)}; \\S+ ${esc(TIME_OLD)} is installed there \\(uv tool `),
      );
      assert.deepEqual(a.newest, { version: TIME_NEW, source: 'pypi' });
      assert.ok(
        a.findings.some((f) => f.startsWith(`${TIME} ${TIME_NEW} is the newest release (pypi)`)),
        a.findings.join('\n'),
      );
      assert.ok(
        reg.asked.some((u) => u === `/pypi/${TIME}/json`),
        reg.asked.join(' '),
      );
    } finally {
      await reg.close();
    }
  });
});
