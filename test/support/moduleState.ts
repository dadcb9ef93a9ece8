import * as ts from 'typescript';

/**
 * What a source file keeps at module level that lives as long as the process: a `Map` or
 * `WeakMap` made at the top level or as a class's static field. The engine keeps such things in
 * its Engine's cache instead (base/engineCache.ts), so each Engine (an extension host, a CLI run,
 * a guard, a test) owns its own and none outlives it. Read with the TypeScript parser, so a comment
 * or a string that mentions `new Map` is not one.
 */
export function moduleMaps(text: string, file = 'file.ts'): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const out: string[] = [];
  const isMap = (e: ts.Expression | undefined): boolean =>
    !!e &&
    ts.isNewExpression(e) &&
    ts.isIdentifier(e.expression) &&
    (e.expression.text === 'Map' || e.expression.text === 'WeakMap');
  const line = (n: ts.Node) => source.getLineAndCharacterOfPosition(n.getStart()).line + 1;
  for (const statement of source.statements) {
    if (ts.isVariableStatement(statement))
      for (const d of statement.declarationList.declarations)
        if (isMap(d.initializer)) out.push(`${file}:${line(d)}: ${d.name.getText()}`);
    if (ts.isClassDeclaration(statement))
      for (const member of statement.members)
        if (
          ts.isPropertyDeclaration(member) &&
          member.modifiers?.some((m) => m.kind === ts.SyntaxKind.StaticKeyword) &&
          isMap(member.initializer)
        )
          out.push(`${file}:${line(member)}: ${statement.name?.text ?? 'class'}.${member.name.getText()}`);
  }
  return out;
}
