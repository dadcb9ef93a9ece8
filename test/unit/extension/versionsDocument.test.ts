import * as assert from 'node:assert/strict';
import { versionDoctor } from '../../../src/core/report/versionDoctor';
import { useTranslator, english } from '../../../src/extension/viewModel/l10n';
import { versionsDocument, versionsFileName } from '../../../src/extension/viewModel/versionsDocument';
import { stdioConfig } from '../processes/support';
import { heldBack, MEM } from '../report/doctorFacts';
import { storedCaptures } from '../../support/storedCaptures';
import { recordedMachine } from '../../../src/core/machine/recorded';
import { Engine } from '../../../src/core/snapshot/engine';
import { gatherVersionFacts } from '../../../src/core/snapshot/versionFacts';

describe('Show Versions: the doctor answer as a read-only Markdown document', () => {
  afterEach(() => useTranslator(english));

  it('says why first, then what runs, what is installed where, each entry and the newest release', () => {
    const doc = versionsDocument(versionDoctor(heldBack()));
    const lines = doc.split('\n');
    const headings = lines.filter((l) => l.startsWith('#'));
    assert.deepEqual(headings, [
      '# Versions of memory',
      '## Why',
      '## Running',
      '## Installed',
      '## Entries',
      '## Newest release',
    ]);
    assert.equal(lines[2], `\`${MEM}\` (npm)`);
    // The pin that held the upgrade back, escaped for Markdown.
    assert.ok(
      lines.includes(
        `- Windsurf's entry memory \\(/home/u/windsurf.json\\) pins @modelcontextprotocol/server-memory@2026.7.4 for npx: it runs 2026.7.4 while the npm global install has 2026.8.31 \\(npm global prefix /usr/local\\); upgrading elsewhere does not change it \\(mcp-lifeguard upgrade memory rewrites the pin\\)`,
      ),
      doc,
    );
    assert.ok(lines.includes('| pid | client | runs | from | note |'), doc);
    // Each reason said once: a restart's under Why, an entry's under Entries.
    assert.ok(
      lines.includes(
        '| 41 | Cursor | 2026.7.4 \\(installed: 2026.8.31\\) | npm global prefix /usr/local | restart it \\(see Why\\) |',
      ),
      doc,
    );
    assert.ok(lines.includes('| 42 | Cursor | 2026.7.4 | npx cache /home/u/.npm/\\_npx/0a1b |  |'), doc);
    // What shows before the folded details: the next step and what runs against what is installed.
    assert.equal(lines[4], '**Restart pid 41 to run what is installed: Restart or Stop Stale Servers... does it.**');
    assert.ok(lines.includes('| 2026.7.4 | 2026.8.31 | Cursor | restart |'), doc);
    assert.ok(lines.includes('| 2026.7.4 | 2026.7.4 | Cursor | current |'), doc);
    assert.ok(
      lines.some((l) =>
        l.startsWith('| 41 | Cursor | 2026.7.4 \\(installed: 2026.8.31\\) | npm global prefix /usr/local |'),
      ),
      doc,
    );
    assert.ok(lines.includes('| 2026.7.4 | project \\(shadows the npm global 2026.8.31\\) | /w/app |  |'), doc);
    assert.ok(
      lines.some((l) => l.startsWith('| memory | Windsurf | /home/u/windsurf.json | npx 2026.7.4 | 2026.7.4 |')),
      doc,
    );
    assert.ok(lines.includes('- npm: 2026.8.31 \\(https://registry.npmjs.org/x, asked 2026-11-25T10:00:00Z\\)'), doc);
    assert.ok(
      lines.includes(
        '- MCP Registry: no answer \\(HTTP 500; https://registry.modelcontextprotocol.io, asked 2026-11-25T10:00:00Z\\)',
      ),
      doc,
    );
  });

  it('on a busy machine after an upgrade, opens on the one next step and what runs against what is installed in under 60 words; the rest is folded', async () => {
    const { capture } = storedCaptures().find((c) => c.name === 'linux-busy-3-upgraded')!;
    const machine = recordedMachine(capture.machine, {});
    const snapshot = await new Engine(machine, { registry: false, docker: false }).snapshot(capture.request);
    const facts = await gatherVersionFacts(snapshot, 'memory-local', {
      machine,
      workspaceFolders: capture.request.workspaceFolders ?? [],
      registry: false,
    });
    const doc = versionsDocument(versionDoctor(facts!), '29/11/2026, 06:40:00');
    const [shown, folded] = doc.split('\n<details>\n');
    assert.ok(folded, doc);
    // Words a reader reads: not the table's rules and pipes.
    const words = shown.split(/\s+/).filter((w) => /[\p{L}\p{N}?]/u.test(w));
    assert.ok(words.length < 60, `${words.length} words before the details:\n${shown}`);
    const lines = shown.split('\n');
    assert.ok(
      lines.includes('**Restart 7 instances to run what is installed: Restart or Stop Stale Servers... does it.**'),
      shown,
    );
    assert.ok(lines.includes('| Runs | Installed | Run by | State |'), shown);
    assert.ok(lines.includes('| 2026.7.4 | 2026.8.31 | VS Code ×3, Codex and Claude Desktop | restart |'), shown);
    assert.ok(lines.includes('| ? | 2026.7.4 | VS Code ×2 | restart |'), shown);
    assert.ok(lines.includes('| 2026.8.31 | 2026.8.31 | Claude Desktop | current |'), shown);
    // The package's own move is each row's two versions: no dependency moved here.
    assert.ok(!shown.includes('Moved'), shown);
    assert.ok(lines.includes('_As of 29/11/2026, 06:40:00._'), shown);
    // Nothing of the detail is lost: every pid is in the folded part, with its reason.
    for (const pid of [28466, 28477, 28583, 28504, 28527, 28540, 28855, 28561])
      assert.ok(folded.includes(`| ${pid} |`), String(pid));
    assert.ok(folded.trimEnd().endsWith('</details>'), folded);
  });

  it('where a restart will probably fail, it opens on Roll Back, never on Restart, and names the dependencies that moved', () => {
    const a = versionDoctor(heldBack());
    a.instances[0].moved = ['mcp 1.30.0 -> 2.3.0'];
    a.instances[0].restartRisk = 'Restart will probably fail: mcp.server.fastmcp raises at import in mcp 2.3.0';
    const [shown] = versionsDocument(a).split('\n<details>\n');
    const lines = shown.split('\n');
    assert.equal(
      lines[4],
      '**Restart will probably fail: mcp.server.fastmcp raises at import in mcp 2.3.0. Do not restart pid 41 yet: Roll Back Server... installs again the versions running now.**',
    );
    assert.ok(lines.includes('Moved under them since they started: mcp 1.30.0 -\\> 2.3.0.'), shown);
  });

  it('every label goes through the translator; a server with no package says why', () => {
    useTranslator(
      (message, ...args) => `⟦${args.reduce<string>((m, a, i) => m.replace(`{${i}}`, String(a)), message)}⟧`,
    );
    const doc = versionsDocument(versionDoctor(heldBack()));
    for (const h of doc.split('\n').filter((l) => l.startsWith('#'))) assert.match(h, /^#+ ⟦.*⟧$/);
    useTranslator(english);
    const c = stdioConfig('web', 'cursor', 'x', []);
    const none = versionsDocument(
      versionDoctor({
        server: 'web',
        noPackage: 'it is an HTTP server: its version is what it says when asked',
        entries: [{ ...c, instances: [] }],
        copies: [],
        releases: [],
      }),
    );
    assert.equal(
      none,
      '# Versions of web\n\nNo package to trace: it is an HTTP server: its version is what it says when asked.\n\n',
    );
  });

  it('a script server is shown by what it runs and what status says of it, never "No package to trace"', () => {
    const c = stdioConfig('proj', 'cursor', 'node', ['/w/proj/server.mjs']);
    const page = versionsDocument({
      ...versionDoctor({
        server: 'proj',
        script: {
          location: '/w/proj/server.mjs',
          how: 'the script /w/proj/server.mjs, importing zod 4.0.0 from /w/proj/node_modules',
        },
        entries: [{ ...c, instances: [] }],
        copies: [],
        releases: [],
      }),
      findings: ['mcp-lifeguard rollback proj installs again what pid 7 started with, if the new versions misbehave'],
    });
    assert.equal(
      page,
      '# Versions of proj\n\nA script no package installs. It runs the script /w/proj/server.mjs, importing zod 4.0.0 from /w/proj/node\\_modules.\n\n' +
        '- mcp-lifeguard rollback proj installs again what pid 7 started with, if the new versions misbehave\n\n',
    );
  });

  it('is kept in a file of its own per server, so a preview comes back after a reload: a safe name as it is, any other told apart', () => {
    assert.equal(versionsFileName('memory'), 'memory.versions.md');
    assert.equal(versionsFileName('io.github.x_y-z'), 'io.github.x_y-z.versions.md');
    const names = ['a/b', 'a_b', 'a\\b', '../etc', '..', 'é', 'e'];
    const files = names.map(versionsFileName);
    assert.equal(new Set(files).size, names.length, files.join(' '));
    for (const f of files) assert.match(f, /^[A-Za-z0-9_-][A-Za-z0-9._-]*\.versions\.md$/, f);
    assert.ok(versionsFileName('x'.repeat(500)).length < 120);
  });
});
