import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from '../../support/repo';

const ext = path.join(repoRoot, 'src', 'extension');
const importRe = /(?:from\s+|require\(\s*|import\(\s*)['"]([^'"]+)['"]/g;

function imports(file: string): string[] {
  return [...fs.readFileSync(file, 'utf8').matchAll(importRe)].map((m) => m[1]);
}

function tsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? tsFiles(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

describe('extension architecture', () => {
  it('the view-model and the node-only helpers never import vscode (they are tested outside VS Code)', () => {
    const pure = [
      ...tsFiles(path.join(ext, 'viewModel')),
      ...['commandIds.ts', 'eventClaim.ts', 'refreshQueue.ts', 'engine.ts'].map((f) => path.join(ext, f)),
    ];
    const offenders = pure.filter((f) => imports(f).includes('vscode')).map((f) => path.relative(repoRoot, f));
    assert.deepEqual(offenders, []);
  });

  it('the extension reaches other areas only through src/core (and the types of its public API, api/mcp-lifeguard.d.ts)', () => {
    const offenders: string[] = [];
    for (const f of tsFiles(ext)) {
      for (const spec of imports(f)) {
        if (!spec.startsWith('.')) continue;
        const target = path.resolve(path.dirname(f), spec);
        if (target === path.join(repoRoot, 'api', 'mcp-lifeguard')) continue;
        const rel = path.relative(path.join(repoRoot, 'src'), target);
        if (!rel.startsWith('extension') && !rel.startsWith('core'))
          offenders.push(`${path.relative(repoRoot, f)} -> ${spec}`);
      }
    }
    assert.deepEqual(offenders, []);
  });

  it('one arrow style in what the extension shows: → (format.ARROW), never ->', () => {
    const offenders: string[] = [];
    for (const f of tsFiles(ext)) {
      fs.readFileSync(f, 'utf8')
        .split('\n')
        .forEach((line, k) => {
          // Comments may say "a -> b"; code that builds text may not.
          if (!/^\s*(\/\/|\*|\/\*)/.test(line) && line.includes(' -> '))
            offenders.push(`${path.relative(repoRoot, f)}:${k + 1}`);
        });
    }
    assert.deepEqual(offenders, []);
  });
});
