#!/usr/bin/env node
// Neighbours for a test run: MCP processes that are not the tests' own, running beside them as on a
// real busy machine, so `npm test` can be seen to pass with them there.
//
//   node scripts/neighbours.mjs start [--minutes N]   start them (they end by themselves after N minutes, default 120)
//   node scripts/neighbours.mjs stop                  end them now and remove their folders
//
// What runs, under a client process named `cursor` (a node named so, holding each server's stdin):
//   - a real `npx -y @modelcontextprotocol/server-memory` under another home, with that home's npm cache;
//   - another MCP Lifeguard root (its own MCP_LIFEGUARD_HOME and HOME): a shared server (`run
//     --on-conflict share`, its relay run from this clone's dist/cli.js) and a guarded one (`run`);
//   - an `npm install` in another home's project that never ends (its registry a loopback port that
//     never answers);
//   - as root, another user's server-memory (the system user `mcplg-stranger`, made if missing).
// Every process carries LG_NEIGHBOURS=<its folder> in its environment; `stop` ends those.
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const PREFIX = 'mcp-lifeguard-neighbours-';
const TAG = 'LG_NEIGHBOURS';
const OTHER_USER = 'mcplg-stranger';
const memoryScript = path.join(root, 'node_modules', '@modelcontextprotocol', 'server-memory', 'dist', 'index.js');
const cli = path.join(root, 'dist', 'cli.js');

const [command, ...rest] = process.argv.slice(2);
const minutesArg = rest.indexOf('--minutes');
const minutes = minutesArg >= 0 ? Number(rest[minutesArg + 1]) : 120;

function start() {
  if (!fs.existsSync(cli)) throw new Error(`${cli} is not built: run npm run build first`);
  if (!(minutes > 0)) throw new Error('--minutes takes a positive number');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), PREFIX));
  fs.chmodSync(dir, 0o755);
  const home = (name) => {
    const h = path.join(dir, name);
    fs.mkdirSync(h, { recursive: true });
    return h;
  };
  const npxHome = home('home-npx');
  const rootHome = home('home-root');
  const installHome = home('home-install');
  const project = path.join(installHome, 'proj');
  fs.mkdirSync(project);
  fs.writeFileSync(
    path.join(project, 'package.json'),
    JSON.stringify({
      name: 'neighbour-project',
      version: '1.0.0',
      private: true,
      dependencies: { 'is-number': '7.0.0' },
    }),
  );
  const base = { PATH: process.env.PATH, LANG: 'C.UTF-8', [TAG]: dir, npm_config_update_notifier: 'false' };
  const lifeguardRoot = path.join(dir, 'other-root');
  const launches = [
    {
      command: 'npx',
      args: ['-y', '@modelcontextprotocol/server-memory'],
      cwd: npxHome,
      env: {
        ...base,
        HOME: npxHome,
        npm_config_cache: path.join(npxHome, '.npm'),
        MEMORY_FILE_PATH: path.join(npxHome, 'm.jsonl'),
      },
    },
    {
      command: process.execPath,
      args: [cli, 'run', '--on-conflict', 'share', '--name', 'memory', '--', process.execPath, memoryScript],
      cwd: rootHome,
      env: {
        ...base,
        HOME: rootHome,
        MCP_LIFEGUARD_HOME: lifeguardRoot,
        MEMORY_FILE_PATH: path.join(rootHome, 'shared.jsonl'),
      },
    },
    {
      command: process.execPath,
      args: [cli, 'run', '--name', 'memory-guarded', '--', process.execPath, memoryScript],
      cwd: rootHome,
      env: {
        ...base,
        HOME: rootHome,
        MCP_LIFEGUARD_HOME: lifeguardRoot,
        MEMORY_FILE_PATH: path.join(rootHome, 'guarded.jsonl'),
      },
    },
    {
      command: 'npm',
      args: ['install', '--no-audit', '--no-fund'],
      cwd: project,
      // The registry is the client's silent port (filled in by the client): the install waits on it.
      registry: true,
      env: {
        ...base,
        HOME: installHome,
        npm_config_cache: path.join(installHome, '.npm'),
        npm_config_fetch_retries: '0',
        // Its request waits on the silent port for the neighbours' whole life.
        npm_config_fetch_timeout: String(minutes * 60_000),
      },
    },
  ];
  const isRoot = process.getuid?.() === 0;
  if (isRoot) {
    const user = otherUser();
    const theirs = home('home-other-user');
    fs.chownSync(theirs, user.uid, user.gid);
    launches.push({
      command: process.execPath,
      args: [memoryScript],
      cwd: theirs,
      uid: user.uid,
      gid: user.gid,
      env: { ...base, HOME: theirs, MEMORY_FILE_PATH: path.join(theirs, 'm.jsonl') },
    });
  }
  const spec = path.join(dir, 'spec.json');
  fs.writeFileSync(spec, JSON.stringify({ launches, lifetimeMs: minutes * 60_000 }));
  const client = path.join(dir, 'bin', 'cursor');
  fs.mkdirSync(path.dirname(client));
  fs.writeFileSync(client, CLIENT);
  const proc = spawn(process.execPath, [client, spec], {
    detached: true,
    stdio: 'ignore',
    env: { ...base, HOME: npxHome },
  });
  proc.unref();
  process.stdout.write(
    `neighbours started in ${dir} (client pid ${proc.pid}; ${launches.length} launches${isRoot ? '' : ', no other user: not root'}); they end by themselves in ${minutes} min, or with: node scripts/neighbours.mjs stop\n`,
  );
}

function otherUser() {
  const id = (flag) =>
    Number(execFileSync('id', [flag, OTHER_USER], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
  try {
    id('-u');
  } catch {
    execFileSync('useradd', [
      '--system',
      '--no-create-home',
      '--home-dir',
      '/nonexistent',
      '--shell',
      '/usr/sbin/nologin',
      OTHER_USER,
    ]);
  }
  return { uid: id('-u'), gid: id('-g') };
}

function stop() {
  const dirs = fs
    .readdirSync(os.tmpdir())
    .filter((n) => n.startsWith(PREFIX))
    .map((n) => path.join(os.tmpdir(), n));
  let killed = 0;
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const env = fs.readFileSync(`/proc/${pid}/environ`, 'utf8');
      if (dirs.some((d) => env.includes(`${TAG}=${d}\0`))) {
        process.kill(Number(pid), 'SIGKILL');
        killed++;
      }
    } catch {
      // gone, or not ours to read
    }
  }
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  process.stdout.write(`neighbours stopped: ${killed} processes, ${dirs.length} folders\n`);
}

// The client: a loopback port that never answers (the installs' registry), each launch a piped child
// whose stdin it holds, and its own end after the lifetime (its servers then see EOF).
const CLIENT = `const { spawn } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const spec = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const silent = http.createServer((req) => req.resume());
silent.listen(0, '127.0.0.1', () => {
  const registry = 'http://127.0.0.1:' + silent.address().port + '/';
  for (const l of spec.launches) {
    const env = l.registry ? { ...l.env, npm_config_registry: registry } : l.env;
    const child = spawn(l.command, l.args, { cwd: l.cwd, env, uid: l.uid, gid: l.gid, stdio: ['pipe', 'ignore', 'ignore'] });
    child.on('error', () => {});
  }
});
setTimeout(() => process.exit(0), spec.lifetimeMs);
`;

if (command === 'start') start();
else if (command === 'stop') stop();
else {
  process.stderr.write('usage: node scripts/neighbours.mjs start [--minutes N] | stop\n');
  process.exit(2);
}
