import { liveMachine, currentHostEnv } from '../../../src/core/machine/live';
import { noFiles } from '../../support/machines';
import * as assert from 'node:assert/strict';
import { bootFractionMs, parseUptimeSeconds, startLagMs } from '../../../src/core/pids/startLag';
import { judgeInstance } from '../../../src/core/versions/instanceEvidence';
import type { Installed } from '../../../src/core/base/versionTypes';

describe('pids: how early a start time reads', () => {
  it('reads /proc/uptime as seconds since boot in hundredths', () => {
    assert.equal(parseUptimeSeconds('350735.47 14087827.15\n'), 350735.47);
    assert.equal(parseUptimeSeconds('12 3\n'), 12);
    assert.equal(parseUptimeSeconds(''), undefined);
    assert.equal(parseUptimeSeconds('x 1\n'), undefined);
  });

  it('the fraction of a second /proc/stat btime dropped, plus two hundredths; a whole second when the clocks disagree', () => {
    const btime = 1_795_000_000;
    // Booted at btime + 0.266 s: now minus the uptime says so.
    assert.equal(bootFractionMs(btime, 1000.5, (btime + 1000.5) * 1000 + 266), 286);
    assert.equal(bootFractionMs(btime, 1000.5, (btime + 1000.5) * 1000), 20);
    assert.equal(bootFractionMs(btime, 1000.5, (btime + 1000.5) * 1000 + 995), 1000);
    // The wall clock stepped between the reads: no fraction can be told.
    assert.equal(bootFractionMs(btime, 1000.5, (btime + 1000.5) * 1000 + 5000), 1000);
    assert.equal(bootFractionMs(btime, 1000.5, (btime + 1000.5) * 1000 - 5000), 1000);
  });

  it('on this machine: within a second on Linux, whole on macOS and the BSDs, none on Windows', async function () {
    const on = (platform: NodeJS.Platform) => liveMachine({ ...currentHostEnv(), platform });
    assert.equal(await startLagMs(on('darwin')), 1000);
    assert.equal(await startLagMs(on('freebsd')), 1000);
    assert.equal(await startLagMs(on('win32')), 0);
    if (process.platform !== 'linux') this.skip();
    const lag = await startLagMs(on('linux'));
    assert.ok(lag >= 0 && lag <= 1000, String(lag));
  });
});

describe('versions: a file written just after the process began is not one it loaded', () => {
  const START = Date.parse('2026-11-25T04:30:00Z');
  const installed: Installed = {
    state: 'installed',
    ecosystem: 'npm',
    name: 'srv',
    version: '2.0.0',
    how: 'package.json above /app/node_modules/srv/index.js',
    location: '/app/node_modules/srv',
    changedAt: START + 1500,
  };
  const judged = (lag: number | undefined, changedAt: number) =>
    judgeInstance(
      {
        pid: 5,
        startTime: START,
        installed: { ...installed, changedAt },
        files: () => [{ path: '/app/node_modules/srv/package.json', at: changedAt }],
        installing: { known: undefined },
        now: changedAt + 60_000,
      },
      {
        readMaps: async () => undefined,
        fs: noFiles,
        compareReplaced: async () => new Map(),
        ...(lag !== undefined ? { startLag: async () => lag } : {}),
      },
    );

  it('an upgrade 1.5 s after a start time read 0.3 s early: changed, never current', async () => {
    const v = (await judged(300, START + 1500)).verdict;
    assert.equal(v.state, 'changed', JSON.stringify(v));
  });

  it('files written before the process began (npx installs, then starts it): current', async () => {
    const v = (await judged(300, START + 250)).verdict;
    assert.equal(v.state, 'current', JSON.stringify(v));
  });

  it('with a whole second of doubt (macOS `ps -o lstart`), a change 1.5 s after is still seen', async () => {
    const v = (await judged(1000, START + 1500)).verdict;
    assert.equal(v.state, 'changed', JSON.stringify(v));
  });
});
