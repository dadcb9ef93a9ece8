import type { Instance, ServerStatus } from '../../../src/core/base/model';
import type { Installed, VersionVerdict } from '../../../src/core/base/versionTypes';
import type { VersionFacts } from '../../../src/core/snapshot/versionFacts';
import { stdioConfig } from '../processes/support';

/** The facts of an upgrade that did nothing for one client (doctor's and Show Versions' tests). */

export const MEM = '@modelcontextprotocol/server-memory';
export const GLOBAL = `/usr/local/lib/node_modules/${MEM}`;
export const PROJECT = `/w/app/node_modules/${MEM}`;
export const NPX = `/home/u/.npm/_npx/0a1b/node_modules/${MEM}`;

export const npm = (location: string, version: string, how: string): Installed => ({
  state: 'installed',
  ecosystem: 'npm',
  name: MEM,
  version,
  how,
  location,
});

export function instance(pid: number, installed: Installed, verdict: VersionVerdict, running?: string): Instance {
  return {
    pid,
    ppid: 1,
    commandLine: 'node x',
    commandHash: 'h',
    client: { id: 'cursor', name: 'Cursor' },
    launcherChain: [],
    matchedBy: 'k',
    verdicts: [],
    versions: {
      installed,
      running: running
        ? { state: 'known', version: running, source: 'first-seen', how: 'first seen' }
        : { state: 'unknown', reason: 'x' },
      verdict,
    },
  };
}

export function entry(
  client: 'cursor' | 'windsurf',
  label: string,
  command: string,
  args: string[],
  installed: Installed,
  instances: Instance[] = [],
): ServerStatus {
  const c = stdioConfig('memory', client, command, args);
  return { ...c, source: { ...c.source, label, file: `/home/u/${client}.json` }, installed, instances };
}

/** An upgrade of the global install that did nothing for Windsurf: its npx entry pins the old release. */
export function heldBack(): VersionFacts {
  const oldNpx = npm(NPX, '2026.7.4', 'npx cache /home/u/.npm/_npx/0a1b');
  return {
    server: 'memory',
    package: { ecosystem: 'npm', name: MEM },
    entries: [
      entry(
        'cursor',
        'Cursor',
        'mcp-server-memory',
        [],
        npm(GLOBAL, '2026.8.31', `package.json above ${GLOBAL}/dist/index.js`),
        [
          instance(
            41,
            npm(GLOBAL, '2026.8.31', 'x'),
            {
              state: 'stale',
              package: MEM,
              ecosystem: 'npm',
              running: '2026.7.4',
              installed: '2026.8.31',
              movedDependencies: [],
              replacedFiles: [],
              runningHow: 'first seen',
              installedHow: 'x',
              summary: `${MEM} 2026.7.4 -> 2026.8.31`,
            },
            '2026.7.4',
          ),
        ],
      ),
      entry('windsurf', 'Windsurf', 'npx', ['-y', `${MEM}@2026.7.4`], oldNpx, [
        instance(42, oldNpx, { state: 'current', reason: 'same' }),
      ]),
    ],
    copies: [
      { place: 'npm-global', version: '2026.8.31', location: GLOBAL, how: 'npm global prefix /usr/local' },
      { place: 'npm-project', version: '2026.7.4', location: PROJECT, how: 'local node_modules of /w/app' },
      { place: 'npx-cache', version: '2026.7.4', location: NPX, how: 'npx cache /home/u/.npm/_npx/0a1b' },
    ],
    releases: [
      {
        source: 'npm',
        registry: 'https://registry.npmjs.org/x',
        latest: '2026.8.31',
        checkedAt: '2026-11-25T10:00:00Z',
      },
      {
        source: 'mcp-registry',
        registry: 'https://registry.modelcontextprotocol.io',
        error: 'HTTP 500',
        checkedAt: '2026-11-25T10:00:00Z',
      },
    ],
  };
}
