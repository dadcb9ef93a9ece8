import * as fs from 'node:fs';
import * as path from 'node:path';
import { fixturesDir, repoRoot } from './repo';

/** What an installer does to a binary: a new file written beside it and renamed over it (the old one stays mapped). */
export function replaceFile(target: string, content: Buffer): void {
  const next = `${target}.new`;
  fs.writeFileSync(next, content, { mode: 0o755 });
  fs.renameSync(next, target);
}

/** A local server package `rt-server` in `root`/srv (package.json, dist/index.js on the real SDK) that prints `rt-server ready`. */
export function serverPackage(root: string): string {
  const dir = path.join(root, 'srv');
  fs.mkdirSync(path.join(dir, 'dist'), { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify({ name: 'rt-server', version: '1.0.0', type: 'module' }),
  );
  const script = path.join(dir, 'dist', 'index.js');
  fs.writeFileSync(
    script,
    `${fs.readFileSync(path.join(fixturesDir, 'guard', 'tiny-server.mjs'), 'utf8')}\nconsole.error('rt-server ready');\n`,
  );
  fs.symlinkSync(path.join(repoRoot, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  return script;
}
