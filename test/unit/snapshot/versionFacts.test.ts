import * as assert from 'node:assert/strict';
import type { ServerStatus } from '../../../src/core/base/model';
import type { Installed } from '../../../src/core/base/versionTypes';
import { packageOfEntry } from '../../../src/core/snapshot/versionFacts';

/** An entry with only what packageOfEntry reads. */
const entry = (installed: Installed): ServerStatus => ({ installed, instances: [] }) as unknown as ServerStatus;

describe('snapshot: the package an entry runs, for doctor and Show Versions', () => {
  it('a package is named; a script no package installs is none (a registry package of its name is someone else’s)', () => {
    const pkg: Installed = {
      state: 'installed',
      ecosystem: 'npm',
      name: '@modelcontextprotocol/server-memory',
      version: '2026.7.4',
      how: 'npm',
      location: '/p/node_modules/@modelcontextprotocol/server-memory',
    };
    assert.deepEqual(packageOfEntry(entry(pkg)), { ecosystem: 'npm', name: '@modelcontextprotocol/server-memory' });
    for (const [ecosystem, name] of [
      ['npm', 'server.js'],
      ['python', 'server.py'],
    ] as const) {
      const script: Installed = {
        state: 'installed',
        ecosystem,
        name,
        version: 'script',
        how: `the script /srv/${name}`,
        location: `/srv/${name}`,
        dev: { root: '/srv', how: 'a script no package installs', newest: [], script: true },
      };
      assert.equal(packageOfEntry(entry(script)), undefined, name);
    }
  });
});
