import * as assert from 'node:assert/strict';
import { parse } from 'jsonc-parser';
import {
  cliWords,
  ConfigEditPlan,
  formatPlan,
  guardState,
  planConfigEdits,
  redactedDiff,
} from '../../../src/cli/commands/wrap';
import { isShareWrapped, wrappedName } from '../../../src/core/configEdit/guardCommand';
import { runCli } from '../../../src/cli/run';
import { CliIo } from '../../../src/cli/io';
import { unifiedDiff } from '../../../src/core/configEdit/unifiedDiff';
import { redactConfigLine } from '../../../src/core/configEdit/redactConfigText';
import { server, source } from '../extension/fixtures';
import { dataKey } from '../../../src/core/sources/dataPaths';

const CLAUDE_FILE = '/home/u/.config/Claude/claude_desktop_config.json';
const CURSOR_FILE = '/home/u/.cursor/mcp.json';
const CODEX_FILE = '/home/u/.codex/config.toml';
const LAUNCHER = '/home/u/.local/state/mcp-lifeguard/bin/mcp-lifeguard';

const texts: Record<string, string> = {
  [CLAUDE_FILE]: `{\n  "mcpServers": {\n    "memory": { "command": "npx", "args": ["-y", "@modelcontextprotocol/server-memory"], "env": { "TOKEN": "abc" } }\n  }\n}\n`,
  [CURSOR_FILE]: `{\n  // mine\n  "mcpServers": {\n    "memory": { "command": "npx", "args": ["-y", "@modelcontextprotocol/server-memory"] }\n  }\n}\n`,
  [CODEX_FILE]: `[mcp_servers.memory]\ncommand = "npx"\nargs = ["-y", "@modelcontextprotocol/server-memory"]\n`,
};

const memory = (file: string, label: string, over = {}) =>
  server('memory', {
    source: source({ file, label, client: label === 'Codex' ? 'codex' : 'claude-desktop' }),
    launchKey: 'stdio:memory',
    ...(label === 'Codex' ? { keyPath: ['mcp_servers', 'memory'] } : {}),
    ...over,
  });

const servers = [
  memory(CLAUDE_FILE, 'Claude Desktop'),
  memory(CURSOR_FILE, 'Cursor'),
  memory(CODEX_FILE, 'Codex'),
  server('other', { source: source({ file: CURSOR_FILE, label: 'Cursor' }), launchKey: 'stdio:other' }),
];

const plan = (over: Partial<Parameters<typeof planConfigEdits>[0]> = {}) =>
  planConfigEdits({
    verb: 'wrap',
    target: 'memory',
    share: true,
    servers,
    launcher: LAUNCHER,
    read: (f) => texts[f] ?? new Error('ENOENT'),
    refusal: () => undefined,
    ...over,
  });

function ok(p: ReturnType<typeof planConfigEdits>): ConfigEditPlan {
  if ('error' in p) assert.fail(p.error);
  return p;
}

describe('CLI wrap/unwrap: planning and printing', () => {
  it('wrap --share plans every client entry of the same launch, one file each, and leaves other servers alone', () => {
    const p = ok(plan());
    assert.deepEqual(
      p.files.map((f) => f.file),
      [CLAUDE_FILE, CURSOR_FILE, CODEX_FILE],
    );
    for (const f of p.files) {
      assert.ok(f.after.includes(LAUNCHER));
      assert.match(
        f.after,
        /"run",\s*"--on-conflict",\s*"share",\s*"--name",\s*"memory",\s*"--resource=stdio:memory",\s*"--",\s*"npx"/,
      );
    }
    assert.ok(p.files[1].after.includes('// mine'), 'comments kept');
    assert.deepEqual(p.left, []);
  });

  it("wrap and wrap --share key the guard's lock by the data the entries name, else by their identity, never by a folder", () => {
    // The entries name a palace (`--palace /p`): every client's guard locks on it, wherever it starts.
    const palace = [{ from: '--palace', key: dataKey('/home/u/palace') }];
    for (const share of [true, false]) {
      const p = ok(
        plan({ share, servers: servers.map((s) => (s.name === 'memory' ? { ...s, dataPaths: palace } : s)) }),
      );
      assert.match(p.resource ?? '', /^data:[0-9a-f]{16}$/);
      assert.equal(p.resource, dataKey('/home/u/palace'));
      for (const f of p.files) {
        assert.match(f.after, new RegExp(`"--name",\\s*"memory",\\s*"--resource=${p.resource}",\\s*"--",\\s*"npx"`));
        assert.ok(!f.after.includes('/home/u/palace'), 'the path itself is never written');
      }
      assert.match(
        formatPlan(
          p,
          p.files.map(() => ''),
          { dryRun: true },
        ),
        share ? new RegExp(`--resource=${p.resource}`) : /./,
      );
    }
    // No data named: the server's identity (its launch key), the same in every client's entry.
    const p = ok(plan());
    assert.equal(p.resource, 'stdio:memory');
    for (const f of p.files) assert.ok(f.after.includes('--resource=stdio:memory'), f.after);
    assert.ok(
      p.files.every((f) => !/--resource",|--resource\s*"/.test(f.after)),
      'one argument: --resource=KEY',
    );
  });

  it('wrap --idle-stop writes `run --idle-stop SECONDS` into every entry (with or without --share); 0 is refused', async () => {
    for (const share of [false, true]) {
      const p = ok(plan({ share, idleStopSeconds: 600 }));
      assert.equal(p.idleStopSeconds, 600);
      for (const f of p.files)
        assert.match(
          f.after,
          share
            ? /"run",\s*"--on-conflict",\s*"share",\s*"--idle-stop",\s*"600",\s*"--name",\s*"memory",\s*"--resource=stdio:memory",\s*"--",\s*"npx"/
            : /"run",\s*"--idle-stop",\s*"600",\s*"--name",\s*"memory",\s*"--resource=stdio:memory",\s*"--",\s*"npx"/,
        );
    }
    assert.equal(
      ok(plan({ share: false })).files.some((f) => f.after.includes('--idle-stop')),
      false,
    );
    let err = '';
    const io: CliIo = { stdout: () => undefined, stderr: (s) => (err += s), env: {}, cwd: '/' };
    assert.equal(await runCli(['wrap', 'memory', '--idle-stop', '0'], io), 2);
    assert.match(err, /--idle-stop/);
  });

  it('wrap without --share writes `run --name N`; an unknown server or different launches under --share are refused with why', () => {
    const p = ok(plan({ share: false }));
    assert.match(
      formatPlan(
        p,
        p.files.map(() => ''),
        { dryRun: true },
      ),
      /another client's launch is refused .*--share/,
    );
    assert.doesNotMatch(formatPlan(ok(plan()), ['', '', ''], { dryRun: true }), /another client's launch is refused/);
    assert.ok(
      p.files.every(
        (f) => /"run",\s*"--name",\s*"memory"/.test(f.after) || /\["run", "--name", "memory"/.test(f.after),
      ),
    );
    const none = plan({ target: 'nope' });
    assert.ok('error' in none && /no configured server is named 'nope'/.test(none.error));
    const mixed = plan({
      servers: [
        ...servers.slice(0, 2),
        memory(CODEX_FILE, 'Codex', { launchKey: 'stdio:memory-v2', identityKey: 'stdio:memory-v2' }),
      ],
    });
    assert.ok('error' in mixed && /2 different servers/.test(mixed.error), JSON.stringify(mixed));
    // Without --share too: one guard name for two servers would refuse one while the other runs.
    const mixedPlain = plan({
      share: false,
      servers: [
        ...servers.slice(0, 2),
        memory(CODEX_FILE, 'Codex', { launchKey: 'stdio:memory-v2', identityKey: 'stdio:memory-v2' }),
      ],
    });
    assert.ok(
      'error' in mixedPlain &&
        /2 different servers.*each is wrapped on its own: name one by its id/.test(mixedPlain.error),
      JSON.stringify(mixedPlain),
    );
    // The entries are named by their launch: a token in a command string is masked there too.
    const tokenInCommand = plan({
      servers: [
        servers[0],
        memory(CODEX_FILE, 'Codex', {
          command: 'srv --api-key=k-5566778899 --token t-1122334455',
          identityKey: 'stdio:memory-v2',
        }),
      ],
    });
    assert.ok('error' in tokenInCommand, JSON.stringify(tokenInCommand));
    assert.match(tokenInCommand.error, /Codex: srv --api-key=<redacted> --token <redacted>/);
    assert.ok(!/k-5566778899|t-1122334455/.test(tokenInCommand.error));
  });

  it('a share is said as one, naming each entry it puts behind one instance; once written, each client gets its next step', () => {
    const p = ok(plan());
    const dry = formatPlan(p, ['', '', ''], { dryRun: true });
    assert.match(
      dry,
      /^Would share memory: 3 entries behind one instance \(run --on-conflict share --name memory --resource=stdio:memory\): memory \(Claude Desktop\), memory \(Cursor\), memory \(Codex\)$/m,
    );
    assert.doesNotMatch(dry, /Next, in each client/, 'nothing to do before anything is written');
    // The Claude Desktop file written, the Cursor one not (changed meanwhile): only the written entries are named.
    const written = new Map<string, string | undefined>([
      [CLAUDE_FILE, undefined],
      [CURSOR_FILE, 'the file changed since it was read'],
      [CODEX_FILE, undefined],
    ]);
    const done = formatPlan(p, ['', '', ''], { dryRun: false, written });
    assert.match(
      done,
      /^Shared memory: 2 entries behind one instance .*: memory \(Claude Desktop\), memory \(Codex\)$/m,
    );
    const next = done.slice(done.indexOf('Next, in each client:')).split('\n').slice(1, 3);
    assert.match(next[0], /^ {2}Claude Desktop: quit it/);
    assert.match(next[1], /^ {2}Codex: quit the session \(\/quit\) and start codex again/);
    // Without --share: no share line, the same next steps.
    const plain = ok(plan({ share: false }));
    const wrapped = formatPlan(plain, ['', '', ''], { dryRun: false, written: new Map() });
    assert.doesNotMatch(wrapped, /behind one instance/);
    assert.match(wrapped, /Next, in each client:\n {2}Claude Desktop: quit it/);
  });

  it('a refused (workspace) or unreadable entry is left alone with why; an already wrapped one too', () => {
    const p = ok(
      plan({
        refusal: (s) => (s.source.file === CURSOR_FILE ? 'only a workspace file defines it' : undefined),
        read: (f) => (f === CODEX_FILE ? new Error('EACCES: permission denied') : texts[f]),
      }),
    );
    assert.deepEqual(
      p.files.map((f) => f.file),
      [CLAUDE_FILE],
    );
    assert.deepEqual(
      p.left.map((l) => [l.file, l.reason]),
      [
        [CURSOR_FILE, 'only a workspace file defines it'],
        [CODEX_FILE, `cannot read ${CODEX_FILE}: EACCES: permission denied`],
      ],
    );
    assert.equal(p.refusedByTrust, 1);
    const text = formatPlan(p, ['--- a\n+++ b\n'], { dryRun: true, guard: { launcher: LAUNCHER, installed: true } });
    assert.match(text, /Left as they are \(2\):/);
    assert.match(text, /run again with --trust-workspace/);
    const wrapped = server('memory', {
      command: LAUNCHER,
      args: ['run', '--on-conflict', 'share', '--name', 'memory', '--', 'npx'],
      launchKey: 'stdio:memory',
    });
    const again = ok(plan({ servers: [wrapped, memory(CURSOR_FILE, 'Cursor')] }));
    assert.equal(again.left[0].reason, 'it already starts through the guard');
  });

  it('unwrap finds the entries named SERVER or wrapped under --name SERVER and restores them', () => {
    const wrapped = ok(plan());
    const after: Record<string, string> = Object.fromEntries(wrapped.files.map((f) => [f.file, f.after]));
    const wrappedServers = [
      server('mem', {
        source: source({ file: CLAUDE_FILE }),
        keyPath: ['mcpServers', 'memory'],
        command: LAUNCHER,
        args: ['run', '--on-conflict', 'share', '--name', 'memory', '--', 'npx'],
      }),
      server('memory', { source: source({ file: CURSOR_FILE, label: 'Cursor' }), command: 'npx' }),
    ];
    assert.equal(wrappedName(wrappedServers[0]), 'memory');
    assert.ok(isShareWrapped(wrappedServers[0]), 'shared: what Unshare looks for');
    assert.ok(!isShareWrapped({ command: LAUNCHER, args: ['run', '--name', 'memory', '--', 'npx'] }), 'wrapped alone');
    assert.ok(!isShareWrapped(wrappedServers[1]));
    const p = ok(plan({ verb: 'unwrap', servers: wrappedServers, read: (f) => after[f] }));
    assert.deepEqual(
      p.files.map((f) => f.file),
      [CLAUDE_FILE],
    );
    assert.deepEqual(parse(p.files[0].after), parse(texts[CLAUDE_FILE]), 'the command and args are back');
    assert.deepEqual(p.left, [
      { name: 'memory', file: CURSOR_FILE, label: 'Cursor', reason: 'it does not start through the guard' },
    ]);
  });

  it("a file's diff never shows an env or header value, a flag's token or a URL's credential", () => {
    const before = [
      '{',
      '  "mcpServers": {',
      '    "memory": { "command": "npx", "args": ["srv", "--token", "tok-123456"], "env": { "PORT": "42", "X": "hunter2" } },',
      '    "web": { "url": "https://u:pw@example.test/mcp?api_key=k-987654", "headers": { "X-Custom": "hv" } }',
      '  }',
      '}',
    ].join('\n');
    const p = ok(
      plan({
        servers: [
          server('memory', { source: source({ file: CLAUDE_FILE }), launchKey: 'k' }),
          server('web', {
            source: source({ file: CLAUDE_FILE }),
            transport: 'http',
            command: undefined,
            launchKey: 'w',
          }),
        ],
        read: () => before,
      }),
    );
    const diff = redactedDiff(p.files[0], new Set(['42', 'hunter2', 'hv']), [
      server('memory', { source: source({ file: CLAUDE_FILE }) }),
    ]);
    for (const secret of ['tok-123456', '"42"', 'hunter2', 'pw@', 'k-987654', '"hv"'])
      assert.ok(!diff.includes(secret), `${secret} in\n${diff}`);
    assert.match(diff, /^\+.*"--token", "<redacted>"\]/m);
    assert.match(diff, /"PORT": "<redacted>"/);
  });

  it('redactConfigLine: YAML bare values, TOML keys named as secrets, a JSON secret-named member', () => {
    assert.equal(redactConfigLine('      API_KEY: s3', new Set(['s3'])), '      API_KEY: <redacted>');
    assert.equal(redactConfigLine('GITHUB_TOKEN = "abc"', new Set()), 'GITHUB_TOKEN = "<redacted>"');
    assert.equal(redactConfigLine('  "apiKey": "zz",', new Set()), '  "apiKey": "<redacted>",');
    assert.equal(redactConfigLine('args = ["run", "--"]', new Set(['1'])), 'args = ["run", "--"]');
  });

  it('unifiedDiff: hunks with three lines of context, line numbers of both sides', () => {
    const a = Array.from({ length: 20 }, (_, i) => `line ${i + 1}`).join('\n');
    const b = a.replace('line 10', 'line ten\nline ten and a half');
    assert.equal(
      unifiedDiff(a, b, 'x', 'y'),
      [
        '--- x',
        '+++ y',
        '@@ -7,7 +7,8 @@',
        ' line 7',
        ' line 8',
        ' line 9',
        '-line 10',
        '+line ten',
        '+line ten and a half',
        ' line 11',
        ' line 12',
        ' line 13',
        '',
      ].join('\n'),
    );
    assert.equal(unifiedDiff(a, a, 'x', 'y'), '');
  });

  it('the guard counts as installed only with its launcher and script in <root>/bin', () => {
    const have = new Set(['/r/bin/mcp-lifeguard', '/r/bin/mcp-lifeguard.js']);
    assert.deepEqual(
      guardState('/r/bin', 'linux', (p) => have.has(p)),
      {
        launcher: '/r/bin/mcp-lifeguard',
        installed: true,
      },
    );
    assert.equal(guardState('/r/bin', 'linux', (p) => p === '/r/bin/mcp-lifeguard').installed, false);
  });

  it('--help lists wrap and unwrap; a missing SERVER is a usage error', async () => {
    let out = '';
    let err = '';
    const io: CliIo = { stdout: (s) => (out += s), stderr: (s) => (err += s), env: {}, cwd: '/' };
    assert.equal(await runCli(['--help'], io), 0);
    assert.match(out, /^ {2}wrap SERVER \[options\]/m);
    assert.match(out, /^ {2}unwrap SERVER \[options\]/m);
    assert.match(out, /--share {2}--idle-stop SECONDS {2}--yes {2}--json/);
    assert.equal(await runCli(['wrap'], io), 2);
    assert.match(err, /wrap takes one SERVER name/);
  });

  it("the CLI's words name `status` where VS Code's name its Problems panel", () => {
    assert.equal(
      cliWords('the file has syntax errors (see Problems); fix them first'),
      'the file has syntax errors (`mcp-lifeguard status` lists them); fix them first',
    );
    assert.equal(cliWords('no server entry at {0}', 'a.b'), 'no server entry at a.b');
  });
});
