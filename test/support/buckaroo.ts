import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { PYTHON } from './run';
import { offlineVenv, OfflineVenv } from './venv';
import { pypiWheelhouseOf } from './toolCache';

/**
 * buckaroo from PyPI (`buckaroo[mcp]`, with `six` and `pandas` beside it) in a real venv, installed
 * offline from a wheelhouse cached once per pin set. The wheelhouse holds both releases, so a test
 * can upgrade buckaroo under its running MCP tool and the data server the tool started.
 */

export const BUCKAROO_OLD = '0.15.10';
export const BUCKAROO_NEW = '0.15.11';
const BESIDE = ['six==1.17.0', 'pandas==3.1.1'];
const WHEELHOUSE_KEY = `buckaroo-${BUCKAROO_OLD}-${BUCKAROO_NEW}-six-1.17.0-pandas-3.1.1`;

/** The wheelhouse (downloaded on first use, ~110 MB): each release of `buckaroo[mcp]` resolved with six and pandas. */
export function buckarooWheelhouse(): Promise<string> {
  return pypiWheelhouseOf(PYTHON, WHEELHOUSE_KEY, [
    [`buckaroo[mcp]==${BUCKAROO_OLD}`, ...BESIDE],
    [`buckaroo[mcp]==${BUCKAROO_NEW}`, ...BESIDE],
  ]);
}

export interface BuckarooVenv extends OfflineVenv {
  /** The MCP tool's console script, as buckaroo's docs configure it: `buckaroo-table`. */
  toolBin: string;
}

/**
 * A venv at `<root>/venv` holding `buckaroo[mcp]` at BUCKAROO_OLD (setup: a copy of a per-machine
 * template, compiled, see offlineVenv; `pip` upgrades it).
 */
export async function buckarooVenv(root: string): Promise<BuckarooVenv> {
  const wheelhouse = await buckarooWheelhouse();
  const venv = await offlineVenv(root, [wheelhouse], {
    holding: { requirements: [`buckaroo[mcp]==${BUCKAROO_OLD}`, ...BESIDE], findLinks: [wheelhouse] },
  });
  return { ...venv, toolBin: path.join(venv.venv, 'bin', 'buckaroo-table') };
}

/** What the data server says of itself on `/health` (loopback only). */
export function buckarooHealth(port: number): Promise<{ version: string; pid: number }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/health', timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => {
        try {
          resolve(JSON.parse(body) as { version: string; pid: number });
        } catch (err) {
          reject(err as Error);
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error('no answer from /health')));
    req.on('error', reject);
  });
}

/** A small CSV for `view_data`. */
export function smallCsv(dir: string): string {
  const file = path.join(dir, 'small.csv');
  fs.writeFileSync(file, 'city,visits\nLyon,3\nOslo,5\nLima,8\n');
  return file;
}
