import { strict as assert } from 'node:assert';
import { parseLaunch } from '../../../src/core/launch/parse';
import { launchKeyOf } from '../../../src/core/processes/argv';
import { parseDockerRun } from '../../../src/core/versions/docker';
import { parseNpmRunner } from '../../../src/core/versions/npmPackages';
import { parsePythonRunner } from '../../../src/core/versions/python';

/**
 * Real-world launch lines (client docs, server READMEs, and every shape matching and version
 * resolution handled before), each with ONE expected reading: the matcher's key and what the
 * target is. Then the cross-check: the resolver's package or image is the one the key names.
 */
type Want = { key: string | undefined; what: string; cwd?: string; spawns?: boolean; watches?: boolean };
const LINES: Array<[string[], Want]> = [
  // npm runners
  [
    ['npx', '-y', '@modelcontextprotocol/server-memory'],
    { key: 'npx:@modelcontextprotocol/server-memory', what: 'package npx @modelcontextprotocol/server-memory' },
  ],
  [
    ['npx', '-y', '@modelcontextprotocol/server-filesystem', '/Users/u/Desktop'],
    { key: 'npx:@modelcontextprotocol/server-filesystem', what: 'package npx @modelcontextprotocol/server-filesystem' },
  ],
  [
    ['npx', '-y', '@modelcontextprotocol/server-memory@2026.7.4'],
    {
      key: 'npx:@modelcontextprotocol/server-memory',
      what: 'package npx @modelcontextprotocol/server-memory 2026.7.4',
    },
  ],
  [
    ['npx', '--yes', 'mcp-remote@latest', 'https://x.example/mcp'],
    { key: 'npx:mcp-remote', what: 'package npx mcp-remote latest' },
  ],
  [
    ['/usr/bin/npx', '-y', '@playwright/mcp@latest'],
    { key: 'npx:@playwright/mcp', what: 'package npx @playwright/mcp latest' },
  ],
  [
    ['npx.cmd', '-y', '@upstash/context7-mcp'],
    { key: 'npx:@upstash/context7-mcp', what: 'package npx @upstash/context7-mcp' },
  ],
  [
    ['npx', '-p', '@modelcontextprotocol/server-memory@1', 'mcp-server-memory'],
    { key: 'npx:@modelcontextprotocol/server-memory', what: 'package npx @modelcontextprotocol/server-memory 1' },
  ],
  [
    ['npx', '--package', '@modelcontextprotocol/server-memory', 'mcp-server-memory'],
    { key: 'npx:@modelcontextprotocol/server-memory', what: 'package npx @modelcontextprotocol/server-memory' },
  ],
  [['npx', '--package=@x/srv@2', 'srv'], { key: 'npx:@x/srv', what: 'package npx @x/srv 2' }],
  [['npx', '--registry', 'https://r.example', '-y', 'srv'], { key: 'npx:srv', what: 'package npx srv' }],
  [
    ['npm', 'exec', '@modelcontextprotocol/server-everything'],
    { key: 'npx:@modelcontextprotocol/server-everything', what: 'package npx @modelcontextprotocol/server-everything' },
  ],
  [
    ['npm', 'exec', '--', '@modelcontextprotocol/server-memory'],
    { key: 'npx:@modelcontextprotocol/server-memory', what: 'package npx @modelcontextprotocol/server-memory' },
  ],
  [['npm', 'x', '-y', 'srv@1.2.3', '--port', '1'], { key: 'npx:srv', what: 'package npx srv 1.2.3' }],
  [
    ['node', 'C:\\npm\\bin\\npx-cli.js', '-y', '@modelcontextprotocol/server-memory'],
    { key: 'npx:@modelcontextprotocol/server-memory', what: 'package npx @modelcontextprotocol/server-memory' },
  ],
  [
    ['pnpm', 'dlx', '@modelcontextprotocol/server-memory'],
    { key: 'npx:@modelcontextprotocol/server-memory', what: 'package pnpm-dlx @modelcontextprotocol/server-memory' },
  ],
  [['pnpx', 'x@2'], { key: 'npx:x', what: 'package pnpm-dlx x 2' }],
  [
    ['yarn', 'dlx', '@modelcontextprotocol/server-memory'],
    { key: 'npx:@modelcontextprotocol/server-memory', what: 'package yarn-dlx @modelcontextprotocol/server-memory' },
  ],
  [
    ['bunx', '@modelcontextprotocol/server-memory'],
    { key: 'npx:@modelcontextprotocol/server-memory', what: 'package bunx @modelcontextprotocol/server-memory' },
  ],
  [['bun', 'x', 'y@1'], { key: 'npx:y', what: 'package bunx y 1' }],
  // wrappers around them
  [
    ['cmd', '/c', 'npx', '-y', '@modelcontextprotocol/server-memory'],
    { key: 'npx:@modelcontextprotocol/server-memory', what: 'package npx @modelcontextprotocol/server-memory' },
  ],
  [
    ['C:\\WINDOWS\\system32\\cmd.exe', '/d', '/s', '/c', 'npx -y @modelcontextprotocol/server-github'],
    { key: 'npx:@modelcontextprotocol/server-github', what: 'package npx @modelcontextprotocol/server-github' },
  ],
  [['env', 'A=B', 'npx', '-y', 'srv'], { key: 'npx:srv', what: 'package npx srv' }],
  [
    ['sh', '-c', 'npx -y @modelcontextprotocol/server-memory'],
    { key: 'npx:@modelcontextprotocol/server-memory', what: 'package npx @modelcontextprotocol/server-memory' },
  ],
  [['bash', '-lc', 'x'], { key: 'prog:x', what: 'program x' }],
  // Python runners
  [['uvx', 'mcp-server-fetch'], { key: 'uvx:mcp-server-fetch', what: 'package uvx mcp-server-fetch' }],
  [
    ['uvx', '--python-preference', 'only-managed', 'mcp-server-fetch'],
    { key: 'uvx:mcp-server-fetch', what: 'package uvx mcp-server-fetch' },
  ],
  [
    ['uvx', '--python', '3.12', 'mcp-server-fetch==1.0', '--x'],
    { key: 'uvx:mcp-server-fetch', what: 'package uvx mcp-server-fetch 1.0' },
  ],
  [
    ['uvx', 'mcp-server-fetch@2025.4.7'],
    { key: 'uvx:mcp-server-fetch', what: 'package uvx mcp-server-fetch 2025.4.7' },
  ],
  [
    ['uvx', '--from', 'mempalace[chroma]==3.1', 'mempalace-mcp'],
    { key: 'uvx:mempalace', what: 'package uvx mempalace 3.1' },
  ],
  [
    ['uvx', '--from=git+https://github.com/oraios/serena', 'serena', 'start-mcp-server'],
    { key: 'uvx:git+https://github.com/oraios/serena', what: 'package uvx git+https://github.com/oraios/serena' },
  ],
  [
    ['uvx', '--with', 'x', '--index-url', 'https://i.example/simple', 'mcp-server-git', '--repository', '/r'],
    { key: 'uvx:mcp-server-git', what: 'package uvx mcp-server-git' },
  ],
  [
    ['uvx', '--isolated', '--cache-dir', '/c', 'mcp-server-time'],
    { key: 'uvx:mcp-server-time', what: 'package uvx mcp-server-time' },
  ],
  [
    ['uv', 'tool', 'run', 'mcp-server-sqlite', '--db-path', 'x.db'],
    { key: 'uvx:mcp-server-sqlite', what: 'package uvx mcp-server-sqlite' },
  ],
  [
    ['uv', 'tool', 'run', '--from', 'git+https://x/y', 'srv'],
    { key: 'uvx:git+https://x/y', what: 'package uvx git+https://x/y' },
  ],
  [['pipx', 'run', 'mcp-server-time'], { key: 'uvx:mcp-server-time', what: 'package pipx-run mcp-server-time' }],
  [['pipx', 'run', '--spec', 'y==2', 'ycmd'], { key: 'uvx:y', what: 'package pipx-run y 2' }],
  // uv run: the command it runs in the project's environment
  [['uv', '--directory', '/abs/weather', 'run', 'weather.py'], { key: 'prog:weather', what: 'program weather.py' }],
  [['uv', 'run', '--with', 'mcp', 'mcp', 'run', 'server.py'], { key: 'prog:mcp', what: 'program mcp' }],
  [['uv', 'run', 'python', '-m', 'my_server'], { key: 'prog:my_server', what: 'module my_server' }],
  // containers
  [['docker', 'run', '-i', '--rm', 'mcp/fetch'], { key: 'docker:mcp/fetch', what: 'image mcp/fetch' }],
  [['docker', 'run', '-i', '--rm', '--gpus', 'all', 'mcp/fetch'], { key: 'docker:mcp/fetch', what: 'image mcp/fetch' }],
  [
    ['docker', 'run', '-i', '--rm', '-e', 'GITHUB_PERSONAL_ACCESS_TOKEN', 'ghcr.io/github/github-mcp-server'],
    { key: 'docker:ghcr.io/github/github-mcp-server', what: 'image ghcr.io/github/github-mcp-server' },
  ],
  [
    ['docker', 'run', '-it', '--rm', '-e', 'TOKEN', '-v', '/a:/b', '--name', 'f1', 'ghcr.io/x/y:1.2', '--flag'],
    { key: 'docker:ghcr.io/x/y:1.2', what: 'image ghcr.io/x/y:1.2' },
  ],
  [['docker', 'container', 'run', '--network=host', '-eA=1', 'img'], { key: 'docker:img', what: 'image img' }],
  [
    ['docker', 'run', '-i', '--rm', '--mount', 'type=bind,src=/u,dst=/projects', 'mcp/filesystem', '/projects'],
    { key: 'docker:mcp/filesystem', what: 'image mcp/filesystem' },
  ],
  [
    ['docker', 'run', '-i', '--rm', '--init', '--pull=always', '-e', 'DOCKER_CONTAINER=true', 'mcp/puppeteer'],
    { key: 'docker:mcp/puppeteer', what: 'image mcp/puppeteer' },
  ],
  [
    ['docker', 'run', '-i', '--rm', '--cpus', '1', '--memory', '512m', '--stop-timeout', '5', 'mcp/time'],
    { key: 'docker:mcp/time', what: 'image mcp/time' },
  ],
  [
    ['podman', 'run', '-i', '--rm', 'quay.io/x/srv@sha256:abc'],
    { key: 'docker:quay.io/x/srv', what: 'image quay.io/x/srv@sha256:abc' },
  ],
  [['docker', 'ps'], { key: 'prog:docker', what: 'program docker' }],
  // interpreters
  [['node', '/srv/weather/dist/index.js'], { key: 'prog:weather/index', what: 'script /srv/weather/dist/index.js' }],
  [['node', '--max-old-space-size=4096', '/a/server.js', '--x'], { key: 'prog:a/server', what: 'script /a/server.js' }],
  [['node', '--require', 'hook.cjs', 'build/index.js'], { key: 'prog:index', what: 'script build/index.js' }],
  [['node', '--env-file', '.env', '/a/mcp-server.mjs'], { key: 'prog:mcp-server', what: 'script /a/mcp-server.mjs' }],
  [
    ['C:\\Program Files\\nodejs\\node.exe', 'C:\\mcp\\weather\\build\\index.js'],
    { key: 'prog:weather/index', what: 'script C:\\mcp\\weather\\build\\index.js' },
  ],
  [
    ['node', '/usr/lib/node_modules/.bin/mcp-server-memory'],
    { key: 'prog:mcp-server-memory', what: 'script /usr/lib/node_modules/.bin/mcp-server-memory' },
  ],
  [['node', '-e', 'code'], { key: 'prog:code', what: 'inline code' }],
  [['node'], { key: 'prog:node', what: 'program node' }],
  [['tsx', 'src/server.ts'], { key: 'prog:server', what: 'script src/server.ts' }],
  [
    ['deno', 'run', '-A', '--config', 'deno.json', 'jsr:@x/mcp-srv'],
    { key: 'prog:mcp-srv', what: 'script jsr:@x/mcp-srv' },
  ],
  [['bun', 'run', '/a/srv.ts'], { key: 'prog:srv', what: 'script /a/srv.ts' }],
  // Other runtimes, as their processes show on Linux (bun 1.4.5, deno 2.9.6): the script or package is what runs.
  [
    ['bun', 'run', '/p/node_modules/@modelcontextprotocol/server-memory/dist/index.js'],
    {
      key: 'prog:server-memory/index',
      what: 'script /p/node_modules/@modelcontextprotocol/server-memory/dist/index.js',
      spawns: false,
    },
  ],
  [['bun', '/p/server.ts'], { key: 'prog:p/server', what: 'script /p/server.ts', spawns: false }],
  [
    ['deno', 'run', '-A', 'npm:@modelcontextprotocol/server-memory@2026.7.4'],
    {
      key: 'npx:@modelcontextprotocol/server-memory',
      what: 'package deno @modelcontextprotocol/server-memory 2026.7.4',
      spawns: false,
    },
  ],
  [
    ['/opt/deno/bin/deno', 'run', '--allow-read', '--env-file=.env', 'npm:mcp-srv@^1/bin/cli.js', '--port', '1'],
    { key: 'npx:mcp-srv', what: 'package deno mcp-srv ^1' },
  ],
  [['deno', 'npm:mcp-srv'], { key: 'npx:mcp-srv', what: 'package deno mcp-srv' }],
  [['deno', 'serve', '--port', '8080', '/srv/a/main.ts'], { key: 'prog:a/main', what: 'script /srv/a/main.ts' }],
  [
    ['python3', '-u', '-m', 'mcp_server_git', '--repo', '.'],
    { key: 'prog:mcp_server_git', what: 'module mcp_server_git' },
  ],
  [['python', '-mserena_mcp'], { key: 'prog:serena_mcp', what: 'module serena_mcp' }],
  [['/a/.venv/bin/python', '-X', 'utf8', 'main.py'], { key: 'prog:main', what: 'script main.py' }],
  [['python', '-c', 'print(1)'], { key: 'prog:print(1)', what: 'inline print(1)' }],
  [['env', 'A=1', 'node', 'x.js'], { key: 'prog:x', what: 'script x.js' }],
  // plain programs
  [['mcp-server-git', '--repository', '/r'], { key: 'prog:mcp-server-git', what: 'program mcp-server-git' }],
  [['mcp-server-memory.cmd'], { key: 'prog:mcp-server-memory', what: 'program mcp-server-memory.cmd' }],
  [
    ['/opt/github-mcp-server/bin/github-mcp-server', 'stdio'],
    { key: 'prog:github-mcp-server', what: 'program /opt/github-mcp-server/bin/github-mcp-server' },
  ],
  [
    ['sh', '-c', "mcp-server-memory --dir '/a b'"],
    { key: 'prog:mcp-server-memory', what: 'program mcp-server-memory' },
  ],
  [['npx'], { key: undefined, what: 'none' }],
  // shell-wrapped launches as people write them: the shell runs them, so they are read as it does
  [
    ['bash', '-c', 'cd /srv/app && node server.js'],
    { key: 'prog:server', what: 'script server.js', cwd: '/srv/app', spawns: true },
  ],
  [
    ['bash', '-c', 'source ~/.nvm/nvm.sh && exec npx -y @modelcontextprotocol/server-memory'],
    { key: 'npx:@modelcontextprotocol/server-memory', what: 'package npx @modelcontextprotocol/server-memory' },
  ],
  [['sh', '-c', 'exec node server.js'], { key: 'prog:server', what: 'script server.js' }],
  [['sh', '-c', 'VAR=x node /srv/a/server.js'], { key: 'prog:a/server', what: 'script /srv/a/server.js' }],
  [['sh', '-c', 'a | node /srv/a/server.js'], { key: 'prog:a/server', what: 'script /srv/a/server.js' }],
  [
    ['sh', '-c', 'node /srv/a/server.js 2>>/tmp/err.log | tee /tmp/out.log'],
    { key: 'prog:a/server', what: 'script /srv/a/server.js' },
  ],
  [
    ['zsh', '-lc', 'cd ~/mcp/weather; uv run weather.py'],
    { key: 'prog:weather', what: 'program weather.py', cwd: '~/mcp/weather' },
  ],
  [
    ['bash', '-lc', 'export A=1; cd /p && cd sub && exec mcp-server-git --repository . > /dev/null 2>&1'],
    { key: 'prog:mcp-server-git', what: 'program mcp-server-git', cwd: '/p/sub' },
  ],
  [
    ['bash', '-o', 'pipefail', '-ec', 'nvm use 20 >/dev/null && node /srv/x/index.js'],
    { key: 'prog:x/index', what: 'script /srv/x/index.js' },
  ],
  // launchers that run another program
  [
    ['env', '-u', 'NODE_OPTIONS', '-C', '/srv/app', 'node', 'server.js'],
    { key: 'prog:server', what: 'script server.js', cwd: '/srv/app' },
  ],
  [['env', '-S', 'node /srv/a/server.js --port 1'], { key: 'prog:a/server', what: 'script /srv/a/server.js' }],
  [['nice', '-n', '10', 'npx', '-y', 'srv'], { key: 'npx:srv', what: 'package npx srv' }],
  [['ionice', '-c', '3', 'node', '/srv/a/server.js'], { key: 'prog:a/server', what: 'script /srv/a/server.js' }],
  [['stdbuf', '-oL', '-e', '0', 'mcp-server-git'], { key: 'prog:mcp-server-git', what: 'program mcp-server-git' }],
  [
    ['timeout', '-k', '5', '1h', 'uvx', 'mcp-server-fetch'],
    { key: 'uvx:mcp-server-fetch', what: 'package uvx mcp-server-fetch', spawns: true },
  ],
  [
    ['script', '-q', '-c', 'node /srv/a/server.js', '/dev/null'],
    { key: 'prog:a/server', what: 'script /srv/a/server.js', spawns: true },
  ],
  // getopt lets the letters share one dash: the last one takes the next word (`script -qfc CMD`).
  [
    ['script', '-qfc', 'node /srv/a/server.js', '/dev/null'],
    { key: 'prog:a/server', what: 'script /srv/a/server.js', spawns: true },
  ],
  [['script', '-qfec', 'npx -y srv', '/dev/null'], { key: 'npx:srv', what: 'package npx srv', spawns: true }],
  [['setsid', '-fw', 'mcp-server-git'], { key: 'prog:mcp-server-git', what: 'program mcp-server-git' }],
  [
    ['timeout', '-vk', '5', '1h', 'node', '/srv/a/server.js'],
    { key: 'prog:a/server', what: 'script /srv/a/server.js', spawns: true },
  ],
  [['env', '-iC', '/srv/app', 'node', 'server.js'], { key: 'prog:server', what: 'script server.js', cwd: '/srv/app' }],
  [['unbuffer', 'mcp-server-git'], { key: 'prog:mcp-server-git', what: 'program mcp-server-git', spawns: true }],
  [['setsid', '-w', 'mcp-server-git'], { key: 'prog:mcp-server-git', what: 'program mcp-server-git' }],
  [['direnv', 'exec', '/srv/app', 'node', 'server.js'], { key: 'prog:server', what: 'script server.js' }],
  [
    ['mise', 'exec', 'node@22', '--', 'node', '/srv/a/server.js'],
    { key: 'prog:a/server', what: 'script /srv/a/server.js' },
  ],
  [
    ['mise', 'x', '-C', '/srv/app', '--', 'npx', '-y', 'srv'],
    { key: 'npx:srv', what: 'package npx srv', cwd: '/srv/app' },
  ],
  [['asdf', 'exec', 'node', '/srv/a/server.js'], { key: 'prog:a/server', what: 'script /srv/a/server.js' }],
  [
    ['volta', 'run', '--node', '20', 'node', '/srv/a/server.js'],
    { key: 'prog:a/server', what: 'script /srv/a/server.js', spawns: true },
  ],
  [['fnm', 'exec', '--using=20', '--', 'npx', '-y', 'srv'], { key: 'npx:srv', what: 'package npx srv', spawns: true }],
  [
    ['nvm', 'exec', '20', 'node', '/srv/a/server.js'],
    { key: 'prog:a/server', what: 'script /srv/a/server.js', spawns: true },
  ],
  [['nohup', 'node', '/srv/a/server.js'], { key: 'prog:a/server', what: 'script /srv/a/server.js' }],
  // TypeScript runners and watchers
  [['tsx', '/srv/a/server.ts'], { key: 'prog:a/server', what: 'script /srv/a/server.ts', spawns: true }],
  [
    ['node', '/p/node_modules/.bin/tsx', '/srv/a/server.ts'],
    { key: 'prog:a/server', what: 'script /srv/a/server.ts', spawns: true },
  ],
  [['npx', '-y', 'tsx', '/srv/a/server.ts'], { key: 'prog:a/server', what: 'script /srv/a/server.ts', spawns: true }],
  [
    [
      'node',
      '--require',
      '/p/node_modules/tsx/dist/preflight.cjs',
      '--import',
      'file:///p/node_modules/tsx/dist/loader.mjs',
      '/srv/a/server.ts',
    ],
    { key: 'prog:a/server', what: 'script /srv/a/server.ts' },
  ],
  [['ts-node', '/srv/a/server.ts'], { key: 'prog:a/server', what: 'script /srv/a/server.ts' }],
  [
    ['node', '/p/node_modules/.bin/ts-node', '--esm', '/srv/a/server.ts'],
    { key: 'prog:a/server', what: 'script /srv/a/server.ts' },
  ],
  [
    ['node', '--watch', '/srv/a/server.js'],
    { key: 'prog:a/server', what: 'script /srv/a/server.js', spawns: true, watches: true },
  ],
  [
    ['node', '--watch-path=/srv/a/src', '/srv/a/server.js'],
    { key: 'prog:a/server', what: 'script /srv/a/server.js', spawns: true, watches: true },
  ],
  [
    ['tsx', 'watch', '--clear-screen=false', '/srv/a/server.ts'],
    { key: 'prog:a/server', what: 'script /srv/a/server.ts', spawns: true, watches: true },
  ],
  [
    ['nodemon', '--watch', 'src', '/srv/a/server.js'],
    { key: 'prog:a/server', what: 'script /srv/a/server.js', spawns: true, watches: true },
  ],
  [
    ['node', '/p/node_modules/.bin/nodemon', '-e', 'js,json', '--exec', 'node /srv/a/server.js --x'],
    { key: 'prog:a/server', what: 'script /srv/a/server.js', spawns: true, watches: true },
  ],
  [
    ['ts-node-dev', '--respawn', '--transpile-only', '/srv/a/server.ts'],
    { key: 'prog:a/server', what: 'script /srv/a/server.ts', spawns: true, watches: true },
  ],
  [
    ['node', '/p/node_modules/ts-node-dev/lib/wrap.js', '/srv/a/server.ts'],
    { key: 'prog:a/server', what: 'script /srv/a/server.ts' },
  ],
  // runners' options that move the folder, and an unpinned "latest"
  [
    ['uv', '--directory', '/srv/weather', 'run', 'weather.py'],
    { key: 'prog:weather', what: 'program weather.py', cwd: '/srv/weather', spawns: true },
  ],
  [
    ['npm', '--prefix', '/srv/app', 'exec', '--', 'srv'],
    { key: 'npx:srv', what: 'package npx srv', cwd: '/srv/app', spawns: true },
  ],
  [['uvx', 'mcp-server-fetch@latest'], { key: 'uvx:mcp-server-fetch', what: 'package uvx mcp-server-fetch' }],
];

function what(argv: readonly string[]): string {
  const t = parseLaunch(argv).target;
  switch (t.kind) {
    case 'package':
      return ['package', t.runner, t.name, t.version].filter(Boolean).join(' ');
    case 'image':
      return `image ${t.image}`;
    case 'module':
      return `module ${t.module}`;
    case 'inline':
      return `inline ${t.code}`;
    case 'script':
      return `script ${t.script}`;
    case 'program':
      return `program ${t.program}`;
    case 'none':
      return 'none';
  }
}

describe('launch lines: one reading per line', () => {
  for (const [argv, want] of LINES) {
    it(argv.join(' '), () => {
      assert.equal(launchKeyOf(argv)?.key, want.key);
      assert.equal(what(argv), want.what);
      const parsed = parseLaunch(argv);
      if ('cwd' in want) assert.equal(parsed.cwd, want.cwd, 'the folder the launch moves to');
      if ('spawns' in want)
        assert.equal(parsed.spawns, want.spawns, 'whether the first process starts the server as a child');
      if ('watches' in want) assert.equal(parsed.watches, want.watches, 'whether a watcher runs it');
    });
  }

  it('the matcher and the resolver name the same package or image', () => {
    for (const [argv] of LINES) {
      const key = launchKeyOf(argv)?.key;
      const launch = { command: argv[0], args: argv.slice(1) };
      const npm = parseNpmRunner(launch);
      const py = parsePythonRunner(launch);
      const docker = parseDockerRun(launch);
      if (npm) assert.equal(key, `npx:${npm.name.toLowerCase()}`, argv.join(' '));
      if (py) assert.equal(key, `uvx:${py.name.toLowerCase()}`, argv.join(' '));
      if (docker) assert.equal(key, `docker:${docker.image.split('@')[0].toLowerCase()}`, argv.join(' '));
      // A line the matcher reads as a package or image is one the resolver reads too (yarn dlx aside: no cache to read).
      if (key?.startsWith('npx:') && !argv.includes('dlx')) assert.ok(npm, `resolver misses ${argv.join(' ')}`);
      if (key?.startsWith('uvx:')) assert.ok(py, `resolver misses ${argv.join(' ')}`);
      if (key?.startsWith('docker:')) assert.ok(docker, `resolver misses ${argv.join(' ')}`);
    }
  });

  it("both readings of the issue's two examples agree", () => {
    assert.equal(
      launchKeyOf(['uvx', '--python-preference', 'only-managed', 'mcp-server-fetch'])?.key,
      'uvx:mcp-server-fetch',
    );
    assert.equal(
      parsePythonRunner({ command: 'uvx', args: ['--python-preference', 'only-managed', 'mcp-server-fetch'] })?.name,
      'mcp-server-fetch',
    );
    assert.equal(launchKeyOf(['docker', 'run', '-i', '--rm', '--gpus', 'all', 'mcp/fetch'])?.key, 'docker:mcp/fetch');
    assert.equal(
      parseDockerRun({ command: 'docker', args: ['run', '-i', '--rm', '--gpus', 'all', 'mcp/fetch'] })?.image,
      'mcp/fetch',
    );
  });
});
