import * as assert from 'node:assert/strict';
import { ChildProcess, execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Instance, ServerStatus, Snapshot } from '../../src/core/base/model';
import { processesOfHome } from '../support/homeProcesses';
import { isAlive, signal, stopChildren } from '../support/liveness';
import { until } from '../support/poll';
import type { ModelStub } from '../support/realClients';
import { repoRoot } from '../support/repo';
import { cli } from '../integration/processes/support/harness';

/**
 * What the real-client tests share: the real MCP server they configure (server-memory from the
 * project's node_modules), a temp HOME per test holding everything the client writes (its config,
 * caches, its TMPDIR), the processes started under it, and `status --json` read as the user would.
 */

export const MEMORY_SCRIPT = path.join(
  repoRoot,
  'node_modules',
  '@modelcontextprotocol',
  'server-memory',
  'dist',
  'index.js',
);

export interface ClientHome {
  home: string;
  /** The folder the client runs in (its project or workspace scope). */
  project: string;
  /** MCP_LIFEGUARD_HOME, also the marker every process started for the test carries in its env. */
  lifeguard: string;
  /** The env every client command of the test runs with: HOME, TMPDIR and the marker inside `home`. */
  env: NodeJS.ProcessEnv;
  /** Every process seen under the home, by pid, with its command line: ended at the end even once adopted elsewhere. */
  seen: Map<number, string>;
}

export function clientHome(prefix: string, extra: Record<string, string> = {}): ClientHome {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const project = path.join(home, 'proj');
  fs.mkdirSync(project);
  // The client's own temp files (sockets, caches) go here, removed with the home.
  fs.mkdirSync(path.join(home, 'tmp'));
  const lifeguard = path.join(home, '.lifeguard');
  return {
    home,
    project,
    lifeguard,
    env: { ...process.env, HOME: home, TMPDIR: path.join(home, 'tmp'), MCP_LIFEGUARD_HOME: lifeguard, ...extra },
    seen: new Map(),
  };
}

/**
 * Every process started under the home: those carrying its marker in their env, and everything
 * below them (a client may give its servers only some of its env: Codex passes a short list of
 * variables and the entry's own `env`).
 */
export function homeProcesses(h: ClientHome): Array<{ pid: number; cmdline: string }> {
  const marked = processesOfHome(h.lifeguard);
  const children = new Map<number, number[]>();
  for (const pid of fs
    .readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .map(Number)) {
    try {
      const ppid = parentOf(pid);
      children.set(ppid, [...(children.get(ppid) ?? []), pid]);
    } catch {
      // gone
    }
  }
  const seen = new Set(marked.map((p) => p.pid));
  const out = [...marked];
  for (let i = 0; i < out.length; i++) {
    for (const child of children.get(out[i].pid) ?? []) {
      if (seen.has(child)) continue;
      seen.add(child);
      try {
        out.push({ pid: child, cmdline: fs.readFileSync(`/proc/${child}/cmdline`, 'utf8') });
      } catch {
        // gone
      }
    }
  }
  for (const p of out) h.seen.set(p.pid, p.cmdline);
  return out;
}

/** A process seen under the home that still runs (the same command line: its pid not reused). */
function stillRunning(pid: number, cmdline: string): boolean {
  try {
    return isAlive(pid) && fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8') === cmdline;
  } catch {
    return false;
  }
}

/**
 * How often a wait on a real client's session looks at the machine's processes: a session takes
 * seconds to tens of seconds to start its servers, and each look reads every process's environ and
 * stat (about 7 ms of processor with 120 processes, more on a busy machine), so it looks twice a
 * second rather than ten times.
 */
export const SESSION_POLL_MS = 500;

/** Ends every process started under the home (clients, their servers) and removes the home. */
export async function removeClientHome(h: ClientHome | undefined): Promise<void> {
  if (!h) return;
  await until('every process of the test to end', () => {
    homeProcesses(h);
    const left = [...h.seen].filter(([pid, cmdline]) => stillRunning(pid, cmdline)).map(([pid]) => ({ pid }));
    for (const p of left) signal(p.pid, 'SIGKILL');
    return left.length === 0;
  });
  fs.rmSync(h.home, { recursive: true, force: true });
}

/** Runs a client's command to its end; rejects naming its output when it fails. */
export function runClient(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(command, args, { cwd, env, timeout: 120_000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${command} ${args.join(' ')}: ${err.message}\n${stdout}${stderr}`)) : resolve(stdout),
    ),
  );
}

/** The server-memory processes running under the home. */
export function memoryServers(h: ClientHome): Array<{ pid: number; cmdline: string }> {
  return homeProcesses(h).filter((p) => p.cmdline.includes(MEMORY_SCRIPT) && isAlive(p.pid));
}

/** Whether a process carries `KEY=VALUE` in its environment. */
export function carries(pid: number, keyValue: string): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(keyValue);
  } catch {
    return false;
  }
}

export function parentOf(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

/**
 * `status --json` for the project folder, as the user would run it: in the project they run their
 * client in, which they trust (its URL entries are asked, as in a trusted VS Code workspace).
 */
export async function status(h: ClientHome): Promise<Snapshot> {
  const r = await cli(h.home, ['status', '--json', '--workspace', h.project, '--trust-workspace']);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as Snapshot;
}

/** The one server of that name in the snapshot. */
export function only(snap: Snapshot, name: string): ServerStatus {
  const named = snap.servers.filter((s) => s.name === name);
  assert.equal(named.length, 1, `servers named ${name}: ${JSON.stringify(named.map((s) => s.id))}`);
  return named[0];
}

/** Waits until every pid is listed as an instance; the snapshot then. */
export function untilListed(h: ClientHome, pids: number[]): Promise<Snapshot> {
  return until(`pids ${pids.join(', ')} listed`, async () => {
    const s = await status(h);
    const listed = s.servers.flatMap((x) => x.instances.map((i) => i.pid));
    return pids.every((p) => listed.includes(p)) ? s : undefined;
  });
}

/** The verdicts that would make an instance anything but its entry's one healthy process. */
export function badVerdicts(i: Instance): string[] {
  return i.verdicts.filter((v) => ['duplicate', 'orphan', 'unknown'].includes(v.kind)).map((v) => v.kind);
}

/** The diagnostics of one file. */
export function diagnosticsOf(snap: Snapshot, file: string): string[] {
  return snap.diagnostics.filter((d) => d.file === file).map((d) => `${d.severity}: ${d.message}`);
}

/**
 * The pids of a server's instances that are among `pids` (the session's). The machine may run the
 * very same server elsewhere (another test run's client starting this file with no env): that copy
 * is rightly the entry's too, under its own client, and not the test's to judge.
 */
export function sessionPids(s: ServerStatus, pids: readonly number[]): number[] {
  return s.instances.map((i) => i.pid).filter((p) => pids.includes(p));
}

/** The pids among `pids` that `kill-duplicates --json` would stop in the project. */
export async function killDuplicatesPlanned(h: ClientHome, pids: readonly number[]): Promise<number[]> {
  const r = await cli(h.home, ['kill-duplicates', '--json', '--workspace', h.project]);
  assert.equal(r.code, 0, r.stderr);
  const plan = (JSON.parse(r.stdout) as { plan: Array<{ pid: number }> }).plan;
  return plan.map((item) => item.pid).filter((p) => pids.includes(p));
}

/** Waits until none of the pids runs. */
export function untilGone(what: string, pids: number[], timeoutMs = 30_000): Promise<true> {
  return until(what, () => pids.every((p) => !isAlive(p)) || undefined, timeoutMs);
}

/** ANSI control sequences, taken out of a terminal's output to read its text. */
const CONTROL = /\x1b(\[[0-9;?]*[ -/]*[@-~]|\][^\x07]*\x07|[()][A-Z0-9]|[=>])/g;

/**
 * Runs a client's interactive command (a wizard with no flags for what it asks) on a terminal of
 * its own (`script`, 200 columns), answering each prompt in turn once its text is on screen; rejects
 * naming the screen when the command fails or a prompt never comes. Resolves with the screen's text.
 */
export function answerPrompts(
  command: string[],
  answers: Array<[RegExp, string]>,
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<string> {
  const line = ['stty cols 200 rows 50;', ...command.map((w) => `'${w.replace(/'/g, `'\\''`)}'`)].join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qfec', line, '/dev/null'], { cwd, env: { ...env, TERM: 'xterm' } });
    let screen = '';
    let pending = '';
    let next = 0;
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.stdout.on('data', (d: Buffer) => {
      const text = d.toString('utf8');
      screen += text;
      pending += text;
      while (next < answers.length && answers[next][0].test(pending.replace(CONTROL, ''))) {
        child.stdin.write(answers[next][1]);
        pending = '';
        next++;
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      const plain = screen.replace(CONTROL, '');
      if (code === 0 && next === answers.length) resolve(plain);
      else
        reject(
          new Error(`${command.join(' ')}: exit ${code}, ${next} of ${answers.length} prompts answered\n${plain}`),
        );
    });
  });
}

/**
 * One real-client test's own parts, ended after each test: its home, its loopback model and its
 * session. Registers the hooks in the calling `describe` (Linux only: the tests read /proc).
 */
export interface SessionParts {
  h?: ClientHome;
  model?: ModelStub;
  session?: ChildProcess;
  /** A test's further sessions, each ended as `session` is. */
  sessions: ChildProcess[];
}

export function sessionParts(): SessionParts {
  const parts: SessionParts = { sessions: [] };
  before(function () {
    if (process.platform !== 'linux') this.skip();
  });
  afterEach(async () => {
    await stopChildren([...(parts.session ? [parts.session] : []), ...parts.sessions.splice(0)]);
    parts.session = undefined;
    await removeClientHome(parts.h);
    parts.h = undefined;
    await parts.model?.close();
    parts.model = undefined;
  });
  return parts;
}

/**
 * A session's servers judged as they should be: each pid under its own entry only (`byEntry`: entry
 * name -> pid), each instance of the client (`client`: id, name, pid) with no duplicate, orphan or
 * unknown verdict, no diagnostic in `files`, no `secret` anywhere in the snapshot, and nothing
 * planned by kill-duplicates. The snapshot then.
 */
export async function expectSessionJudged(
  h: ClientHome,
  expected: {
    byEntry: Record<string, number>;
    client: [id: string, name: string, pid: number];
    files: string[];
    secret: string;
    what?: string;
  },
): Promise<Snapshot> {
  const pids = Object.values(expected.byEntry);
  const what = expected.what ?? 'in the session';
  const snap = await untilListed(h, pids);
  assert.deepEqual(
    expected.files.flatMap((f) => diagnosticsOf(snap, f)),
    [],
    what,
  );
  for (const [name, pid] of Object.entries(expected.byEntry)) {
    assert.deepEqual(sessionPids(only(snap, name), pids), [pid], `${what}: ${name}`);
    for (const i of only(snap, name).instances.filter((x) => pids.includes(x.pid))) {
      assert.deepEqual([i.client.id, i.client.name, i.client.pid], expected.client, `${what}: pid ${i.pid}`);
      assert.deepEqual(badVerdicts(i), [], `${what}: pid ${i.pid}: ${JSON.stringify(i.verdicts)}`);
    }
  }
  assert.ok(!JSON.stringify(snap).includes(expected.secret), 'an env value is never in the snapshot');
  assert.deepEqual(await killDuplicatesPlanned(h, pids), [], what);
  return snap;
}

/** The session asked its loopback model, at a path starting with `request` (`POST /v1/chat/completions`). */
export async function expectModelAsked(model: ModelStub, request: string): Promise<void> {
  await until('the session to ask the model', () => model.requests.length > 0, 60_000);
  assert.ok(
    model.requests.some((r) => r.startsWith(request)),
    model.requests.join('\n'),
  );
}

/** The client killed: its servers' stdin closes and they end by themselves; none is left or listed. */
export async function expectNoneLeftAfterKill(h: ClientHome, client: number, pids: number[]): Promise<void> {
  signal(client, 'SIGKILL');
  await untilGone("the servers to end after their client's", pids);
  const after = await status(h);
  const listed = [...after.servers.flatMap((s) => s.instances), ...after.notConfigured].map((i) => i.pid);
  assert.ok(!pids.some((p) => listed.includes(p)), JSON.stringify(listed));
}
