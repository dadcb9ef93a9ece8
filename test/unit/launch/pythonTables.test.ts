import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { OptionTable } from '../../../src/core/launch/options';
import { PIPX_RUN, UV } from '../../../src/core/launch/tables/python';
import { fixturesDir } from '../../support/repo';

/**
 * The uv and pipx option tables against the real `--help` of the versions the integration tests
 * run (stored under test/fixtures/launch-help; to check a new release, store its help beside them
 * and add it here). A value-taking option read as a flag would make its value the package name.
 */
const HELPS: Array<{ file: string; table: OptionTable }> = [
  { file: 'uvx-0.13.9.txt', table: UV },
  { file: 'uv-tool-run-0.13.9.txt', table: UV },
  { file: 'uv-run-0.13.9.txt', table: UV },
  { file: 'pipx-run-1.18.4.txt', table: PIPX_RUN },
];

/**
 * The options a help text defines, each with whether it takes a value. An option line starts with
 * its names (`-w, --with <WITH>` in clap's help, `--index-url INDEX_URL, -i INDEX_URL` or
 * `--fetch-python {a,b}` in argparse's); a placeholder after any name makes every name on the line
 * take a value.
 */
export function helpOptions(text: string): Map<string, boolean> {
  const out = new Map<string, boolean>();
  for (const line of text.split(/\r?\n/)) {
    const head =
      /^ {1,8}(-{1,2}[A-Za-z0-9][\w-]*(?:[ =](?:<[^>]+>|[A-Z][A-Z0-9_]*\b|\{[^}]*\}))?(?:, -{1,2}[A-Za-z0-9][\w-]*(?:[ =](?:<[^>]+>|[A-Z][A-Z0-9_]*\b|\{[^}]*\}))?)*)/.exec(
        line,
      )?.[1];
    if (!head) continue;
    const names = [...head.matchAll(/(-{1,2}[A-Za-z0-9][\w-]*)([ =](?:<[^>]+>|[A-Z][A-Z0-9_]*\b|\{[^}]*\}))?/g)];
    const takesValue = names.some((m) => m[2] !== undefined);
    for (const m of names) out.set(m[1], takesValue || (out.get(m[1]) ?? false));
  }
  return out;
}

describe('launch: the uv and pipx option tables against their real --help', () => {
  it('reads both help styles (clap, argparse)', () => {
    const opts = helpOptions(
      '  -w, --with <WITH>\n          Run with\n      --isolated\n  --index-url INDEX_URL, -i INDEX_URL\n  --quiet, -q           Give less\n  --fetch-python {always,missing,never}\n',
    );
    assert.deepEqual(
      [...opts],
      [
        ['-w', true],
        ['--with', true],
        ['--isolated', false],
        ['--index-url', true],
        ['-i', true],
        ['--quiet', false],
        ['-q', false],
        ['--fetch-python', true],
      ],
    );
  });

  for (const { file, table } of HELPS) {
    it(`every value-taking option of ${file} is a value in the table, and none of its flags is`, () => {
      const opts = helpOptions(fs.readFileSync(path.join(fixturesDir, 'launch-help', file), 'utf8'));
      assert.ok(opts.size > 10, `read ${opts.size} options`);
      const missing = [...opts].filter(([o, v]) => v && table.options.get(o) !== 'value').map(([o]) => o);
      assert.deepEqual(missing, [], `options taking a value missing from the table`);
      const wrong = [...opts].filter(([o, v]) => !v && table.options.get(o) === 'value').map(([o]) => o);
      assert.deepEqual(wrong, [], `flags the table reads as taking a value`);
    });
  }
});
