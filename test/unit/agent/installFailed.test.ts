import * as assert from 'node:assert/strict';
import * as os from 'node:os';
import type { Snapshot } from '../../../src/core/base/model';
import type { Installed } from '../../../src/core/base/versionTypes';
import { runInstaller } from '../../../src/core/actions/runInstaller';
import { lifeguardPaths } from '../../../src/core/base/paths';
import { changeVersion } from '../../../src/agent/actions';
import { facts, serverRunning } from '../actions/installFacts';

const PREFIX = '/usr/local/lib/node_modules/@acme/srv';
const installed: Extract<Installed, { state: 'installed' }> = {
  state: 'installed',
  ecosystem: 'npm',
  name: '@acme/srv',
  version: '2.0.0',
  how: 'x',
  location: PREFIX,
};

/**
 * The agent face's upgrade_server when the installer fails: the installer's own error line, masked
 * as the extension's toast and the CLI say it (runInstaller's reason), never the raw end of its
 * output, which can hold what the environment's secrets are.
 */
describe('agent face: a failed install says the installer’s error line, masked', () => {
  it('a real installer process that fails: its reason line, no secret, no other output', async () => {
    const env = { ...process.env, NPM_TOKEN: 'zzz-agent-secret-value' };
    // An installer in npm's words, the token it was handed echoed on a line of its own.
    const script = [
      'console.log("added 0 packages with token " + process.env.NPM_TOKEN);',
      'console.error("npm error code ETARGET");',
      'console.error("npm error notarget No matching version found for @acme/srv@3.0.0 (" + process.env.NPM_TOKEN + ").");',
      'console.error("npm error A complete log of this run can be found in: /tmp/x.log");',
      'process.exit(1);',
    ].join('');
    const ran: string[] = [];
    const report = await changeVersion('upgrade', 'srv', '3.0.0', false, {
      snapshot: async () =>
        ({ servers: [serverRunning(installed, { version: '2.0.0' }, { verdict: 'current' })] }) as unknown as Snapshot,
      locksDir: '/nonexistent/locks',
      home: '/home/u',
      trustWorkspace: true,
      graceMs: 0,
      restartTimeoutMs: 0,
      stopDeps: {} as never,
      installs: {
        facts: facts([], ['/usr/local/lib/node_modules'], { npm: '/usr/local/bin/npm' }),
        run: (c) => {
          ran.push([c.command, ...c.args].join(' '));
          return runInstaller(
            { command: process.execPath, args: ['-e', script] },
            { cwd: os.tmpdir(), env, onOutput: () => undefined },
          );
        },
        paths: lifeguardPaths({ home: '/nonexistent-home', platform: 'linux', env: {} }),
      },
    });
    assert.equal(ran.length, 1, 'the plan ran');
    assert.equal(report.outcomes[0].kind, 'failed', JSON.stringify(report));
    const said = report.outcomes[0].message;
    assert.match(said, /exited with 1 \(.*npm error notarget No matching version found for @acme\/srv@3\.0\.0/);
    assert.match(said, /nothing was restarted/);
    assert.doesNotMatch(said, /zzz-agent-secret-value/);
    assert.doesNotMatch(said, /added 0 packages|complete log/);
  });
});
