import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { Instance, InstanceChild, Snapshot } from '../../../src/core/base/model';
import { freePort } from '../../../src/guard/http/upstream';
import {
  BUCKAROO_NEW,
  BUCKAROO_OLD,
  buckarooHealth,
  buckarooVenv,
  BuckarooVenv,
  smallCsv,
} from '../../support/buckaroo';
import { isAlive } from '../../support/liveness';
import { until } from '../../support/poll';
import { pastJudgedStart, startTimeOf } from '../../support/judgedStart';
import { cliPath } from '../../support/repo';
import { run } from '../../support/run';
import { isolatedHome, writeBytecode } from '../../support/venv';
import { killMentioning } from '../http/support';
import { serverIn, snapshot, tempDir } from './support';
import { instanceCost } from '../../../src/core/report/cost';

/** A process's proportional set size now, in bytes, as the kernel sums it (Linux). */
function pssOf(pid: number): number {
  const kb = /^Pss:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1];
  assert.ok(kb !== undefined, `the PSS of pid ${pid}`);
  return Number(kb) * 1024;
}

/**
 * buckaroo from PyPI: its MCP tool (`buckaroo-table`) starts a data server child on its first
 * `view_data` (`python -m buckaroo.server --port P`, 150 MB) and a watchdog child that kills it
 * when the tool dies. Started as a client starts it (stdio, a real SDK client), then upgraded with
 * pip under both: the data server is shown as part of the tool's instance, judged stale with it,
 * and stopped with it.
 */
describe('versions (integration): buckaroo from PyPI, its MCP tool and the data server it starts, upgraded under them', function () {
  this.timeout(900_000);
  let root: string;
  let client: Client | undefined;

  before(function () {
    if (process.platform !== 'linux') this.skip();
    assert.ok(fs.existsSync(cliPath), `${cliPath} is built (npm run build)`);
  });

  after(async () => {
    await client?.close().catch(() => undefined);
    if (root) await killMentioning(root);
  });

  it(`shows the data server under the tool's instance, both stale after ${BUCKAROO_OLD} -> ${BUCKAROO_NEW}; restart stops both and the watchdog`, async () => {
    root = tempDir('lg-buckaroo-');
    const venv: BuckarooVenv = await buckarooVenv(root);
    const port = await freePort();
    const home = path.join(root, 'home');
    // Python writes bytecode (the machine's env may say not to): what one of its processes compiled, the next loads.
    const env = { ...isolatedHome(home), ...writeBytecode };
    const lg = path.join(root, 'lg');
    // The entry as Claude Code's user config holds it (`claude mcp add -s user`), with the data server's port.
    fs.writeFileSync(
      path.join(home, '.claude.json'),
      JSON.stringify({
        mcpServers: {
          buckaroo: { type: 'stdio', command: venv.toolBin, args: [], env: { BUCKAROO_PORT: String(port) } },
        },
      }),
    );
    const projectDir = path.join(root, 'project');
    fs.mkdirSync(projectDir);
    const csv = smallCsv(projectDir);
    const take = () => snapshot(home, projectDir, lg);

    const transport = new StdioClientTransport({
      command: venv.toolBin,
      args: [],
      // BROWSER: Python's webbrowser runs `true` instead of opening the table. BUCKAROO_STARTUP_TIMEOUT:
      // the tool gives its data server 5 s to answer, less than importing pandas takes on a busy machine.
      env: { ...inherited(), ...env, BUCKAROO_PORT: String(port), BROWSER: 'true', BUCKAROO_STARTUP_TIMEOUT: '240' },
      cwd: projectDir,
      stderr: 'pipe',
    });
    client = new Client({ name: 'buckaroo-integration', version: '1.0.0' });
    await client.connect(transport);
    assert.equal(client.getServerVersion()?.name, 'buckaroo-table');
    const tool = transport.pid!;
    // The first view starts the data server (pandas and tornado imported): more than the SDK's 60 s on a busy machine.
    const answer = textOf(
      await client.callTool({ name: 'view_data', arguments: { path: csv } }, undefined, { timeout: 300_000 }),
    );
    assert.match(answer, /3 rows, 2 columns/, answer);
    const health = await buckarooHealth(port);
    assert.equal(health.version, BUCKAROO_OLD);
    assert.match(answer, new RegExp(`Server: pid=${health.pid} \\(started\\)`), answer);
    const dataServer = health.pid;
    const watchdog = childrenOf(tool).find((pid) => pid !== dataServer);
    assert.ok(
      watchdog !== undefined,
      `the tool runs a watchdog beside the data server: ${childrenOf(tool).join(', ')}`,
    );

    // Before the upgrade: one instance, the data server and the watchdog its children, nowhere else.
    const before = await settled(take, tool, dataServer);
    assert.equal(before.instance.versions?.verdict.state, 'current', JSON.stringify(before.instance.versions));
    const server = before.data;
    assert.equal(server.ppid, tool);
    assert.match(server.commandLine, new RegExp(`-m buckaroo\\.server --port ${port}$`));
    assert.ok((server.memoryBytes ?? 0) > 20 * 1024 * 1024, `the data server's own memory: ${server.memoryBytes}`);
    assert.equal(server.versions?.verdict.state, 'current', JSON.stringify(server.versions?.verdict));
    assert.equal(server.versions?.running.state === 'known' && server.versions.running.version, BUCKAROO_OLD);
    const dog = before.instance.children?.find((c) => c.pid === watchdog);
    assert.ok(dog, `the watchdog is a child too: ${JSON.stringify(before.instance.children)}`);
    assert.equal(dog.versions, undefined, '`python -c` names no package: not judged');
    // The instance's memory is its whole tree's: the PSS of the tool, the data server and the
    // watchdog, each once, as the kernel gives them now (within 5 %: the processes live on between reads).
    const treePss = [tool, dataServer, watchdog].reduce((sum, pid) => sum + pssOf(pid), 0);
    const cost = instanceCost(before.instance, before.instance.children ?? []);
    assert.ok(
      cost.bytes !== undefined && Math.abs(cost.bytes - treePss) <= 0.05 * treePss,
      `the instance's memory ${cost.bytes} is its three processes' PSS ${treePss}`,
    );
    const everywhere = [...before.snapshot.servers.flatMap((s) => s.instances), ...before.snapshot.notConfigured];
    assert.deepEqual(
      everywhere.filter((i) => i.pid === dataServer || i.pid === watchdog),
      [],
      'the data server is no instance of its own',
    );

    // The upgrade lands clearly after the starts (file times and start times come from different clocks).
    await pastJudgedStart(Math.max(...(await Promise.all([tool, dataServer, watchdog].map(startTimeOf)))));
    // --no-compile: the bytecode of what pip installs is nothing the test judges (both processes have loaded their code).
    await venv.pip('--no-compile', `buckaroo[mcp]==${BUCKAROO_NEW}`);
    assert.equal((await buckarooHealth(port)).version, BUCKAROO_OLD, 'the data server still runs the old code');

    const after = await settled(take, tool, dataServer);
    for (const [what, v] of [
      ['the tool', after.instance.versions?.verdict],
      ['the data server', after.data.versions?.verdict],
    ] as const) {
      assert.equal(v?.state, 'stale', `${what}: ${JSON.stringify(v)}`);
      if (v?.state !== 'stale') continue;
      assert.equal(v.package, 'buckaroo');
      assert.equal(v.running, BUCKAROO_OLD);
      assert.equal(v.installed, BUCKAROO_NEW);
      assert.match(v.runningHow, /first seen/, `${what}: ${v.runningHow}`);
    }

    // The CLI says it: a row for the data server under the tool's, and its evidence.
    const cliEnv = { ...process.env, ...env, MCP_LIFEGUARD_HOME: lg };
    const text = await run(process.execPath, [cliPath, 'status', '--workspace', projectDir], { env: cliEnv });
    const stale = `STALE: runs ${BUCKAROO_OLD}, installed ${BUCKAROO_NEW}`;
    const rows = text.split('\n');
    const toolRow = rows.findIndex((l) => new RegExp(`^ +buckaroo +${tool} `).test(l));
    assert.ok(toolRow >= 0 && rows[toolRow].includes(stale), text);
    assert.ok(
      rows.slice(toolRow + 1, toolRow + 3).some((l) => new RegExp(` ${dataServer} .*${esc(stale)}`).test(l)),
      text,
    );
    assert.match(
      text,
      new RegExp(`buckaroo \\(pid ${dataServer}, child of pid ${tool}\\): buckaroo: runs ${esc(BUCKAROO_OLD)}`),
    );
    const json = JSON.parse(
      await run(process.execPath, [cliPath, 'status', '--json', '--workspace', projectDir], { env: cliEnv }),
    ) as Snapshot;
    const listed = serverIn(json, 'buckaroo').instances.find((i) => i.pid === tool);
    assert.equal(listed?.children?.find((c) => c.pid === dataServer)?.versions?.verdict.state, 'stale');

    // A restart of the unguarded tool goes through the stop ladder: the data server and the watchdog go with it.
    const restart = await cli(['restart', String(tool), '--json', '--workspace', projectDir], cliEnv);
    assert.equal(restart.code, 0, `${restart.stdout}\n${restart.stderr}`);
    const restarted = JSON.parse(restart.stdout) as {
      outcomes: Array<{ stop?: { steps: Array<{ step: string; pid: number }> } }>;
    };
    const signalled = restarted.outcomes.flatMap((o) => o.stop?.steps ?? []).filter((s) => s.step === 'signal');
    assert.ok(
      signalled.some((s) => s.pid === dataServer),
      `the data server is signalled by the ladder: ${JSON.stringify(signalled)}`,
    );
    await until('the tool, its data server and its watchdog gone', () =>
      [tool, dataServer, watchdog].every((pid) => !isAlive(pid)),
    );
    await assert.rejects(buckarooHealth(port), 'nothing answers on the data server port');
  });
});

/** Polls snapshots until the tool's instance and its data server child are both judged (no install settling). */
async function settled(
  take: () => Promise<Snapshot>,
  tool: number,
  dataServer: number,
): Promise<{ snapshot: Snapshot; instance: Instance; data: InstanceChild }> {
  let last = '';
  return until(
    () => `the buckaroo instance ${tool} and its data server ${dataServer}, judged (last: ${last})`,
    async () => {
      const snapshot = await take();
      const instance = serverIn(snapshot, 'buckaroo').instances.find((i) => i.pid === tool);
      const data = instance?.children?.find((c) => c.pid === dataServer);
      last = JSON.stringify([instance?.versions?.verdict, data?.versions?.verdict]);
      const judged = (v: Instance['versions']) => v && !(v.verdict.state === 'unknown' && v.verdict.settling);
      return instance && data && judged(instance.versions) && judged(data.versions)
        ? { snapshot, instance, data }
        : undefined;
    },
    120_000,
    500,
  );
}

/** The pids whose parent is `pid` (/proc). */
function childrenOf(pid: number): number[] {
  return fs
    .readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .filter((n) => {
      try {
        return (
          Number(
            fs
              .readFileSync(`/proc/${n}/stat`, 'utf8')
              .replace(/^.*\) /s, '')
              .split(' ')[1],
          ) === pid
        );
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** The CLI's exit code and output, whatever the code. */
function cli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cliPath, ...args], { env }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

function textOf(result: unknown): string {
  return ((result as { content: Array<{ text?: string }> }).content[0] ?? {}).text ?? '';
}

function esc(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function inherited(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  return env;
}
