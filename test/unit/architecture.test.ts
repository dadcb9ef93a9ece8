import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from '../support/repo';

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

const importRe = /(?:from\s+|require\(\s*|import\(\s*)['"]([^'"]+)['"]/g;

describe('architecture: imports point down only', () => {
  const core = path.join(repoRoot, 'src', 'core');

  it('src/core never imports vscode', () => {
    const offenders = sourceFiles(core).filter((f) => [...fs.readFileSync(f, 'utf8').matchAll(importRe)].some((m) => m[1] === 'vscode'));
    assert.deepEqual(offenders.map((f) => path.relative(repoRoot, f)), []);
  });

  it('src/core never imports a face (extension, cli, guard)', () => {
    const offenders: string[] = [];
    for (const f of sourceFiles(core)) {
      for (const m of fs.readFileSync(f, 'utf8').matchAll(importRe)) {
        if (!m[1].startsWith('.')) continue;
        const target = path.resolve(path.dirname(f), m[1]);
        if (!target.startsWith(core + path.sep) && target.startsWith(path.join(repoRoot, 'src'))) offenders.push(`${path.relative(repoRoot, f)} -> ${m[1]}`);
      }
    }
    assert.deepEqual(offenders, []);
  });

  it('the check itself sees a vscode import', () => {
    const sample = "import * as vscode from 'vscode';\nconst x = require('vscode');";
    assert.equal([...sample.matchAll(importRe)].filter((m) => m[1] === 'vscode').length, 2);
  });
});
