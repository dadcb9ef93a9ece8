import * as assert from 'node:assert/strict';
import {
  causeOfVerdict,
  causeWords,
  INSTANCE_VERDICTS,
  RESTART_CAUSES,
  RestartCause,
  verdictLabel,
} from '../../../src/core/report/causes';
import { evidenceSummary } from '../../../src/core/report/evidenceDocument';
import { toViewInput } from '../../../src/core/report/input';
import { counts } from '../../../src/core/report/state';
import { english } from '../../../src/core/base/translate';
import { healthReport, healthText } from '../../../src/agent/health';
import { explain } from '../../../src/agent/explain';
import { formatInstances } from '../../../src/cli/format/status';
import { statusBarModel } from '../../../src/extension/viewModel/statusBar';
import { childNodes, rootNodes } from '../../../src/extension/viewModel/tree';
import { treeItem } from '../../../src/extension/viewModel/treeItem';
import { TreeContext } from '../../../src/extension/viewModel/treeModel';
import { StaleGate } from '../../../src/guard/host/staleGate';
import type { StalePolicy } from '../../../src/guard/host/staleness';
import { downAnswer } from '../../../src/guard/host/staleNotice';
import { DOWN, snapshotOf, VERSIONS } from './fixtures';

/**
 * One instance of each restart cause, as the engine reports it (a snapshot's instance with its
 * version judgement, or a guard's `down`), read by every face. Each face is expected to count it and
 * say it as its cause, in the literal words below (never derived from the causes table here: a face
 * that words a cause by hand, or the table changing a word, fails).
 */

/** What each face says of an instance of each cause. */
interface Said {
  counts: Record<RestartCause, number>;
  badge: string;
  reader: string;
  /** The instance row's verdict, and what its description says a restart changes. */
  row: string;
  /** The VERDICTS cell of `status`. */
  cli: string;
  /** Show Evidence's summary of the instance: its verdict line and the head of its why. */
  evidence: [string, RegExp];
  /** The agent face: `list_servers`' summary and verdicts, its text, and `explain`'s summary. */
  agent: { summary: string; verdicts: string[]; text: RegExp; explain: string };
  /** The guard: the notice under `--when-stale annotate` (down: its answer to every request), and whether `refuse-writes` refuses a write. */
  guard: { said: RegExp; refuses: boolean };
}

const NO_CAUSE = { down: 0, version: 0, changed: 0, config: 0, runtime: 0 };

const SAID: Record<RestartCause, Said> = {
  down: {
    counts: { ...NO_CAUSE, down: 1 },
    badge: '$(warning) MCP 0 · 1 down',
    reader:
      '0 running instances; 0 of 1 configured MCP server running. Needs attention: 1 server down (its guard runs, the server does not).',
    row: 'down · pid 7 · up 3h',
    cli: "DOWN: the server exited within 10 s of starting 3 times in a row (last: exit code 1); it is not restarted again. Its last output: ModuleNotFoundError: No module named 'mcp.server.fastmcp'",
    evidence: ['pid 7 (Claude Desktop, guarded): down', /^ {2}Why: Down: its server is not running \(since /],
    agent: {
      summary:
        'Needs attention: 1 server down (its guard runs, the server does not); 0 running instances of 1 configured server.',
      verdicts: ['down'],
      text: /^ {2}- pid 7 \(Claude Desktop, guarded\): down\. Fix what its last output says/m,
      explain: 'pid 7 (Claude Desktop, guarded): down',
    },
    guard: {
      said: /^memory is down: the server exited within 10 s .*No module named 'mcp\.server\.fastmcp'$/,
      refuses: false,
    },
  },
  version: {
    counts: { ...NO_CAUSE, version: 1 },
    badge: '$(warning) MCP 1 · 1 stale',
    reader:
      '1 running instance; 1 of 1 configured MCP server running. Needs attention: 1 instance running replaced code.',
    row: 'stale · pid 7 · up 3h',
    cli: 'STALE: runs 2026.7.4, installed 2026.8.31',
    evidence: [
      'pid 7 (Claude Desktop): stale',
      /^ {2}Why: Stale: runs @modelcontextprotocol\/server-memory 2026\.7\.4, but 2026\.8\.31 is installed$/,
    ],
    agent: {
      summary: 'Needs attention: 1 instance running replaced code; 1 running instance of 1 configured server.',
      verdicts: ['stale'],
      text: /^ {2}- pid 7 \(Claude Desktop\): stale, runs "2026\.7\.4"\. Restart it/m,
      explain: 'pid 7 (Claude Desktop): stale',
    },
    guard: {
      said: /^\[MCP Lifeguard\] This server \("memory"\): Stale: runs "@modelcontextprotocol\/server-memory" "2026\.7\.4", but "2026\.8\.31" is installed\. Restart it/,
      refuses: true,
    },
  },
  changed: {
    counts: { ...NO_CAUSE, changed: 1 },
    badge: '$(warning) MCP 1 · 1 changed',
    reader:
      '1 running instance; 1 of 1 configured MCP server running. Needs attention: 1 instance whose files changed since start.',
    row: 'changed since start · pid 7 · up 3h',
    cli: 'CHANGED SINCE START: restart to load what is installed',
    evidence: [
      'pid 7 (Claude Desktop): changed since start',
      /^ {2}Why: Changed since start: restart to load what is installed\. /,
    ],
    agent: {
      summary:
        'Needs attention: 1 instance whose files changed since start; 1 running instance of 1 configured server.',
      verdicts: ['changed-since-start'],
      text: /^ {2}- pid 7 \(Claude Desktop\): changed-since-start\. Restart it/m,
      explain: 'pid 7 (Claude Desktop): changed since start',
    },
    guard: {
      said: /^\[MCP Lifeguard\] This server \("memory"\): Changed since start: restart to load what is installed\. "@modelcontextprotocol\/server-memory: changed since start/,
      refuses: true,
    },
  },
  config: {
    counts: { ...NO_CAUSE, config: 1 },
    badge: '$(warning) MCP 1 · 1 config changed',
    reader:
      '1 running instance; 1 of 1 configured MCP server running. Needs attention: 1 instance started before its configuration changed.',
    row: 'config changed · pid 7 · up 3h',
    cli: 'CONFIG CHANGED: started with @modelcontextprotocol/server-memory@2026.7.4, configured @modelcontextprotocol/server-memory@2026.8.31',
    evidence: [
      'pid 7 (Claude Desktop): config changed',
      /^ {2}Why: Config changed: @modelcontextprotocol\/server-memory: the configuration now launches 2026\.8\.31;/,
    ],
    agent: {
      summary:
        'Needs attention: 1 instance started before its configuration changed; 1 running instance of 1 configured server.',
      verdicts: ['config-changed'],
      text: /^ {2}- pid 7 \(Claude Desktop\): config-changed, runs "2026\.7\.4"\. Restart it/m,
      explain: 'pid 7 (Claude Desktop): config changed',
    },
    guard: {
      said: /^\[MCP Lifeguard\] This server \("memory"\): Config changed: "@modelcontextprotocol\/server-memory: the configuration now launches 2026\.8\.31;/,
      refuses: true,
    },
  },
  runtime: {
    counts: { ...NO_CAUSE, runtime: 1 },
    badge: '$(warning) MCP 1 · 1 runtime replaced',
    reader:
      '1 running instance; 1 of 1 configured MCP server running. Needs attention: 1 instance on a replaced runtime (node or Python upgraded).',
    row: 'runtime replaced · pid 7 · up 3h',
    cli: 'RUNTIME REPLACED: node 22.11.0 -> 22.12.0',
    evidence: [
      'pid 7 (Claude Desktop): runtime replaced',
      /^ {2}Why: Runtime replaced: runs a replaced node 22\.11\.0;/,
    ],
    agent: {
      summary:
        'Needs attention: 1 instance on a replaced runtime (node or Python upgraded); 1 running instance of 1 configured server.',
      verdicts: ['runtime-replaced'],
      text: /^ {2}- pid 7 \(Claude Desktop\): runtime-replaced, runs "2026\.8\.31"\. Restart it/m,
      explain: 'pid 7 (Claude Desktop): runtime replaced',
    },
    // Its own code is what is installed: told, never refused.
    guard: {
      said: /^\[MCP Lifeguard\] This server \("memory"\): Runtime replaced: "runs a replaced node 22\.11\.0;/,
      refuses: false,
    },
  },
};

const CTX: TreeContext = { trusted: true, now: Date.parse('2026-11-21T12:00:00.000Z'), guardAvailable: true };

/**
 * What the guard says and does with its own child of this cause, through its stale gate: the
 * notice a tool result carries under `annotate`, and whether `refuse-writes` refuses a write. A guard
 * whose server is down has no child to judge: it answers every request itself.
 */
async function guardSays(cause: RestartCause): Promise<{ said: string; refuses: boolean }> {
  if (cause === 'down') return { said: downAnswer('memory', (DOWN as { reason: string }).reason), refuses: false };
  const versions = VERSIONS[cause];
  const gate = (policy: StalePolicy) => {
    // The gate logs a restart need once it has judged the child: the notice is known from then on.
    let judged!: () => void;
    const done = new Promise<void>((resolve) => (judged = resolve));
    const child = {};
    const g = new StaleGate({
      stale: { policy, intervalMs: 0 },
      serverName: 'memory',
      log: () => judged(),
      currentChild: () => child,
      judgeChild: async () => ({ child, versions }),
      isRunning: () => true,
      isIdle: () => false,
      restart: async () => undefined,
    });
    return { g, done };
  };
  const annotate = gate('annotate');
  annotate.g.start();
  await annotate.done;
  const notices = annotate.g.toolResultNotices();
  assert.equal(notices.length, 1, JSON.stringify(notices));
  const refusal = await gate('refuse-writes').g.refusal('tools/call', { name: 'write' });
  return { said: notices[0], refuses: refusal !== undefined };
}

describe('one vocabulary of restart causes, said by every face', () => {
  it('names each cause by its own verdict, and each cause verdict by its label', () => {
    const verdicts = RESTART_CAUSES.map((cause) => causeWords(cause).verdict);
    assert.deepEqual(verdicts, ['down', 'stale', 'changed-since-start', 'config-changed', 'runtime-replaced']);
    for (const cause of RESTART_CAUSES) assert.equal(causeOfVerdict(causeWords(cause).verdict), cause);
    assert.ok(verdicts.every((v) => (INSTANCE_VERDICTS as readonly string[]).includes(v)));
    assert.deepEqual(
      verdicts.map((v) => verdictLabel(v)),
      ['down', 'stale', 'changed since start', 'config changed', 'runtime replaced'],
    );
  });

  it("words every cause through the face's translator", () => {
    const upper = (message: string, ...args: Array<string | number | boolean>) =>
      english(message, ...args).toUpperCase();
    const config = causeWords('config', upper);
    assert.deepEqual(
      [config.label, config.badge(2), config.sentence(1)],
      ['CONFIG CHANGED', '2 CONFIG CHANGED', '1 INSTANCE STARTED BEFORE ITS CONFIGURATION CHANGED'],
    );
  });

  for (const cause of RESTART_CAUSES) {
    describe(`an instance of cause ${cause}`, () => {
      const expected = SAID[cause];
      const snap = snapshotOf(cause);
      const vm = toViewInput(snap);
      const serverNode = childNodes(rootNodes(vm).find((n) => n.kind === 'group')!)[0];

      it('is counted under its cause, and only there', () => {
        assert.deepEqual(counts(vm).restart, expected.counts);
      });

      it('the status bar counts it in the badge and reads it out to a screen reader as itself', () => {
        const bar = statusBarModel({ state: 'ready', snapshot: vm }, { alwaysShow: false });
        assert.ok(bar.visible);
        assert.equal(bar.text, expected.badge);
        assert.equal(bar.accessibility, expected.reader);
        assert.equal(bar.warning, true);
      });

      it("the tree's row leads with its word", () => {
        assert.equal(treeItem(childNodes(serverNode)[0], CTX, []).label, expected.row);
      });

      it('`status` says it in capitals in the VERDICTS column', () => {
        const row = formatInstances(snap).find((l) => l.startsWith('  memory '));
        assert.ok(row?.endsWith(`  ${expected.cli}`), row);
      });

      it('Show Evidence names it and heads its why with it', () => {
        const [, verdict, why] = evidenceSummary({ server: vm.servers[0], instance: vm.servers[0].instances[0] });
        assert.equal(verdict, expected.evidence[0]);
        assert.match(why, expected.evidence[1]);
      });

      it("the agent face's list_servers and explain count and say it", () => {
        const report = healthReport(vm);
        assert.equal(report.summary, expected.agent.summary);
        assert.deepEqual(report.counts.restart, expected.counts);
        assert.equal(report.healthy, false);
        assert.deepEqual(report.servers[0].instances[0].verdicts, expected.agent.verdicts);
        assert.match(healthText(report), expected.agent.text);
        assert.equal(explain(vm, { pid: 7 }).summary[1], expected.agent.explain);
      });

      it('the guard tells its client in these words, and refuses by the cause', async () => {
        const { said, refuses } = await guardSays(cause);
        assert.match(said, expected.guard.said);
        assert.equal(refuses, expected.guard.refuses);
      });
    });
  }
});
