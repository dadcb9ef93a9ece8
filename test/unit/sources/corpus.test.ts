import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SOURCES } from '../../../src/core/sources/table';
import { Adapter } from '../../../src/core/sources/types';
import { repoRoot } from '../../support/repo';
import { Listing, placeable, placementOf, readCorpusFile, rowsOf } from './corpusReader';

/**
 * Real config files other people wrote (test/fixtures/corpus/<client>/<name>, each with the public
 * file it came from in `<name>.source`), each read as discovery reads it and compared with how its
 * client reads it (`<name>.expected.json`): every server, its launch or URL, whether it is off, and
 * every problem. A change in any adapter's reading of a real file fails here.
 */

const CORPUS = path.join(repoRoot, 'test', 'fixtures', 'corpus');
const SIDECARS = ['.source', '.expected.json'];
const SOURCE_LINE = /^https:\/\/github\.com\/[^/\s]+\/[^/\s]+\/blob\/[0-9a-f]{40}\/\S+$/;
/** Short env or header values ("1", "true") say nothing secret and can match any text. */
const MIN_SECRET_LENGTH = 4;
/**
 * Formats of which no public file was found, each with what it is: named here so that the gap
 * shows, and a corpus file of one fails the test until it is taken out.
 */
const NO_PUBLIC_FILE: Record<string, string> = {
  // VS Code reads `mcp.servers` of user settings from before mcp.json and migrates it there at once,
  // so the block hardly survives in a public settings file.
  'servers at mcp.servers': "VS Code's settings.json `mcp` block",
  // Kiro's Markdown agents (servers in YAML front matter) are new; no published one declares servers yet.
  adaptAgentFile: "Kiro's Markdown agent files",
};

interface CorpusFile {
  client: string;
  name: string;
  file: string;
}

function corpusFiles(): CorpusFile[] {
  return fs
    .readdirSync(CORPUS, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) =>
      fs
        .readdirSync(path.join(CORPUS, d.name))
        .filter((name) => !SIDECARS.some((s) => name.endsWith(s)))
        .sort()
        .map((name) => ({ client: d.name, name, file: path.join(CORPUS, d.name, name) })),
    );
}

/**
 * A listing's text where a secret would be a leak: all of it but the servers' commands, which their
 * files write openly and the product never masks (a `PYTHONPATH` value is often the start of the
 * interpreter's path beside it).
 */
function exposed(listing: Listing): string {
  // `readAs` is where the test put the file, not what the file says.
  return JSON.stringify({
    ...listing,
    readAs: undefined,
    servers: listing.servers.map(({ command: _command, ...rest }) => rest),
  });
}

/** A value the file writes more than once (an env value that is also another server's argument) is written openly. */
const writtenOpenly = (text: string, value: string): boolean => text.split(value).length > 2;

/** What a row's adapter reads: the same map of a JSON file, or the same function. */
function formatOf(adapter: Adapter): string {
  return adapter.serversAt ? `servers at ${adapter.serversAt.join('.')}` : adapter.name;
}

describe('sources: the corpus of real config files', () => {
  const files = corpusFiles();

  it('every folder is a client the source table reads', () => {
    const folders = fs.readdirSync(CORPUS, { withFileTypes: true }).filter((d) => d.isDirectory());
    const unknown = folders.filter((d) => rowsOf(d.name).length === 0).map((d) => d.name);
    assert.deepEqual(unknown, [], `corpus folders named for no client of the source table: ${unknown.join(', ')}`);
  });

  it('holds at least 80 files, and every format the source table reads', async () => {
    assert.ok(files.length >= 80, `only ${files.length} corpus files`);
    const covered = new Set<string>();
    for (const f of files) {
      const placed = await placementOf(f.client, f.name);
      if (placed) covered.add(formatOf(placed.spec.adapter));
    }
    // A row found only through other files (a client's records of its plugins) cannot take one file.
    const formats = new Set<string>();
    for (const spec of SOURCES) if (await placeable(spec)) formats.add(formatOf(spec.adapter));
    const missing = [...formats].filter((a) => !covered.has(a) && !(a in NO_PUBLIC_FILE));
    assert.deepEqual(missing, [], `formats no corpus file is read by: ${missing.join(', ')}`);
    const nowCovered = Object.keys(NO_PUBLIC_FILE).filter((a) => covered.has(a));
    assert.deepEqual(nowCovered, [], `formats a corpus file now reads, to take out of NO_PUBLIC_FILE: ${nowCovered}`);
  });

  it('every file has its public source and its expected listing', () => {
    const problems: string[] = [];
    for (const f of files) {
      const source = `${f.file}.source`;
      if (!fs.existsSync(source)) problems.push(`${f.client}/${f.name}: no .source`);
      else if (!SOURCE_LINE.test(fs.readFileSync(source, 'utf8').split('\n')[0]))
        problems.push(`${f.client}/${f.name}.source: first line is not a GitHub blob URL at a commit`);
      if (!fs.existsSync(`${f.file}.expected.json`)) problems.push(`${f.client}/${f.name}: no .expected.json`);
    }
    // A sidecar whose file is gone would stand for nothing.
    for (const d of fs.readdirSync(CORPUS, { withFileTypes: true }).filter((e) => e.isDirectory()))
      for (const name of fs.readdirSync(path.join(CORPUS, d.name)))
        for (const s of SIDECARS)
          if (name.endsWith(s) && !fs.existsSync(path.join(CORPUS, d.name, name.slice(0, -s.length))))
            problems.push(`${d.name}/${name}: sidecar of no file`);
    assert.deepEqual(problems, []);
  });

  for (const f of files) {
    it(`${f.client}/${f.name} is listed as its client reads it`, async () => {
      const placed = await placementOf(f.client, f.name);
      assert.ok(placed, `no source row of client "${f.client}" reads a file`);
      const text = fs.readFileSync(f.file, 'utf8');
      const { listing, secrets } = await readCorpusFile(placed, text);
      const got = JSON.stringify(listing, null, 2);
      const expectedFile = `${f.file}.expected.json`;
      assert.ok(fs.existsSync(expectedFile), `no ${path.basename(expectedFile)}; the product reads it as:\n${got}`);
      const expectedText = fs.readFileSync(expectedFile, 'utf8');
      const expected = JSON.parse(expectedText) as Listing;
      for (const secret of secrets.filter((s) => s.length >= MIN_SECRET_LENGTH && !writtenOpenly(text, s))) {
        assert.ok(!exposed(listing).includes(secret), `a value of env or headers is listed: ${secret.slice(0, 2)}...`);
        assert.ok(
          !exposed(expected).includes(secret),
          `a value of env or headers is in ${path.basename(expectedFile)}`,
        );
      }
      assert.deepEqual(listing, expected, `the product reads it as:\n${got}`);
    });
  }
});
