// A stand-in for VS Code's agent host as the server forks it (NodeAgentHostStarter:
// `bootstrap-fork --type=agentHost --logsPath L --user-data-dir D --telemetry-level T`): the test
// copies this file to `<home>/.vscode-server/.../server/out/bootstrap-fork` and runs it with those
// arguments. Like the real host with its shared runtime, it starts one copy of each configured
// server per agent session, a piped child with its stdin held open. A second process (the
// "holder") keeps a copy of each server's stdin pipe, so when the host is killed with SIGKILL its
// servers do not see EOF: they run on, adopted by init, as an exited host leaves them.
//
// The spec comes in LG_AGENT_HOST_SPEC: { command, args, env, sessions, gapMs }.
// Prints one JSON line: { host, holders: [pid...], servers: [pid...] } once every session's server is up.
const { spawn } = require('node:child_process');

const spec = JSON.parse(process.env.LG_AGENT_HOST_SPEC);
const servers = [];
const holders = [];

function startSession() {
  const child = spawn(spec.command, spec.args, {
    env: { ...process.env, ...spec.env },
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  servers.push(child);
  holders.push(
    spawn(process.execPath, ['-e', 'setInterval(() => {}, 1 << 30)'], { stdio: [child.stdin, 'ignore', 'ignore'] }),
  );
}

(async () => {
  for (let i = 0; i < spec.sessions; i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, spec.gapMs ?? 300));
    startSession();
  }
  process.stdout.write(
    `${JSON.stringify({ host: process.pid, holders: holders.map((h) => h.pid), servers: servers.map((s) => s.pid) })}\n`,
  );
  setInterval(() => {}, 1 << 30);
})();
