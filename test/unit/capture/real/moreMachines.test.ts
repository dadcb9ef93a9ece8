import * as assert from 'node:assert/strict';
import type { Instance, Verdict } from '../../../../src/core/base/model';
import { assertReplaysWithCpuTime, instancesOf, replayCapture as replay } from '../../../support/replayCapture';
import {
  codexDesktopClaudeMcpServe,
  codexDesktopUvRun,
  codexWindowsDetachedGroups,
  codexWindowsNpxBatches,
  claudeCodeDaemonGenerations,
  conportLeftByVsCodeSessions,
  mcpExeAfterClaudeDesktopCloses,
  mempalaceSurfaces,
  memoryFileTwoClients,
  moreCaptures,
} from '../../../fixtures/captures/real/moreMachines';

const verdict = <K extends Verdict['kind']>(i: Instance | undefined, kind: K) =>
  i?.verdicts.find((v): v is Extract<Verdict, { kind: K }> => v.kind === kind);

/** Each copy's pid and the pid of the copy its duplicate verdict keeps (undefined: not a duplicate). */
const keeps = (instances: readonly Instance[]) =>
  instances.map((i) => [i.pid, verdict(i, 'duplicate')?.keep.pid]).sort((a, b) => Number(a[0]) - Number(b[0]));

describe('real macOS and Windows machines: more duplicates, leftovers and launch chains', () => {
  it('each capture cites its source, says what its user reported and what was filled', () => {
    const sources = moreCaptures().map((c) => c.source);
    assert.equal(new Set(sources).size, sources.length, 'one capture per source');
    for (const c of moreCaptures()) {
      assert.match(c.source, /^https:\/\/github\.com\/[\w.-]+\/[\w.-]+\/issues\/\d+$/, c.name);
      assert.ok(c.reported.length > 40 && c.filled.length > 40, c.name);
    }
  });

  it('replays every capture without reading /proc, each server process with its CPU time', async () => {
    await assertReplaysWithCpuTime(moreCaptures());
  });

  it("modelcontextprotocol/servers#4797: Claude Code's native install and Cursor each run the memory server on one MEMORY_FILE_PATH: two writers on one store", async () => {
    const { snap } = await replay(memoryFileTwoClients());
    const [claude] = instancesOf(snap, 'memory', 'claude-code');
    const [cursor] = instancesOf(snap, 'memory', 'cursor');
    // The session runs as ~/.local/share/claude/versions/2.1.254: it is Claude Code, not a terminal.
    assert.deepEqual([claude?.pid, claude?.client.id, claude?.client.pid], [3161, 'claude-code', 3140]);
    assert.deepEqual([cursor?.pid, cursor?.client.id], [821, 'cursor']);
    const same = [verdict(claude, 'sameData'), verdict(cursor, 'sameData')];
    assert.ok(same[0] && same[1], 'both copies are flagged on their store');
    assert.equal(same[0].key, same[1].key);
    assert.deepEqual(
      same[0].instances.map((r) => [r.pid, r.client.id]),
      [
        [821, 'cursor'],
        [3161, 'claude-code'],
      ],
    );
    assert.deepEqual(same[0].entries.map((e) => e.from).sort(), ['env MEMORY_FILE_PATH', 'env MEMORY_FILE_PATH']);
    // No copy is one client's older one: neither is a duplicate to kill.
    assert.deepEqual(keeps([claude, cursor]), [
      [821, undefined],
      [3161, undefined],
    ]);
  });

  it("openai/codex#18881: the live app-server's older `claude mcp serve` copies are its duplicates, the ones launchd adopted are orphans, the VS Code extension's own is its", async () => {
    const c = codexDesktopClaudeMcpServe();
    const { snap } = await replay(c);
    const all = instancesOf(snap, 'claude', 'codex');
    const byPid = (pid: number) => all.find((i) => i.pid === pid);
    const newest = c.live[c.live.length - 1];
    assert.deepEqual(
      keeps(c.live.map(byPid) as Instance[]),
      c.live.map((pid) => [pid, pid === newest ? undefined : newest]),
    );
    for (const pid of c.live) assert.equal(byPid(pid)?.client.agentHost?.pid, 63553, `${pid}`);
    for (const pid of c.orphans) {
      const orphan = verdict(byPid(pid), 'orphan');
      assert.deepEqual([orphan?.launchPid, orphan?.ppid], [pid, 1], `${pid}`);
      assert.equal(verdict(byPid(pid), 'duplicate'), undefined, `${pid}`);
    }
    const ext = byPid(c.extension);
    assert.deepEqual(
      [ext?.client.id, ext?.client.agentHost?.pid, verdict(ext, 'duplicate')],
      ['codex', 84970, undefined],
    );
  });

  it("openai/codex#19845: six `uv run` copies under Codex Desktop's app-server: the five older are duplicates, the newest is kept", async () => {
    const c = codexDesktopUvRun();
    const { snap } = await replay(c);
    const copies = instancesOf(snap, 'jira', 'codex');
    const newest = c.servers[c.servers.length - 1];
    assert.deepEqual(
      keeps(copies),
      c.servers.map((pid) => [pid, pid === newest ? undefined : newest]),
    );
    // The Python server is the instance; `uv run` is the launcher above it.
    assert.deepEqual(
      copies
        .map((i) => i.launcherChain.map((l) => l.commandLine))
        .filter((chain) => chain.join(' ') !== 'uv run mcp-atlassian'),
      [],
    );
  });

  it('anthropics/claude-code#22612: conport-mcp left to launchd by ended VS Code sessions is orphaned; the live session keeps its own', async () => {
    const c = conportLeftByVsCodeSessions();
    const { snap } = await replay(c);
    const all = instancesOf(snap, 'conport', 'claude-code');
    const live = all.find((i) => i.pid === c.live);
    // The extension's native binary is a Claude Code session.
    assert.equal(live?.client.id, 'claude-code');
    assert.deepEqual(
      live?.verdicts.map((v) => v.kind),
      [],
    );
    for (const pid of c.orphans) {
      const orphan = verdict(
        all.find((i) => i.pid === pid),
        'orphan',
      );
      // The top of the launch is uvx, which launchd adopted.
      assert.deepEqual([orphan?.launchPid, orphan?.ppid], [pid - 1, 1], `${pid}`);
    }
  });

  it("MemPalace/mempalace#1300: Claude Desktop's chat, its Code tab and Claude Code in a terminal each run mempalace on one palace: three writers, none a duplicate", async () => {
    const c = mempalaceSurfaces();
    const { snap } = await replay(c);
    const all = [...instancesOf(snap, 'mempalace', 'claude-desktop'), ...instancesOf(snap, 'mempalace', 'claude-code')];
    const byPid = (pid: number) => all.find((i) => i.pid === pid);
    // Each surface is its own client: the app for its chat and its Code tab, the terminal's session for the CLI.
    assert.deepEqual(
      [c.desktop, c.codeTab, c.terminal].map((pid) => [pid, byPid(pid)?.client.id, byPid(pid)?.client.pid]),
      [
        [c.desktop, 'claude-desktop', 2000],
        [c.codeTab, 'claude-code', 2000],
        [c.terminal, 'claude-code', 2430],
      ],
    );
    for (const pid of [c.desktop, c.codeTab, c.terminal]) {
      const same = verdict(byPid(pid), 'sameData');
      assert.deepEqual(
        same?.instances.map((r) => r.pid),
        [c.desktop, c.codeTab, c.terminal],
        `${pid}`,
      );
      assert.deepEqual(
        same?.entries.map((e) => e.from),
        ['--palace', '--palace'],
        `${pid}`,
      );
      assert.equal(verdict(byPid(pid), 'duplicate'), undefined, `${pid}`);
    }
  });

  it("anthropics/claude-code#1935: three generations a restarted daemon and relaunched sessions left to launchd are each an orphan, none a live session's", async () => {
    const c = claudeCodeDaemonGenerations();
    const { snap } = await replay(c);
    const all = instancesOf(snap, 'context7', 'claude-code');
    assert.deepEqual(
      all.map((i) => [i.pid, verdict(i, 'orphan')?.launchPid, verdict(i, 'orphan')?.ppid, verdict(i, 'duplicate')]),
      c.servers.map((pid) => [pid, pid - 1, 1, undefined]),
    );
    // The daemon running with no session owns none of them.
    assert.deepEqual(
      all.filter((i) => i.client.id === 'claude-code'),
      [],
    );
  });

  it("openai/codex#40579: `cmd /c npx` batches kept by Codex Desktop's app-server on Windows: the older batches are duplicates, server by server", async () => {
    const c = codexWindowsNpxBatches();
    const { snap } = await replay(c);
    for (const [name, pids] of [
      ['memory', c.memory],
      ['context7', c.context7],
    ] as const) {
      const copies = instancesOf(snap, name, 'codex');
      const newest = pids[pids.length - 1];
      assert.deepEqual(
        keeps(copies),
        pids.map((pid) => [pid, pid === newest ? undefined : newest]),
        name,
      );
      for (const i of copies) {
        assert.equal(i.client.agentHost?.pid, 7300, `${name} ${i.pid}`);
        // cmd /c npx, npx's node, npm exec's cmd: the chain down to the server.
        assert.equal(i.launcherChain.length, 3, `${name} ${i.pid}`);
      }
    }
    // One client's older copies are its duplicates, not a second writer on the memory file.
    assert.deepEqual(
      instancesOf(snap, 'memory', 'codex').filter((i) => verdict(i, 'sameData')),
      [],
    );
  });

  it("openai/codex#20992: the new app-server's chrome-devtools group is Codex's; the groups the replaced app-server left are orphans, none a duplicate", async () => {
    const c = codexWindowsDetachedGroups();
    const { snap } = await replay(c);
    const all = instancesOf(snap, 'chrome-devtools', 'codex');
    const live = all.find((i) => i.pid === c.live);
    assert.deepEqual(
      [live?.client.id, live?.client.agentHost?.pid, live?.launcherChain.length, verdict(live, 'duplicate')],
      ['codex', 9100, 3, undefined],
    );
    assert.deepEqual(
      all
        .filter((i) => i.pid !== c.live)
        .map((i) => [i.pid, i.client.id])
        .sort(),
      c.detached.map((pid) => [pid, 'unknown']),
    );
    // Their app-server is gone and Windows did not reparent them: orphans, none kept as a duplicate.
    assert.deepEqual(
      all
        .filter((i) => i.pid !== c.live)
        .map((i) => [i.pid, !!verdict(i, 'orphan'), !!verdict(i, 'duplicate')])
        .sort(),
      c.detached.map((pid) => [pid, true, false]),
    );
  });

  it('modelcontextprotocol/python-sdk#526: the reopened Claude Desktop runs its own mcp.exe; those left by closed sessions are orphans', async () => {
    const c = mcpExeAfterClaudeDesktopCloses();
    const { snap } = await replay(c);
    const all = instancesOf(snap, 'Demo Server', 'claude-desktop');
    assert.deepEqual(
      all.map((i) => i.pid).sort((a, b) => a - b),
      [...c.leftovers, c.live].sort((a, b) => a - b),
    );
    assert.deepEqual(
      all.filter((i) => i.client.id === 'claude-desktop').map((i) => [i.pid, i.client.pid]),
      [[c.live, 11160]],
    );
    // Each closed session's copy lost its parent: an orphan, not one of a duplicate pair.
    assert.deepEqual(
      all
        .filter((i) => i.pid !== c.live)
        .map((i) => [i.pid, !!verdict(i, 'orphan'), !!verdict(i, 'duplicate')])
        .sort(),
      [...c.leftovers].sort().map((pid) => [pid, true, false]),
    );
  });
});
