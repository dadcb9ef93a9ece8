import * as assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Instance, Snapshot } from '../../src/core/base/model';
import { SUBREAPERS } from '../../src/core/processes/clients';
import { programName } from '../../src/core/processes/argv';
import { cli } from '../integration/processes/support/harness';
import { until } from '../support/poll';
import { exited, isAlive, signal, stopChildren } from '../support/liveness';
import { repoRoot } from '../support/repo';
import {
  CLAUDE_CODE,
  claudeCodeBin,
  clientEnv,
  CODEX,
  codexBin,
  codexModelArgs,
  modelStub,
  ModelStub,
} from '../support/realClients';
import {
  badVerdicts,
  ClientHome,
  clientHome,
  homeProcesses,
  killDuplicatesPlanned,
  MEMORY_SCRIPT,
  only,
  parentOf,
  removeClientHome,
  runClient,
  SESSION_POLL_MS,
  status,
  untilGone,
  untilListed,
} from './support';

/**
 * A real MCP server that outlives its client: it ignores its stdin's end and SIGTERM, SIGHUP and
 * SIGINT (no released server known to the project does so on purpose, so it is the project's own,
 * on the real TypeScript SDK). server-memory, the real one, ends when its stdin closes.
 */
const OUTLIVING_SCRIPT = path.join(repoRoot, 'test', 'fixtures', 'clients', 'outliving-server.mjs');

/** How a client goes away, as users see it. */
type Way = 'the session ends' | 'Ctrl-C' | 'SIGKILL';

interface RealClient {
  name: string;
  id: string;
  bin(): Promise<string>;
  /** `mcp add NAME` with one env entry, as the client's own CLI writes it. */
  add(bin: string, h: ClientHome, name: string, env: string, command: string[]): Promise<void>;
  /** The session, as a job of its own (its own process group, as a shell runs it). */
  session(bin: string, h: ClientHome, model: ModelStub): ChildProcess;
  /** What each way leaves of a server that ignores stdin's end and SIGTERM (observed, docs/clients.md). */
  leaves: Record<Way, boolean>;
}

const CLIENTS: RealClient[] = [
  {
    name: `Claude Code ${CLAUDE_CODE.version}`,
    id: 'claude-code',
    bin: claudeCodeBin,
    add: async (bin, h, name, env, command) => {
      await runClient(bin, ['mcp', 'add', name, '-e', env, '--', ...command], h.project, h.env);
    },
    session: (bin, h, model) =>
      spawn(bin, ['-p', 'hello'], {
        cwd: h.project,
        env: { ...h.env, ...clientEnv(model.url) },
        stdio: 'ignore',
        detached: true,
      }),
    // On its way out (the session's end, SIGINT, SIGTERM) it sends each server SIGINT, then SIGTERM,
    // then SIGKILL: nothing is left. Killed, it sends nothing: its servers see their stdin close.
    leaves: { 'the session ends': false, 'Ctrl-C': false, SIGKILL: true },
  },
  {
    name: `Codex ${CODEX.version}`,
    id: 'codex',
    bin: codexBin,
    add: async (bin, h, name, env, command) => {
      await runClient(bin, ['mcp', 'add', name, '--env', env, '--', ...command], h.project, h.env);
    },
    session: (bin, h, model) =>
      spawn(bin, ['exec', '--skip-git-repo-check', ...codexModelArgs(model.url), 'hello'], {
        cwd: h.project,
        env: h.env,
        stdio: 'ignore',
        detached: true,
      }),
    // Each server runs in a process group of its own. At the session's end Codex sends the group
    // SIGTERM, closes stdin and SIGKILLs the server; on SIGINT it sends SIGTERM and exits before the
    // SIGKILL; killed, it sends nothing.
    leaves: { 'the session ends': false, 'Ctrl-C': true, SIGKILL: true },
  },
];

/** The processes above this one: none of them may adopt what a killed client leaves (a subreaper would hide an orphan). */
function ownAncestors(): number[] {
  const out: number[] = [];
  for (let pid = process.pid; pid > 1; pid = parentOf(pid)) out.push(pid);
  return out;
}

function instancesOf(snap: Snapshot, name: string, pids: readonly number[]): Instance[] {
  return only(snap, name).instances.filter((i) => pids.includes(i.pid));
}

for (const client of CLIENTS) {
  describe(`real clients: ${client.name}, its servers after it exits`, function () {
    this.timeout(300_000);
    let h: ClientHome | undefined;
    let model: ModelStub | undefined;
    let session: ChildProcess | undefined;

    before(function () {
      if (process.platform !== 'linux' || process.arch !== 'x64') this.skip();
    });

    afterEach(async () => {
      if (session) await stopChildren([session]);
      session = undefined;
      await removeClientHome(h);
      h = undefined;
      await model?.close();
      model = undefined;
    });

    for (const way of ['the session ends', 'Ctrl-C', 'SIGKILL'] as const) {
      const outcome = client.leaves[way]
        ? 'the server that ignores EOF and SIGTERM is then an orphan (offered to kill-duplicates), and not before'
        : 'nothing is left';
      it(`${way}: server-memory ends on its stdin's end; ${outcome}`, async () => {
        const bin = await client.bin();
        model = await modelStub();
        const home = clientHome(`lg-exit-${client.id}-`, { CODEX_LOOPBACK_KEY: 'sk-loopback-model-stub' });
        h = home;
        const log = path.join(home.home, 'outliving.log');
        await client.add(bin, home, 'mem', `MEMORY_FILE_PATH=${path.join(home.home, 'mem.json')}`, [
          'node',
          MEMORY_SCRIPT,
        ]);
        await client.add(bin, home, 'outl', `OUTLIVING_SERVER_LOG=${log}`, ['node', OUTLIVING_SCRIPT]);

        const job = client.session(bin, home, model);
        session = job;
        const servers = () => {
          const all = homeProcesses(home).filter((p) => isAlive(p.pid));
          const mem = all.find((p) => p.cmdline.includes(MEMORY_SCRIPT));
          const outl = all.find((p) => p.cmdline.includes(OUTLIVING_SCRIPT));
          return mem && outl && { mem: mem.pid, outl: outl.pid };
        };
        const { mem, outl } = await until('both servers of the session running', servers, 120_000, SESSION_POLL_MS);
        const clientPid = parentOf(outl);
        assert.equal(parentOf(mem), clientPid, 'both servers are children of the client');
        const stub = model;
        await until('the session to ask the model', () => stub.requests.length > 0, 60_000);

        // While the client lives: each server under its own entry and client; none a duplicate, none an orphan.
        const alive = await untilListed(home, [mem, outl]);
        for (const [name, pid] of [
          ['mem', mem],
          ['outl', outl],
        ] as const) {
          const [i] = instancesOf(alive, name, [pid]);
          assert.ok(i, `${name} (pid ${pid}) listed under its entry`);
          assert.equal(only(alive, name).source.client, client.id);
          assert.deepEqual([i.client.id, i.client.pid], [client.id, clientPid], name);
          assert.deepEqual(badVerdicts(i), [], `${name} while its client lives: ${JSON.stringify(i.verdicts)}`);
        }
        assert.deepEqual(await killDuplicatesPlanned(home, [mem, outl]), [], 'nothing to stop while the client lives');

        // The client goes away.
        if (way === 'the session ends') model.answer();
        // A terminal's Ctrl-C goes to the foreground job's process group.
        else if (way === 'Ctrl-C') signal(-job.pid!, 'SIGINT');
        else signal(clientPid, 'SIGKILL');
        await until('the client to exit', () => !isAlive(clientPid) && exited(job), 60_000);
        if (way === 'the session ends') assert.equal(job.exitCode, 0, 'the session ended by itself');
        await untilGone("server-memory to end on its stdin's end", [mem]);

        if (!client.leaves[way]) {
          await untilGone('the outliving server to be stopped by its client', [outl]);
          const after = await status(home);
          const listed = [...after.servers.flatMap((s) => s.instances), ...after.notConfigured].map((i) => i.pid);
          assert.ok(!listed.includes(mem) && !listed.includes(outl), JSON.stringify(listed));
          return;
        }

        // Left behind: adopted by init or a subreaper of the machine, never by this test or its runner.
        assert.ok(isAlive(outl), 'the outliving server runs on');
        const adopter = parentOf(outl);
        assert.ok(!ownAncestors().includes(adopter), `adopted by pid ${adopter}, an ancestor of the test`);
        const adopterProgram = programName(fs.readFileSync(`/proc/${adopter}/cmdline`, 'utf8').split('\0')[0]);
        assert.ok(adopter === 1 || SUBREAPERS.test(adopterProgram), `adopted by ${adopterProgram} (pid ${adopter})`);
        assert.match(fs.readFileSync(log, 'utf8'), /stdin end/, 'its stdin closed with its client');

        const after = await untilListed(home, [outl]);
        assert.deepEqual(instancesOf(after, 'mem', [mem]), [], 'server-memory is not listed');
        const [left] = instancesOf(after, 'outl', [outl]);
        const orphan = left.verdicts.find((v) => v.kind === 'orphan');
        assert.ok(orphan?.kind === 'orphan', `outl after its client: ${JSON.stringify(left.verdicts)}`);
        assert.equal(orphan.ppid, adopter);
        assert.match(orphan.reason, /the process that started it is gone/);
        assert.deepEqual(await killDuplicatesPlanned(home, [outl]), [outl], 'offered to kill-duplicates');
        // Stopped by it: SIGTERM is ignored, SIGKILL after the grace period.
        const r = await cli(home.home, [
          'kill-duplicates',
          'outl',
          '--yes',
          '--grace',
          '1',
          '--workspace',
          home.project,
        ]);
        assert.equal(r.code, 0, r.stdout + r.stderr);
        await untilGone('the orphan to be stopped', [outl]);
      });
    }
  });
}
