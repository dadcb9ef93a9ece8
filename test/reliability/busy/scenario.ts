import * as fs from 'node:fs';
import * as path from 'node:path';
import { cliPath } from '../../support/repo';
import {
  BASE_PATH,
  BusyMachine,
  installMemory,
  isMemoryBin,
  isNodeScript,
  isPnpmShimServer,
  Launch,
  makeVenv,
  MEMORY_PKG,
  MemoryRelease,
  OtherUser,
  Pnpm,
  pnpmProject,
  Role,
  writeJsStub,
  writePyStub,
} from './machine';

/**
 * The busy machine's cast: the test user's own entries (configured in VS Code, Claude Desktop and
 * Cursor, each started by a fake client named like that client), and more than 200 strangers:
 * the same package installed in other folders, other homes and npx caches, the same bin name on
 * other PATHs, `node server.js` and watchers in other folders, other venvs, and another user
 * running the very commands the entries configure.
 */

export const ENTRIES = [
  'memory-local',
  'memory-team',
  'memory-kb',
  'memory-shared',
  'memory-codex',
  'memory-npx',
  'memory-pnpm',
  'memory-pnpm9',
  'notes-shell',
  'watched',
  'py-notes',
] as const;
export type EntryName = (typeof ENTRIES)[number];

/**
 * Entries whose file does not parse (Codex's half-written TOML): their processes are never taken for
 * another entry's own copy; listed as undecided (naming the file) or not at all.
 */
export const UNREADABLE_ENTRIES: readonly EntryName[] = ['memory-codex'];

/** Own server processes once everything runs: memory-local twice (one client, a duplicate), the others once. */
export const OWN_INSTANCES = 12;

const own = (label: EntryName, n = 0): Role => ({ kind: 'own', label, n });

/** `node <...>/mcp-server-memory` where the bin is not in a `.bin` folder (a PATH folder of its own). */
const isPathBin = (argv: readonly string[]) =>
  argv.length === 2 && path.basename(argv[0]) === 'node' && argv[1].endsWith('/mcp-server-memory');

/** An install of server-memory the upgrade step replaces with the newer release. */
export interface Install {
  prefix: string;
  kind: 'real' | 'stub';
}

export interface OwnSetup {
  /** The `node_modules/.bin/mcp-server-memory` of the project memory-local runs. */
  bin: string;
  notes: string;
  watchDir: string;
  venvPython: string;
  pyScript: string;
  clients: { program: string; launches: Launch[]; hold?: boolean; gapMs?: number }[];
  /** The project's install, upgraded later while its servers run. */
  install: Install;
  /** memory-shared's data file (a stranger under another root runs the very same command and env). */
  sharedFile: string;
  /** The projects pnpm installed, each run by its entry through its `.bin` shim (memory-pnpm: the current pnpm, memory-pnpm9: pnpm 9). */
  pnpmProjects: { entry: EntryName; dir: string; pnpm: Pnpm }[];
}

/** Writes the user's configs and projects; returns the launches their clients make. */
export async function ownEntries(
  m: BusyMachine,
  release: MemoryRelease,
  pnpms: { current: Pnpm; v9: Pnpm },
): Promise<OwnSetup> {
  const home = m.home;
  const project = path.join(home, 'proj');
  const bin = installMemory(project, 'real', release);
  const pnpmProjects = [
    { entry: 'memory-pnpm' as const, dir: path.join(home, 'pnpmproj'), pnpm: pnpms.current },
    { entry: 'memory-pnpm9' as const, dir: path.join(home, 'pnpm9proj'), pnpm: pnpms.v9 },
  ];
  const shims = await Promise.all(pnpmProjects.map((p) => pnpmProject(p.dir, release.version, p.pnpm)));
  const memoryFile = path.join(home, 'memory.jsonl');
  // The same bin run with other data: another server each (in the same client, and in another).
  const teamFile = path.join(home, 'team.jsonl');
  const kbFile = path.join(home, 'kb.jsonl');
  const sharedFile = path.join(home, 'shared.jsonl');
  // A shared server, its relay run from a clone's CLI bundle (`node <clone>/dist/cli.js run --on-conflict share`).
  const sharedArgs = [cliPath, 'run', '--on-conflict', 'share', '--name', 'memory-shared', '--', bin];
  const notes = path.join(home, 'notes');
  writeJsStub(path.join(notes, 'server.js'));
  const watchDir = path.join(home, 'watchproj');
  writeJsStub(path.join(watchDir, 'server.js'));
  const pyproj = path.join(home, 'pyproj');
  fs.mkdirSync(pyproj);
  const venvPython = makeVenv(path.join(pyproj, '.venv'));
  const pyScript = writePyStub(path.join(pyproj, 'server.py'));
  const shellLine = `cd ${notes} && node server.js`;

  const write = (file: string, content: unknown) => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(content, null, 2));
  };
  write(path.join(home, '.config', 'Code', 'User', 'mcp.json'), {
    servers: {
      'memory-local': { type: 'stdio', command: bin, args: [], env: { MEMORY_FILE_PATH: memoryFile } },
      'memory-team': { type: 'stdio', command: bin, args: [], env: { MEMORY_FILE_PATH: teamFile } },
      watched: { type: 'stdio', command: 'node', args: ['--watch', 'server.js'], cwd: watchDir },
      'memory-pnpm': { type: 'stdio', command: shims[0], args: [], env: { MEMORY_FILE_PATH: memoryFile } },
      'memory-pnpm9': { type: 'stdio', command: shims[1], args: [], env: { MEMORY_FILE_PATH: memoryFile } },
    },
  });
  write(path.join(home, '.config', 'Claude', 'claude_desktop_config.json'), {
    mcpServers: {
      'memory-npx': { command: 'npx', args: ['-y', MEMORY_PKG], env: { MEMORY_FILE_PATH: memoryFile } },
      'memory-kb': { command: bin, args: [], env: { MEMORY_FILE_PATH: kbFile } },
      'memory-shared': { command: 'node', args: sharedArgs, env: { MEMORY_FILE_PATH: sharedFile } },
      'notes-shell': { command: 'bash', args: ['-c', shellLine] },
    },
  });
  // Codex's config, half-written: it does not parse while Codex runs the server it configured.
  fs.mkdirSync(path.join(home, '.codex'), { recursive: true });
  fs.writeFileSync(
    path.join(home, '.codex', 'config.toml'),
    [
      '[mcp_servers.memory-codex]',
      `command = ${JSON.stringify(bin)}`,
      '',
      '[mcp_servers.memory-codex.env]',
      `MEMORY_FILE_PATH = ${JSON.stringify(memoryFile)}`,
      '',
      '[mcp_servers.memory-codex',
      '',
    ].join('\n'),
  );
  write(path.join(home, '.cursor', 'mcp.json'), {
    mcpServers: { 'py-notes': { command: venvPython, args: [pyScript] } },
  });

  const memoryLocal = (n: number): Launch => ({
    role: own('memory-local', n),
    command: bin,
    args: [],
    cwd: home,
    env: { MEMORY_FILE_PATH: memoryFile },
    main: isMemoryBin,
  });
  const withData = (label: EntryName, file: string): Launch => ({
    role: own(label),
    command: bin,
    args: [],
    cwd: home,
    env: { MEMORY_FILE_PATH: file },
    main: isMemoryBin,
  });
  return {
    install: { prefix: project, kind: 'real' },
    pnpmProjects,
    sharedFile,
    bin,
    notes,
    watchDir,
    venvPython,
    pyScript,
    clients: [
      // One VS Code window runs memory-local twice (the older is a duplicate) and the watched server.
      {
        program: 'code',
        gapMs: 400,
        launches: [
          memoryLocal(0),
          memoryLocal(1),
          withData('memory-team', teamFile),
          {
            role: own('watched'),
            command: 'node',
            args: ['--watch', 'server.js'],
            cwd: watchDir,
            main: isNodeScript('server.js'),
          },
          ...pnpmProjects.map((p, i): Launch => ({
            role: own(p.entry),
            command: shims[i],
            args: [],
            cwd: home,
            env: { MEMORY_FILE_PATH: memoryFile },
            main: isPnpmShimServer(p.dir),
          })),
        ],
      },
      {
        program: 'claude-desktop',
        launches: [
          {
            role: own('memory-npx'),
            command: 'npx',
            args: ['-y', MEMORY_PKG],
            cwd: home,
            env: { MEMORY_FILE_PATH: memoryFile },
            main: isMemoryBin,
          },
          {
            role: own('notes-shell'),
            command: 'bash',
            args: ['-c', shellLine],
            cwd: home,
            main: isNodeScript('server.js'),
          },
          withData('memory-kb', kbFile),
          {
            role: own('memory-shared'),
            command: 'node',
            args: sharedArgs,
            cwd: home,
            // The user's MCP Lifeguard root, as the client's own environment carries it.
            env: { MEMORY_FILE_PATH: sharedFile, MCP_LIFEGUARD_HOME: path.join(home, '.lifeguard') },
            main: isMemoryBin,
          },
        ],
      },
      // Codex runs the server its broken file configures (the same bin and data as memory-local).
      { program: 'codex', launches: [withData('memory-codex', memoryFile)] },
      // Cursor is killed later: its server lives on (the holder keeps its stdin), an orphan.
      {
        program: 'cursor',
        hold: true,
        launches: [
          {
            role: own('py-notes'),
            command: venvPython,
            args: [pyScript],
            cwd: home,
            main: (argv) => argv[0] === venvPython && argv[1] === pyScript,
          },
        ],
      },
    ],
  };
}

/** Programs of the strangers' clients: other windows and other apps of the same names. */
const CLIENT_PROGRAMS = ['code', 'claude-desktop', 'cursor', 'claude', 'codex'];

export interface StrangerClient {
  program: string;
  launches: Launch[];
  hold: boolean;
  user?: OtherUser;
}

/**
 * The strangers, grouped into fake clients of ten. `npxHash` is the npx cache folder's name the
 * user's own npx made (the same in every home: npx names it after the package spec).
 */
export async function strangers(
  m: BusyMachine,
  o: OwnSetup,
  user: OtherUser,
  npxHash: string,
  release: MemoryRelease,
): Promise<{ clients: StrangerClient[]; count: number; upgraded: Install[]; deleted: string[] }> {
  const launches: Launch[] = [];
  // Some strangers' installs are upgraded with the user's: their servers then run replaced code too.
  const upgraded: Install[] = [];
  // Some are deleted under their running servers (an uninstall, a test's clean-up): never claimed by name.
  const deleted: string[] = [];
  const counters = new Map<string, number>();
  const role = (label: string): Role => {
    const n = counters.get(label) ?? 0;
    counters.set(label, n + 1);
    return { kind: 'stranger', label, n };
  };
  const s = (...parts: string[]) => m.dir('s', ...parts);

  // The same package installed in other projects, started by path.
  for (let i = 0; i < 16; i++) {
    const prefix = s('projects', `p${i}`);
    const kind = i < 2 ? 'real' : 'stub';
    const bin = installMemory(prefix, kind, release);
    if (i < 4) upgraded.push({ prefix, kind });
    if (i === 15) deleted.push(path.join(prefix, 'node_modules'));
    launches.push({
      role: role('other-project-bin'),
      command: bin,
      args: [],
      cwd: prefix,
      env: { MEMORY_FILE_PATH: path.join(prefix, 'memory.jsonl') },
      main: isMemoryBin,
    });
  }
  // Other homes' npx caches: as npx itself starts the bin (`sh -c mcp-server-memory`, the cache's
  // .bin first on PATH), and directly by path.
  for (let i = 0; i < 60; i++) {
    const otherHome = s('homes', `u${i}`);
    const prefix = path.join(otherHome, '.npm', '_npx', npxHash);
    const kind = i === 0 || i === 1 || i === 40 ? 'real' : 'stub';
    const bin = installMemory(prefix, kind, release);
    if (i < 10) upgraded.push({ prefix, kind });
    if (i === 39) deleted.push(prefix);
    const env = {
      HOME: otherHome,
      PATH: `${path.dirname(bin)}:${BASE_PATH}`,
      MEMORY_FILE_PATH: path.join(otherHome, 'memory.jsonl'),
    };
    launches.push(
      i < 40
        ? {
            role: role('npx-cache-sh'),
            command: 'sh',
            args: ['-c', 'mcp-server-memory'],
            cwd: otherHome,
            env,
            main: isMemoryBin,
          }
        : { role: role('npx-cache-direct'), command: bin, args: [], cwd: otherHome, env, main: isMemoryBin },
    );
  }
  // Other projects pnpm installed (the same version, the same .pnpm folder names), started by their shims.
  for (const [i, p] of o.pnpmProjects.entries()) {
    const dir = s('pnpm-projects', `n${i}`);
    const shim = await pnpmProject(dir, release.version, p.pnpm);
    launches.push({
      role: role('other-pnpm-project'),
      command: shim,
      args: [],
      cwd: dir,
      env: { MEMORY_FILE_PATH: path.join(dir, 'memory.jsonl') },
      main: isPnpmShimServer(dir),
    });
  }
  // The same bin name in other PATH folders.
  for (let i = 0; i < 20; i++) {
    const dir = s('pathbins', `b${i}`);
    writeJsStub(path.join(dir, 'mcp-server-memory'));
    const env = { PATH: `${dir}:${BASE_PATH}` };
    launches.push(
      i < 14
        ? {
            role: role('path-bin-sh'),
            command: 'sh',
            args: ['-c', 'mcp-server-memory'],
            cwd: dir,
            env,
            main: isPathBin,
          }
        : {
            role: role('path-bin-bash-exec'),
            command: 'bash',
            args: ['-c', 'exec mcp-server-memory'],
            cwd: dir,
            env,
            main: isPathBin,
          },
    );
  }
  // `node server.js` and `node app.js` in other folders, shell-wrapped ones and watchers.
  for (let i = 0; i < 42; i++) {
    const script = i < 32 ? 'server.js' : 'app.js';
    const dir = s('apps', `a${i}`);
    writeJsStub(path.join(dir, script));
    launches.push({
      role: role(`node-${script}`),
      command: 'node',
      args: [script],
      cwd: dir,
      main: isNodeScript(script),
    });
  }
  for (let i = 0; i < 16; i++) {
    const dir = s('shells', `c${i}`);
    writeJsStub(path.join(dir, 'server.js'));
    launches.push({
      role: role('bash-cd-node'),
      command: 'bash',
      args: ['-c', `cd ${dir} && node server.js`],
      cwd: s('shells'),
      main: isNodeScript('server.js'),
    });
  }
  for (let i = 0; i < 10; i++) {
    const dir = s('watchers', `w${i}`);
    writeJsStub(path.join(dir, 'server.js'));
    launches.push({
      role: role('node-watch'),
      command: 'node',
      args: ['--watch', 'server.js'],
      cwd: dir,
      main: isNodeScript('server.js'),
    });
  }
  // Python: other venvs, the system interpreter, and the user's own venv running another script.
  const venvs = [0, 1, 2, 3].map((k) => makeVenv(s('venvs', `v${k}`)));
  for (let i = 0; i < 22; i++) {
    const dir = s('py', `q${i}`);
    const script = writePyStub(path.join(dir, 'server.py'));
    if (i < 12)
      launches.push({
        role: role('other-venv'),
        command: venvs[i % 4],
        args: [script],
        cwd: dir,
        main: (argv) => argv[1] === script,
      });
    else if (i < 18)
      launches.push({
        role: role('system-python'),
        command: '/usr/bin/python3',
        args: ['server.py'],
        cwd: dir,
        main: (argv) => argv[0] === '/usr/bin/python3' && argv[1] === 'server.py',
      });
    else
      launches.push({
        role: role('own-venv-other-script'),
        command: o.venvPython,
        args: [script],
        cwd: dir,
        main: (argv) => argv[1] === script,
      });
  }

  // Another MCP Lifeguard root (another tool's, a test's) running the very same shared entry,
  // relay from the clone included, and a real npx of the package under another home, started by a
  // client named Cursor (npm names that home's cache in the environment of what it runs).
  const npxHome = s('homes', 'real-npx');
  const rootsAndNpx: Launch[] = [
    {
      role: role('other-root-relay'),
      command: 'node',
      args: [cliPath, 'run', '--on-conflict', 'share', '--name', 'memory-shared', '--', o.bin],
      cwd: m.home,
      env: { MEMORY_FILE_PATH: o.sharedFile, MCP_LIFEGUARD_HOME: s('other-root') },
      main: isMemoryBin,
    },
    {
      role: role('real-npx-other-home'),
      command: 'npx',
      args: ['-y', MEMORY_PKG],
      cwd: npxHome,
      env: { HOME: npxHome, MEMORY_FILE_PATH: path.join(npxHome, 'memory.jsonl') },
      main: isMemoryBin,
    },
  ];
  launches.push(...rootsAndNpx);

  const clients: StrangerClient[] = [{ program: 'cursor', launches: rootsAndNpx, hold: false }];
  const chunked = launches.slice(0, launches.length - rootsAndNpx.length);
  for (let i = 0; i < chunked.length; i += 10) {
    // Two clients (npx-cache and PATH strangers) are killed later: their servers become orphans.
    const chunk = chunked.slice(i, i + 10);
    clients.push({
      program: CLIENT_PROGRAMS[clients.length % CLIENT_PROGRAMS.length],
      launches: chunk,
      hold: i === 20 || i === 80,
    });
  }

  // Another user running exactly what the user's entries run (same files, same folders), and an npx cache of their own.
  const other: Launch[] = [];
  const otherRole = (label: string): Role => {
    const r = role(label);
    return { ...r, kind: 'other-user' };
  };
  const theirMemory = { MEMORY_FILE_PATH: path.join(user.home, 'memory.jsonl') };
  for (let i = 0; i < 2; i++)
    other.push({
      role: otherRole('same-bin'),
      command: o.bin,
      args: [],
      cwd: user.home,
      env: theirMemory,
      main: isMemoryBin,
    });
  for (let i = 0; i < 4; i++) {
    const prefix = path.join(user.home, `cache${i}`, '.npm', '_npx', npxHash);
    const bin = installMemory(prefix, 'stub', release);
    other.push({
      role: otherRole('own-npx-cache-sh'),
      command: 'sh',
      args: ['-c', 'mcp-server-memory'],
      cwd: user.home,
      env: { PATH: `${path.dirname(bin)}:${BASE_PATH}` },
      main: isMemoryBin,
    });
  }
  for (let i = 0; i < 3; i++)
    other.push({
      role: otherRole('same-node-server'),
      command: 'node',
      args: ['server.js'],
      cwd: o.notes,
      main: isNodeScript('server.js'),
    });
  for (let i = 0; i < 3; i++)
    other.push({
      role: otherRole('same-shell-line'),
      command: 'bash',
      args: ['-c', `cd ${o.notes} && node server.js`],
      cwd: user.home,
      main: isNodeScript('server.js'),
    });
  for (let i = 0; i < 2; i++)
    other.push({
      role: otherRole('same-watch'),
      command: 'node',
      args: ['--watch', 'server.js'],
      cwd: o.watchDir,
      main: isNodeScript('server.js'),
    });
  for (let i = 0; i < 3; i++)
    other.push({
      role: otherRole('same-venv-script'),
      command: o.venvPython,
      args: [o.pyScript],
      cwd: user.home,
      main: (argv) => argv[0] === o.venvPython && argv[1] === o.pyScript,
    });
  fs.chownSync(user.home, user.uid, user.gid);
  for (const f of walk(user.home)) fs.lchownSync(f, user.uid, user.gid);
  clients.push(
    { program: 'code', launches: other.slice(0, 9), hold: false, user },
    { program: 'claude-desktop', launches: other.slice(9), hold: false, user },
  );
  return { clients, count: launches.length + other.length, upgraded, deleted };
}

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? [full, ...walk(full)] : [full];
  });
}
