import * as fs from 'node:fs';
import * as path from 'node:path';

function findRoot(start: string): string {
  let dir = start;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${start}`);
    dir = up;
  }
  return dir;
}

/** The project's root folder (where package.json is). */
export const repoRoot = findRoot(__dirname);
export const fixturesDir = path.join(repoRoot, 'test', 'fixtures');
/** The bundled CLI; `npm test` builds it before mocha runs. */
export const cliPath = path.join(repoRoot, 'dist', 'cli.js');
