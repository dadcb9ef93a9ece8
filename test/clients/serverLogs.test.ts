import * as assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { until } from '../support/poll';
import { stopChildren } from '../support/liveness';
import {
  CLAUDE_CODE,
  claudeCodeBin,
  clientEnv,
  COPILOT_CLI,
  copilotCliBin,
  copilotEnv,
  modelStub,
  ModelStub,
} from '../support/realClients';
import { cli } from '../integration/processes/support/harness';
import { ClientHome, clientHome, homeProcesses, MEMORY_SCRIPT, parentOf, removeClientHome, runClient } from './support';

/**
 * A server's stderr is its log (MCP logging is deprecated), and for an unguarded instance its
 * client is its only keeper. Each real client runs a server that writes a marker line with its
 * entry's env value to stderr, in a real session; `mcp-lifeguard logs` then prints the end of the
 * log that client keeps of it, found from the client's own layout, with the value masked.
 */
describe('real clients: the log each client keeps of its servers (`mcp-lifeguard logs`)', function () {
  this.timeout(300_000);
  let h: ClientHome | undefined;
  let model: ModelStub | undefined;
  let session: ChildProcess | undefined;

  before(function () {
    if (process.platform !== 'linux') this.skip();
  });

  afterEach(async () => {
    if (session) await stopChildren([session]);
    session = undefined;
    await removeClientHome(h);
    h = undefined;
    await model?.close();
    model = undefined;
  });

  /**
   * A server-memory that first writes `LOGMARKER-<random> data=<its MEMORY_FILE_PATH>` to stderr (the
   * marker is in the script: every env value of the entry is masked, the marker must not be one).
   */
  function markerServer(home: ClientHome): { script: string; marker: string; data: string } {
    const script = path.join(home.home, 'marker-server.mjs');
    const marker = `LOGMARKER-${randomBytes(6).toString('hex')}`;
    fs.writeFileSync(
      script,
      `process.stderr.write(\`${marker} data=\${process.env.MEMORY_FILE_PATH}\\n\`);\n` +
        `await import(${JSON.stringify(pathToFileURL(MEMORY_SCRIPT).href)});\n`,
    );
    return { script, marker, data: path.join(home.home, 'marked.json') };
  }

  /** The marker server's process, once its client started it. */
  async function markerPid(home: ClientHome, script: string): Promise<number> {
    return until(
      'the marker server running',
      () => homeProcesses(home).find((p) => p.cmdline.split('\0').includes(script))?.pid,
      120_000,
    );
  }

  /** `logs` by name and by pid: the marker, the env value masked; `--json` names the client's file. */
  async function assertLogs(
    home: ClientHome,
    server: string,
    pid: number,
    m: { marker: string; data: string },
    client: string,
    file: RegExp,
  ): Promise<void> {
    const workspace = ['--workspace', home.project];
    let last: Awaited<ReturnType<typeof cli>> | undefined;
    const byName = await until('the marker in the client log', async () => {
      last = await cli(home.home, ['logs', server, ...workspace]);
      return last.code === 0 && last.stdout.includes(m.marker) ? last : undefined;
    }).catch((err: Error) => {
      throw new Error(`${err.message}; last \`logs ${server}\`: exit ${last?.code}\n${last?.stdout}${last?.stderr}`);
    });
    assert.match(byName.stdout, new RegExp(`${m.marker} data=<redacted>`));
    assert.ok(!byName.stdout.includes(m.data), byName.stdout);
    const byPid = await cli(home.home, ['logs', String(pid), ...workspace]);
    assert.equal(byPid.code, 0, byPid.stderr);
    assert.ok(byPid.stdout.includes(`${m.marker} data=<redacted>`), byPid.stdout);
    const json = await cli(home.home, ['logs', server, '--json', ...workspace]);
    assert.equal(json.code, 0, json.stderr);
    const doc = JSON.parse(json.stdout) as {
      server: string;
      logs: Array<{ source: string; client?: string; pid?: number; file: string; lines: string[] }>;
    };
    assert.equal(doc.logs.length, 1, json.stdout);
    const [log] = doc.logs;
    assert.deepEqual([log.source, log.client, log.pid], ['client', client, pid]);
    assert.match(log.file, file);
    assert.ok(log.lines.some((l) => l.includes(`${m.marker} data=<redacted>`)));
    assert.ok(!json.stdout.includes(m.data));
  }

  it(`Claude Code ${CLAUDE_CODE.version}: ~/.cache/claude-cli-nodejs/<cwd>/mcp-logs-<server>/<time>.jsonl of the session`, async () => {
    const claude = await claudeCodeBin();
    model = await modelStub();
    const home = clientHome('lg-cc-logs-', clientEnv(model.url));
    h = home;
    const m = markerServer(home);
    const add = ['mcp', 'add', 'marked', '-e', `MEMORY_FILE_PATH=${m.data}`];
    await runClient(claude, [...add, '--', 'node', m.script], home.project, home.env);
    session = spawn(claude, ['-p', 'hello'], { cwd: home.project, env: home.env, stdio: 'ignore' });
    const pid = await markerPid(home, m.script);
    // Where the real client keeps it: its cache, a folder per working directory, one per server.
    const folder = path.join(
      home.home,
      '.cache',
      'claude-cli-nodejs',
      home.project.replace(/[^a-zA-Z0-9]/g, '-'),
      'mcp-logs-marked',
    );
    const [file] = await until('Claude Code to write its log of the server', () => {
      const names = fs.existsSync(folder) ? fs.readdirSync(folder) : [];
      const held = names.filter((n) => fs.readFileSync(path.join(folder, n), 'utf8').includes(m.marker));
      return held.length ? held : undefined;
    });
    assert.match(file, /^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z\.jsonl$/);
    assert.ok(fs.readFileSync(path.join(folder, file), 'utf8').includes(m.data), 'Claude Code keeps the value as is');
    await assertLogs(home, 'marked', pid, m, 'claude-code', new RegExp(`mcp-logs-marked[/\\\\]${file}$`));
  });

  it(`Copilot CLI ${COPILOT_CLI.version} (--log-level debug): ~/.copilot/logs/process-<start>-<client pid>.log, the lines naming the server`, async () => {
    const copilot = await copilotCliBin();
    model = await modelStub();
    const home = clientHome('lg-copilot-logs-', copilotEnv(model.url));
    h = home;
    const m = markerServer(home);
    const add = ['mcp', 'add', 'marked', '--env', `MEMORY_FILE_PATH=${m.data}`];
    await runClient(copilot, [...add, '--', 'node', m.script], home.project, home.env);
    session = spawn(copilot, ['--log-level', 'debug', '-p', 'hello'], {
      cwd: home.project,
      env: home.env,
      stdio: 'ignore',
    });
    const pid = await markerPid(home, m.script);
    const client = parentOf(pid);
    const logs = path.join(home.home, '.copilot', 'logs');
    const file = await until('Copilot CLI to log the server stderr', () =>
      (fs.existsSync(logs) ? fs.readdirSync(logs) : []).find(
        (n) => n.endsWith(`-${client}.log`) && fs.readFileSync(path.join(logs, n), 'utf8').includes(m.marker),
      ),
    );
    assert.match(file, new RegExp(`^process-\\d+-${client}\\.log$`), 'named after its process, the native binary');
    await assertLogs(home, 'marked', pid, m, 'copilot-cli', new RegExp(`[/\\\\]\\.copilot[/\\\\]logs[/\\\\]${file}$`));
  });
});
