import { toolWrites } from '../../../src/guard/host/toolWrites';
import * as assert from 'node:assert/strict';
import { CrashLoopDetector } from '../../../src/guard/host/crashLoop';
import { joinLine, lineTail, LineSplitter } from '../../../src/guard/stdio/lines';
import { classify, idKey, trailingResponseId } from '../../../src/guard/stdio/messages';
import { decide, guardVerdict } from '../../../src/guard/host/staleness';
import { engineVersions } from '../../support/engineProbe';
import { judge } from '../../../src/core/versions/judge';

describe('guard: line framing', () => {
  it('returns each line whole however the bytes are cut, and keeps the unfinished one', () => {
    const text = '{"a":1}\n{"b":"é"}\r\n\n{"c":3}';
    const bytes = Buffer.from(text);
    for (let cut = 0; cut <= bytes.length; cut++) {
      const s = new LineSplitter();
      const lines = [...s.push(bytes.subarray(0, cut)), ...s.push(bytes.subarray(cut))].map((b) => b.toString());
      assert.deepEqual(lines, ['{"a":1}', '{"b":"é"}\r', '']);
      assert.equal(Buffer.concat(s.pendingChunks()).toString(), '{"c":3}');
      assert.equal(s.midLine, true);
    }
  });
});

describe('guard: a line in pieces', () => {
  it('keeps the pieces, joins them on demand and reads the last bytes without joining', () => {
    const s = new LineSplitter();
    assert.deepEqual(s.pushParts(Buffer.from('abc')), []);
    assert.deepEqual(s.pushParts(Buffer.from('def')), []);
    const [line] = s.pushParts(Buffer.from('gh\n'));
    assert.equal(line.parts.length, 3);
    assert.equal(line.length, 8);
    assert.equal(joinLine(line).toString(), 'abcdefgh');
    assert.equal(lineTail(line, 4).toString(), 'efgh');
    assert.equal(lineTail(line, 2).toString(), 'gh');
    assert.equal(lineTail(line, 100).toString(), 'abcdefgh');
  });
});

describe('guard: classify', () => {
  it('tells requests, notifications, responses and garbage apart', () => {
    assert.equal(classify(Buffer.from('{"jsonrpc":"2.0","id":1,"method":"ping"}')).kind, 'request');
    assert.equal(classify(Buffer.from('{"jsonrpc":"2.0","method":"notifications/initialized"}')).kind, 'notification');
    assert.equal(classify(Buffer.from('{"jsonrpc":"2.0","id":"x","result":{}}')).kind, 'response');
    assert.equal(classify(Buffer.from('{"jsonrpc":"2.0","id":2,"error":{"code":-1,"message":"m"}}')).kind, 'response');
    assert.equal(classify(Buffer.from('not json')).kind, 'other');
    assert.equal(classify(Buffer.from('{"jsonrpc":"1.0","id":1,"method":"x"}')).kind, 'other');
    assert.notEqual(idKey(1), idKey('1'));
  });
});

describe('guard: trailing response id of a large line', () => {
  const id = (text: string) => trailingResponseId(Buffer.from(text));
  it('reads a top-level id that is the last member, and nothing else', () => {
    assert.equal(id('{"result":{"content":[{"type":"text","text":"x"}]},"jsonrpc":"2.0","id":5}'), 5);
    assert.equal(id('{"result":{"id":7},"jsonrpc":"2.0","id":"req-1"}\r'), 'req-1');
    assert.equal(id('{"jsonrpc":"2.0","id":1,"result":{"x":{"id":7}}}'), undefined);
    assert.equal(id('{"jsonrpc":"2.0","id":1,"result":[{"id":7}]}'), undefined);
    assert.equal(id('{"jsonrpc":"2.0","result":{"text":"\\"id\\":3}"},"id":2}'), 2);
  });
});

describe('guard: crash-loop detector', () => {
  it('gives up after K quick exits in a row, and a long run resets the streak', () => {
    const d = new CrashLoopDetector({ windowMs: 10_000, limit: 3 });
    assert.equal(d.recordExit(0, 1000, 'exit code 1').restart, true);
    assert.equal(d.recordExit(0, 1000, 'exit code 1').restart, true);
    assert.equal(d.recordExit(0, 60_000, 'exit code 1').restart, true);
    assert.equal(d.recordExit(0, 1000, 'exit code 1').restart, true);
    assert.equal(d.recordExit(0, 1000, 'exit code 1').restart, true);
    const verdict = d.recordExit(0, 1000, 'exit code 2');
    assert.equal(verdict.restart, false);
    assert.match(
      (verdict as { reason: string }).reason,
      /within 10 s of starting 3 times in a row \(last: exit code 2\)/,
    );
    d.reset();
    assert.equal(d.recordExit(0, 1000, 'exit code 1').restart, true);
  });

  it('a start that failed waits before its next try, longer each time in a row, never past half the window; none after a long run', () => {
    const d = new CrashLoopDetector({ windowMs: 10_000, limit: 5 });
    assert.deepEqual(d.recordExit(0, 100, 'exit code 1'), { restart: true, afterMs: 1000 });
    assert.deepEqual(d.recordExit(0, 100, 'exit code 1'), { restart: true, afterMs: 2000 });
    assert.deepEqual(d.recordExit(0, 100, 'exit code 1'), { restart: true, afterMs: 4000 });
    assert.deepEqual(d.recordExit(0, 100, 'exit code 1'), { restart: true, afterMs: 5000 }, 'half the window at most');
    d.reset();
    assert.deepEqual(d.recordExit(0, 60_000, 'exit code 1'), { restart: true, afterMs: 0 }, 'it ran: at once');
    const quick = new CrashLoopDetector({ windowMs: 60_000, limit: 3, backoffMs: 50 });
    assert.deepEqual(quick.recordExit(0, 100, 'exit code 1'), { restart: true, afterMs: 50 });
    assert.deepEqual(quick.recordExit(0, 100, 'exit code 1'), { restart: true, afterMs: 100 });
  });
});

describe('guard: stale policy', () => {
  const v = (version: string) => ({ state: 'known' as const, name: 'pkg', version, ecosystem: 'npm' as const });
  const stale = guardVerdict(engineVersions(v('1.0.0'), v('1.1.0')));

  it("acts on the engine's verdict and says it in the engine's words; unknown is never stale", () => {
    assert.equal(guardVerdict(engineVersions(v('1.0.0'), v('1.0.0'))).state, 'none');
    assert.deepEqual(stale, {
      state: 'restart',
      cause: 'version',
      said: 'Stale: runs pkg 1.0.0, but 1.1.0 is installed',
      toModel: 'Stale: runs "pkg" "1.0.0", but "1.1.0" is installed',
      restartable: true,
    });
    assert.equal(guardVerdict(engineVersions(undefined, v('1'))).state, 'none');
    assert.equal(guardVerdict(engineVersions(v('1'), { state: 'unknown', reason: 'gone' })).state, 'none');
  });

  it('a dependency that moved under the same package version is stale, and the refusal names it', () => {
    const env = (packages: Record<string, string>) => ({ ...v('1.0.0'), environment: { hash: '', packages } });
    const verdict = guardVerdict(
      engineVersions(env({ chromadb: '0.4.1', numpy: '1.0' }), env({ chromadb: '0.5.0', numpy: '1.0', extra: '2' })),
    );
    const d = decide(
      'refuse-writes',
      verdict,
      { method: 'tools/call', toolName: 'w', writes: { kind: 'writes' as const, by: 'annotation' as const } },
      's',
    );
    assert.match(
      (d as { message: string }).message,
      /^"s": Stale: "pkg: runs 1\.0\.0, still installed, but its dependencies moved; dependencies: chromadb 0\.4\.1 -> 0\.5\.0, extra \(absent\) -> 2"; tool "w" is not declared read-only/,
    );
    assert.equal(guardVerdict(engineVersions(env({ a: '1' }), env({ a: '1' }))).state, 'none');
  });

  it('a package gone under its server is stale, as the engine says, but restart-when-idle does not restart into it', () => {
    const installed = { state: 'missing', ecosystem: 'npm', name: 'pkg', how: '/p/node_modules/pkg is gone' } as const;
    const { running, verdict } = judge({
      installed,
      processStart: 0,
      lock: { versions: { package: { name: 'pkg', version: '1.0.0', ecosystem: 'npm' } } },
      now: Date.now(),
    });
    assert.deepEqual(guardVerdict({ installed, running, verdict }), {
      state: 'restart',
      cause: 'version',
      said: 'Stale: runs pkg 1.0.0, but it is no longer installed',
      toModel: 'Stale: runs "pkg" "1.0.0", but it is no longer installed',
      restartable: false,
    });
  });

  it('files still changing under the server (not judged yet): a refusing policy refuses a write, says why, and never restarts', () => {
    const now = Date.now();
    const installed = {
      state: 'installed',
      ecosystem: 'npm',
      name: 'pkg',
      version: '1.1.0',
      how: 'the test',
      location: '/test/node_modules/pkg',
      changedAt: now - 1000,
    } as const;
    const { running, verdict } = judge({
      installed,
      processStart: now - 60_000,
      lock: { versions: { package: { name: 'pkg', version: '1.0.0', ecosystem: 'npm' } } },
      now,
    });
    const settling = guardVerdict({ installed, running, verdict });
    assert.equal(settling.state, 'settling', JSON.stringify(verdict));
    const write = {
      method: 'tools/call',
      toolName: 'w',
      writes: { kind: 'writes' as const, by: 'annotation' as const },
    };
    const refused = decide('refuse-writes', settling, write, 's');
    assert.equal(refused.action, 'refuse');
    assert.match(
      (refused as { message: string }).message,
      /^"s": not judged yet: files of pkg changed 1 s ago .*; tool "w" is not declared read-only, so it is refused; try again once the change is judged/,
    );
    assert.equal(
      decide(
        'refuse-writes',
        settling,
        { ...write, writes: { kind: 'reads' as const, by: 'annotation' as const } },
        's',
      ).action,
      'forward',
    );
    assert.equal(decide('refuse-all', settling, { method: 'resources/read' }, 's').action, 'refuse');
    assert.equal(decide('refuse-all', settling, { method: 'ping' }, 's').action, 'forward');
    for (const policy of ['annotate', 'warn', 'restart-when-idle'] as const)
      assert.equal(decide(policy, settling, write, 's').action, 'forward', policy);
  });

  it('refuse-writes refuses only tools not declared or named read-only; refuse-all keeps ping and initialize', () => {
    assert.equal(
      decide(
        'refuse-writes',
        stale,
        { method: 'tools/call', toolName: 'read', writes: { kind: 'reads' as const, by: 'annotation' as const } },
        's',
      ).action,
      'forward',
    );
    assert.equal(
      decide('refuse-writes', stale, { method: 'tools/call', toolName: 'never-listed' }, 's').action,
      'refuse',
    );
    assert.equal(decide('refuse-writes', stale, { method: 'tools/list' }, 's').action, 'forward');
    assert.equal(
      decide(
        'refuse-writes',
        { state: 'none', reason: 'current' },
        { method: 'tools/call', toolName: 'w', writes: { kind: 'writes' as const, by: 'annotation' as const } },
        's',
      ).action,
      'forward',
    );
    // A server that declares nothing (mempalace 3.10): its reads go on, its writes are refused, and a
    // name that says neither is refused saying that it cannot be told.
    const call = (name: string, annotations?: Record<string, unknown>) =>
      decide(
        'refuse-writes',
        stale,
        { method: 'tools/call', toolName: name, writes: toolWrites({ name, annotations }) },
        's',
      );
    for (const read of ['mempalace_search', 'mempalace_status', 'mempalace_list_wings', 'getDrawer', 'kg.query'])
      assert.equal(call(read).action, 'forward', read);
    for (const write of ['mempalace_add_drawer', 'kg_invalidate', 'get_or_create', 'updateNote'])
      assert.match(
        (call(write) as { message: string }).message,
        /declares nothing, and its name says it changes data, so it is refused/,
        write,
      );
    assert.match(
      (call('mempalace_frobnicate') as { message: string }).message,
      /whether tool "mempalace_frobnicate" changes data cannot be told \(it declares no read-only hint and its name does not say\), so it is refused/,
    );
    // What the server declares wins over the name.
    assert.equal(call('delete_cache_preview', { readOnlyHint: true }).action, 'forward');
    assert.equal(call('search_and_tag', { readOnlyHint: false }).action, 'refuse');
    assert.equal(call('list_things', { destructiveHint: true }).action, 'refuse');
    assert.equal(decide('refuse-all', stale, { method: 'ping' }, 's').action, 'forward');
    assert.equal(decide('refuse-all', stale, { method: 'resources/read' }, 's').action, 'refuse');
    assert.equal(
      decide(
        'warn',
        stale,
        { method: 'tools/call', toolName: 'w', writes: { kind: 'writes' as const, by: 'annotation' as const } },
        's',
      ).action,
      'forward',
    );
  });
});
