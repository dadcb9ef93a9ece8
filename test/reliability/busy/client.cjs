// A stand-in for an MCP client on a busy machine: spawns each launch of its spec file the way
// clients do (a piped child per server, stdin held open, the launch's cwd and env) and idles until
// it is killed. The harness copies this file to a path named like a real client's program (`code`,
// `claude-desktop`, `cursor`, `claude`, `codex`), so the process table shows `node .../code spec`.
//
// With `hold`, a second process (the "holder") keeps a copy of every server's stdin, so that when
// this client is killed with SIGKILL its servers do not see EOF and live on, reparented to init,
// like the orphans a crashed client leaves.
//
// Usage: node <client> <spec.json>  with  { launches: [{ command, args, cwd, env }], hold, gapMs, lifetimeMs }
// Prints one JSON line { client, holder, pids: [...] } once every launch is spawned.
const { spawn } = require('node:child_process');
const fs = require('node:fs');

const spec = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const children = [];

(async () => {
  for (const [i, launch] of spec.launches.entries()) {
    if (i > 0 && spec.gapMs) await new Promise((r) => setTimeout(r, spec.gapMs));
    const child = spawn(launch.command, launch.args, {
      cwd: launch.cwd,
      env: launch.env,
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    child.on('error', () => {});
    children.push(child);
  }
  let holder;
  if (spec.hold) {
    const stdio = ['ignore', 'ignore', 'ignore', ...children.map((c) => c.stdin)];
    holder = spawn(process.execPath, ['-e', `setTimeout(() => {}, ${spec.lifetimeMs})`], { stdio });
  }
  process.stdout.write(
    `${JSON.stringify({ client: process.pid, holder: holder?.pid, pids: children.map((c) => c.pid) })}\n`,
  );
  // Bounded: should the harness fail to kill it, the client goes by itself (its servers see EOF).
  setTimeout(() => process.exit(0), spec.lifetimeMs);
})();
