import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { GuardErrorCode } from '../../../src/guard/wireErrors';
import { connectGuarded, GuardedClient, liveRecords, tempHome } from '../guard/support';
import {
  answerOf,
  CHROMADB_NEW,
  CHROMADB_OLD,
  MEMPALACE_VERSION,
  mempalaceHome,
  mempalaceVenv,
  startEmbeddings,
} from '../../support/mempalace';
import { pastJudgedStart, startTimeOf } from '../../support/judgedStart';
import { testSettleEnv } from '../../support/settle';
import { instanceOf, project, snapshot, tempDir } from './support';

/**
 * The mempalace report: mempalace from PyPI in a venv, its MCP server started as its README says
 * (`mempalace-mcp --palace <path>`), then chromadb upgraded in the same venv while it runs. The
 * server keeps chromadb's old native library mapped. Seen twice: by the engine (a snapshot of a
 * server a real SDK client talks to directly), and by the guard under `--when-stale refuse-writes`.
 */
describe('versions (integration): mempalace from PyPI, chromadb upgraded under its running server', function () {
  this.timeout(900_000);
  const clients: Client[] = [];
  let guarded: GuardedClient | undefined;
  let lgHome: string | undefined;
  let embeddings: Awaited<ReturnType<typeof startEmbeddings>> | undefined;
  after(async () => {
    for (const c of clients) await c.close().catch(() => undefined);
    await guarded?.client.close().catch(() => undefined);
    await embeddings?.close();
    if (lgHome) fs.rmSync(lgHome, { recursive: true, force: true });
  });

  it(`stale naming chromadb ${CHROMADB_OLD} -> ${CHROMADB_NEW} and its replaced native library; the guard refuses mempalace_add_drawer and still answers reads`, async () => {
    const root = tempDir('lg-mempalace-');
    const { mcpBin, pip, sitePackages } = await mempalaceVenv(root);
    embeddings = await startEmbeddings();
    const home = path.join(root, 'home');
    const env = mempalaceHome(home, embeddings.url);
    const palace = path.join(home, 'palace');
    const projectDir = project(root, 'mempalace', mcpBin, ['--palace', palace], env);
    const take = () => snapshot(home, projectDir, path.join(root, 'lg'));

    // The server a client talks to directly, as an MCP client configured by .mcp.json starts it.
    const transport = new StdioClientTransport({
      command: mcpBin,
      args: ['--palace', palace],
      env: { ...inherited(), ...env },
      cwd: projectDir,
      stderr: 'pipe',
    });
    const direct = new Client({ name: 'mempalace-integration', version: '1.0.0' });
    clients.push(direct);
    await direct.connect(transport);
    // A write opens the palace through chromadb, which maps its native library.
    assert.equal(
      answerOf(
        await direct.callTool({
          name: 'mempalace_add_drawer',
          arguments: { wing: 'lg', room: 'direct', content: 'filed before the upgrade' },
        }),
      ).success,
      true,
    );

    // The same server behind the guard (its own palace; the guard's state under a short private home).
    lgHome = tempHome();
    guarded = await connectGuarded(
      lgHome,
      ['--when-stale', 'refuse-writes', '--', mcpBin, '--palace', path.join(home, 'guarded-palace')],
      // The snapshots' quiet period: the guard judges the upgrade once they do.
      { env: { ...env, ...testSettleEnv } },
    );
    const tools = (await guarded.client.listTools()).tools;
    assert.equal(tools.find((t) => t.name === 'mempalace_status')?.annotations?.readOnlyHint, true);
    assert.notEqual(tools.find((t) => t.name === 'mempalace_add_drawer')?.annotations?.readOnlyHint, true);
    assert.equal(
      answerOf(
        await guarded.client.callTool({
          name: 'mempalace_add_drawer',
          arguments: { wing: 'lg', room: 'guarded', content: 'filed through the guard' },
        }),
      ).success,
      true,
    );
    assert.equal(answerOf(await guarded.client.callTool({ name: 'mempalace_status', arguments: {} })).total_drawers, 1);
    const [record] = await liveRecords(lgHome);
    assert.equal(record.versions?.package?.version, MEMPALACE_VERSION, JSON.stringify(record.versions));

    const before = await instanceOf(take, 'mempalace', transport.pid!);
    assert.equal(before.versions?.verdict.state, 'current', JSON.stringify(before.versions));
    const found = before.versions?.installed.state === 'installed' ? before.versions.installed : undefined;
    assert.equal(found?.name, 'mempalace');
    assert.equal(found?.version, MEMPALACE_VERSION);
    assert.equal(found?.ecosystem, 'python');
    assert.equal(
      found?.environment?.packages.chromadb,
      CHROMADB_OLD,
      'chromadb is in the closure the environment is judged by',
    );
    assert.ok(found?.location.startsWith(sitePackages), `found in the venv's site-packages: ${found?.location}`);
    assert.match(found?.how ?? '', new RegExp(`venv ${esc(path.join(root, 'venv'))}`));
    const linux = process.platform === 'linux';
    if (linux) {
      const oldLibrary = mappedChromaLibrary(transport.pid!);
      assert.ok(
        oldLibrary?.startsWith(sitePackages),
        `the server maps chromadb's native library from the venv: ${oldLibrary}`,
      );
    }

    // Let the upgrade land clearly after the starts (file times and start times come from different clocks).
    await pastJudgedStart(Math.max(...(await Promise.all([transport.pid!, record.child!.pid].map(startTimeOf)))));
    // --no-compile: the bytecode of what pip installs is nothing the test judges (the server has loaded its code).
    await pip('--no-compile', `chromadb==${CHROMADB_NEW}`);

    const after = await instanceOf(take, 'mempalace', transport.pid!);
    const v = after.versions?.verdict;
    assert.equal(v?.state, 'stale', JSON.stringify(after.versions));
    if (v?.state !== 'stale') return;
    assert.equal(v.package, 'mempalace');
    assert.equal(v.running, MEMPALACE_VERSION);
    assert.equal(v.installed, MEMPALACE_VERSION);
    assert.deepEqual(v.movedDependencies, [{ name: 'chromadb', from: CHROMADB_OLD, to: CHROMADB_NEW }]);
    assert.match(v.summary, new RegExp(`chromadb ${esc(CHROMADB_OLD)} -> ${esc(CHROMADB_NEW)}`));
    // pip renames a package folder to `~<name>` before deleting it, so either name may show.
    if (linux)
      assert.ok(
        v.replacedFiles.some((f) => /[\\/][c~]hromadb_rust_bindings[\\/]chromadb_rust_bindings[^\\/]*\.so$/.test(f)),
        `the old native library is shown as replaced: ${JSON.stringify(v.replacedFiles)}`,
      );

    // The guard: the write is refused naming both versions, reads still answer.
    await assert.rejects(
      guarded.client.callTool({
        name: 'mempalace_add_drawer',
        arguments: { wing: 'lg', room: 'guarded', content: 'filed after the upgrade' },
      }),
      (err: { code?: number; message: string }) => {
        assert.equal(err.code, GuardErrorCode.Stale);
        assert.match(
          err.message,
          new RegExp(
            `Stale: "mempalace: runs ${esc(MEMPALACE_VERSION)}, still installed, but its dependencies moved; dependencies: (.*, )?chromadb ${esc(CHROMADB_OLD)} -> ${esc(CHROMADB_NEW)}`,
          ),
        );
        // mempalace declares nothing of it: its name says it adds, so it writes.
        assert.match(
          err.message,
          /"mempalace_add_drawer" declares nothing, and its name says it changes data, so it is refused/,
        );
        return true;
      },
    );
    const status = answerOf(await guarded.client.callTool({ name: 'mempalace_status', arguments: {} }));
    assert.equal(status.total_drawers, 1, 'the refused write filed nothing');
    // mempalace watches its own libraries too (its status says what it serves): both see the same move.
    const own = status.library_versions as { stale?: boolean; serving?: Record<string, string> } | undefined;
    assert.equal(own?.stale, true, JSON.stringify(own));
    assert.equal(own?.serving?.chromadb, CHROMADB_OLD);
    const wings = answerOf(await guarded.client.callTool({ name: 'mempalace_list_wings', arguments: {} }));
    assert.deepEqual(wings.wings, { lg: 1 });
  });
});

/** The chromadb native library a process maps (/proc/<pid>/maps: Linux only, where mapped files are listed). */
function mappedChromaLibrary(pid: number): string | undefined {
  const maps = fs.readFileSync(`/proc/${pid}/maps`, 'utf8');
  return maps
    .split('\n')
    .map((l) => l.slice(l.indexOf('/')))
    .find((f) => /chromadb_rust_bindings[^/]*\.so$/.test(f));
}

function esc(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function inherited(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  return env;
}
