// A stand-in for an MCP client: spawns stdio servers the way clients do (a piped child per server,
// its stdin held open) and stays alive until killed. A second process (the "holder") keeps a copy
// of each server's stdin pipe, so that when this client is killed with SIGKILL the server does not
// see EOF: it keeps running, reparented to init, exactly like the orphans real crashes leave.
//
// Usage: node fake-client.cjs '<json>'  with  { command, args, env, cwd, count, gapMs }, or with
// { launches: [{ command, args, env }...], cwd, gapMs }: one client spawning several servers in order.
// Prints one JSON line: { client, holder, servers: [pid...] } once every server is spawned.
const { spawn } = require('node:child_process');

const spec = JSON.parse(process.argv[2]);
const servers = [];
const holders = [];

function spawnOne(launch) {
  const child = spawn(launch.command, launch.args, {
    cwd: spec.cwd,
    env: { ...process.env, ...launch.env },
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  servers.push(child);
  const holder = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1 << 30)'], {
    stdio: [child.stdin, 'ignore', 'ignore'],
  });
  holders.push(holder);
}

(async () => {
  const launches = spec.launches ?? Array.from({ length: spec.count ?? 1 }, () => spec);
  for (let i = 0; i < launches.length; i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, spec.gapMs ?? 300));
    spawnOne(launches[i]);
  }
  process.stdout.write(
    `${JSON.stringify({ client: process.pid, holders: holders.map((h) => h.pid), servers: servers.map((s) => s.pid) })}\n`,
  );
  setInterval(() => {}, 1 << 30);
})();
