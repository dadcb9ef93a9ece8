import * as assert from 'node:assert/strict';
import { ChildProcess, execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Snapshot } from '../../src/core/base/model';
import { repoRoot } from '../support/repo';
import { until } from '../support/poll';
import { processesOfHome } from '../support/homeProcesses';
import { signal, stopChildren } from '../support/liveness';
import { claudeCodeBin, clientEnv, CLAUDE_CODE, modelStub, ModelStub } from '../support/realClients';
import { cli } from '../integration/processes/support/harness';

const MEMORY_SCRIPT = path.join(repoRoot, 'node_modules', '@modelcontextprotocol', 'server-memory', 'dist', 'index.js');

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(command, args, { cwd, env, timeout: 120_000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${command} ${args.join(' ')}: ${err.message}\n${stdout}${stderr}`)) : resolve(stdout),
    ),
  );
}

/** A marketplace `name` of `plugins`, each with one server in its `.mcp.json` that runs server-memory. */
function writeMarketplace(dir: string, name: string, plugins: string[]): void {
  const write = (rel: string, value: unknown) => {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), typeof value === 'string' ? value : JSON.stringify(value, null, 2));
  };
  write('.claude-plugin/marketplace.json', {
    name,
    owner: { name: 'MCP Lifeguard tests' },
    plugins: plugins.map((plugin) => ({ name: plugin, source: `./plugins/${plugin}` })),
  });
  for (const plugin of plugins) {
    write(`plugins/${plugin}/.claude-plugin/plugin.json`, { name: plugin, version: '1.0.0' });
    write(`plugins/${plugin}/server.mjs`, `import ${JSON.stringify(MEMORY_SCRIPT)};\n`);
    write(`plugins/${plugin}/.mcp.json`, {
      mcpServers: {
        memory: {
          command: 'node',
          args: ['${CLAUDE_PLUGIN_ROOT}/server.mjs'],
          env: { MEMORY_FILE_PATH: '${CLAUDE_PLUGIN_DATA}/memory.json' },
        },
      },
    });
  }
}

/**
 * A marketplace as Claude Code keeps one it cloned from GitHub: its copy under
 * `~/.claude/plugins/marketplaces/<name>`, recorded in known_marketplaces.json with its source. No
 * git host is reached here, so the test lays the clone and the record down itself, in the shape
 * `claude plugin marketplace add` writes for a folder; `claude plugin install` then copies the plugin
 * into its cache as for any cloned marketplace.
 */
function registerClonedMarketplace(home: string, name: string, plugins: string[]): void {
  const location = path.join(home, '.claude', 'plugins', 'marketplaces', name);
  writeMarketplace(location, name, plugins);
  const file = path.join(home, '.claude', 'plugins', 'known_marketplaces.json');
  const known = JSON.parse(fs.readFileSync(file, 'utf8'));
  known[name] = {
    source: { source: 'github', repo: `example/${name}` },
    installLocation: location,
    lastUpdated: new Date().toISOString(),
  };
  fs.writeFileSync(file, JSON.stringify(known, null, 2));
}

/**
 * Real Claude Code from npm: `claude plugin marketplace add` of a local folder and `claude plugin
 * install` of two plugins, one then disabled, and of a plugin of a cloned marketplace; a real session
 * (`claude -p`, its model a loopback stub) starts the enabled local plugin's server from the
 * marketplace's folder and the cloned one's from Claude Code's cache. `status --json` lists each as
 * its plugin's entry under Claude Code, named as Claude Code names it, the process as its instance.
 */
describe(`real clients: Claude Code ${CLAUDE_CODE.version} (npm), a plugin's server`, function () {
  this.timeout(300_000);
  let home: string;
  let model: ModelStub | undefined;
  let session: ChildProcess | undefined;

  before(function () {
    if (process.platform !== 'linux') this.skip();
  });

  beforeEach(() => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'lg-claude-plugins-'));
  });

  afterEach(async () => {
    if (session) await stopChildren([session]);
    session = undefined;
    const lifeguard = path.join(home, '.lifeguard');
    await until("the session's servers to end", () => {
      const left = processesOfHome(lifeguard);
      for (const p of left) signal(p.pid, 'SIGKILL');
      return left.length === 0;
    });
    await model?.close();
    model = undefined;
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('each installed plugin’s server, from a local marketplace’s folder or a cloned one’s copy in the cache, is its entry’s instance under Claude Code; a disabled plugin’s entry is listed disabled, not started', async () => {
    const claude = await claudeCodeBin();
    model = await modelStub();
    const project = path.join(home, 'proj');
    const market = path.join(home, 'market');
    fs.mkdirSync(project);
    fs.mkdirSync(path.join(home, 'tmp'));
    writeMarketplace(market, 'lg-local', ['memo', 'off']);
    const env = {
      ...process.env,
      ...clientEnv(model.url),
      HOME: home,
      MCP_LIFEGUARD_HOME: path.join(home, '.lifeguard'),
      TMPDIR: path.join(home, 'tmp'),
    };
    await run(claude, ['plugin', 'marketplace', 'add', market], project, env);
    await run(claude, ['plugin', 'install', 'memo@lg-local'], project, env);
    await run(claude, ['plugin', 'install', 'off@lg-local'], project, env);
    await run(claude, ['plugin', 'disable', 'off@lg-local'], project, env);
    registerClonedMarketplace(home, 'lg-clone', ['cloned']);
    await run(claude, ['plugin', 'install', 'cloned@lg-clone'], project, env);
    // What Claude Code wrote: all three installed, one of them off.
    const settings = JSON.parse(fs.readFileSync(path.join(home, '.claude', 'settings.json'), 'utf8'));
    assert.deepEqual(settings.enabledPlugins, {
      'memo@lg-local': true,
      'off@lg-local': false,
      'cloned@lg-clone': true,
    });
    const installed = JSON.parse(
      fs.readFileSync(path.join(home, '.claude', 'plugins', 'installed_plugins.json'), 'utf8'),
    );
    assert.deepEqual(Object.keys(installed.plugins).sort(), ['cloned@lg-clone', 'memo@lg-local', 'off@lg-local']);

    session = spawn(claude, ['-p', 'hello'], { cwd: project, env, stdio: 'ignore' });
    const roots = {
      memo: path.join(market, 'plugins', 'memo'),
      cloned: path.join(home, '.claude', 'plugins', 'cache', 'lg-clone', 'cloned', '1.0.0'),
    };
    const servers = () =>
      processesOfHome(path.join(home, '.lifeguard')).filter((p) => p.cmdline.includes('server.mjs'));
    await until("the plugins' servers running", () => servers().length === 2, 120_000);
    const pidOf = (root: string) => {
      const found = servers().filter((p) => p.cmdline.includes(path.join(root, 'server.mjs')));
      assert.equal(found.length, 1, JSON.stringify(servers()));
      const environ = fs.readFileSync(`/proc/${found[0].pid}/environ`, 'utf8').split('\0');
      assert.ok(environ.includes(`CLAUDE_PLUGIN_ROOT=${root}`), `Claude Code runs the plugin from ${root}`);
      return found[0].pid;
    };
    const pids = { memo: pidOf(roots.memo), cloned: pidOf(roots.cloned) };

    const workspace = ['--workspace', project];
    const snap = await until('the processes listed', async () => {
      const r = await cli(home, ['status', '--json', ...workspace]);
      assert.equal(r.code, 0, r.stderr);
      const s = JSON.parse(r.stdout) as Snapshot;
      const listed = [...s.servers.flatMap((x) => x.instances), ...s.notConfigured].map((i) => i.pid);
      return listed.includes(pids.memo) && listed.includes(pids.cloned) ? s : undefined;
    });
    for (const [plugin, id] of [
      ['memo', 'memo@lg-local'],
      ['cloned', 'cloned@lg-clone'],
    ] as const) {
      const entries = snap.servers.filter((x) => x.name === `plugin:${plugin}:memory`);
      assert.equal(entries.length, 1, JSON.stringify(snap.servers.map((x) => x.name)));
      const [entry] = entries;
      const addOn = entry.source.addOn?.kind === 'claude-plugin' ? entry.source.addOn : undefined;
      assert.deepEqual(
        [entry.source.client, entry.source.scope, addOn?.id, addOn?.root, entry.disabled],
        ['claude-code', 'user', id, roots[plugin], false],
      );
      assert.deepEqual(
        entry.instances.map((i) => i.pid),
        [pids[plugin]],
      );
      const [instance] = entry.instances;
      assert.equal(instance.client.id, 'claude-code');
      assert.deepEqual(
        instance.verdicts.filter((v) => v.kind === 'duplicate' || v.kind === 'orphan' || v.kind === 'unknown'),
        [],
        JSON.stringify(instance.verdicts),
      );
      assert.ok(!snap.notConfigured.some((i) => i.pid === pids[plugin]), 'not listed as not configured');
    }
    const off = snap.servers.filter((x) => x.name === 'plugin:off:memory');
    assert.deepEqual(
      off.map((x) => [x.disabled, x.instances.length]),
      [[true, 0]],
    );
    // Claude Code logs the server under its own name for it (`mcp-logs-plugin-memo-memory`): found by that name.
    let last: Awaited<ReturnType<typeof cli>> | undefined;
    await until("the plugin server's log read by its name", async () => {
      last = await cli(home, ['logs', 'plugin:memo:memory', ...workspace]);
      return last.code === 0 && last.stdout.includes('Knowledge Graph MCP Server running on stdio');
    }).catch((err: Error) => {
      throw new Error(`${err.message}; last \`logs\`: exit ${last?.code}\n${last?.stdout}${last?.stderr}`);
    });
    // The servers start before the session's first request: wait for it (it really started).
    const stub = model;
    await until('the session to ask the model', () => stub.requests.length > 0, 60_000);
  });

  it('a plugin updated (`claude plugin update`) while a session runs its server: the old version’s process stays its entry’s instance, its configuration changed, naming both versions', async () => {
    const claude = await claudeCodeBin();
    model = await modelStub();
    const project = path.join(home, 'proj');
    fs.mkdirSync(project);
    fs.mkdirSync(path.join(home, 'tmp'));
    writeMarketplace(path.join(home, 'market'), 'lg-local', []);
    const env = {
      ...process.env,
      ...clientEnv(model.url),
      HOME: home,
      MCP_LIFEGUARD_HOME: path.join(home, '.lifeguard'),
      TMPDIR: path.join(home, 'tmp'),
    };
    await run(claude, ['plugin', 'marketplace', 'add', path.join(home, 'market')], project, env);
    registerClonedMarketplace(home, 'lg-clone', ['cloned']);
    await run(claude, ['plugin', 'install', 'cloned@lg-clone'], project, env);
    session = spawn(claude, ['-p', 'hello'], { cwd: project, env, stdio: 'ignore' });
    const cache = path.join(home, '.claude', 'plugins', 'cache', 'lg-clone', 'cloned');
    const servers = () =>
      processesOfHome(path.join(home, '.lifeguard')).filter((p) => p.cmdline.includes('server.mjs'));
    await until("the plugin's server running", () => servers().length === 1, 120_000);
    const [server] = servers();
    assert.ok(server.cmdline.includes(path.join(cache, '1.0.0', 'server.mjs')), server.cmdline);

    // A new version in the marketplace, and Claude Code's own update: it installs 2.0.0 beside 1.0.0.
    const manifest = path.join(
      home,
      '.claude',
      'plugins',
      'marketplaces',
      'lg-clone',
      'plugins',
      'cloned',
      '.claude-plugin',
      'plugin.json',
    );
    fs.writeFileSync(manifest, JSON.stringify({ name: 'cloned', version: '2.0.0' }));
    await run(claude, ['plugin', 'update', 'cloned@lg-clone'], project, env);
    assert.ok(fs.existsSync(path.join(cache, '2.0.0', 'server.mjs')), 'the new version installed in the cache');

    const snap = await until('the update judged', async () => {
      const r = await cli(home, ['status', '--json', '--workspace', project]);
      assert.equal(r.code, 0, r.stderr);
      const s = JSON.parse(r.stdout) as Snapshot;
      const entry = s.servers.find((x) => x.name === 'plugin:cloned:memory');
      return entry?.instances[0]?.versions?.verdict.state === 'config-changed' ? s : undefined;
    });
    const entry = snap.servers.find((x) => x.name === 'plugin:cloned:memory')!;
    assert.equal(entry.source.addOn?.root, path.join(cache, '2.0.0'));
    assert.deepEqual(
      entry.instances.map((i) => [i.pid, i.client.id]),
      [[server.pid, 'claude-code']],
    );
    const verdict = entry.instances[0].versions?.verdict;
    assert.equal(
      verdict?.state === 'config-changed' && verdict.summary,
      "cloned@lg-clone was updated under it: it runs plugin version 1.0.0, 2.0.0 is installed; restart Claude Code's session to load it",
    );
    assert.ok(!snap.notConfigured.some((i) => i.pid === server.pid), 'not listed as not configured');
  });
});
