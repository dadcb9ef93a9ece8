import * as assert from 'node:assert/strict';
import type { ServerStatus } from '../../../src/core/base/model';
import type { Installed } from '../../../src/core/base/versionTypes';
import { installServes } from '../../../src/core/actions/installServes';
import { rollbackPlan, rollbackText } from '../../../src/core/actions/rollback';
import { upgradePlan, upgradeText } from '../../../src/core/actions/upgrade';
import { stdioConfig } from '../processes/support';
import { facts, serverRunning } from './installFacts';

type Inst = Extract<Installed, { state: 'installed' }>;

/**
 * uvx reuses an installed `uv tool` that satisfies an entry's pin (`uvx mcp-server-time@OLD` runs
 * from the tool `uv tool install mcp-server-time==OLD` made for another entry): the pin, not the
 * tool, is what the entry follows. Its Upgrade and Roll back move the pin; the tool's own upgrade
 * or roll back serves only the entries that follow the tool.
 */

const OLD = '2026.8.18';
const NEW = '2026.10.19';
const UVX = '/py/3.11/bin/uvx';
const TOOL = '/h/.local/share/uv/tools/mcp-server-time';
const SITE = `${TOOL}/lib/python3.11/site-packages`;
const RECEIPT = `[tool]\nrequirements = [{ name = "mcp-server-time", specifier = "==${OLD}" }]\npython = "3"\n`;

const tool = (version: string): Inst => ({
  state: 'installed',
  ecosystem: 'python',
  name: 'mcp-server-time',
  version,
  how: `uv tool ${TOOL}`,
  location: `${SITE}/mcp_server_time-${version}.dist-info`,
  sitePackages: SITE,
  environment: { hash: 'h', packages: { mcp: '1.30.0' }, scope: 'closure' },
});

/** `time`: `uvx mcp-server-time@PIN` in Claude Desktop; `clock`: the tool's own bin in Claude Code; `loose`: unpinned uvx. */
function machine(pin: string, installed: Inst, runs: string): ServerStatus[] {
  const running = serverRunning(
    installed,
    { version: runs, packages: { mcp: '1.20.0' } },
    {
      verdict: 'current',
    },
  );
  return [
    { ...running, ...stdioConfig('time', 'claude-desktop', UVX, [`mcp-server-time@${pin}`]) },
    { ...stdioConfig('clock', 'claude-code', '/h/.local/bin/mcp-server-time', []), installed, instances: [] },
    { ...stdioConfig('loose', 'cursor', UVX, ['mcp-server-time']), installed, instances: [] },
  ];
}

/** The tool's venv, made from /py/3.11's Python (as uv writes pyvenv.cfg), with uv beside it (`pip install uv`); no uv on PATH. */
const onMachine = (interpreter = ['/py/3.11/bin/python3.11']) =>
  facts(
    ['/py/3.11/bin/uv', ...interpreter],
    [],
    {},
    {
      [`${TOOL}/uv-receipt.toml`]: RECEIPT,
      [`${TOOL}/pyvenv.cfg`]: 'home = /py/3.11/bin\nimplementation = CPython\nversion_info = 3.11.9\n',
    },
  );

describe('actions: an entry that pins its release to uvx follows its pin, whatever uv tool uvx reused for it', () => {
  it("Upgrade of the pinned entry moves its pin; the tool's upgrade lists only the entries that follow the tool", () => {
    const [time, clock] = machine(OLD, tool(OLD), OLD);
    const pin = upgradePlan(time, NEW, onMachine());
    assert.deepEqual(pin, {
      kind: 'pin',
      serverName: 'time',
      package: 'mcp-server-time',
      ecosystem: 'python',
      runner: 'uvx',
      from: OLD,
      to: NEW,
    });
    const servers = machine(OLD, tool(OLD), OLD);
    const install = upgradePlan(clock, NEW, onMachine());
    assert.ok(install.kind === 'install', JSON.stringify(install));
    assert.deepEqual(
      installServes(servers, tool(OLD)).map((s) => s.name),
      ['clock', 'loose'],
      'the pinned entry is not served by the tool',
    );
    assert.ok(!upgradeText(install, installServes(servers, tool(OLD))).some((l) => /\btime in\b/.test(l)));
  });

  it('with its pinned release nowhere on disk (the tool moved on), Upgrade still moves the pin from what the entry pins', () => {
    const time: ServerStatus = {
      ...stdioConfig('time', 'claude-desktop', UVX, [`mcp-server-time@${OLD}`]),
      instances: [],
    };
    const plan = upgradePlan(time, NEW, onMachine());
    assert.ok(plan.kind === 'pin', JSON.stringify(plan));
    assert.deepEqual([plan.from, plan.to, plan.runner], [OLD, NEW, 'uvx']);
    assert.equal(upgradePlan(time, OLD, onMachine()).kind, 'refused');
  });

  it('Roll back of a pin the upgrade wrote puts the pin back, while uvx runs the tool at the new pin; never a tool install', () => {
    const record = { server: 'time', package: 'mcp-server-time', from: OLD, to: NEW, at: 't' };
    const [time] = machine(NEW, tool(NEW), NEW);
    const plan = rollbackPlan(time, onMachine(), record);
    assert.ok(plan.kind === 'pin', JSON.stringify(plan));
    assert.deepEqual([plan.from, plan.to], [NEW, OLD]);
    // During the session: the new pin, the tool still at the old release, the process on it.
    const [during] = machine(NEW, tool(OLD), OLD);
    const back = rollbackPlan(during, onMachine(), record);
    assert.ok(back.kind === 'pin', JSON.stringify(back));
    assert.deepEqual([back.from, back.to], [NEW, OLD]);
  });

  it("Roll back of the tool itself: its own requirement alone through uv tool install (no --with pins in uv's receipt), nothing said left installed", () => {
    const servers = machine(OLD, tool(NEW), OLD);
    const clock = { ...servers[0], ...stdioConfig('clock', 'claude-code', '/h/.local/bin/mcp-server-time', []) };
    const plan = rollbackPlan(clock, onMachine());
    assert.ok(plan.kind === 'plan', JSON.stringify(plan));
    assert.deepEqual(plan.command, {
      command: '/py/3.11/bin/uv',
      args: ['tool', 'install', `mcp-server-time==${OLD}`, '--python', '/py/3.11/bin/python3.11'],
    });
    assert.deepEqual(plan.pins, [{ name: 'mcp-server-time', version: OLD, now: NEW }]);
    assert.deepEqual(plan.resolved, ['mcp']);
    assert.deepEqual(plan.kept, []);
    assert.ok(rollbackText(plan).some((l) => /as uv resolves them for that version, not pinned: mcp\b/.test(l)));
    // The receipt's `--python 3` is never passed (a face's PATH answers it): without the tool's own
    // interpreter, uv pip installs into the tool's environment.
    const inPlace = rollbackPlan(clock, onMachine([]));
    assert.ok(inPlace.kind === 'plan', JSON.stringify(inPlace));
    assert.deepEqual(inPlace.command.args, [
      'pip',
      'install',
      '--python',
      `${TOOL}/bin/python`,
      `mcp-server-time==${OLD}`,
      'mcp==1.20.0',
    ]);
  });

  it("finds uv beside the entry's own uvx before PATH, then on PATH, then beside the Python the venv was made from", () => {
    const receipt = { [`${TOOL}/uv-receipt.toml`]: RECEIPT };
    const loose = (s: ServerStatus[]) => s[2];
    const servers = machine(OLD, tool(OLD), OLD);
    const uvOf = (f: ReturnType<typeof facts>) => {
      const plan = upgradePlan(loose(servers), NEW, f);
      return plan.kind === 'install' ? plan.command.command : plan.kind === 'refused' ? plan.message : plan.kind;
    };
    assert.equal(
      uvOf(facts([`${TOOL}/pyvenv.cfg`, '/py/3.11/bin/uv'], [], { uv: '/shims/uv' }, receipt)),
      '/py/3.11/bin/uv',
    );
    assert.equal(uvOf(facts([`${TOOL}/pyvenv.cfg`], [], { uv: '/shims/uv' }, receipt)), '/shims/uv');
    const cfg = { ...receipt, [`${TOOL}/pyvenv.cfg`]: 'home = /py/3.12/bin\n' };
    assert.equal(uvOf(facts(['/py/3.12/bin/uv'], [], {}, cfg)), '/py/3.12/bin/uv');
    assert.match(uvOf(facts([`${TOOL}/pyvenv.cfg`], [], {}, receipt)), /no uv was found/);
  });

  it("a uv tool run by its own program finds the uv in that program's folder (uv's bin folder, where uv's installer puts uv) before PATH", () => {
    const receipt = { [`${TOOL}/uv-receipt.toml`]: RECEIPT };
    const clock = machine(OLD, tool(OLD), OLD)[1];
    const uvOf = (f: ReturnType<typeof facts>) => {
      const plan = upgradePlan(clock, NEW, f);
      return plan.kind === 'install' ? plan.command.command : plan.kind === 'refused' ? plan.message : plan.kind;
    };
    assert.equal(
      uvOf(facts([`${TOOL}/pyvenv.cfg`, '/h/.local/bin/uv'], [], { uv: '/shims/uv' }, receipt)),
      '/h/.local/bin/uv',
    );
    // Without one there: PATH's, as before.
    assert.equal(uvOf(facts([`${TOOL}/pyvenv.cfg`], [], { uv: '/shims/uv' }, receipt)), '/shims/uv');
  });
});
