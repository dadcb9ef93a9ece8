import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { removeTempDirs } from './temp';

/**
 * A mocha root-hook plugin: the whole run gets one private temp folder (TMPDIR points at it, for
 * the tests and every process they start), and what is left in it at the end is named and removed.
 * The tests still clean up after themselves; this line says which did not, and the machine keeps
 * nothing either way.
 */
const runTemp = fs.mkdtempSync(path.join(os.tmpdir(), 'lg-test-'));
process.env.TMPDIR = runTemp;

export const mochaHooks = {
  afterAll(this: Mocha.Context): void {
    // Removing a run's npm caches and venvs takes a while on a busy machine.
    this.timeout(300_000);
    removeTempDirs();
    let left: string[] = [];
    try {
      // tsx keeps its compile cache here (tsx-<uid>): the runner's, not a test's.
      left = fs.readdirSync(runTemp).filter((name) => !/^tsx-\d+$/.test(name));
    } catch {
      return;
    }
    if (left.length > 0) {
      // Grouped by prefix (mkdtemp's six random characters dropped): the prefix names the test that made it.
      const byPrefix = new Map<string, number>();
      for (const name of left) {
        const prefix = name.replace(/[A-Za-z0-9]{6}$/, '*');
        byPrefix.set(prefix, (byPrefix.get(prefix) ?? 0) + 1);
      }
      const names = [...byPrefix].map(([prefix, n]) => (n > 1 ? `${prefix} (${n})` : prefix)).join(', ');
      process.stdout.write(`temp: ${left.length} entr${left.length === 1 ? 'y' : 'ies'} left behind by tests, removed: ${names}\n`);
    }
    fs.rmSync(runTemp, { recursive: true, force: true });
  },
};
