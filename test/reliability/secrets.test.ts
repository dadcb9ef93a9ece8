import * as assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { listLocks } from '../../src/core/locks';
import { cliPath, fixturesDir } from '../support/repo';
import { makeTempDir } from '../support/temp';
import { linuxLayout } from '../unit/sources/fixtureLayouts';
import { allFiles, linkCli, runCli as run, writeIdleScript } from './support';
import { until } from '../support/poll';
import { stopChildren } from '../support/liveness';

/**
 * Secrets never leave, over a corpus of secret shapes kept as data (test/fixtures/secrets/corpus.json):
 * each shape is written into the config files of several clients (VS Code, Claude Desktop, Codex),
 * carried in the argv of real running processes (configured ones, an unconfigured one, and one under
 * `mcp-lifeguard run`, which writes a lock record), and the built CLI's `status`, `status --json`,
 * `locks` and `locks --json`, the guard's own log lines and every file under MCP_LIFEGUARD_HOME are
 * searched for every secret value. The test reports how many shapes leaked; none may.
 */

interface LeakEntry {
  name: string;
  command?: string;
  args?: string[];
  vars?: Record<string, string>;
  env?: Record<string, string>;
  headers?: Record<string, string>;
  url?: string;
  secrets: string[];
}
interface KeepEntry {
  name: string;
  args: string[];
  visible: string[];
}
const corpus = JSON.parse(fs.readFileSync(path.join(fixturesDir, 'secrets', 'corpus.json'), 'utf8')) as {
  leak: LeakEntry[];
  keep: KeepEntry[];
};

/** The argv a client runs for the entry: `${env:VAR}` substituted as VS Code does. */
function resolved(args: readonly string[], vars: Record<string, string> = {}): string[] {
  return args.map((a) => a.replace(/\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g, (m, name: string) => vars[name] ?? m));
}

const allVars = Object.assign({}, ...corpus.leak.map((e) => e.vars ?? {})) as Record<string, string>;

function vscodeEntry(e: LeakEntry): Record<string, unknown> {
  if (e.args)
    return { type: 'stdio', command: e.command ?? 'mcp-corpus-server', args: e.args, ...(e.env ? { env: e.env } : {}) };
  if (e.url) return { type: 'http', url: e.url, ...(e.headers ? { headers: e.headers } : {}) };
  return { type: 'stdio', command: e.command ?? 'mcp-corpus-server', ...(e.env ? { env: e.env } : {}) };
}

/** Codex's config.toml: one table per server; JSON strings are valid TOML basic strings. */
function codexToml(servers: Record<string, Record<string, unknown>>): string {
  const value = (v: unknown): string =>
    Array.isArray(v)
      ? `[${v.map(value).join(', ')}]`
      : typeof v === 'object' && v !== null
        ? `{ ${Object.entries(v)
            .map(([k, x]) => `${JSON.stringify(k)} = ${value(x)}`)
            .join(', ')} }`
        : JSON.stringify(v);
  return Object.entries(servers)
    .map(([name, fields]) =>
      [`[mcp_servers.${JSON.stringify(name)}]`, ...Object.entries(fields).map(([k, v]) => `${k} = ${value(v)}`)].join(
        '\n',
      ),
    )
    .join('\n\n');
}

describe('secrets: a corpus of secret shapes in configs and running processes leaks into no output', function () {
  this.timeout(120_000);
  let root: string;
  let home: string;
  let own: string;
  let env: NodeJS.ProcessEnv;
  const procs: ChildProcess[] = [];
  let guardStderr = '';
  const outputs: Record<string, string> = {};

  before(async () => {
    assert.ok(fs.existsSync(cliPath), 'dist/cli.js is built (npm run build) before the tests');
    assert.ok(corpus.leak.length >= 50, `the corpus holds ${corpus.leak.length} shapes`);
    // The guard's control socket lives under MCP_LIFEGUARD_HOME: a short root (the run's TMPDIR is short).
    root = makeTempDir('lg-sec-');
    const layout = linuxLayout(path.join(root, 'fs'), false);
    home = layout.home;
    own = path.join(root, 'lg');
    const scripts = path.join(root, 'bin');
    fs.mkdirSync(scripts, { recursive: true });
    for (const name of ['corpus-mcp.js', 'unlisted-mcp.js', 'guarded-mcp.js'])
      writeIdleScript(path.join(scripts, name));
    // The guard as installed (`mcp-lifeguard run`), so that the snapshot marks its server as guarded.
    const guardBin = linkCli(scripts);

    const withArgs = corpus.leak.filter((e) => e.args);
    const groups: LeakEntry[][] = [];
    for (let i = 0; i < withArgs.length; i += 12) groups.push(withArgs.slice(i, i + 12));
    const groupArgs = (g: LeakEntry[], i: number) => [
      path.join(scripts, 'corpus-mcp.js'),
      '--group',
      String(i),
      ...g.flatMap((e) => e.args as string[]),
    ];

    const vscode: Record<string, unknown> = {};
    const desktop: Record<string, unknown> = {};
    const codex: Record<string, Record<string, unknown>> = {};
    corpus.leak.forEach((e, i) => {
      vscode[`corpus-${i}`] = vscodeEntry(e);
      if (!e.url)
        desktop[`corpus-${i}`] = {
          command: e.command ?? 'mcp-corpus-server',
          args: e.args ?? [],
          ...(e.env ? { env: e.env } : {}),
        };
      codex[`corpus-${i}`] = e.url
        ? { url: e.url, ...(e.headers ? { http_headers: e.headers } : {}) }
        : { command: e.command ?? 'mcp-corpus-server', args: e.args ?? [], ...(e.env ? { env: e.env } : {}) };
    });
    corpus.keep.forEach((e, i) => {
      vscode[`keep-${i}`] = { type: 'stdio', command: 'mcp-corpus-server', args: e.args };
    });
    // The running processes' own configs: the instances are matched to them.
    groups.forEach((g, i) => {
      vscode[`corpus-group-${i}`] = { type: 'stdio', command: process.execPath, args: groupArgs(g, i) };
    });

    const rowFile = (client: string, format: string) => {
      const row = layout.rows.find((r) => r.client === client && r.scope === 'user' && r.format === format);
      assert.ok(row, `no ${client} row`);
      return row.file;
    };
    const files: Record<string, string> = {
      [rowFile('vscode', 'servers')]: JSON.stringify({ servers: vscode }, null, 2),
      [rowFile('claude-desktop', 'mcpServers')]: JSON.stringify({ mcpServers: desktop }, null, 2),
      [rowFile('codex', 'toml')]: codexToml(codex),
      // A broken file holding secrets: its diagnostics must not quote them.
      [path.join(layout.workspace, '.vscode', 'mcp.json')]:
        `{"servers":{"broken":{"command":"x","args":${JSON.stringify(withArgs.slice(0, 10).flatMap((e) => e.args as string[]))} "env":{}}}`,
    };
    for (const [file, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, text);
    }
    env = { PATH: process.env.PATH, HOME: home, MCP_LIFEGUARD_HOME: own, ...layout.env, ...allVars };

    // Real processes carrying every argv shape: configured, unconfigured, and one under the guard.
    groups.forEach((g, i) =>
      procs.push(spawn(process.execPath, resolved(groupArgs(g, i), allVars), { stdio: 'ignore' })),
    );
    const everyArg = resolved(
      withArgs.flatMap((e) => e.args as string[]),
      allVars,
    );
    procs.push(spawn(process.execPath, [path.join(scripts, 'unlisted-mcp.js'), ...everyArg], { stdio: 'ignore' }));
    const guard = spawn(
      process.execPath,
      [
        guardBin,
        'run',
        '--name',
        'corpus-guarded',
        '--',
        process.execPath,
        path.join(scripts, 'guarded-mcp.js'),
        ...everyArg,
      ],
      {
        env: { ...env },
        cwd: root,
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    guard.stderr?.on('data', (d: Buffer) => (guardStderr += d.toString()));
    procs.push(guard);
    await until('the guard to hold its lock and start its server', async () => {
      const live = (await listLocks(path.join(own, 'locks')).catch(() => [])).filter((l) => l.state === 'live');
      return live.some((l) => l.state === 'live' && l.record.child) ? true : undefined;
    });

    const status = await run(['status', '--workspace', layout.workspace], env);
    const statusJson = await run(['status', '--json', '--workspace', layout.workspace], env);
    const locks = await run(['locks'], env);
    const locksJson = await run(['locks', '--json'], env);
    assert.equal(statusJson.code, 0, statusJson.stderr);
    assert.equal(locksJson.code, 0, locksJson.stderr);
    Object.assign(outputs, {
      status: status.stdout + status.stderr,
      'status --json': statusJson.stdout + statusJson.stderr,
      locks: locks.stdout + locks.stderr,
      'locks --json': locksJson.stdout + locksJson.stderr,
    });
    for (const f of allFiles(own)) outputs[path.relative(root, f)] = fs.readFileSync(f, 'utf8');
  });

  after(async () => {
    await stopChildren(procs);
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  it('the fixture really reached every output: servers listed, instances matched, the guard locked', () => {
    const snapshot = JSON.parse(outputs['status --json']) as {
      servers: { name: string; source: { client: string }; instances: { pid: number }[] }[];
      notConfigured: { pid: number; lock?: unknown }[];
      diagnostics: { file: string }[];
    };
    const clients = new Set(snapshot.servers.filter((s) => s.name.startsWith('corpus-')).map((s) => s.source.client));
    assert.deepEqual([...clients].sort(), ['claude-desktop', 'codex', 'vscode']);
    const groups = snapshot.servers.filter((s) => s.name.startsWith('corpus-group-'));
    assert.ok(
      groups.length > 0 && groups.every((s) => s.instances.length === 1),
      `group instances: ${JSON.stringify(groups.map((s) => [s.name, s.instances.length]))}`,
    );
    const unlisted = procs[groups.length].pid;
    assert.ok(
      snapshot.notConfigured.some((i) => i.pid === unlisted),
      'the unconfigured process is listed',
    );
    assert.ok(
      snapshot.notConfigured.some((i) => i.lock !== undefined),
      'the guarded server is listed with its lock',
    );
    assert.ok(
      snapshot.diagnostics.some((d) => d.file.endsWith(path.join('.vscode', 'mcp.json'))),
      'the broken file has a diagnostic',
    );
    assert.ok(
      Object.keys(outputs).some((k) => k.startsWith('lg/locks/')),
      'lock record files were read',
    );
  });

  it('no shape of the corpus leaks into status, status --json, locks, locks --json, the guard log or any file of MCP_LIFEGUARD_HOME', () => {
    const all = { ...outputs, 'guard stderr': guardStderr };
    const leaked = corpus.leak
      .map((e) => ({
        name: e.name,
        where: e.secrets.flatMap((s) =>
          Object.entries(all)
            .filter(([, text]) => text.includes(s))
            .map(([where]) => where),
        ),
      }))
      .filter((l) => l.where.length > 0);
    const report = leaked.map((l) => `  ${l.name}: in ${[...new Set(l.where)].join(', ')}`).join('\n');
    assert.equal(leaked.length, 0, `${leaked.length} of ${corpus.leak.length} secret shapes leaked:\n${report}`);
  });

  it('ordinary arguments stay readable', () => {
    const hidden = corpus.keep.filter((e) => e.visible.some((v) => !outputs.status.includes(v)));
    assert.deepEqual(
      hidden.map((e) => e.name),
      [],
      'ordinary arguments were masked in status',
    );
  });
});
