import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { sourceFiles } from '../support/importGraph';
import { repoRoot } from '../support/repo';

/**
 * The platform is a fact of the Machine: the engine reads a machine's paths by that machine's path
 * rules (`pathFor(machine.host)`: `path.win32` or `path.posix`) and asks its platform of
 * `machine.host.platform`, never of this process, so a Windows capture replays on Linux as it ran
 * on Windows. Only `machine/` (this machine's own files, written and opened here) uses this
 * process's rules, and says why where it does.
 */
const core = path.join(repoRoot, 'src', 'core');

/** The lines of a source file that are code, not comments. */
function codeLines(text: string): string[] {
  return text.split('\n').filter((line) => !/^\s*(\/\/|\*|\/\*)/.test(line));
}

/**
 * How a file takes this process's path rules from `node:path`: a namespace or default import, a
 * `require`, or a named import of anything but the explicit rules (`posix`, `win32`) and types.
 */
function hostPathImports(text: string): string[] {
  const code = codeLines(text).join('\n');
  const out: string[] = [];
  for (const m of code.matchAll(/import\s+(type\s+)?([^;]*?)\s+from\s+['"](?:node:)?path['"]/g)) {
    if (m[1]) continue;
    const clause = m[2].trim();
    const named = /^\{([^}]*)\}$/.exec(clause);
    if (!named) {
      out.push(`import ${clause}`);
      continue;
    }
    for (const part of named[1]
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)) {
      if (part.startsWith('type ')) continue;
      const name = part.split(/\s+as\s+/)[0];
      if (name !== 'posix' && name !== 'win32') out.push(`import { ${part} }`);
    }
  }
  for (const m of code.matchAll(/require\(\s*['"](?:node:)?path['"]\s*\)/g)) out.push(m[0]);
  return out;
}

/** Whether a file's code (not its comments) reads this process's platform. */
function readsProcessPlatform(text: string): boolean {
  return codeLines(text).some((line) => /\bprocess\.platform\b/.test(line));
}

const outsideMachine = (): Array<{ rel: string; text: string }> =>
  sourceFiles(core)
    .map((f) => ({ rel: path.relative(core, f).split(path.sep).join('/'), file: f }))
    .filter(({ rel }) => rel.split('/')[0] !== 'machine')
    .map(({ rel, file }) => ({ rel, text: fs.readFileSync(file, 'utf8') }));

describe("the platform is the machine's: the engine reads no path or platform of this process outside machine/", () => {
  it("no file of src/core outside machine/ takes node:path's rules of this process (only path.posix or path.win32 by name)", () => {
    const offenders = outsideMachine().flatMap(({ rel, text }) => hostPathImports(text).map((i) => `${rel}: ${i}`));
    assert.deepEqual(offenders, []);
  });

  it('no file of src/core outside machine/ reads process.platform: the Machine says its platform', () => {
    const offenders = outsideMachine()
      .filter(({ text }) => readsProcessPlatform(text))
      .map(({ rel }) => rel);
    assert.deepEqual(offenders, []);
  });

  it('the checks see each way of taking the host rules, and let the explicit ones and comments pass', () => {
    assert.deepEqual(
      hostPathImports(
        [
          "import * as path from 'node:path';",
          "import nodePath from 'path';",
          "import { join, posix, win32 as w, type ParsedPath } from 'node:path';",
          "import type { PlatformPath } from 'node:path';",
          "import { posix as p } from 'node:path';",
          "const q = require('node:path');",
          "// import * as path from 'node:path';",
        ].join('\n'),
      ),
      ['import * as path', 'import nodePath', 'import { join }', "require('node:path')"],
    );
    assert.equal(readsProcessPlatform("const p = process.platform === 'win32';"), true);
    assert.equal(readsProcessPlatform('// the default was process.platform'), false);
  });
});
