import * as assert from 'node:assert/strict';
import { redactPsEnvironOutput } from '../../../src/core/capture/redactJoinedEnviron';
import { Pseudonyms } from '../../../src/core/capture/pseudonyms';
import { parseLstart } from '../../../src/core/pids/identity';
import type { ProcessInfo } from '../../../src/core/pids/table';
import { joinedValueIs, parsePsEnviron } from '../../../src/core/processes/joinedEnviron';

/**
 * macOS's `ps -E -ww -o pid=,lstart=,args=`: each process's environment after its command line,
 * every pair joined by one space (adv_cmds ps/print.c), none for a process ps may not read.
 */

const START = 'Thu Nov 26 09:00:06 2026';
const row = (pid: number, argv: string[], start = START): ProcessInfo => ({
  pid,
  ppid: 1,
  uid: 501,
  argv,
  argvJoined: true,
  startTime: parseLstart(start),
});
const SERVER = ['node', '/opt/homebrew/bin/mcp-server-memory'];
const rows = [row(901, SERVER), row(1301, SERVER), row(1400, SERVER), row(1500, SERVER)];
const SUPPORT = '/Users/ana/Library/Application Support';
const PS_E = [
  `  901 ${START} node /opt/homebrew/bin/mcp-server-memory HOME=/Users/ana MEMORY_FILE_PATH=/Users/ana/memory/claude.json PATH=/usr/bin:/bin`,
  // A value with spaces, last on the line.
  ` 1301 ${START} node /opt/homebrew/bin/mcp-server-memory HOME=/Users/ana MEMORY_FILE_PATH=${SUPPORT}/Cursor/memory.json`,
  // Another user's process (or a restricted one): ps prints the command line alone.
  ` 1400 ${START} node /opt/homebrew/bin/mcp-server-memory`,
  // The pid was reused since the table was read: another start time.
  ` 1500 Thu Nov 26 10:12:00 2026 node /opt/homebrew/bin/mcp-server-memory MEMORY_FILE_PATH=/Users/ana/memory/claude.json`,
].join('\n');

describe('joined environments: what macOS ps -E proves of an entry env', () => {
  const env = parsePsEnviron(PS_E, rows);

  it('two entries differing by MEMORY_FILE_PATH are told apart: one value is the process, the other is not', () => {
    const claude = env.get(901) ?? '';
    assert.equal(joinedValueIs(claude, 'MEMORY_FILE_PATH', '/Users/ana/memory/claude.json'), 'same');
    assert.equal(joinedValueIs(claude, 'MEMORY_FILE_PATH', '/Users/ana/memory/cursor.json'), 'other');
    // A key the process does not carry at all: not started by an entry that sets it.
    assert.equal(joinedValueIs(claude, 'API_BASE', 'https://x'), 'other');
  });

  it('a value with spaces is read whole up to the next pair or the end; a shorter one runs on, so it is not that value', () => {
    const cursor = env.get(1301) ?? '';
    assert.equal(joinedValueIs(cursor, 'MEMORY_FILE_PATH', `${SUPPORT}/Cursor/memory.json`), 'same');
    assert.equal(joinedValueIs(cursor, 'MEMORY_FILE_PATH', '/Users/ana/Library/Application'), 'other');
  });

  it('an environment ps did not print, or a line of a reused pid, is not read (unknown, never empty)', () => {
    assert.deepEqual([...env.keys()].sort(), [1301, 901]);
  });

  it('says unknown where the joined text leaves it open: a key twice, a value that reads as two pairs, an escaped byte', () => {
    assert.equal(joinedValueIs(' A=1 B=x A=2', 'A', '1'), 'unknown');
    assert.equal(joinedValueIs(' A=1 B=x A=2', 'A', '3'), 'other');
    // `A=1 B=x` set as one value prints exactly as A=1 and B=x do.
    assert.equal(joinedValueIs(' A=1 B=x C=y', 'A', '1 B=x'), 'unknown');
    assert.equal(joinedValueIs(' A=1 B=x C=y', 'A', '1'), 'same');
    // ps escapes what is not printable ASCII (strvis): such a value is never compared as written.
    assert.equal(joinedValueIs(' A=M\\M-C\\M-)moire', 'A', 'Mémoire'), 'unknown');
  });

  it('a capture keeps no value: only the keys entries set, by stand-ins that answer as the values did', () => {
    const names = new Pseudonyms();
    const secrets = ['/Users/ana/memory/claude.json', `${SUPPORT}/Cursor/memory.json`, '/Users/ana/memory/cursor.json'];
    const redacted = redactPsEnvironOutput(PS_E, rows, {
      declaredKeys: new Set(['MEMORY_FILE_PATH']),
      secrets,
      standIn: (v) => names.of(v),
      commandLine: (words) => [...words],
    });
    for (const value of [...secrets, '/Users/ana', '/usr/bin:/bin']) assert.ok(!redacted.includes(value), value);
    assert.ok(!redacted.includes('HOME='), 'a variable no entry sets is left out');
    const replayed = parsePsEnviron(redacted, rows);
    assert.deepEqual([...replayed.keys()].sort(), [1301, 901]);
    for (const [pid, original] of env)
      for (const value of secrets)
        assert.equal(
          joinedValueIs(replayed.get(pid) ?? '', 'MEMORY_FILE_PATH', names.of(value)),
          joinedValueIs(original, 'MEMORY_FILE_PATH', value),
          `${pid} ${value}`,
        );
  });

  it('a capture keeps open what the text left open, and an environment with no entry key still reads as read', () => {
    const names = new Pseudonyms();
    const text = `  901 ${START} node /opt/homebrew/bin/mcp-server-memory A=1 B=x C=y\n 1301 ${START} node /opt/homebrew/bin/mcp-server-memory HOME=/h\n`;
    const redacted = redactPsEnvironOutput(text, rows, {
      declaredKeys: new Set(['A', 'K']),
      secrets: ['1 B=x'],
      standIn: (v) => names.of(v),
      commandLine: (words) => [...words],
    });
    const replayed = parsePsEnviron(redacted, rows);
    assert.equal(joinedValueIs(replayed.get(901) ?? '', 'A', names.of('1 B=x')), 'unknown');
    assert.equal(joinedValueIs(replayed.get(1301) ?? '', 'K', names.of('1 B=x')), 'other');
  });
});
