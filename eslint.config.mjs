import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.vscode-test/**', 'test/fixtures/**', 'docs/examples/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    // The engine is plain Node: every face uses it, it uses none of them.
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'vscode', message: 'src/core is plain Node and never imports vscode.' }],
          patterns: [
            {
              group: ['**/extension/**', '**/cli/**', '**/guard/**'],
              message: 'Imports point down only: src/core never uses a face.',
            },
          ],
        },
      ],
    },
  },
  {
    // Code that runs once per configured server, process or instance. Node 20's V8 gives every
    // object built as `{ ...a, b }` (a spread first, anything after it) a hidden class of its own:
    // 20,000 entries made 20,000 maps, megamorphic reads downstream and a tenth of `status`'s time
    // (docs/benchmarks.md, Status). Object.assign({}, a, { b }) builds the same object with shared
    // maps. Its sources here are the engine's own objects, never parsed JSON (a "__proto__" key
    // would be set, not copied).
    files: [
      'src/core/sources/normalize.ts',
      'src/core/launch/parse.ts',
      'src/core/processes/*.ts',
      'src/core/snapshot/build.ts',
      'src/core/versions/{attach,resolve,instanceEvidence,judge}.ts',
      'src/cli/format/status.ts',
      'src/extension/viewModel/{tree,treeUpdate}.ts',
    ],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "ObjectExpression[properties.length>1][properties.0.type='SpreadElement']",
          message:
            'A leading spread followed by more members gives each object its own hidden class on Node 20: use Object.assign({}, a, { b }) (eslint.config.mjs says why).',
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
