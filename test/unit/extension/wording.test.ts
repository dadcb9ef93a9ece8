import * as assert from 'node:assert/strict';
import type { Instance } from '../../../src/core/base/model';
import type { InstanceVersions } from '../../../src/core/base/versionTypes';
import { describeVerdict } from '../../../src/core/report/evidence';
import { runtimeVerdict, versionVerdict, VmServer } from '../../../src/core/report/input';
import { describeLaunch } from '../../../src/core/launch/describe';
import { healthReport, healthText } from '../../../src/agent/health';
import { formatStaleEvidence, runtimeLabel, versionVerdictLabel } from '../../../src/cli/format/versions';
import { statusBarModel } from '../../../src/extension/viewModel/statusBar';
import { decideNotifications, eventOver } from '../../../src/extension/viewModel/notifications';
import { childNodes, rootNodes } from '../../../src/extension/viewModel/tree';
import { treeItem } from '../../../src/extension/viewModel/treeItem';
import { TreeContext } from '../../../src/extension/viewModel/treeModel';
import { CLAUDE, instance, NOW, server, snapshot } from './fixtures';

/**
 * The engine writes `unknown` for a version it could not learn and `missing` for a package or a
 * runtime that is gone: data, never a version on screen. No face says "changed unknown → missing"
 * or "already runs missing"; each says what is known.
 */

/** "unknown" or "missing" where a version stands: beside an arrow, after "runs", before "is installed"... */
const AS_VERSION =
  /(→|->)\s*(unknown|missing)\b|\b(unknown|missing)\s*(→|->)|\bruns (unknown|missing)\b|\binstalled:?\s+(unknown|missing)\b|\b(unknown|missing) is installed|\b\S+ (unknown|missing),/;

const gone: InstanceVersions = {
  installed: { state: 'missing', ecosystem: 'npm', name: 'pkg', how: 'no package.json at /p', fromProcess: true },
  running: { state: 'unknown', reason: 'no record' },
  verdict: {
    state: 'stale',
    package: 'pkg',
    ecosystem: 'npm',
    running: 'unknown',
    installed: 'missing',
    movedDependencies: [],
    replacedFiles: [],
    runningHow: 'not recorded',
    installedHow: 'no package.json at /p',
    summary: 'pkg: the code it was started from is gone (no package.json at /p)',
  },
  runtime: {
    state: 'replaced',
    runtime: 'node',
    path: '/usr/bin/node',
    running: 'unknown',
    installed: 'missing',
    runningHow: 'not read',
    installedHow: 'nothing at /usr/bin/node',
    libraries: [],
    summary:
      'runs a replaced node (version not known); nothing is installed at /usr/bin/node now: restart it to run what is installed',
  },
} as unknown as InstanceVersions;

/** The same package, replaced under the process with a known version now installed. */
const replaced: InstanceVersions = {
  ...gone,
  verdict: { ...gone.verdict, installed: '2.0.0' } as InstanceVersions['verdict'],
  runtime: undefined,
};

function texts(versions: InstanceVersions): { face: string; text: string }[] {
  const verdicts = [versionVerdict(versions)!, ...(versions.runtime ? [runtimeVerdict(versions)!] : [])];
  const s: VmServer = server('memory', { instances: [instance(7, { client: CLAUDE, verdicts })] });
  const snap = snapshot([s]);
  const ctx: TreeContext = { trusted: true, now: NOW, guardAvailable: true };
  const serverNode = childNodes(rootNodes(snap).find((n) => n.kind === 'group')!)[0];
  const serverItem = treeItem(serverNode, ctx, []);
  const row = treeItem(childNodes(serverNode)[0], ctx, []);
  const bar = statusBarModel({ state: 'ready', snapshot: snap }, { alwaysShow: false });
  const notes = decideNotifications(
    snap,
    { seen: new Set(), muted: new Set() },
    { onUpgrade: true, onRegistryUpdate: false },
  );
  const inst = { pid: 7, versions } as unknown as Instance;
  const cli = formatStaleEvidence({
    servers: [{ name: 'memory', instances: [inst] }],
  } as unknown as Parameters<typeof formatStaleEvidence>[0]);
  return [
    { face: 'tree: server', text: `${serverItem.description} ${String(serverItem.tooltip)}` },
    { face: 'tree: instance', text: `${row.label} ${row.description} ${String(row.tooltip)}` },
    { face: 'status bar tooltip', text: bar.visible ? bar.tooltip : '' },
    ...notes.map((n) => ({ face: `notification (${n.kind === 'stale' ? n.cause : n.kind})`, text: n.message })),
    ...notes.flatMap((n) => (n.kind === 'stale' ? [{ face: `event over (${n.cause})`, text: eventOver(n) }] : [])),
    { face: 'CLI verdicts', text: `${versionVerdictLabel(inst)} ${runtimeLabel(inst) ?? ''}` },
    { face: 'CLI evidence', text: cli.join('\n') },
    { face: 'agent face', text: healthText(healthReport(snap)) },
    { face: 'evidence', text: verdicts.map((v) => describeVerdict(v)).join('\n') },
  ];
}

describe('wording: "unknown" and "missing" are never shown as a version', () => {
  it('a package gone and a runtime gone, neither version known: every face says so in words', () => {
    const all = texts(gone);
    for (const { face, text } of all) assert.doesNotMatch(text, AS_VERSION, `${face}: ${text}`);
    const said = Object.fromEntries(all.map((x) => [x.face, x.text]));
    assert.equal(
      said['notification (version)'],
      'pkg is no longer installed; 1 instance (1 in Claude Desktop) still runs it.',
    );
    assert.equal(
      said['notification (runtime)'],
      'node was replaced (version not known → not installed); 1 instance (1 in Claude Desktop) still runs the old node: restart to run it.',
    );
    assert.equal(
      said['event over (version)'],
      'Every instance of pkg has been restarted or has stopped: nothing to restart.',
    );
    assert.match(said['tree: server'], /^stale · version not known → not installed/);
    assert.match(
      said['CLI verdicts'],
      /^STALE: runs a version not known, no longer installed RUNTIME REPLACED: node version not known -> not installed$/,
    );
    assert.match(
      said['evidence'],
      /^Stale: runs pkg as it was when it started \(its version is not known\), but it is no longer installed/,
    );
  });

  it('replaced code whose running version is not known, a version installed now', () => {
    const all = texts(replaced);
    for (const { face, text } of all) assert.doesNotMatch(text, AS_VERSION, `${face}: ${text}`);
    const said = Object.fromEntries(all.map((x) => [x.face, x.text]));
    assert.equal(
      said['notification (version)'],
      'pkg 2.0.0 was installed over it; 1 instance (1 in Claude Desktop) still runs the code it started with.',
    );
    assert.match(said['tree: instance'], /version not known → 2\.0\.0/);
  });

  it('the pattern itself catches the old wordings', () => {
    for (const old of [
      'pkg changed unknown → missing',
      'already runs missing',
      'STALE: runs unknown, installed missing',
      'node unknown -> missing',
    ])
      assert.match(old, AS_VERSION, old);
  });
});

describe('wording: a generic script is named by its folder', () => {
  it('index.js, main.py, server.py are named after the folder (past dist, src...); other names as they are; a package first', () => {
    assert.equal(describeLaunch(['node', '/home/u/mcp-server-weather/index.js']), 'mcp-server-weather');
    assert.equal(describeLaunch(['node', '/home/u/mcp-server-weather/dist/index.js']), 'mcp-server-weather');
    assert.equal(describeLaunch(['python3', '/home/u/projects/notes-mcp/src/server.py']), 'notes-mcp');
    assert.equal(describeLaunch(['python3', '/srv/kb/main.py']), 'kb');
    assert.equal(describeLaunch(['node', '/home/u/tools/weather.js']), 'weather.js');
    assert.equal(
      describeLaunch(['node', '/x/node_modules/@modelcontextprotocol/server-memory/dist/index.js']),
      '@modelcontextprotocol/server-memory',
    );
  });
});

describe('wording: counts say how many entries', () => {
  it('a newer release of a package seven entries use: "7 entries use 2026.7.4", not one entry\'s name', () => {
    const u = { package: '@modelcontextprotocol/server-memory', installed: '2026.7.4', latest: '2026.8.31' };
    const servers = ['memory', 'a', 'b', 'c', 'd', 'e', 'f'].map((name) => server(name, { updateAvailable: u }));
    const [n, ...more] = decideNotifications(
      snapshot(servers),
      { seen: new Set(), muted: new Set() },
      { onUpgrade: false, onRegistryUpdate: true },
    );
    assert.equal(more.length, 0);
    assert.equal(n.message, '@modelcontextprotocol/server-memory 2026.8.31 is available (7 entries use 2026.7.4).');
    const [one] = decideNotifications(
      snapshot([servers[0]]),
      { seen: new Set(), muted: new Set() },
      { onUpgrade: false, onRegistryUpdate: true },
    );
    assert.equal(one.message, '@modelcontextprotocol/server-memory 2026.8.31 is available (memory uses 2026.7.4).');
  });
});
