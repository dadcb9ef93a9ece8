#!/usr/bin/env node
// Lists every message the extension shows (the first argument of each `t(...)` call in
// src/extension, and in the core folders whose functions take the extension's `t` as their
// translator: MESSAGE_DIRS) in l10n/bundle.l10n.json, the English bundle translators start from.
//   node scripts/l10n.mjs          writes it
//   node scripts/l10n.mjs --check  exits 1 when it is not current, or a call's message is not a literal
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bundleFile = path.join(root, 'l10n', 'bundle.l10n.json');

function tsFiles(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? tsFiles(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

/** Where the extension's messages are written: its own sources, and the config editors it hands `t` to. */
export const MESSAGE_DIRS = [
  path.join(root, 'src', 'extension'),
  path.join(root, 'src', 'core', 'configEdit'),
  path.join(root, 'src', 'core', 'report'),
];

/** Every message of `t('...')` and `vscode.l10n.t('...')`, and the calls whose message is not a literal. */
export function extractMessages(dirs = MESSAGE_DIRS) {
  const messages = new Set();
  const problems = [];
  for (const file of [dirs].flat().flatMap(tsFiles).sort()) {
    const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
    const visit = (node) => {
      if (ts.isCallExpression(node)) {
        const callee = node.expression.getText(source);
        if (callee === 't' || callee === 'vscode.l10n.t' || callee === 'l10n.t') {
          const first = node.arguments[0];
          if (first && (ts.isStringLiteral(first) || ts.isNoSubstitutionTemplateLiteral(first)))
            messages.add(first.text);
          // The one pass-through: activation hands vscode.l10n.t to the view-model's translator.
          else if (!(
            ts.isArrowFunction(node.parent) &&
            ts.isCallExpression(node.parent.parent) &&
            node.parent.parent.expression.getText(source) === 'useTranslator'
          )) {
            const { line } = source.getLineAndCharacterOfPosition(node.getStart(source));
            problems.push(
              `${path.relative(root, file)}:${line + 1}: ${callee}(...) needs a string literal as its message`,
            );
          }
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  const bundle = Object.fromEntries([...messages].sort().map((m) => [m, m]));
  return { bundle, problems };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { bundle, problems } = extractMessages();
  for (const p of problems) process.stderr.write(`${p}\n`);
  const text = `${JSON.stringify(bundle, null, 2)}\n`;
  if (process.argv.includes('--check')) {
    const current = fs.existsSync(bundleFile) ? fs.readFileSync(bundleFile, 'utf8') : '';
    if (current !== text) process.stderr.write('l10n/bundle.l10n.json is not current: run node scripts/l10n.mjs\n');
    process.exit(problems.length || current !== text ? 1 : 0);
  }
  fs.mkdirSync(path.dirname(bundleFile), { recursive: true });
  fs.writeFileSync(bundleFile, text);
  process.stdout.write(`${Object.keys(bundle).length} messages in ${path.relative(root, bundleFile)}\n`);
  process.exit(problems.length ? 1 : 0);
}
