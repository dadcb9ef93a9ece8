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
  afterAll(): void {
    removeTempDirs();
    let left: string[] = [];
    try {
      left = fs.readdirSync(runTemp);
    } catch {
      return;
    }
    if (left.length > 0) {
      const names = left.slice(0, 12).join(', ') + (left.length > 12 ? ', ...' : '');
      process.stdout.write(`temp: ${left.length} entr${left.length === 1 ? 'y' : 'ies'} left behind by tests, removed: ${names}\n`);
    }
    fs.rmSync(runTemp, { recursive: true, force: true });
  },
};
