import * as assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { listLocks } from '../../src/core/locks';
import { cliPath } from '../support/repo';
import { makeTempDir } from '../support/temp';
import { linuxLayout } from '../unit/sources/fixtureLayouts';
import { linkCli, runCli, writeIdleScript } from './support';
import { until } from '../support/poll';
import { stopChildren } from '../support/liveness';

/**
 * Text output is terminal-safe: a config whose server names, arguments and diagnostics hold ESC
 * sequences, BEL, CR, LF and bidi controls, a running process whose argv holds them, and a guard
 * whose server name holds them. The real CLI's text output (`status`, `locks`, error messages)
 * shows them as visible escapes; `status --json` and `locks --json` carry the exact strings.
 */

const ESC_CLEAR = '\x1b[2J';
/** Every character that must never reach a terminal raw, with the escape it is shown as. */
const HOSTILE: Array<[string, string]> = [
  ['\x1b', '\\u001b'],
  ['\x07', '\\u0007'],
  ['\r', '\\r'],
  ['\u202e', '\\u202e'],
  ['\u202a', '\\u202a'],
  ['\u2066', '\\u2066'],
  ['\u2069', '\\u2069'],
  ['\u200f', '\\u200f'],
  ['\u061c', '\\u061c'],
  ['\x9b', '\\u009b'],
];
const RAW = new RegExp(`[${HOSTILE.map(([c]) => c).join('')}]`, 'u');

/** A server name that would clear the screen, ring, forge a line, and reverse the rest of it. */
const NAME = `evil${ESC_CLEAR}\x07name\r\nFORGED-NAME-LINE \u202egnp.exe`;
const ARG = `--title=${ESC_CLEAR}\x07\r\nFORGED-ARG-LINE \u202a\u2066\u2069\u200f\u061c\x9bend`;
const GUARD_NAME = `guard${ESC_CLEAR}\nFORGED-GUARD-LINE\u202e`;

describe('terminal: control and bidi characters from configs, process tables and lock records never reach the terminal raw', function () {
  this.timeout(120_000);
  let root: string;
  let env: NodeJS.ProcessEnv;
  let workspace: string;
  let brokenDir: string;
  const procs: ChildProcess[] = [];

  before(async () => {
    assert.ok(fs.existsSync(cliPath), 'dist/cli.js is built (npm run build) before the tests');
    root = makeTempDir('lg-term-');
    const layout = linuxLayout(path.join(root, 'fs'), false);
    workspace = layout.workspace;
    fs.mkdirSync(workspace, { recursive: true });
    const bin = path.join(root, 'bin');
    const script = writeIdleScript(path.join(bin, 'hostile-mcp.js'));
    const guarded = writeIdleScript(path.join(bin, 'guarded-mcp.js'));
    const guardBin = linkCli(bin);
    // A workspace folder whose own name is hostile: diagnostics quote the file's path.
    brokenDir = path.join(root, `ws${ESC_CLEAR}\u202e`);
    const userFile = layout.rows.find((r) => r.client === 'vscode' && r.scope === 'user' && r.format === 'servers')
      ?.file as string;
    const files: Record<string, string> = {
      [userFile]: JSON.stringify({
        servers: {
          [NAME]: { type: 'stdio', command: process.execPath, args: [script, ARG] },
          // A wrong-typed field: its diagnostic quotes the hostile name.
          [`${NAME}-bad`]: { type: 'stdio', command: 'x', args: 'not-an-array' },
        },
      }),
      [path.join(brokenDir, '.vscode', 'mcp.json')]: `{"servers":{"a":{"command":"x"`,
    };
    for (const [file, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, text);
    }
    env = { PATH: process.env.PATH, HOME: layout.home, MCP_LIFEGUARD_HOME: path.join(root, 'lg'), ...layout.env };
    // Configured (matched to NAME), unconfigured, and one under a guard named GUARD_NAME.
    procs.push(spawn(process.execPath, [script, ARG], { stdio: 'ignore' }));
    procs.push(spawn(process.execPath, [path.join(bin, 'hostile-mcp.js'), '--other', ARG], { stdio: 'ignore' }));
    procs.push(
      spawn(process.execPath, [guardBin, 'run', '--name', GUARD_NAME, '--', process.execPath, guarded, ARG], {
        env,
        cwd: root,
        stdio: ['pipe', 'ignore', 'ignore'],
      }),
    );
    await until('the guard to hold its lock and start its server', async () => {
      const live = (await listLocks(path.join(root, 'lg', 'locks')).catch(() => [])).filter((l) => l.state === 'live');
      return live.some((l) => l.state === 'live' && l.record.child) ? true : undefined;
    });
  });

  after(async () => {
    await stopChildren(procs);
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  function assertSafe(what: string, text: string): void {
    const at = text.search(RAW);
    assert.equal(
      at,
      -1,
      `${what} holds a raw control or bidi character: ${JSON.stringify(text.slice(Math.max(0, at - 60), at + 20))}`,
    );
    // A newline inside a value is escaped, so no line of the output is forged by one.
    assert.ok(!/^FORGED/m.test(text), `${what} has a forged line`);
  }

  it('status: names, arguments, command lines and diagnostics are shown escaped', async () => {
    const r = await runCli(['status', '--workspace', workspace, '--workspace', brokenDir], env);
    assert.equal(r.code, 0, r.stderr);
    assertSafe('status', r.stdout);
    assertSafe('status stderr', r.stderr);
    // Shown, as visible escapes: the name in the table, the argument, the diagnostics.
    assert.ok(r.stdout.includes('evil\\u001b[2J\\u0007name\\r\\nFORGED-NAME-LINE \\u202egnp.exe'), r.stdout);
    assert.ok(r.stdout.includes('\\r\\nFORGED-ARG-LINE \\u202a\\u2066\\u2069\\u200f\\u061c\\u009bend'));
    assert.match(r.stdout, /Running instances \(\d+\):/);
    assert.ok(r.stdout.includes(`ws\\u001b[2J\\u202e`), 'the broken file is named, escaped');
    for (const [, shown] of HOSTILE) assert.ok(r.stdout.includes(shown), `${shown} is shown`);
  });

  it('status --json carries the exact strings', async () => {
    const r = await runCli(['status', '--json', '--workspace', workspace, '--workspace', brokenDir], env);
    assert.equal(r.code, 0, r.stderr);
    const snapshot = JSON.parse(r.stdout) as {
      servers: { name: string; args: string[]; instances: { commandLine: string }[] }[];
      notConfigured: { commandLine: string; lock?: { serverName: string } }[];
      diagnostics: { file: string; message: string }[];
    };
    const server = snapshot.servers.find((s) => s.name === NAME);
    assert.ok(server, 'the hostile name round-trips');
    assert.equal(server.args[1], ARG);
    assert.equal(server.instances.length, 1, 'the running process is matched to it');
    // A command line shows an argument's inner whitespace as one space; every other character is exact.
    const shownArg = ARG.replace(/\s+/g, ' ');
    assert.ok(server.instances[0].commandLine.includes(shownArg), JSON.stringify(server.instances[0].commandLine));
    assert.ok(
      snapshot.notConfigured.some((i) => i.commandLine.includes(`--other '${shownArg}'`)),
      JSON.stringify(snapshot.notConfigured.map((i) => i.commandLine)),
    );
    assert.ok(
      snapshot.notConfigured.some((i) => i.lock?.serverName === GUARD_NAME),
      'the guard name round-trips',
    );
    assert.ok(snapshot.diagnostics.some((d) => d.message.includes(`${NAME}-bad`)));
    assert.ok(snapshot.diagnostics.some((d) => d.file.startsWith(brokenDir)));
  });

  it('locks shows the guard name escaped; locks --json carries it exactly', async () => {
    const text = await runCli(['locks'], env);
    assert.equal(text.code, 0, text.stderr);
    assertSafe('locks', text.stdout);
    assert.ok(text.stdout.includes('guard\\u001b[2J\\nFORGED-GUARD-LINE\\u202e'), text.stdout);
    const json = await runCli(['locks', '--json'], env);
    const listed = JSON.parse(json.stdout) as { locks: { record?: { serverName: string } }[] };
    assert.ok(listed.locks.some((l) => l.record?.serverName === GUARD_NAME));
  });

  it('error messages quote what was typed escaped', async () => {
    // No server has this name and no process this pid: nothing is signalled, the name is quoted back.
    const r = await runCli(['restart', `nope${ESC_CLEAR}\x07\r\nFORGED-TARGET-LINE\u202e`], env);
    assert.equal(r.code, 1, r.stderr);
    assertSafe('restart stderr', r.stderr);
    assert.ok(r.stderr.includes("'nope\\u001b[2J\\u0007\\r\\nFORGED-TARGET-LINE\\u202e' is not guarded"), r.stderr);
  });
});
