import * as assert from 'node:assert/strict';
import { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Snapshot } from '../../src/core/base/model';
import { pastJudgedStart } from '../support/judgedStart';
import { pastQuietPeriod, testSettleEnv } from '../support/settle';
import { stopChildren } from '../support/liveness';
import { until } from '../support/poll';
import { run } from '../support/run';
import { startReady } from '../support/startup';
import { npmTool } from '../support/toolCache';
import { cli } from '../integration/processes/support/harness';

/** The MCPB CLI Claude Desktop's bundles are built with, and the server the bundles carry (both from npm, cached by version). */
const MCPB = { name: '@anthropic-ai/mcpb', version: '2.1.2' };
const MEMORY = { name: '@modelcontextprotocol/server-memory', version: '2026.8.31' };
const ENTRY = ['node_modules', '@modelcontextprotocol', 'server-memory', 'dist', 'index.js'];

/** A sensitive setting's value: it must never show in anything the CLI prints. */
const SECRET = 'Sesame-Blue-Walrus-7731';
/** Another, kept encrypted by Claude Desktop: the process gets what it decrypts to, which is not known here. */
const ENCRYPTED = '__encrypted__:djEwZ4ZzKIpTaohZbWFkZXVwYmxvYg==';
const DECRYPTED = 'Decrypted-Otter-Lantern-5512';

/**
 * Real MCP Bundles: server-memory packed by the real `mcpb pack` into a `.mcpb`, laid out as Claude
 * Desktop installs one (unpacked by the real `mcpb unpack` into `<Claude>/Claude Extensions/<id>/`,
 * its settings in `Claude Extensions Settings/<id>.json`, its record in
 * `extensions-installations.json`) under a temp HOME, read by the built CLI's `status --json`.
 * A copy is started as Claude Desktop starts a bundle's plain child (its substituted command and
 * env); the bundle is then replaced in place by a newer one, as Claude Desktop's update does.
 */
describe(`real clients: Claude Desktop extensions built with ${MCPB.name} ${MCPB.version}`, function () {
  this.timeout(600_000);
  let root: string;
  let home: string;
  let claude: string;
  let mcpb: string;
  let memoryTree: string;
  const started: ChildProcess[] = [];

  before(async function () {
    if (process.platform !== 'linux') this.skip();
    mcpb = path.join(await npmTool(MCPB.name, MCPB.version), 'mcpb');
    memoryTree = path.dirname(await npmTool(MEMORY.name, MEMORY.version));
  });

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'lg-mcpb-'));
    home = path.join(root, 'home');
    claude = path.join(home, '.config', 'Claude');
    fs.mkdirSync(claude, { recursive: true });
  });

  afterEach(async () => {
    await stopChildren(started.splice(0));
    fs.rmSync(root, { recursive: true, force: true });
  });

  /** Packs server-memory as a bundle of `version` with the real CLI; returns the `.mcpb` file. */
  async function pack(name: string, version: string): Promise<string> {
    const src = path.join(root, `src-${name}-${version}`);
    fs.mkdirSync(src, { recursive: true });
    fs.cpSync(memoryTree, path.join(src, 'node_modules'), { recursive: true, dereference: true });
    fs.writeFileSync(
      path.join(src, 'manifest.json'),
      JSON.stringify(
        {
          manifest_version: '0.3',
          name,
          display_name: 'Memory (bundle)',
          version,
          description: 'server-memory as an MCP Bundle',
          author: { name: 'MCP Lifeguard tests' },
          server: {
            type: 'node',
            entry_point: ENTRY.join('/'),
            mcp_config: {
              command: 'node',
              args: [
                `\${__dirname}/${ENTRY.join('/')}`,
                '--label=${user_config.api_token}',
                '--upstream=${user_config.upstream_key}',
              ],
              env: {
                MEMORY_FILE_PATH: '${user_config.memory_file}',
                MEMORY_API_TOKEN: '${user_config.api_token}',
                MEMORY_UPSTREAM_KEY: '${user_config.upstream_key}',
              },
            },
          },
          user_config: {
            memory_file: { type: 'file', title: 'Memory file', description: 'Where the graph is kept' },
            api_token: { type: 'string', title: 'API token', description: 'A token', sensitive: true, required: true },
            upstream_key: { type: 'string', title: 'Upstream key', description: 'Another', sensitive: true },
          },
        },
        null,
        2,
      ),
    );
    await run(mcpb, ['validate', path.join(src, 'manifest.json')]);
    const out = path.join(root, `${name}-${version}.mcpb`);
    await run(mcpb, ['pack', src, out]);
    return out;
  }

  /** Installs a bundle as Claude Desktop does: unpacked into its folder, recorded, settings written. */
  async function install(id: string, bundle: string, version: string, settings: unknown | undefined): Promise<string> {
    const folder = path.join(claude, 'Claude Extensions', id);
    fs.rmSync(folder, { recursive: true, force: true });
    await run(mcpb, ['unpack', bundle, folder]);
    const manifest = JSON.parse(fs.readFileSync(path.join(folder, 'manifest.json'), 'utf8'));
    const recordFile = path.join(claude, 'extensions-installations.json');
    const records = fs.existsSync(recordFile) ? JSON.parse(fs.readFileSync(recordFile, 'utf8')) : { extensions: {} };
    records.extensions[id] = {
      id,
      version,
      hash: '',
      installedAt: new Date().toISOString(),
      manifest,
      signatureInfo: { status: 'unsigned' },
      source: 'local',
    };
    fs.writeFileSync(recordFile, JSON.stringify(records, null, 2));
    if (settings !== undefined) {
      fs.mkdirSync(path.join(claude, 'Claude Extensions Settings'), { recursive: true });
      fs.writeFileSync(path.join(claude, 'Claude Extensions Settings', `${id}.json`), JSON.stringify(settings));
    }
    return folder;
  }

  const outputs: string[] = [];
  async function status(): Promise<Snapshot> {
    const r = await cli(home, ['status', '--json'], { XDG_CONFIG_HOME: path.join(home, '.config'), ...testSettleEnv });
    outputs.push(r.stdout, r.stderr);
    assert.ok(r.stdout.trim().startsWith('{'), `status --json exited ${r.code}: ${r.stderr}`);
    return JSON.parse(r.stdout) as Snapshot;
  }
  const bundleServer = (snap: Snapshot, id: string) => {
    const s = snap.servers.find((x) => x.source.extension?.id === id);
    assert.ok(
      s,
      `no extension server of ${id}: ${snap.servers.map((x) => x.source.extension?.id ?? x.name).join(', ')}`,
    );
    return s;
  };

  it('finds the bundle with its version; a running copy is its instance; an update in place makes it stale naming both versions; a disabled bundle is listed disabled; no secret is ever printed', async () => {
    const v1 = await pack('memory-bundle', '1.0.0');
    const v2 = await pack('memory-bundle', '1.1.0');
    const id = 'local.mcpb.mcp-lifeguard-tests.memory-bundle';
    const memoryFile = path.join(root, 'memory.jsonl');
    const folder = await install(id, v1, '1.0.0', {
      isEnabled: true,
      userConfig: { memory_file: memoryFile, api_token: SECRET, upstream_key: ENCRYPTED },
    });
    // The newer bundle also installed under another id and switched off in Claude Desktop.
    const offId = 'local.mcpb.mcp-lifeguard-tests.memory-off';
    await install(offId, v2, '1.1.0', {
      isEnabled: false,
      userConfig: { api_token: SECRET, upstream_key: ENCRYPTED },
    });
    const installedAt = Date.now();

    const first = await status();
    const ours = first.diagnostics.filter((d) => d.file.startsWith(claude));
    assert.deepEqual(ours, []);
    const s = bundleServer(first, id);
    assert.equal(s.name, 'memory-bundle');
    assert.equal(s.source.client, 'claude-desktop');
    assert.equal(s.source.label, 'Claude Desktop extension');
    assert.deepEqual(s.source.extension, {
      id,
      version: '1.0.0',
      serverType: 'node',
      settings: path.join(claude, 'Claude Extensions Settings', `${id}.json`),
    });
    assert.equal(s.disabled, false);
    assert.equal(s.command, 'node');
    assert.deepEqual(s.args, [path.join(folder, ...ENTRY), '--label=<redacted>', '--upstream=<redacted>']);
    assert.deepEqual(s.unresolved, ['${user_config.upstream_key}']);
    assert.equal(s.installed?.state === 'installed' && `${s.installed.ecosystem} ${s.installed.version}`, 'mcpb 1.0.0');
    const off = bundleServer(first, offId);
    assert.equal(off.disabled, true);
    assert.equal(off.source.extension?.version, '1.1.0');

    // Claude Desktop's plain child: node with the substituted arguments and env (it decrypts the
    // encrypted setting), started once the install is past the quiet period and told from its files.
    await pastQuietPeriod(installedAt);
    await pastJudgedStart(installedAt);
    const child = await startReady(
      'node',
      [path.join(folder, ...ENTRY), `--label=${SECRET}`, `--upstream=${DECRYPTED}`],
      {
        cwd: root,
        env: { MEMORY_FILE_PATH: memoryFile, MEMORY_API_TOKEN: SECRET, MEMORY_UPSTREAM_KEY: DECRYPTED },
        ready: /running on stdio/,
      },
      started,
    );
    const instanceOf = async (want: (state: string | undefined) => boolean) => {
      let last = '';
      return until(
        () => `an instance of memory-bundle, pid ${child.pid} (last: ${last})`,
        async () => {
          const server = bundleServer(await status(), id);
          const inst = server.instances.find((i) => i.pid === child.pid);
          last = JSON.stringify(server.instances.map((i) => [i.pid, i.versions?.verdict]));
          return inst && want(inst.versions?.verdict.state) ? inst : undefined;
        },
        120_000,
        500,
      );
    };
    const before = await instanceOf((st) => st === 'current');
    assert.equal(before.versions?.installed.state === 'installed' && before.versions.installed.version, '1.0.0');
    assert.equal(before.versions?.running.state === 'known' && before.versions.running.version, '1.0.0');
    assert.match(before.commandLine, / --label=<redacted> --upstream=<redacted>$/);

    // Claude Desktop updates the extension by itself: the folder's manifest and files replaced in
    // place, told from the copy's start (process start times are coarse).
    await pastJudgedStart(before.startTime);
    await install(id, v2, '1.1.0', undefined);
    const after = await instanceOf((st) => st === 'stale');
    const v = after.versions?.verdict;
    assert.equal(
      v?.state === 'stale' && `${v.ecosystem} ${v.package} ${v.running} -> ${v.installed}`,
      'mcpb memory-bundle 1.0.0 -> 1.1.0',
    );
    assert.equal(v?.state === 'stale' && v.runningLearnedFrom, 'first-seen');
    assert.match(v?.state === 'stale' ? v.summary : '', /1\.0\.0.*1\.1\.0/);
    const updated = bundleServer(await status(), id);
    assert.equal(updated.source.extension?.version, '1.1.0');

    // The text face too.
    const text = await cli(home, ['status'], { XDG_CONFIG_HOME: path.join(home, '.config'), ...testSettleEnv });
    outputs.push(text.stdout, text.stderr);
    assert.match(text.stdout, /memory-bundle/);

    for (const out of outputs) {
      for (const secret of [SECRET, ENCRYPTED, DECRYPTED])
        assert.ok(!out.includes(secret), `a secret was printed:\n${out}`);
    }
  });
});
