import * as assert from 'node:assert/strict';
import type { VmVerdict } from '../../../src/core/report/input';
import { counts } from '../../../src/core/report/state';
import * as z from 'zod';
import { healthReport } from '../../../src/agent/health';
import { HEALTH_OUTPUT } from '../../../src/agent/schemas';
import { statusBarModel } from '../../../src/extension/viewModel/statusBar';
import { changed, instance, server, snapshot, stale } from './fixtures';

/** The entry now launches another version than the process was started with (`config-changed`). */
const config: VmVerdict = {
  kind: 'restart',
  cause: 'config',
  package: '@modelcontextprotocol/server-memory',
  running: '2026.7.4',
  installed: '2026.8.31',
  summary:
    '@modelcontextprotocol/server-memory: the configuration now launches 2026.8.31; this process was started with 2026.7.4: restart it to run the new launch',
};

/** Each restart cause is counted and said as itself on the badge, to a screen reader and to an agent. */
describe('restart causes on the badge, in the screen-reader text and the agent health line', () => {
  const bar = (verdicts: VmVerdict[][]) => {
    const s = server('memory', { instances: verdicts.map((v, k) => instance(7 + k, { verdicts: v })) });
    const snap = snapshot([s]);
    const model = statusBarModel({ state: 'ready', snapshot: snap }, { alwaysShow: false });
    assert.ok(model.visible);
    return { bar: model, snap };
  };

  it('a config-changed instance beside a stale one: "1 stale · 1 config changed", never "2 stale"', () => {
    const { bar: b, snap } = bar([[stale()], [config]]);
    assert.equal(b.text, '$(warning) MCP 2 · 1 stale · 1 config changed');
    assert.match(
      b.accessibility,
      /1 instance running replaced code, 1 instance started before its configuration changed/,
    );
    assert.doesNotMatch(b.accessibility, /2 instances running replaced code/);
    assert.deepEqual(counts(snap).restart, { down: 0, version: 1, changed: 0, config: 1, runtime: 0 });
    assert.match(
      healthReport(snap).summary,
      /^Needs attention: 1 instance running replaced code, 1 instance started before its configuration changed;/,
    );
  });

  it('each cause alone says its own word', () => {
    assert.equal(bar([[stale()]]).bar.text, '$(warning) MCP 1 · 1 stale');
    assert.equal(bar([[changed()]]).bar.text, '$(warning) MCP 1 · 1 changed');
    assert.equal(bar([[config]]).bar.text, '$(warning) MCP 1 · 1 config changed');
    assert.match(bar([[changed()]]).bar.accessibility, /1 instance whose files changed since start/);
  });
});

describe("the agent face's health schema", () => {
  it('declares every count the engine gives (its output schema admits no other property)', () => {
    const snap = snapshot([server('memory', { instances: [instance(7, { verdicts: [config] })] })]);
    const report = healthReport(snap);
    const parsed = z.object(HEALTH_OUTPUT).safeParse(JSON.parse(JSON.stringify(report)));
    assert.ok(parsed.success, parsed.success ? '' : parsed.error.message);
    assert.deepEqual(Object.keys(HEALTH_OUTPUT.counts.shape).sort(), Object.keys(counts(snap)).sort());
  });
});
