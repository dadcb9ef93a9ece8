import * as assert from 'node:assert/strict';
import { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Instance } from '../../../src/core/base/model';
import { repoRoot } from '../../support/repo';
import { isAlive, killAndWait, stopChildren } from '../../support/liveness';
import { startReady } from '../../support/startup';
import { pastJudgedStart } from '../../support/judgedStart';
import { formatStatus } from '../../../src/cli/format/status';
import { killDuplicatesPlan } from '../../../src/core/actions/killDuplicates';
import { instanceOf, PYTHON, run, serverIn, snapshot, tempDir } from './support';

/** A stdio MCP server on the real SDK, in CommonJS, taking its tool's text from a file beside it. */
const NODE_SERVER = `const { McpServer } = require('@modelcontextprotocol/sdk/server/mcp.js');
const { StdioServerTransport } = require('@modelcontextprotocol/sdk/server/stdio.js');
const { greeting } = require('./tools');
const server = new McpServer({ name: 'loose', version: '0.0.0' });
server.registerTool('hello', { description: 'says hello' }, async () => ({ content: [{ type: 'text', text: greeting() }] }));
server.connect(new StdioServerTransport()).then(() => console.error('loose server ready'));
`;
const NODE_TOOLS = `exports.greeting = () => 'hello';\n`;

/** The same server in TypeScript, run by tsx. */
const TS_SERVER = `import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { greeting } from './tools';
const server = new McpServer({ name: 'loose', version: '0.0.0' });
server.registerTool('hello', { description: 'says hello' }, async () => ({ content: [{ type: 'text' as const, text: greeting() }] }));
void server.connect(new StdioServerTransport()).then(() => console.error('loose server ready'));
`;
const TS_TOOLS = `export const greeting = (): string => 'hello';\n`;

/** A plain stdlib Python script that answers MCP's initialize on stdio, with a local module. */
const PY_SERVER = `import json, sys
from helper import name
print('loose server ready', file=sys.stderr, flush=True)
for line in sys.stdin:
    msg = json.loads(line)
    if msg.get('method') == 'initialize':
        print(json.dumps({'jsonrpc': '2.0', 'id': msg['id'], 'result': {'protocolVersion': '2025-06-18', 'capabilities': {}, 'serverInfo': {'name': name(), 'version': '0.0.0'}}}), flush=True)
`;
const PY_HELPER = `def name():\n    return 'loose'\n`;
/** The same, its module in a package folder beside it (\`from tools import helper\`: only the folder tells helper is a module). */
const PY_PACKAGE_SERVER = PY_SERVER.replace('from helper import name', 'from tools import helper\nname = helper.name');
/** The same, importing its module by its dotted name (\`import tools.helper\`), the folder a namespace package (no \`__init__.py\`). */
const PY_DOTTED_SERVER = PY_SERVER.replace('from helper import name', 'import tools.helper\nname = tools.helper.name');

interface Case {
  entry: string;
  /** The script the entry runs, and the local file it imports. */
  script: string;
  imported: string;
  command: string;
  args: string[];
  /** Programs in front of the script that a verdict must never name. */
  wrapper?: RegExp;
  /** The entry's env (PYTHONPATH), given to its process too. */
  env?: Record<string, string>;
  /** The name its code goes by when not the script's file name (`python -m tools.server`). */
  label?: string;
}

const TSX = path.join(repoRoot, 'node_modules', '.bin', 'tsx');

/** One folder per entry: each entry runs a script of its own, so each process has one entry to be listed under. */
function scriptFolder(root: string, name: string, files: Record<string, string>): string {
  const dir = path.join(root, name);
  fs.mkdirSync(dir, { recursive: true });
  for (const [file, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, file), text);
  // The SDK as a project's own dependency would be: beside the script.
  fs.symlinkSync(path.join(repoRoot, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  return dir;
}

function cases(root: string): Case[] {
  const node = (name: string, command: string, args: (script: string) => string[], wrapper?: RegExp): Case => {
    const dir = scriptFolder(root, name, { 'S.js': NODE_SERVER, 'tools.js': NODE_TOOLS });
    const script = path.join(dir, 'S.js');
    return {
      entry: name,
      script,
      imported: path.join(dir, 'tools.js'),
      command,
      args: args(script),
      ...(wrapper ? { wrapper } : {}),
    };
  };
  const ts = scriptFolder(root, 'ts-run', { 'S.ts': TS_SERVER, 'tools.ts': TS_TOOLS });
  const python = (name: string): string => {
    const dir = path.join(root, name);
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'S.py'), PY_SERVER);
    fs.writeFileSync(path.join(dir, 'helper.py'), PY_HELPER);
    return dir;
  };
  const py = python('py-plain');
  const pyNiced = python('py-niced');
  const pyPackage = path.join(root, 'py-package');
  fs.mkdirSync(path.join(pyPackage, 'tools'), { recursive: true });
  fs.writeFileSync(path.join(pyPackage, 'S.py'), PY_PACKAGE_SERVER);
  fs.writeFileSync(path.join(pyPackage, 'tools', '__init__.py'), '');
  fs.writeFileSync(path.join(pyPackage, 'tools', 'helper.py'), PY_HELPER);
  // A module run from the entry's PYTHONPATH (`python -m tools.server`), importing its sibling through its package.
  const pyLib = path.join(root, 'py-lib');
  fs.mkdirSync(path.join(pyLib, 'tools'), { recursive: true });
  fs.writeFileSync(path.join(pyLib, 'tools', '__init__.py'), '');
  fs.writeFileSync(path.join(pyLib, 'tools', 'server.py'), PY_PACKAGE_SERVER);
  fs.writeFileSync(path.join(pyLib, 'tools', 'helper.py'), PY_HELPER);
  // `import tools.helper` where tools/ is a namespace folder: beside the script, and on the entry's PYTHONPATH.
  const pyNamespace = path.join(root, 'py-namespace');
  fs.mkdirSync(path.join(pyNamespace, 'tools'), { recursive: true });
  fs.writeFileSync(path.join(pyNamespace, 'S.py'), PY_DOTTED_SERVER);
  fs.writeFileSync(path.join(pyNamespace, 'tools', 'helper.py'), PY_HELPER);
  const pyScriptOnPath = path.join(root, 'py-script-on-path');
  const pyNamespaceLib = path.join(root, 'py-namespace-lib');
  fs.mkdirSync(pyScriptOnPath, { recursive: true });
  fs.mkdirSync(path.join(pyNamespaceLib, 'tools'), { recursive: true });
  fs.writeFileSync(path.join(pyScriptOnPath, 'S.py'), PY_DOTTED_SERVER);
  fs.writeFileSync(path.join(pyNamespaceLib, 'tools', 'helper.py'), PY_HELPER);
  return [
    node('node-plain', 'node', (s) => [s]),
    node('node-niced', 'nice', (s) => ['-n', '5', 'node', s], /\/nice\b/),
    node('node-with-env', 'env', (s) => ['FOO=1', 'node', s], /\/env\b/),
    node('node-in-shell', 'sh', (s) => ['-c', `cd ${path.dirname(s)} && node S.js`], /\/(da|ba)?sh\b/),
    {
      entry: 'ts-run',
      script: path.join(ts, 'S.ts'),
      imported: path.join(ts, 'tools.ts'),
      command: TSX,
      args: [path.join(ts, 'S.ts')],
      wrapper: /tsx/,
    },
    {
      entry: 'py-plain',
      script: path.join(py, 'S.py'),
      imported: path.join(py, 'helper.py'),
      command: PYTHON,
      args: [path.join(py, 'S.py')],
    },
    {
      entry: 'py-package',
      script: path.join(pyPackage, 'S.py'),
      imported: path.join(pyPackage, 'tools', 'helper.py'),
      command: PYTHON,
      args: [path.join(pyPackage, 'S.py')],
    },
    {
      entry: 'py-pythonpath',
      script: path.join(pyLib, 'tools', 'server.py'),
      imported: path.join(pyLib, 'tools', 'helper.py'),
      command: PYTHON,
      args: ['-m', 'tools.server'],
      env: { PYTHONPATH: pyLib },
      label: 'tools.server',
    },
    {
      entry: 'py-namespace',
      script: path.join(pyNamespace, 'S.py'),
      imported: path.join(pyNamespace, 'tools', 'helper.py'),
      command: PYTHON,
      args: [path.join(pyNamespace, 'S.py')],
    },
    {
      entry: 'py-script-pythonpath',
      script: path.join(pyScriptOnPath, 'S.py'),
      imported: path.join(pyNamespaceLib, 'tools', 'helper.py'),
      command: PYTHON,
      args: [path.join(pyScriptOnPath, 'S.py')],
      env: { PYTHONPATH: pyNamespaceLib },
    },
    {
      entry: 'py-niced',
      script: path.join(pyNiced, 'S.py'),
      imported: path.join(pyNiced, 'helper.py'),
      command: 'nice',
      args: ['-n', '5', PYTHON, path.join(pyNiced, 'S.py')],
      wrapper: /\/nice\b/,
    },
  ];
}

function verdictOf(i: Instance) {
  const v = i.versions;
  assert.ok(v, `no versions for pid ${i.pid}`);
  return v;
}

/** A change after the start: the file rewritten with one more line. */
function edit(file: string): void {
  fs.appendFileSync(file, file.endsWith('.py') ? `# edited ${Date.now()}\n` : `// edited ${Date.now()}\n`);
}

/**
 * Scripts no package installs, each started by a real process as its entry in a client's config
 * file says (`node S.js`, behind nice, env, sh -c, tsx, and `python3 S.py`, alone, importing from a
 * package folder beside it or a namespace folder beside it or on the entry's PYTHONPATH, and behind
 * nice; and `python3 -m tools.server` from the entry's PYTHONPATH):
 * judged by the script and the local files it loads, whatever is in front of it; never the wrapper
 * in its place.
 */
describe('versions (integration): loose scripts, whatever launcher is in front of them', function () {
  this.timeout(300_000);
  const started: ChildProcess[] = [];
  const seen: number[] = [];
  after(async () => {
    await stopChildren(started.splice(0));
    // A launcher's child (tsx's node, sh's node) goes with it; any left is stopped by its pid.
    for (const pid of seen) if (isAlive(pid)) await killAndWait(pid);
  });

  it('current after start, changed naming the edited file (the script, or a file it imports) after an edit', async () => {
    const root = tempDir('lg-loose-');
    const home = path.join(root, 'home');
    fs.mkdirSync(path.join(home, '.cursor'), { recursive: true });
    const projectDir = path.join(root, 'project');
    fs.mkdirSync(projectDir);
    const all = cases(root);
    fs.writeFileSync(
      path.join(home, '.cursor', 'mcp.json'),
      JSON.stringify({
        mcpServers: Object.fromEntries(
          all.map((c) => [c.entry, { command: c.command, args: c.args, ...(c.env ? { env: c.env } : {}) }]),
        ),
      }),
    );
    const lg = path.join(root, 'lg');
    // \`python3\` is found on PATH as a client finds it (on this machine kind, pyenv's shim).
    const PATH = process.env.PATH ?? '';
    const take = () => snapshot(home, projectDir, lg, { PATH });

    const pids = new Map<string, number>();
    for (const c of all) {
      const child = await startReady(
        c.command,
        c.args,
        { cwd: home, env: { PATH, ...c.env }, ready: /loose server ready/ },
        started,
      );
      pids.set(c.entry, child.pid!);
    }

    const judged = async (c: Case): Promise<Instance> => {
      const found = await instanceOf(take, c.entry, pids.get(c.entry)!);
      seen.push(found.pid);
      const v = verdictOf(found);
      const said = JSON.stringify(v);
      if (c.wrapper) assert.doesNotMatch(said, c.wrapper, `${c.entry}: the verdict names the wrapper: ${said}`);
      assert.equal(v.installed.state, 'installed', `${c.entry}: ${said}`);
      if (v.installed.state === 'installed') {
        assert.equal(v.installed.location, c.script, `${c.entry}: ${said}`);
        assert.equal(v.installed.dev?.script, true, `${c.entry}: ${said}`);
      }
      // Listed under its own entry only, once (a launcher's child is the instance, the launcher its chain).
      const snap = await take();
      assert.deepEqual(
        serverIn(snap, c.entry).instances.map((i) => i.pid),
        [found.pid],
        `${c.entry}: ${JSON.stringify(serverIn(snap, c.entry).instances.map((i) => i.commandLine))}`,
      );
      for (const other of all)
        if (other.entry !== c.entry)
          assert.ok(
            !serverIn(snap, other.entry).instances.some((i) => i.pid === found.pid),
            `${c.entry}'s process is listed under ${other.entry} too`,
          );
      // The entry itself reads what it runs as the script, not as what is in front of it.
      const configured = serverIn(snap, c.entry).installed;
      assert.equal(
        configured?.state === 'installed' ? configured.location : JSON.stringify(configured),
        c.script,
        `${c.entry}: the configured launch resolves to ${JSON.stringify(configured)}`,
      );
      return found;
    };

    let latest = 0;
    for (const c of all) {
      const i = await judged(c);
      assert.equal(verdictOf(i).verdict.state, 'current', `${c.entry}: ${JSON.stringify(i.versions)}`);
      latest = Math.max(latest, i.startTime ?? Date.now());
    }

    await pastJudgedStart(latest);
    for (const c of all) edit(c.imported);
    for (const c of all) {
      const v = verdictOf(await judged(c)).verdict;
      assert.equal(v.state, 'changed', `${c.entry} after its import was edited: ${JSON.stringify(v)}`);
      if (v.state === 'changed') {
        assert.ok(
          v.changedFiles.some((f) => f.path === c.imported),
          `${c.entry}: names ${c.imported}: ${JSON.stringify(v)}`,
        );
        assert.equal(v.package, c.label ?? path.basename(c.script));
      }
    }

    for (const c of all) edit(c.script);
    for (const c of all) {
      const v = verdictOf(await judged(c)).verdict;
      assert.equal(v.state, 'changed', `${c.entry} after the script was edited: ${JSON.stringify(v)}`);
      if (v.state === 'changed')
        assert.ok(
          v.changedFiles.some((f) => f.path === c.script),
          `${c.entry}: names ${c.script}: ${JSON.stringify(v)}`,
        );
    }
  });

  it('a relative script run by a bare python3 (an entry naming no folder, and by hand): judged by the file in its own folder, never taken as gone from the home folder', async () => {
    const root = tempDir('lg-relative-');
    const home = path.join(root, 'home');
    fs.mkdirSync(home, { recursive: true });
    const projectDir = path.join(root, 'project');
    fs.mkdirSync(path.join(projectDir, '.cursor'), { recursive: true });
    const script = path.join(projectDir, 'S.py');
    fs.writeFileSync(script, PY_SERVER);
    fs.writeFileSync(path.join(projectDir, 'helper.py'), PY_HELPER);
    // Cursor's project entry, as users write it: no cwd, the script relative to the folder Cursor runs it in.
    fs.writeFileSync(
      path.join(projectDir, '.cursor', 'mcp.json'),
      JSON.stringify({ mcpServers: { 'py-relative': { command: PYTHON, args: ['S.py'] } } }),
    );
    // An activated venv: \`python3\` found on PATH is its link, so the process's argv[0] stays the bare name
    // (pyenv's shim would exec the interpreter by its full path).
    const venvDir = path.join(root, 'venv');
    await run(PYTHON, ['-m', 'venv', '--without-pip', venvDir]);
    const PATH = `${path.join(venvDir, 'bin')}${path.delimiter}${process.env.PATH ?? ''}`;
    const take = () => snapshot(home, projectDir, path.join(root, 'lg'), { PATH });
    // Started in the project as its client does, and by hand from the home folder with the script's full path.
    const starts = [
      { cwd: projectDir, args: ['S.py'] },
      { cwd: home, args: [script] },
    ];
    const pids: number[] = [];
    for (const s of starts) {
      const child = await startReady(
        PYTHON,
        s.args,
        { cwd: s.cwd, env: { PATH }, ready: /loose server ready/ },
        started,
      );
      pids.push(child.pid!);
    }
    let latest = 0;
    for (const pid of pids) {
      const i = await instanceOf(take, 'py-relative', pid);
      seen.push(i.pid);
      latest = Math.max(latest, i.startTime ?? Date.now());
      const v = verdictOf(i);
      assert.equal(
        v.installed.state === 'installed' && v.installed.location,
        script,
        `pid ${pid}: ${JSON.stringify(v)}`,
      );
      assert.equal(v.verdict.state, 'current', `pid ${pid}: ${JSON.stringify(v)}`);
    }
    await pastJudgedStart(latest);
    edit(script);
    for (const pid of pids) {
      const v = verdictOf(await instanceOf(take, 'py-relative', pid)).verdict;
      assert.equal(v.state, 'changed', `pid ${pid} after the script was edited: ${JSON.stringify(v)}`);
      if (v.state === 'changed')
        assert.ok(
          v.changedFiles.some((f) => f.path === script),
          JSON.stringify(v),
        );
    }
  });

  it('`python3 S.py` configured in three places, each run in a folder of its own: three servers, each claimed by its entry alone, none a duplicate', async () => {
    const root = tempDir('lg-three-folders-');
    const home = path.join(root, 'home');
    const [projectB, folderC, workspaceF] = ['B', 'C', 'F'].map((d) => path.join(root, d));
    for (const dir of [projectB, folderC, workspaceF]) {
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, 'S.py'), PY_SERVER);
      fs.writeFileSync(path.join(dir, 'helper.py'), PY_HELPER);
    }
    // Claude Code's user entry (no folder: Claude Code names none) and its project entry for B, and
    // Cursor's project file in F, all as users write them: the script relative, no cwd.
    const entry = { command: PYTHON, args: ['S.py'] };
    fs.mkdirSync(home, { recursive: true });
    fs.writeFileSync(
      path.join(home, '.claude.json'),
      JSON.stringify({
        mcpServers: { 'cc-user-rel': entry },
        projects: { [projectB]: { mcpServers: { 'cc-project-rel': entry } } },
      }),
    );
    fs.mkdirSync(path.join(workspaceF, '.cursor'));
    fs.writeFileSync(
      path.join(workspaceF, '.cursor', 'mcp.json'),
      JSON.stringify({ mcpServers: { 'cursor-rel': entry } }),
    );
    const PATH = process.env.PATH ?? '';
    const take = () => snapshot(home, workspaceF, path.join(root, 'lg'), { PATH });
    const pids = new Map<string, number>();
    // One parent starts all three, each in its folder: one client, as a client's sessions would be.
    for (const [name, cwd] of [
      ['B', projectB],
      ['C', folderC],
      ['F', workspaceF],
    ] as const) {
      const child = await startReady(PYTHON, ['S.py'], { cwd, env: { PATH }, ready: /loose server ready/ }, started);
      pids.set(name, child.pid!);
    }
    const b = await instanceOf(take, 'cc-project-rel', pids.get('B')!);
    const f = await instanceOf(take, 'cursor-rel', pids.get('F')!);
    const c = await instanceOf(take, 'cc-user-rel', pids.get('C')!);
    seen.push(b.pid, f.pid, c.pid);
    const snap = await take();
    const listed = (name: string) => serverIn(snap, name).instances.map((i) => i.pid);
    assert.deepEqual(listed('cc-project-rel'), [pids.get('B')]);
    assert.deepEqual(listed('cursor-rel'), [pids.get('F')]);
    // C's script: no entry names C, so the user entry's (folder unknown) lists it, undecided; as it
    // lists any other \`S.py\` this machine runs (the other tests'), never B's or F's.
    assert.deepEqual(
      listed('cc-user-rel').filter((pid) => [...pids.values()].includes(pid)),
      [pids.get('C')],
    );
    const ours = snap.servers.flatMap((s) => s.instances).filter((i) => [...pids.values()].includes(i.pid));
    for (const i of ours)
      assert.ok(
        !i.verdicts.some((v) => v.kind === 'duplicate'),
        `pid ${i.pid} is taken for a copy: ${JSON.stringify(i.verdicts)}`,
      );
    const owner = c.verdicts.find((v) => v.kind === 'unknown' && v.question === 'owner');
    assert.ok(owner, 'the user entry names no folder: whose process it is stays undecided');
    const ids = new Set(['cc-user-rel', 'cc-project-rel', 'cursor-rel'].map((n) => serverIn(snap, n).id));
    assert.ok(
      !snap.launchGroups.some((g) => g.serverIds.filter((id) => ids.has(id)).length > 1),
      `"Same server configured in several places": ${JSON.stringify(snap.launchGroups)}`,
    );
    assert.deepEqual(
      killDuplicatesPlan(snap).items.filter((i) => [...pids.values()].includes(i.pid)),
      [],
    );
  });

  it('`python S.py` run by hand in the folder of a VS Code entry `python3 S.py`: one interpreter by two names, listed under the entry', async () => {
    const root = tempDir('lg-python-names-');
    const home = path.join(root, 'home');
    const folderE = path.join(root, 'E');
    fs.mkdirSync(folderE, { recursive: true });
    fs.writeFileSync(path.join(folderE, 'S.py'), PY_SERVER);
    fs.writeFileSync(path.join(folderE, 'helper.py'), PY_HELPER);
    fs.mkdirSync(path.join(home, '.config', 'Code', 'User'), { recursive: true });
    fs.writeFileSync(
      path.join(home, '.config', 'Code', 'User', 'mcp.json'),
      JSON.stringify({ servers: { 'vscode-e': { command: PYTHON, args: ['S.py'], cwd: folderE } } }),
    );
    // An activated venv: its bin holds \`python\` and \`python3\`, links to one interpreter, and the
    // process keeps the bare name it was started by.
    const venvDir = path.join(root, 'venv');
    await run(PYTHON, ['-m', 'venv', '--without-pip', venvDir]);
    const PATH = `${path.join(venvDir, 'bin')}${path.delimiter}${process.env.PATH ?? ''}`;
    const take = () => snapshot(home, root, path.join(root, 'lg'), { PATH });
    const child = await startReady(
      'python',
      ['S.py'],
      { cwd: folderE, env: { PATH }, ready: /loose server ready/ },
      started,
    );
    const found = await instanceOf(take, 'vscode-e', child.pid!);
    seen.push(found.pid);
    const snap = await take();
    assert.ok(!snap.notConfigured.some((i) => i.pid === child.pid));
  });

  it('a script that loads plugins by computed names: ok only as far as can be read, then changed naming the plugin edited', async () => {
    const root = tempDir('lg-computed-');
    const home = path.join(root, 'home');
    fs.mkdirSync(path.join(home, '.cursor'), { recursive: true });
    const projectDir = path.join(root, 'project');
    fs.mkdirSync(projectDir);
    const node = scriptFolder(root, 'node-plugins', {
      'S.js': `const path = require('path');\nfor (const name of ['notes']) require(path.join(__dirname, 'plugins', name + '.js'));\nconsole.error('loose server ready');\nprocess.stdin.resume();\n`,
    });
    fs.mkdirSync(path.join(node, 'plugins'));
    fs.writeFileSync(path.join(node, 'plugins', 'notes.js'), NODE_TOOLS);
    const py = path.join(root, 'py-plugins');
    fs.mkdirSync(path.join(py, 'plugins'), { recursive: true });
    fs.writeFileSync(
      path.join(py, 'S.py'),
      "import importlib, sys\nfor name in ['notes']:\n    importlib.import_module('plugins.' + name)\nprint('loose server ready', file=sys.stderr, flush=True)\nsys.stdin.read()\n",
    );
    fs.writeFileSync(path.join(py, 'plugins', '__init__.py'), '');
    fs.writeFileSync(path.join(py, 'plugins', 'notes.py'), PY_HELPER);
    const all = [
      {
        entry: 'node-plugins',
        command: 'node',
        args: [path.join(node, 'S.js')],
        plugin: path.join(node, 'plugins', 'notes.js'),
      },
      {
        entry: 'py-plugins',
        command: PYTHON,
        args: [path.join(py, 'S.py')],
        plugin: path.join(py, 'plugins', 'notes.py'),
      },
    ];
    fs.writeFileSync(
      path.join(home, '.cursor', 'mcp.json'),
      JSON.stringify({
        mcpServers: Object.fromEntries(all.map((c) => [c.entry, { command: c.command, args: c.args }])),
      }),
    );
    const PATH = process.env.PATH ?? '';
    const take = () => snapshot(home, projectDir, path.join(root, 'lg'), { PATH });
    let latest = 0;
    const pids = new Map<string, number>();
    for (const c of all) {
      const child = await startReady(
        c.command,
        c.args,
        { cwd: home, env: { PATH }, ready: /loose server ready/ },
        started,
      );
      pids.set(c.entry, child.pid!);
    }
    for (const c of all) {
      const i = await instanceOf(take, c.entry, pids.get(c.entry)!);
      seen.push(i.pid);
      latest = Math.max(latest, i.startTime ?? Date.now());
      const v = verdictOf(i).verdict;
      assert.equal(v.state, 'current', `${c.entry}: ${JSON.stringify(v)}`);
      assert.match(
        v.state === 'current' ? v.reason : '',
        /current as far as can be read: S\.(js|py) loads code by computed names/,
      );
      // Never a plain ok, in any face: `status` says it in its VERDICTS cell.
      const row = formatStatus(await take())
        .split('\n')
        .find((l) => l.includes(` ${i.pid} `));
      assert.match(row ?? '', /ok as far as can be read/, `${c.entry}: ${row}`);
    }
    await pastJudgedStart(latest);
    for (const c of all) edit(c.plugin);
    for (const c of all) {
      const v = verdictOf(await instanceOf(take, c.entry, pids.get(c.entry)!)).verdict;
      assert.equal(v.state, 'changed', `${c.entry} after its plugin was edited: ${JSON.stringify(v)}`);
      if (v.state === 'changed')
        assert.ok(
          v.changedFiles.some((f) => f.path === c.plugin),
          `${c.entry}: names ${c.plugin}: ${JSON.stringify(v)}`,
        );
    }
  });
});
