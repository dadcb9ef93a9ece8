import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { until } from '../support/poll';
import {
  KILO,
  kiloBin,
  modelStub,
  OPENCODE,
  opencodeBin,
  opencodeEnv,
  opencodeModelConfig,
} from '../support/realClients';
import {
  answerPrompts,
  carries,
  clientHome,
  diagnosticsOf,
  expectModelAsked,
  expectNoneLeftAfterKill,
  expectSessionJudged,
  MEMORY_SCRIPT,
  memoryServers,
  only,
  parentOf,
  runClient,
  SESSION_POLL_MS,
  sessionParts,
  status,
} from './support';

/** What differs between opencode and its fork Kilo, which share its config format and its CLI. */
interface OpencodeLike {
  id: 'opencode' | 'kilo';
  name: string;
  version: string;
  bin(): Promise<string>;
  /** The prefix of its env variables (`<P>_CONFIG_CONTENT`, the ones that turn its updates off). */
  prefix: 'OPENCODE' | 'KILO';
  /** Its global file and a project's, as its own `mcp add` and wizard write them. */
  globalFile: string[];
  projectFile: string;
  schema: string;
  /** Where the client is, from the pid of the process the test spawned. */
  clientOf(spawned: number, server: number): number;
  /**
   * Whether its own `mcp add` also writes the remote entries here (`--url --header`, the wizard's
   * remote type). Kilo's `mcp add` is opencode's: the remote form it writes is its stored file
   * (test/fixtures/client-configs/kilo-7.7.7.jsonc, read by test/unit/sources/opencode.test.ts)
   * and the same reader runs on it in both scopes, so Kilo's run (each of its commands about 7 s
   * of processor) keeps to what only it holds: its files, its process shape, its session.
   */
  remotes: boolean;
}

const FAMILY: OpencodeLike[] = [
  {
    // The npm bin is the native binary: it is the client, the servers its children.
    id: 'opencode',
    name: 'opencode',
    version: OPENCODE.version,
    bin: opencodeBin,
    prefix: 'OPENCODE',
    globalFile: ['.config', 'opencode', 'opencode.jsonc'],
    projectFile: 'opencode.json',
    schema: 'https://opencode.ai/config.json',
    remotes: true,
    clientOf: (spawned, server) => {
      assert.equal(parentOf(server), spawned);
      return spawned;
    },
  },
  {
    // The npm bin (node) runs the native binary (`@kilocode/cli/bin/.kilo`) and waits: the native binary is the client.
    id: 'kilo',
    name: 'Kilo',
    version: KILO.version,
    bin: kiloBin,
    prefix: 'KILO',
    globalFile: ['.config', 'kilo', 'kilo.jsonc'],
    projectFile: 'kilo.json',
    schema: 'https://app.kilo.ai/config.json',
    remotes: false,
    clientOf: (spawned, server) => {
      const client = parentOf(server);
      assert.match(fs.readFileSync(`/proc/${client}/cmdline`, 'utf8'), /@kilocode[/\\]cli[/\\]bin[/\\]\.kilo\0/);
      assert.equal(parentOf(client), spawned);
      return client;
    },
  },
];

/**
 * Real opencode and Kilo (a fork of opencode, its config in opencode's format) from npm: `mcp add
 * NAME [--env K=V] -- CMD ARGS` and `--url URL --header K=V` write the global config (the file each
 * creates on its first start), `mcp.NAME` as `{"type": "local", "command": [program, ...args],
 * "environment"}` or `{"type": "remote", "url", "headers"}`. The project's file has no flag: `mcp
 * add` with no arguments asks on a terminal and offers the project only in a git repository; the
 * test answers its prompts. A real session (`run`, its model an OpenAI-compatible provider on the
 * loopback stub, given in `<P>_CONFIG_CONTENT` so the files hold only what `mcp add` wrote) starts
 * both server-memory entries. The client killed, its servers' stdin closes and they end: none is
 * left to be an orphan. Kilo's run adds its two local entries only (see `remotes`).
 */
for (const c of FAMILY)
  describe(`real clients: ${c.name} ${c.version} (npm), its own mcp add in two scopes and a session`, function () {
    this.timeout(300_000);
    const parts = sessionParts();

    it(`\`${c.id} mcp add\` (global, ${c.remotes ? 'stdio and remote' : 'stdio'}) and its wizard (project): each entry with its scope, each process under its own entry and client, none a duplicate, none left after the client is killed`, async () => {
      const bin = await c.bin();
      const model = (parts.model = await modelStub());
      const home = (parts.h = clientHome(`lg-${c.id}-`, opencodeEnv(c.prefix)));
      const token = `${c.id}-4b1d`;
      // It takes its project folder from PWD when it is set (as a shell sets it), before its cwd.
      home.env.PWD = home.project;
      await runClient('git', ['init', '-q'], home.project, home.env);
      const data = path.join(home.home, 'mem-user.json');
      const add = (args: string[]) => runClient(bin, ['mcp', 'add', ...args], home.project, home.env);
      await add(['mem-user', '--env', `MEMORY_FILE_PATH=${data}`, '--', 'node', MEMORY_SCRIPT]);
      if (c.remotes)
        await add(['remote', '--url', 'http://127.0.0.1:9/mcp', '--header', `Authorization=Bearer ${token}`]);
      // The wizard: location (the current project first), name, type (local first), command.
      const wizard = (answers: Array<[RegExp, string]>) =>
        answerPrompts([bin, 'mcp', 'add'], answers, home.project, home.env);
      await wizard([
        [/Location/, '\r'],
        [/server name/, 'mem-proj\r'],
        [/server type/, '\r'],
        [/command to run/, `node ${MEMORY_SCRIPT}\r`],
      ]);
      if (c.remotes)
        await wizard([
          [/Location/, '\r'],
          [/server name/, 'remote-proj\r'],
          [/server type/, '\x1b[B\r'],
          [/server URL/, 'http://127.0.0.1:9/proj\r'],
          [/OAuth/, '\r'],
        ]);

      // What it wrote, as it wrote it.
      const global = path.join(home.home, ...c.globalFile);
      const project = path.join(home.project, c.projectFile);
      const remotes = <T>(entries: Record<string, T>) => (c.remotes ? entries : {});
      assert.deepEqual(JSON.parse(fs.readFileSync(global, 'utf8')), {
        $schema: c.schema,
        mcp: {
          'mem-user': { type: 'local', command: ['node', MEMORY_SCRIPT], environment: { MEMORY_FILE_PATH: data } },
          ...remotes({
            remote: { type: 'remote', url: 'http://127.0.0.1:9/mcp', headers: { Authorization: `Bearer ${token}` } },
          }),
        },
      });
      // It adds its `$schema` to a project's file when it loads it (the second wizard found the file).
      assert.deepEqual(JSON.parse(fs.readFileSync(project, 'utf8')), {
        ...(c.remotes ? { $schema: c.schema } : {}),
        mcp: {
          'mem-proj': { type: 'local', command: ['node', MEMORY_SCRIPT] },
          ...remotes({ 'remote-proj': { type: 'remote', url: 'http://127.0.0.1:9/proj' } }),
        },
      });

      const before = await status(home);
      assert.deepEqual([...diagnosticsOf(before, global), ...diagnosticsOf(before, project)], []);
      const read = (name: string) => {
        const s = only(before, name);
        return [s.source.client, s.source.scope, s.source.file, s.transport, s.command ?? s.url, s.args, s.envKeys];
      };
      assert.deepEqual(read('mem-user'), [
        c.id,
        'user',
        global,
        'stdio',
        'node',
        [MEMORY_SCRIPT],
        ['MEMORY_FILE_PATH'],
      ]);
      assert.deepEqual(read('mem-proj'), [c.id, 'workspace', project, 'stdio', 'node', [MEMORY_SCRIPT], []]);
      if (c.remotes) {
        assert.deepEqual(read('remote'), [c.id, 'user', global, 'http', 'http://127.0.0.1:9/mcp', [], []]);
        assert.deepEqual(read('remote-proj'), [c.id, 'workspace', project, 'http', 'http://127.0.0.1:9/proj', [], []]);
        assert.deepEqual(only(before, 'remote').headerKeys, ['Authorization']);
      }
      assert.notEqual(only(before, 'mem-user').identityKey, only(before, 'mem-proj').identityKey);
      assert.ok(!JSON.stringify(before).includes(token), 'a header value is never in the snapshot');

      const session = (parts.session = spawn(bin, ['run', 'hello'], {
        cwd: home.project,
        env: { ...home.env, [`${c.prefix}_CONFIG_CONTENT`]: opencodeModelConfig(model.url) },
        stdio: 'ignore',
      }));
      await until(
        'both servers of the session running',
        () => memoryServers(home).length === 2,
        120_000,
        SESSION_POLL_MS,
      );
      const servers = memoryServers(home);
      const userPid = servers.find((p) => carries(p.pid, `MEMORY_FILE_PATH=${data}`))!.pid;
      const projPid = servers.find((p) => p.pid !== userPid)!.pid;
      const client = c.clientOf(session.pid!, userPid);
      assert.equal(parentOf(projPid), client);

      await expectSessionJudged(home, {
        byEntry: { 'mem-user': userPid, 'mem-proj': projPid },
        client: [c.id, c.name, client],
        files: [global, project],
        secret: data,
      });
      await expectModelAsked(model, 'POST /v1/chat/completions');
      await expectNoneLeftAfterKill(home, client, [userPid, projPid]);
    });
  });
