import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CliWorker } from '../support/cliWorker';
import { cliPath, fixturesDir } from '../support/repo';
import { makeTempDir } from '../support/temp';
import { allFiles } from './support';

/**
 * A secret is a secret however its file spells it. The corpus (test/fixtures/secrets/spellings.json)
 * writes secrets into real client files the way tools write them: JSON with `\uXXXX` letters and `\/`
 * (Python's json.dumps, PHP), surrogate pairs, TOML basic, literal and multi-line strings (a value
 * cut by line-ending backslashes), YAML double-quoted (`\x`, `\u`, folded over lines), single-quoted,
 * plain and block scalars; in env values, headers, secret-named fields, URL credentials and the
 * token after `--token`. Each entry is rewritten through the built CLI (its commands run in turn in
 * one process, test/support/cliWorker.ts): `wrap`, `wrap --json`,
 * `wrap --yes`, `unwrap`, `unwrap --json`, `unwrap --yes`. No secret, and no piece of one as the
 * file spells it, may reach stdout, stderr or any file under MCP_LIFEGUARD_HOME. A failure names
 * the shape and the output, never the secret.
 */

interface Shape {
  name: string;
  file: 'cursor' | 'claude' | 'codex' | 'continue';
  shown: string;
  secrets: string[];
  pieces?: string[];
  entry: string[];
}

const corpus = JSON.parse(fs.readFileSync(path.join(fixturesDir, 'secrets', 'spellings.json'), 'utf8')) as {
  shapes: Shape[];
};

const RUNS: { name: string; args: (server: string) => string[] }[] = [
  { name: 'wrap', args: (s) => ['wrap', s] },
  { name: 'wrap --json', args: (s) => ['wrap', s, '--json'] },
  { name: 'wrap --yes', args: (s) => ['wrap', s, '--yes', '--install-guard'] },
  { name: 'unwrap', args: (s) => ['unwrap', s] },
  { name: 'unwrap --json', args: (s) => ['unwrap', s, '--json'] },
  { name: 'unwrap --yes', args: (s) => ['unwrap', s, '--yes'] },
];

/**
 * What must never be shown of a shape: its values as decoded and as `--json` escapes them, their
 * last 6 characters, and the pieces as written.
 */
function needles(shape: Shape): string[] {
  return [
    ...shape.secrets,
    ...shape.secrets.map((s) => JSON.stringify(s).slice(1, -1)),
    ...shape.secrets.map((s) => s.trimEnd().slice(-6)),
    ...(shape.pieces ?? []),
  ];
}

describe('secrets: every spelling of a secret in a client file stays out of wrap and unwrap (built CLI, real files)', function () {
  this.timeout(600_000);
  let root: string;
  let own: string;
  const files: Record<Shape['file'], string> = { cursor: '', claude: '', codex: '', continue: '' };
  /** Per shape, per run: the exit code, stdout and stderr. */
  const results: { shape: Shape; server: string; run: string; code: number; stdout: string; stderr: string }[] = [];
  const homeFiles: Record<string, string> = {};
  const cli = new CliWorker();

  after(() => cli.close());

  before(async () => {
    assert.ok(fs.existsSync(cliPath), 'dist/cli.js is built (npm run build) before the tests');
    assert.ok(corpus.shapes.length >= 17, `the corpus holds ${corpus.shapes.length} shapes`);
    root = makeTempDir('lg-spell-');
    const home = path.join(root, 'home');
    own = path.join(root, 'lg');
    files.cursor = path.join(home, '.cursor', 'mcp.json');
    files.claude = path.join(home, '.config', 'Claude', 'claude_desktop_config.json');
    files.codex = path.join(home, '.codex', 'config.toml');
    files.continue = path.join(home, '.continue', 'config.yaml');
    const entries: Record<Shape['file'], string[]> = { cursor: [], claude: [], codex: [], continue: [] };
    corpus.shapes.forEach((shape, i) => {
      const server = `spell-${i}`;
      const script = path.join(root, 'servers', `${server}.js`);
      entries[shape.file].push(shape.entry.join('\n').replaceAll('{SERVER}', server).replaceAll('{SCRIPT}', script));
    });
    const texts: Record<Shape['file'], string> = {
      cursor: `{\n  // Cursor: written by hand\n  "mcpServers": {\n${entries.cursor.join(',\n')}\n  }\n}\n`,
      claude: `{\n  "mcpServers": {\n${entries.claude.join(',\n')}\n  }\n}\n`,
      codex: `# Codex\n\n${entries.codex.join('\n\n')}\n`,
      continue: `name: spellings\nversion: 0.0.1\nschema: v1\nmcpServers:\n${entries.continue.join('\n')}\n`,
    };
    for (const [client, file] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, texts[client as Shape['file']], { mode: 0o600 });
    }
    const env = { PATH: process.env.PATH, HOME: home, MCP_LIFEGUARD_HOME: own };
    for (const [i, shape] of corpus.shapes.entries()) {
      const server = `spell-${i}`;
      for (const run of RUNS) {
        const r = await cli.run(run.args(server), env);
        results.push({ shape, server, run: run.name, ...r });
      }
    }
    for (const f of allFiles(own)) homeFiles[path.relative(root, f)] = fs.readFileSync(f, 'utf8');
  });

  it('every shape was rewritten both ways, and the line its secret stands on was in the diff', () => {
    const wrong = results.flatMap((r) => {
      const bad: string[] = [];
      if (r.code !== 0) bad.push(`exit ${r.code}`);
      if (r.run.endsWith('--json')) {
        const plan = JSON.parse(r.stdout) as { dryRun: boolean; files: unknown[] };
        if (!plan.dryRun || plan.files.length !== 1) bad.push(`plan ${JSON.stringify(plan.files.length)} files`);
      } else if (!new RegExp(`^(Would rewrite|Rewrote) ${r.server} in `, 'm').test(r.stdout)) bad.push('no rewrite');
      if (r.run === 'wrap' && !r.stdout.includes(r.shape.shown)) bad.push(`"${r.shape.shown}" not in the diff`);
      return bad.length ? [`  ${r.shape.name}, ${r.run}: ${bad.join('; ')}`] : [];
    });
    assert.deepEqual(wrong, [], wrong.join('\n'));
    assert.ok(
      Object.keys(homeFiles).some((f) => f.startsWith(path.join('lg', 'bin'))),
      'the guard was installed under MCP_LIFEGUARD_HOME',
    );
  });

  it('no shape leaks: no secret, nor a piece of one as the file spells it, in stdout, stderr or a file under MCP_LIFEGUARD_HOME', () => {
    const outputs: { where: string; text: string }[] = [
      ...results.flatMap((r) => [
        { where: `${r.run}: stdout`, text: r.stdout },
        { where: `${r.run}: stderr`, text: r.stderr },
      ]),
      ...Object.entries(homeFiles).map(([where, text]) => ({ where, text })),
    ];
    const leaked = corpus.shapes
      .map((shape) => ({
        name: shape.name,
        where: [...new Set(outputs.filter((o) => needles(shape).some((n) => o.text.includes(n))).map((o) => o.where))],
      }))
      .filter((l) => l.where.length > 0);
    const report = leaked.map((l) => `  ${l.name}: in ${l.where.join(', ')}`).join('\n');
    assert.equal(leaked.length, 0, `${leaked.length} of ${corpus.shapes.length} spellings leaked:\n${report}`);
  });
});
