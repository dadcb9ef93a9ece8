import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';
import { sourceFiles } from '../support/importGraph';
import { repoRoot } from '../support/repo';

/**
 * One name per type: no two files of src/ export a type (alias, interface, class or enum) of the same
 * name. Two `GuardState`s (a guard's lifecycle, the extension's guard install, the CLI's launcher
 * check) read as one thing in a search, a review or an import list; each says what it holds instead.
 * A re-export (`export type { X } from './y'`) is the same type, not a second one.
 */

/** The type names a source text exports that it declares itself. */
export function exportedTypeNames(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const declared = new Set<string>();
  const exported: string[] = [];
  const isExported = (node: ts.Node): boolean =>
    ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
  for (const st of source.statements) {
    if (
      (ts.isTypeAliasDeclaration(st) ||
        ts.isInterfaceDeclaration(st) ||
        ts.isClassDeclaration(st) ||
        ts.isEnumDeclaration(st)) &&
      st.name
    ) {
      declared.add(st.name.text);
      if (isExported(st)) exported.push(st.name.text);
    }
  }
  // `export { Local, Local as Other }` of a type declared in the file.
  for (const st of source.statements)
    if (ts.isExportDeclaration(st) && !st.moduleSpecifier && st.exportClause && ts.isNamedExports(st.exportClause))
      for (const e of st.exportClause.elements)
        if (declared.has((e.propertyName ?? e.name).text)) exported.push(e.name.text);
  return [...new Set(exported)];
}

/** Each type name exported by more than one file, with the files (`name: a.ts, b.ts`). */
export function duplicateTypeNames(files: ReadonlyArray<{ file: string; text: string }>): string[] {
  const byName = new Map<string, string[]>();
  for (const { file, text } of files)
    for (const name of exportedTypeNames(file, text)) byName.set(name, [...(byName.get(name) ?? []), file]);
  return [...byName]
    .filter(([, where]) => where.length > 1)
    .map(([name, where]) => `${name}: ${where.sort().join(', ')}`)
    .sort();
}

/** Duplicates allowed, each with why: none. */
const KNOWN: string[] = [];

describe('one name per type', () => {
  it('no two files of src/ export a type of the same name', () => {
    const files = sourceFiles(path.join(repoRoot, 'src')).map((f) => ({
      file: path.relative(repoRoot, f).split(path.sep).join('/'),
      text: fs.readFileSync(f, 'utf8'),
    }));
    assert.deepEqual(duplicateTypeNames(files), KNOWN);
  });

  it('the check itself sees a duplicate, and not a re-export', () => {
    assert.deepEqual(
      duplicateTypeNames([
        { file: 'a.ts', text: 'export type State = { kind: "a" };\nexport interface Only { x: number }' },
        { file: 'b.ts', text: 'interface State { y: number }\nexport { State };\nexport type { Only } from "./a";' },
        { file: 'c.ts', text: 'export class Only {}\ntype Hidden = number;' },
        { file: 'd.ts', text: 'type Hidden = string;\nexport const State = 1;' },
      ]),
      ['Only: a.ts, c.ts', 'State: a.ts, b.ts'],
    );
  });
});
