import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ServerConfig } from '../../../src/core/base/model';
import { enabledIn } from '../../../src/core/sources/cliExtensions';
import { ScanResult } from '../../../src/core/sources/scan';
import { repoRoot } from '../../support/repo';
import { host, memFs, scan, tempDir, writeTree } from './support';

/**
 * Gemini CLI's extensions, on the files Gemini CLI 0.61.0 itself wrote (test/fixtures/client-configs/
 * gemini-cli-0.61.0-extensions: `gemini extensions install` of two local folders, `gemini extensions
 * link` of a third, `gemini extensions disable` of one for the user and of the linked one for the
 * project), with what its `gemini mcp list` and `gemini extensions list` printed beside.
 */

const FIXTURES = path.join(repoRoot, 'test', 'fixtures', 'client-configs');
const FIXTURE = path.join(FIXTURES, 'gemini-cli-0.61.0-extensions');

function fixtureFiles(fixture = FIXTURE, dir = fixture): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? fixtureFiles(fixture, p) : [path.relative(fixture, p)];
  });
}

/** A home holding the fixture (`@HOME@` this home), with `extra` files written over it (paths relative to the home). */
function fixtureHome(extra: Record<string, string> = {}, fixture = FIXTURE): string {
  const home = tempDir('cli-extensions');
  const files: Record<string, string> = {};
  for (const rel of fixtureFiles(fixture)) files[rel] = fs.readFileSync(path.join(fixture, rel), 'utf8');
  Object.assign(files, extra);
  writeTree(
    Object.fromEntries(
      Object.entries(files).map(([rel, text]) => [path.join(home, rel), text.split('@HOME@').join(home)]),
    ),
  );
  return home;
}

/** The Gemini CLI or Qwen Code extension an entry comes from, if any. */
const extensionOf = (s: ServerConfig) => (s.source.addOn?.kind === 'cli-extension' ? s.source.addOn : undefined);
const extensionServers = (r: ScanResult): ServerConfig[] => r.servers.filter(extensionOf);

/** A server as `gemini mcp list` prints it: `name (from ext): command args (stdio)` or `url (http)`. */
function asListed(s: ServerConfig): string {
  const what = s.transport === 'stdio' ? [s.command, ...s.args].join(' ') : s.url;
  return `${s.name} (from ${extensionOf(s)?.name}): ${what} (${s.transport})`;
}

/** What `gemini mcp list` printed, each server's line without its health. */
function listedByGemini(home: string): string[] {
  return fs
    .readFileSync(path.join(home, 'mcp-list.txt'), 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('✗ '))
    .map((line) => line.slice(2).replace(/ - Disconnected$/, ''));
}

describe('sources: Gemini CLI extensions (the extensions folder and its enablement rules)', () => {
  it('every extension’s server as `gemini mcp list` names and launches it, under Gemini CLI with its extension named', async () => {
    const home = fixtureHome();
    const r = await scan({ host: host(home, 'linux', { HOME: home }), workspaceFolders: [] });
    assert.deepEqual(
      r.diagnostics.filter((d) => d.client === 'gemini-cli'),
      [],
    );
    const servers = extensionServers(r);
    assert.deepEqual(servers.map(asListed).sort(), listedByGemini(home).sort(), 'what Gemini CLI itself lists');
    const of = (name: string) => servers.find((s) => s.name === name)!;
    const memo = path.join(home, '.gemini', 'extensions', 'memo');
    assert.deepEqual(of('memo-mem').source, {
      client: 'gemini-cli',
      scope: 'user',
      label: 'Gemini CLI extension',
      file: path.join(memo, 'gemini-extension.json'),
      addOn: { kind: 'cli-extension', name: 'memo', version: '1.2.0', root: memo },
    });
    assert.deepEqual(of('memo-mem').keyPath, ['mcpServers', 'memo-mem']);
    assert.deepEqual(of('memo-mem').envKeys, ['MEMO_TOKEN']);
    // A linked extension is loaded from the folder it links, where its manifest is: its servers run there.
    const linked = path.join(home, 'src', 'linked');
    assert.deepEqual(
      [of('linked-mem').source.file, extensionOf(of('linked-mem'))?.root, of('linked-mem').cwd],
      [path.join(linked, 'gemini-extension.json'), linked, linked],
    );
    // The enablement rules: `off` is off for the user; `linked` only in the project, on here.
    assert.deepEqual(servers.map((s) => [s.name, s.disabled]).sort(), [
      ['linked-mem', false],
      ['memo-mem', false],
      ['memo-remote', false],
      ['off-mem', true],
    ]);
    // The records the scan read to find the extensions are among the files looked at.
    const records = [
      path.join(home, '.gemini', 'extensions', 'extension-enablement.json'),
      path.join(home, '.gemini', 'extensions', 'linked', '.gemini-extension-install.json'),
    ];
    assert.deepEqual(
      records.map((file) => r.files.filter((f) => f.file === file).map((f) => [f.client, f.state, f.servers])),
      records.map(() => [['gemini-cli', 'read', 0]]),
    );
  });

  it('an extension is on where any folder the user works in has it on, as `gemini extensions list` says there', async () => {
    const home = fixtureHome({
      // Gemini CLI loads no workspace's extensions: this one is in neither of its lists.
      'proj/.gemini/extensions/wsx/gemini-extension.json': JSON.stringify({
        name: 'wsx',
        version: '1.0.0',
        mcpServers: { 'wsx-mem': { command: 'node' } },
      }),
    });
    const project = path.join(home, 'proj');
    const listed = fs.readFileSync(path.join(home, 'extensions-list-proj.txt'), 'utf8');
    // In the project, Gemini CLI has `linked` off for the workspace and on for the user.
    assert.match(listed, /✗ linked \(0\.1\.0\)[^✓✗]*Enabled \(User\): true\n Enabled \(Workspace\): false/);
    const onlyProject = await scan({ host: host(home, 'linux', { HOME: home }), workspaceFolders: [project] });
    // The home folder is always a place a session may run: `linked` is on for the user there.
    assert.equal(extensionServers(onlyProject).find((s) => s.name === 'linked-mem')?.disabled, false);
    assert.ok(!onlyProject.servers.some((s) => s.name === 'wsx-mem'), 'a workspace’s extension is not read');
    // A rule for the home folder alone and below, off: `linked` is off everywhere but the project.
    const flipped = fixtureHome({
      '.gemini/extensions/extension-enablement.json': JSON.stringify({
        linked: { overrides: ['!@HOME@/*', '@HOME@/proj/*'] },
      }),
    });
    const at = async (folders: string[]) =>
      extensionServers(await scan({ host: host(flipped, 'linux', { HOME: flipped }), workspaceFolders: folders })).find(
        (s) => s.name === 'linked-mem',
      )?.disabled;
    assert.equal(await at([]), true);
    assert.equal(await at([path.join(flipped, 'proj')]), false);
    assert.equal(await at([path.join(flipped, 'proj', 'sub')]), false, 'a rule with `*` holds below its folder');
  });

  it('the enablement rules as Gemini CLI matches them', () => {
    assert.equal(enabledIn([], '/home/u/p'), true, 'on where no rule matches');
    assert.equal(enabledIn(['!/home/u/*'], '/home/u'), false, 'a `*` rule holds in its own folder');
    assert.equal(enabledIn(['!/home/u/*'], '/home/u/p/q'), false);
    assert.equal(enabledIn(['!/home/u/'], '/home/u/p'), true, 'a rule without `*` holds in its folder alone');
    assert.equal(enabledIn(['!/home/u/*', '/home/u/p/'], '/home/u/p'), true, 'the last rule to match decides');
    assert.equal(enabledIn(['/home/u/p/', '!/home/u/*'], '/home/u/p'), false);
    assert.equal(enabledIn(['!/home/u.x/*'], '/home/uax'), true, 'a dot is a dot');
    assert.equal(enabledIn(['!/C:/Users/u/*'], 'C:\\Users\\u\\p'), false, 'a Windows folder, as Gemini CLI writes it');
  });

  it('an extension Gemini CLI skips is one problem with its reason, and no server', async () => {
    const home = fixtureHome({
      '.gemini/extensions/noversion/gemini-extension.json': JSON.stringify({
        name: 'noversion',
        mcpServers: { a: { command: 'node' } },
      }),
      '.gemini/extensions/badname/gemini-extension.json': JSON.stringify({
        name: 'bad name',
        version: '1.0.0',
        mcpServers: { b: { command: 'node' } },
      }),
      '.gemini/extensions/comment/gemini-extension.json': '{ // a comment\n "name": "comment", "version": "1" }',
      '.gemini/extensions/empty/.keep': '',
    });
    const r = await scan({ host: host(home, 'linux', { HOME: home }), workspaceFolders: [] });
    const manifest = (name: string) => path.join(home, '.gemini', 'extensions', name, 'gemini-extension.json');
    assert.deepEqual(
      r.diagnostics
        .filter((d) => d.client === 'gemini-cli')
        .map((d) => [d.file, d.severity, d.message])
        .sort(),
      [
        [
          manifest('badname'),
          'error',
          'Gemini CLI skips this extension: its "name" may hold only letters, digits and dashes, found "bad name"',
        ],
        [
          manifest('comment'),
          'error',
          `Gemini CLI skips this extension: its manifest is not JSON (${jsonError('{ // a comment\n "name": "comment", "version": "1" }')})`,
        ],
        [manifest('noversion'), 'error', 'Gemini CLI skips this extension: its manifest has no "version"'],
      ],
    );
    assert.deepEqual(
      extensionServers(r)
        .map((s) => s.name)
        .sort(),
      ['linked-mem', 'memo-mem', 'memo-remote', 'off-mem'],
    );
  });

  it('`${workspacePath}`, the folder a session runs in, is left as written and listed as unresolved; `${pathSeparator}` is the separator; a `url` alone is http', async () => {
    const home = fixtureHome({
      '.gemini/extensions/ws/gemini-extension.json': JSON.stringify({
        name: 'ws',
        version: '1.0.0',
        mcpServers: {
          ws: { command: 'node', args: ['${extensionPath}${pathSeparator}s.js', '${workspacePath}/data'] },
          remote: { url: 'http://127.0.0.1:9/mcp' },
        },
      }),
    });
    const r = await scan({ host: host(home, 'linux', { HOME: home }), workspaceFolders: [] });
    const ws = extensionServers(r).find((s) => s.name === 'ws')!;
    const root = path.join(home, '.gemini', 'extensions', 'ws');
    assert.deepEqual([ws.args, ws.unresolved], [[`${root}/s.js`, '${workspacePath}/data'], ['${workspacePath}']]);
    // A `url` without a `type` is streamable HTTP, as Gemini CLI 0.61.0 connects it.
    assert.equal(extensionServers(r).find((s) => s.name === 'remote')?.transport, 'http');
  });

  it('a Windows home: `${/}` is `\\`, a linked extension’s Windows folder, and the rules as Gemini CLI writes them there', async () => {
    const home = 'C:\\Users\\u';
    const extensions = `${home}\\.gemini\\extensions`;
    const manifest = (name: string) =>
      JSON.stringify({
        name,
        version: '1.0.0',
        mcpServers: { [`${name}-mem`]: { command: 'node', args: ['${extensionPath}${/}server.js'] } },
      });
    const files = {
      [`${extensions}\\memo\\gemini-extension.json`]: manifest('memo'),
      [`${extensions}\\off\\gemini-extension.json`]: manifest('off'),
      [`${extensions}\\linked\\.gemini-extension-install.json`]: JSON.stringify({
        source: 'D:\\src\\linked',
        type: 'link',
      }),
      'D:\\src\\linked\\gemini-extension.json': manifest('linked'),
      // `gemini extensions disable off` on Windows: the home folder as a rule, its slashes turned.
      [`${extensions}\\extension-enablement.json`]: JSON.stringify({ off: { overrides: ['!/C:/Users/u/*'] } }),
    };
    const r = await scan({ host: host(home, 'win32'), workspaceFolders: [], ...memFs('win32', files) });
    assert.deepEqual(
      extensionServers(r)
        .map((s) => [s.name, extensionOf(s)?.root, s.args[0], s.disabled])
        .sort(),
      [
        ['linked-mem', 'D:\\src\\linked', 'D:\\src\\linked\\server.js', false],
        ['memo-mem', `${extensions}\\memo`, `${extensions}\\memo\\server.js`, false],
        ['off-mem', `${extensions}\\off`, `${extensions}\\off\\server.js`, true],
      ],
    );
  });

  it('GEMINI_CLI_HOME moves Gemini CLI’s folder, and its extensions with it', async () => {
    const home = fixtureHome();
    const elsewhere = tempDir('gemini-home');
    fs.renameSync(path.join(home, '.gemini'), path.join(elsewhere, '.gemini'));
    const r = await scan({
      host: host(home, 'linux', { HOME: home, GEMINI_CLI_HOME: elsewhere }),
      workspaceFolders: [],
    });
    assert.deepEqual(
      extensionServers(r)
        .map((s) => extensionOf(s)?.root)
        .sort(),
      [
        path.join(elsewhere, '.gemini', 'extensions', 'memo'),
        path.join(elsewhere, '.gemini', 'extensions', 'memo'),
        path.join(elsewhere, '.gemini', 'extensions', 'off'),
        path.join(home, 'src', 'linked'),
      ].sort(),
    );
  });
});

describe('sources: Qwen Code extensions (its own manifest, and Gemini CLI extensions it converts)', () => {
  it('every extension’s server as `qwen extensions list` names it, under Qwen Code, run from the folder it loads the extension from', async () => {
    const home = fixtureHome({}, path.join(FIXTURES, 'qwen-code-0.24.4-extensions'));
    const project = path.join(home, 'proj');
    const r = await scan({ host: host(home, 'linux', { HOME: home }), workspaceFolders: [project] });
    assert.deepEqual(
      r.diagnostics.filter((d) => d.client === 'qwen-code'),
      [],
    );
    const servers = extensionServers(r);
    // `qwen extensions list` (in the project): each extension, its folder and its servers' names.
    const listed = fs.readFileSync(path.join(home, 'extensions-list-proj.txt'), 'utf8');
    const blocks = [...listed.matchAll(/^[✓✗] (\S+) \(([^)]*)\)\n Path: (.*)\n[^]*?MCP servers:\n((?:  .*\n?)*)/gm)];
    assert.deepEqual(
      servers.map((s) => [extensionOf(s)?.name, extensionOf(s)?.version, extensionOf(s)?.root, s.name]).sort(),
      blocks
        .flatMap((m) =>
          m[4]
            .trim()
            .split(/\s+/)
            .map((server) => [m[1], m[2], m[3], server]),
        )
        .sort(),
    );
    assert.ok(servers.every((s) => s.source.client === 'qwen-code' && s.source.label === 'Qwen Code extension'));
    const of = (name: string) => servers.find((s) => s.name === name)!;
    const qmemo = path.join(home, '.qwen', 'extensions', 'qmemo');
    // `${extensionPath}`, `${/}` and Qwen Code's `${CLAUDE_PLUGIN_ROOT}` are the extension's folder and the separator.
    assert.deepEqual([of('qmemo-mem').command, ...of('qmemo-mem').args], ['node', `${qmemo}/server.js`, `${qmemo}/x`]);
    assert.equal(of('ql-mem').source.file, path.join(home, 'src', 'ql', 'qwen-extension.json'));
    // A Gemini CLI extension Qwen Code installed is read from the qwen-extension.json it wrote beside it.
    assert.equal(of('gem-mem').source.file, path.join(home, '.qwen', 'extensions', 'gem', 'qwen-extension.json'));
    // `gem` is off for the user; `qmemo` only in the project (on for the user, in the home folder).
    assert.deepEqual(servers.map((s) => [s.name, s.disabled]).sort(), [
      ['gem-mem', true],
      ['ql-mem', false],
      ['qmemo-mem', false],
    ]);
    assert.match(listed, /✗ gem \(2\.0\.0\)[^✓✗]*Enabled \(User\): false/);
  });

  it('QWEN_HOME moves Qwen Code’s extensions folder', async () => {
    const home = fixtureHome({}, path.join(FIXTURES, 'qwen-code-0.24.4-extensions'));
    const elsewhere = tempDir('qwen-home');
    fs.renameSync(path.join(home, '.qwen'), path.join(elsewhere, 'q'));
    const r = await scan({
      host: host(home, 'linux', { HOME: home, QWEN_HOME: path.join(elsewhere, 'q') }),
      workspaceFolders: [],
    });
    assert.equal(
      extensionServers(r).find((s) => s.name === 'gem-mem')?.source.file,
      path.join(elsewhere, 'q', 'extensions', 'gem', 'qwen-extension.json'),
    );
  });
});

/**
 * Extension manifests others published (test/fixtures/client-configs/extension-manifests, each
 * file's source beside it), each installed as its client installs one and read as discovery reads
 * it: `<ext>` stands for the folder the client loads it from.
 */
const PUBLISHED: Record<string, Record<string, string[]>> = {
  'gemini-cli': {
    '0xarchive': ['0xarchive http https://mcp.0xarchive.io/mcp'],
    munin: ['munin-mcp stdio npx -y @kalera/munin-gemini@latest mcp'],
    nanobanana: ['nanobanana stdio node <ext>/mcp-server/dist/index.js'],
    'unreal-mcp': [
      'unreal-mcp stdio uv --directory E:/unreal_projects/Lyra5_7_gemini_cli/unreal-mcp-src/Python run unreal_mcp_server.py',
    ],
  },
  'qwen-code': {
    'ack-mcp-server': ['ack-mcp-server stdio uv run main_server.py --transport=stdio --allow-write (in <ext>/src)'],
    playwright: [
      'playwright-devtools stdio node <ext>/playwright-mcp/index.js (in <ext>/playwright-mcp) env PLAYWRIGHT_BROWSERS_PATH',
    ],
    'qwen-dap-mcp': ['qwen-dap-mcp stdio node <ext>/dist/index.js (in <ext>)'],
  },
};

describe('sources: extension manifests others published, installed', () => {
  for (const [client, manifests] of Object.entries(PUBLISHED))
    for (const [short, expected] of Object.entries(manifests))
      it(`${client}: ${short}`, async () => {
        const manifest = client === 'gemini-cli' ? 'gemini-extension.json' : 'qwen-extension.json';
        const text = fs.readFileSync(
          path.join(FIXTURES, 'extension-manifests', client, `${short}.${manifest}`),
          'utf8',
        );
        const home = tempDir('published-extension');
        const root = path.join(home, client === 'gemini-cli' ? '.gemini' : '.qwen', 'extensions', short);
        writeTree({ [path.join(root, manifest)]: text });
        const r = await scan({ host: host(home, 'linux', { HOME: home }), workspaceFolders: [] });
        assert.deepEqual(
          r.diagnostics.filter((d) => d.client === client),
          [],
        );
        const servers = extensionServers(r);
        assert.ok(servers.every((s) => s.source.client === client && extensionOf(s)?.root === root));
        assert.deepEqual(
          servers.map((s) =>
            [
              s.name,
              s.transport,
              ...(s.transport === 'stdio' ? [s.command, ...s.args] : [s.url]),
              ...(s.cwd ? [`(in ${s.cwd})`] : []),
              ...(s.envKeys.length ? ['env', ...s.envKeys] : []),
            ]
              .join(' ')
              .split(root)
              .join('<ext>'),
          ),
          expected,
        );
      });
});

function jsonError(text: string): string {
  try {
    JSON.parse(text);
    return '';
  } catch (err) {
    return (err as Error).message;
  }
}
