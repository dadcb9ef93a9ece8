import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from '../../support/repo';
import { host, memFs, scan } from './support';

/**
 * Claude Code's own rules for an entry, against what the real Claude Code 2.1.328 said of the same
 * files: `claude mcp list` run in a fake home (`/tmp/lg-claude-rules/home`, its project `proj`) holding
 * the stored `~/.claude.json` (user and local entries) and the project's `.mcp.json`; its output is
 * stored as it printed it (test/fixtures/client-rules/claude-code).
 */

const FIXTURES = path.join(repoRoot, 'test', 'fixtures', 'client-rules', 'claude-code');
const HOME = '/tmp/lg-claude-rules/home';
const PROJECT = `${HOME}/proj`;
const USER_FILE = `${HOME}/.claude.json`;
const PROJECT_FILE = `${PROJECT}/.mcp.json`;
/** The entry of type `ws` Claude Code runs: WebSocket is no transport read here. */
const WEBSOCKET = 'ok-ws';

const stored = (name: string) => fs.readFileSync(path.join(FIXTURES, name), 'utf8');

/** What `claude mcp list` said: the servers it lists (to check or approve), and those it skips, with the file and its words. */
function claudeSaid(): { listed: string[]; skipped: Map<string, { file: string; reason: string }> } {
  const listed: string[] = [];
  const skipped = new Map<string, { file: string; reason: string }>();
  let file = '';
  for (const line of stored('mcp-list.txt').split('\n')) {
    const location = /^Location: (\S+)/.exec(line);
    if (location) file = location[1];
    const server = /^([\w-]+): .* - (✘|✔|⏸)/.exec(line);
    if (server) listed.push(server[1]);
    const skip = /\[Warning\] \[([\w-]+)\] mcpServers\.[\w-]+: Skipped — (.*)$/.exec(line);
    if (skip) skipped.set(skip[1], { file, reason: skip[2] });
  }
  return { listed, skipped };
}

async function scanned() {
  return scan({
    host: host(HOME),
    workspaceFolders: [PROJECT],
    ...memFs('linux', { [USER_FILE]: stored('claude.json'), [PROJECT_FILE]: stored('mcp.json') }),
  });
}

describe("sources: Claude Code's own rules for an entry (as Claude Code 2.1.328 reads it)", () => {
  it('the capture holds both kinds in every scope: entries Claude Code runs and entries it skips', () => {
    const { listed, skipped } = claudeSaid();
    assert.ok(listed.length >= 10, listed.join(', '));
    assert.ok(skipped.size >= 15, [...skipped.keys()].join(', '));
    assert.deepEqual(new Set([...skipped.values()].map((s) => s.file)), new Set([USER_FILE, PROJECT_FILE]));
  });

  it('every entry Claude Code lists is a server here, with no problem (a WebSocket one is noted, not read)', async () => {
    const result = await scanned();
    const { listed } = claudeSaid();
    assert.ok(listed.includes(WEBSOCKET));
    const ws = result.diagnostics.filter((d) => d.message.includes(`"${WEBSOCKET}"`));
    assert.deepEqual(
      ws.map((d) => [d.severity, d.file]),
      [['info', USER_FILE]],
    );
    assert.match(ws[0].message, /WebSocket server: Claude Code connects to it; MCP Lifeguard does not read/);
    assert.equal(result.servers.filter((s) => s.name === WEBSOCKET).length, 0);
    for (const name of listed.filter((n) => n !== WEBSOCKET)) {
      assert.equal(result.servers.filter((s) => s.name === name).length, 1, name);
      assert.deepEqual(
        result.diagnostics.filter((d) => d.message.includes(`"${name}"`)),
        [],
        name,
      );
    }
    // Claude Code reads no `disabled` or `enabled` in an entry: it ran both.
    for (const name of ['ok-disabled', 'ok-not-enabled'])
      assert.equal(result.servers.find((s) => s.name === name)?.disabled, false, name);
  });

  it("an entry's `cwd` is not read: Claude Code runs its servers in its own working folder (README.md here)", async () => {
    const result = await scan({
      host: host(HOME),
      workspaceFolders: [PROJECT],
      ...memFs('linux', {
        [PROJECT_FILE]: JSON.stringify({ mcpServers: { elsewhere: { command: 'srv', cwd: '/srv/elsewhere' } } }),
      }),
    });
    assert.deepEqual(result.diagnostics, []);
    assert.equal(result.servers.length, 1);
    assert.equal(result.servers[0].cwd, undefined);
  });

  it('every entry Claude Code skips is a problem in its file that says Claude Code skips it and why, and no server', async () => {
    const result = await scanned();
    const { skipped } = claudeSaid();
    for (const [name, said] of skipped) {
      assert.equal(result.servers.filter((s) => s.name === name).length, 0, `${name} is listed as a server`);
      const problems = result.diagnostics.filter((d) => d.message.startsWith(`server "${name}"`));
      assert.equal(problems.length, 1, `${name}: ${problems.map((d) => d.message).join(' | ')}`);
      const [problem] = problems;
      assert.equal(problem.client, 'claude-code', name);
      assert.equal(problem.severity, 'error', name);
      // Its file is the one Claude Code named (the local scope's entries are in ~/.claude.json too).
      assert.equal(problem.file, said.file, name);
      assert.ok(problem.line !== undefined, name);
      // An entry that is no object is no entry to any client: the shared reading says so.
      if (said.reason.endsWith('(root): expected object, received string')) {
        assert.match(problem.message, /must be an object/, name);
        continue;
      }
      assert.match(problem.message, /Claude Code skips it: /, name);
      // Claude Code's own words for the fault, as it printed them.
      if (/has a "url" but no "type"/.test(said.reason)) assert.match(problem.message, /has a "url" but no "type"/);
      else if (/unknown MCP server type/.test(said.reason))
        assert.ok(problem.message.includes(said.reason.replace(/ for server .*$/, '')), problem.message);
      else {
        const fault = /: ([\w.-]+: [^:]+)$/.exec(said.reason)?.[1];
        assert.ok(fault && problem.message.endsWith(fault), `${problem.message} / ${said.reason}`);
      }
    }
  });

  it('the header value of an entry Claude Code runs is never shown', async () => {
    const result = await scanned();
    assert.ok(result.secrets.has('Bearer placeholder'));
    const shown = JSON.stringify({ servers: result.servers, diagnostics: result.diagnostics });
    assert.ok(!shown.includes('Bearer placeholder'));
  });
});
