import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ServerConfig } from '../../../src/core/base/model';
import { ScanResult } from '../../../src/core/sources/scan';
import { repoRoot } from '../../support/repo';
import { host, memFs, scan, tempDir, writeTree } from './support';

/**
 * Claude Code's plugins, on the files Claude Code 2.1.328 itself wrote (test/fixtures/client-configs/
 * claude-code-2.1.328-plugins: `claude plugin marketplace add` of a local folder, `claude plugin
 * install` of five plugins, one `--scope project`, `claude plugin disable` of one), with what its
 * `claude mcp list` printed for them beside.
 */

const FIXTURE = path.join(repoRoot, 'test', 'fixtures', 'client-configs', 'claude-code-2.1.328-plugins');

/** Every fixture file (`@HOME@` standing for the home Claude Code ran in), relative to the fixture. */
function fixtureFiles(dir = FIXTURE): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? fixtureFiles(p) : [path.relative(FIXTURE, p)];
  });
}

/** A home holding the fixture, its paths this home's; `edit` changes a file's text first. */
function fixtureHome(edit: (rel: string, text: string) => string = (_rel, text) => text): string {
  const home = tempDir('claude-plugins');
  writeTree(
    Object.fromEntries(
      fixtureFiles().map((rel) => [
        path.join(home, rel),
        edit(rel, fs.readFileSync(path.join(FIXTURE, rel), 'utf8'))
          .split('@HOME@')
          .join(home),
      ]),
    ),
  );
  return home;
}

/** The Claude Code plugin an entry comes from, if any. */
const pluginOf = (s: ServerConfig) => (s.source.addOn?.kind === 'claude-plugin' ? s.source.addOn : undefined);
const pluginServers = (r: ScanResult): ServerConfig[] => r.servers.filter((s) => pluginOf(s) !== undefined);

/** A server as `claude mcp list` prints it: `name: command args` or `name: url (HTTP)`. */
function asListed(s: ServerConfig): string {
  return `${s.name}: ${s.transport === 'stdio' ? [s.command, ...s.args].join(' ') : `${s.url} (${s.transport.toUpperCase()})`}`;
}

/** What `claude mcp list` printed, each server's line without its health. */
function listedByClaudeCode(home: string): string[] {
  return fs
    .readFileSync(path.join(home, 'mcp-list.txt'), 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('plugin:'))
    .map((line) => line.replace(/ - [✔✘].*$/, ''));
}

describe('sources: Claude Code plugins (installed_plugins.json and the plugins it names)', () => {
  it('every enabled plugin server as `claude mcp list` names and launches it, the disabled plugin’s listed as disabled', async () => {
    const home = fixtureHome();
    const project = path.join(home, 'proj');
    const r = await scan({ host: host(home, 'linux', { HOME: home }), workspaceFolders: [project] });
    const servers = pluginServers(r);
    assert.deepEqual(
      r.diagnostics.filter((d) => d.client === 'claude-code'),
      [],
    );
    assert.deepEqual(
      servers.filter((s) => !s.disabled).map(asListed),
      listedByClaudeCode(home),
      'the names, commands and arguments Claude Code itself lists',
    );
    // Claude Code's records are among the files looked at (a change to one is a change to its plugins).
    const records = [
      path.join(home, '.claude', 'plugins', 'installed_plugins.json'),
      path.join(home, '.claude', 'plugins', 'known_marketplaces.json'),
      path.join(home, '.claude', 'settings.json'),
      path.join(project, '.claude', 'settings.json'),
      path.join(home, 'market', '.claude-plugin', 'marketplace.json'),
    ];
    assert.deepEqual(
      records.map((file) => r.files.filter((f) => f.file === file).map((f) => [f.client, f.state, f.servers])),
      records.map(() => [['claude-code', 'read', 0]]),
    );
    assert.ok(
      !r.files.some((f) => f.client === 'claude-code' && f.file.endsWith('managed-settings.json')),
      'a record that does not exist is not listed',
    );
    const off = servers.filter((s) => s.disabled);
    assert.deepEqual(
      off.map((s) => [s.name, pluginOf(s)?.id, [s.command, ...s.args].join(' ')]),
      [['plugin:off:quiet', 'off@lg-local', `node ${home}/market/plugins/off/quiet.mjs`]],
    );
    const of = (name: string) => servers.find((s) => s.name === name)!;
    // A local marketplace's plugin runs from the marketplace's folder, not its copy in the cache.
    assert.deepEqual(of('plugin:memo:memory').source.addOn, {
      kind: 'claude-plugin',
      id: 'memo@lg-local',
      name: 'memo',
      marketplace: 'lg-local',
      version: '1.2.0',
      root: path.join(home, 'market', 'plugins', 'memo'),
    });
    assert.equal(of('plugin:memo:memory').source.client, 'claude-code');
    assert.equal(of('plugin:memo:memory').source.label, 'Claude Code plugin');
    assert.equal(of('plugin:memo:memory').source.file, path.join(home, 'market', 'plugins', 'memo', '.mcp.json'));
    assert.deepEqual(
      r.launches.get(of('plugin:memo:memory').id)?.env,
      { MEMORY_FILE_PATH: path.join(home, '.claude', 'plugins', 'data', 'memo-lg-local', 'memory.json') },
      '${CLAUDE_PLUGIN_DATA} is the plugin’s data folder',
    );
    assert.equal(
      of('plugin:pathy:lookup').source.file,
      path.join(home, 'market', 'plugins', 'pathy', 'config', 'servers.json'),
    );
    assert.equal(pluginOf(of('plugin:pathy:lookup'))?.version, 'unknown');
    assert.equal(
      of('plugin:inline:tool').source.file,
      path.join(home, 'market', 'plugins', 'inline', '.claude-plugin', 'plugin.json'),
    );
    assert.deepEqual(of('plugin:inline:tool').keyPath, ['mcpServers', 'tool']);
    // A project install is the project's: its scope, its folder.
    assert.deepEqual(
      [of('plugin:proj:scoped').source.scope, of('plugin:proj:scoped').source.workspaceFolder],
      ['project', project],
    );
    assert.deepEqual(
      servers.filter((s) => s.name !== 'plugin:proj:scoped').map((s) => s.source.scope),
      servers.filter((s) => s.name !== 'plugin:proj:scoped').map(() => 'user'),
    );
  });

  it('a plugin of a marketplace Claude Code cloned runs from its copy in the cache (installPath)', async () => {
    // The same installs, the marketplace registered as a GitHub repository Claude Code cloned.
    const home = fixtureHome((rel, text) =>
      rel.endsWith('known_marketplaces.json')
        ? JSON.stringify({
            'lg-local': {
              source: { source: 'github', repo: 'example/lg-local' },
              installLocation: '@HOME@/.claude/plugins/marketplaces/lg-local',
              lastUpdated: '2026-11-29T03:45:00.000Z',
            },
          })
        : text,
    );
    const r = await scan({ host: host(home), workspaceFolders: [path.join(home, 'proj')] });
    const servers = pluginServers(r);
    const cache = path.join(home, '.claude', 'plugins', 'cache', 'lg-local');
    assert.deepEqual(
      servers.map((s) => [s.name, pluginOf(s)?.root, s.source.file]),
      [
        ['plugin:memo:memory', path.join(cache, 'memo', '1.2.0'), path.join(cache, 'memo', '1.2.0', '.mcp.json')],
        [
          'plugin:inline:docs',
          path.join(cache, 'inline', '0.1.0'),
          path.join(cache, 'inline', '0.1.0', '.claude-plugin', 'plugin.json'),
        ],
        [
          'plugin:inline:tool',
          path.join(cache, 'inline', '0.1.0'),
          path.join(cache, 'inline', '0.1.0', '.claude-plugin', 'plugin.json'),
        ],
        [
          'plugin:pathy:lookup',
          path.join(cache, 'pathy', 'unknown'),
          path.join(cache, 'pathy', 'unknown', 'config', 'servers.json'),
        ],
        ['plugin:off:quiet', path.join(cache, 'off', '3.0.0'), path.join(cache, 'off', '3.0.0', '.mcp.json')],
        ['plugin:proj:scoped', path.join(cache, 'proj', '0.3.0'), path.join(cache, 'proj', '0.3.0', '.mcp.json')],
      ],
    );
    assert.deepEqual(servers.find((s) => s.name === 'plugin:memo:memory')?.args, [
      path.join(cache, 'memo', '1.2.0', 'server.mjs'),
    ]);
  });

  it('the settings that apply decide: a project’s local settings over its own, managed settings over the user’s', async () => {
    const home = fixtureHome();
    const project = path.join(home, 'proj');
    writeTree({
      [path.join(project, '.claude', 'settings.local.json')]: JSON.stringify({
        enabledPlugins: { 'proj@lg-local': false },
      }),
      [path.join(home, 'system', 'etc', 'claude-code', 'managed-settings.json')]: JSON.stringify({
        enabledPlugins: { 'memo@lg-local': false, 'off@lg-local': true },
      }),
    });
    const r = await scan({
      host: host(home, 'linux', { MCP_LIFEGUARD_SYSTEM_ROOT: path.join(home, 'system') }),
      workspaceFolders: [project],
    });
    assert.deepEqual(
      pluginServers(r)
        .filter((s) => s.disabled)
        .map((s) => s.name)
        .sort(),
      ['plugin:memo:memory', 'plugin:proj:scoped'],
    );
  });

  it('a project’s settings that turn a user install on make it on where that project is a workspace folder', async () => {
    // As `claude mcp list` 2.1.328 printed in such a project: `plugin:off:quiet` listed, `plugin:memo:memory` not.
    const home = fixtureHome((rel, text) =>
      rel === 'proj/.claude/settings.json'
        ? JSON.stringify({ enabledPlugins: { 'proj@lg-local': true, 'off@lg-local': true, 'memo@lg-local': false } })
        : text,
    );
    const project = path.join(home, 'proj');
    const disabled = async (workspaceFolders: string[]) =>
      pluginServers(await scan({ host: host(home), workspaceFolders }))
        .filter((s) => s.disabled)
        .map((s) => s.name);
    assert.deepEqual(await disabled([project]), [], 'on in the project, or in the user’s settings');
    // Without the project, its install is still its own folder's; the user install is as the user's settings say.
    assert.deepEqual(await disabled([]), ['plugin:off:quiet']);
  });

  it('CLAUDE_CONFIG_DIR moves Claude Code’s folder, its plugins and their data with it', async () => {
    const home = fixtureHome();
    const config = path.join(home, 'cfg');
    fs.renameSync(path.join(home, '.claude'), config);
    const r = await scan({
      host: host(home, 'linux', { HOME: home, CLAUDE_CONFIG_DIR: config }),
      workspaceFolders: [],
    });
    const servers = pluginServers(r);
    assert.deepEqual(servers.filter((s) => !s.disabled).map(asListed), listedByClaudeCode(home));
    const memo = servers.find((s) => s.name === 'plugin:memo:memory')!;
    assert.deepEqual(r.launches.get(memo.id)?.env, {
      MEMORY_FILE_PATH: path.join(config, 'plugins', 'data', 'memo-lg-local', 'memory.json'),
    });
  });

  it('the .mcp.json files of public plugins (anthropics/claude-plugins-official), installed from its cloned marketplace', async () => {
    // Each file as its repository holds it (test/fixtures/client-configs/claude-plugins-official/<plugin>,
    // its source beside it), installed as Claude Code records a plugin of that marketplace.
    const official = path.join(repoRoot, 'test', 'fixtures', 'client-configs', 'claude-plugins-official');
    const names = ['github', 'playwright', 'serena', 'telegram'];
    const home = tempDir('claude-plugins');
    const plugins = path.join(home, '.claude', 'plugins');
    const root = (name: string) => path.join(plugins, 'cache', 'claude-plugins-official', name, 'unknown');
    writeTree({
      [path.join(plugins, 'installed_plugins.json')]: JSON.stringify({
        version: 2,
        plugins: Object.fromEntries(
          names.map((name) => [
            `${name}@claude-plugins-official`,
            [{ scope: 'user', installPath: root(name), version: 'unknown' }],
          ]),
        ),
      }),
      [path.join(plugins, 'known_marketplaces.json')]: JSON.stringify({
        'claude-plugins-official': {
          source: { source: 'github', repo: 'anthropics/claude-plugins-official' },
          installLocation: path.join(plugins, 'marketplaces', 'claude-plugins-official'),
        },
      }),
      [path.join(home, '.claude', 'settings.json')]: JSON.stringify({
        enabledPlugins: Object.fromEntries(names.map((name) => [`${name}@claude-plugins-official`, true])),
      }),
      ...Object.fromEntries(
        names.map((name) => [
          path.join(root(name), '.mcp.json'),
          fs.readFileSync(path.join(official, name, '.mcp.json'), 'utf8'),
        ]),
      ),
    });
    const token = 'ghp_fixture_token_value';
    const r = await scan({
      host: host(home, 'linux', { GITHUB_PERSONAL_ACCESS_TOKEN: token }),
      workspaceFolders: [],
    });
    assert.deepEqual(
      r.diagnostics.filter((d) => d.client === 'claude-code'),
      [],
    );
    assert.deepEqual(
      pluginServers(r).map((s) => [s.name, s.disabled, asListed(s)]),
      [
        ['plugin:github:github', false, 'plugin:github:github: https://api.githubcopilot.com/mcp/ (HTTP)'],
        [
          'plugin:playwright:playwright',
          false,
          'plugin:playwright:playwright: npx @playwright/mcp@latest --image-responses=omit',
        ],
        [
          'plugin:serena:serena',
          false,
          'plugin:serena:serena: uvx --from git+https://github.com/oraios/serena serena start-mcp-server --context claude-code',
        ],
        [
          'plugin:telegram:telegram',
          false,
          `plugin:telegram:telegram: tsx ${path.join(root('telegram'), 'server.ts')}`,
        ],
      ],
    );
    assert.deepEqual(pluginServers(r)[0].headerKeys, ['Authorization', 'X-MCP-Toolsets']);
    // A header's value is a secret, kept out of every server, as in every client's file.
    assert.ok(r.secrets.has('Bearer ${GITHUB_PERSONAL_ACCESS_TOKEN}'), [...r.secrets].join(', '));
    assert.ok(!JSON.stringify(r.servers).includes('Bearer'), 'never in a server');
    assert.ok(!JSON.stringify(r.servers).includes(token), 'nor the variable’s value');
  });

  it('an entry Claude Code’s schema refuses is a problem, not a server; an entry’s own cwd and disabled are not read', async () => {
    // This file in an installed plugin: `claude mcp list` (2.1.328) listed plugin:rules:withcwd
    // (`node x`), plugin:rules:off (`node y`) and plugin:rules:fine (`node z`), nothing else.
    const mcpJson = JSON.stringify({
      mcpServers: {
        nourl: { url: 'https://x.invalid/mcp' },
        badargs: { command: 'node', args: [1] },
        withcwd: { command: 'node', args: ['x'], cwd: '/tmp' },
        off: { command: 'node', args: ['y'], disabled: true },
        weird: { type: 'carrier', command: 'node' },
        fine: { command: 'node', args: ['z'] },
      },
    });
    const home = fixtureHome((rel, text) => (rel === 'market/plugins/memo/.mcp.json' ? mcpJson : text));
    const r = await scan({ host: host(home), workspaceFolders: [] });
    const memo = pluginServers(r).filter((s) => pluginOf(s)?.id === 'memo@lg-local');
    assert.deepEqual(
      memo.map((s) => [s.name, s.disabled, s.cwd, [s.command, ...s.args].join(' ')]),
      [
        ['plugin:memo:withcwd', false, undefined, 'node x'],
        ['plugin:memo:off', false, undefined, 'node y'],
        ['plugin:memo:fine', false, undefined, 'node z'],
      ],
    );
    const file = path.join(home, 'market', 'plugins', 'memo', '.mcp.json');
    assert.deepEqual(
      r.diagnostics
        .filter((d) => d.file === file)
        .map((d) => d.message.replace(/^server "[^"]+": /, ''))
        .map((m) => /Claude Code skips it/.test(m)),
      [true, true, true],
      JSON.stringify(r.diagnostics.filter((d) => d.file === file)),
    );
  });

  it('a Windows home: the records’ Windows paths, the plugin’s folder and data folder joined as Windows joins them', async () => {
    const home = 'C:\\Users\\u';
    const market = `${home}\\market`;
    const plugins = `${home}\\.claude\\plugins`;
    const files = {
      [`${plugins}\\installed_plugins.json`]: JSON.stringify({
        version: 2,
        plugins: {
          'memo@lg-local': [
            { scope: 'user', installPath: `${plugins}\\cache\\lg-local\\memo\\1.2.0`, version: '1.2.0' },
          ],
        },
      }),
      [`${plugins}\\known_marketplaces.json`]: JSON.stringify({
        'lg-local': { source: { source: 'directory', path: market }, installLocation: market },
      }),
      [`${market}\\.claude-plugin\\marketplace.json`]: JSON.stringify({
        name: 'lg-local',
        plugins: [{ name: 'memo', source: './plugins/memo' }],
      }),
      [`${home}\\.claude\\settings.json`]: JSON.stringify({ enabledPlugins: { 'memo@lg-local': true } }),
      [`${market}\\plugins\\memo\\.mcp.json`]: JSON.stringify({
        mcpServers: {
          memory: {
            command: 'node',
            args: ['${CLAUDE_PLUGIN_ROOT}/server.mjs'],
            env: { MEMORY_FILE_PATH: '${CLAUDE_PLUGIN_DATA}\\memory.json' },
          },
        },
      }),
    };
    const r = await scan({ host: host(home, 'win32'), workspaceFolders: [], ...memFs('win32', files) });
    const [memo] = pluginServers(r);
    assert.deepEqual(
      [memo.name, memo.source.file, pluginOf(memo)?.root, memo.args],
      [
        'plugin:memo:memory',
        `${market}\\plugins\\memo\\.mcp.json`,
        `${market}\\plugins\\memo`,
        // As Claude Code substitutes it: the folder's text in place of the variable.
        [`${market}\\plugins\\memo/server.mjs`],
      ],
    );
    assert.deepEqual(r.launches.get(memo.id)?.env, {
      MEMORY_FILE_PATH: `${plugins}\\data\\memo-lg-local\\memory.json`,
    });
  });

  it('no plugins installed: nothing read beyond the records, no problem', async () => {
    const home = tempDir('claude-plugins');
    const r = await scan({ host: host(home), workspaceFolders: [] });
    assert.deepEqual(pluginServers(r), []);
    assert.deepEqual(r.diagnostics, []);
  });

  it('a plugin file Claude Code cannot parse is a problem at its place, the plugin’s other files still read', async () => {
    const home = fixtureHome((rel, text) =>
      rel === 'market/plugins/memo/.mcp.json' ? '{ "mcpServers": { "memory": ' : text,
    );
    const r = await scan({ host: host(home), workspaceFolders: [] });
    const problems = r.diagnostics.filter((d) => d.file === path.join(home, 'market', 'plugins', 'memo', '.mcp.json'));
    assert.ok(problems.length > 0 && problems.every((d) => d.severity === 'error'), JSON.stringify(problems));
    assert.ok(pluginServers(r).some((s) => s.name === 'plugin:inline:docs'));
    assert.ok(!pluginServers(r).some((s) => s.name === 'plugin:memo:memory'));
  });
});
