import * as assert from 'node:assert/strict';
import { nameAttached } from '../../../src/core/processes/attachedNames';
import { ProcessInfo } from '../../../src/core/pids/table';
import { ProcessTree } from '../../../src/core/processes/tree';

const START = 1_780_000_000_000;

describe("a shared server's clients named by the process table", () => {
  // Claude Desktop (macOS) runs a relay; Claude Code runs another; a third pid was reused since.
  const tree = new ProcessTree([
    { pid: 10, ppid: 1, argv: ['/Applications/Claude.app/Contents/MacOS/Claude'], startTime: START },
    {
      pid: 11,
      ppid: 10,
      argv: ['node', '/u/.mcp-lifeguard/bin/cli.js', 'run', '--on-conflict', 'share'],
      startTime: START + 1000,
    },
    { pid: 20, ppid: 1, argv: ['claude'], startTime: START },
    { pid: 30, ppid: 1, argv: ['/usr/bin/vim'], startTime: START + 90_000 },
  ] satisfies ProcessInfo[]);

  it('names each client by the client process above its pid, not by what it said in initialize', () => {
    const named = nameAttached(
      [
        { pid: 11, startTime: START + 1000, clientName: 'claude-ai' },
        { pid: 20, startTime: START, clientName: 'claude-code' },
      ],
      tree,
      'darwin',
    );
    assert.deepEqual(
      named.map((a) => a.clientName),
      ['Claude Desktop', 'Claude Code'],
    );
  });

  it("keeps the record's name where the pid is gone, reused, or unknown to the record", () => {
    const named = nameAttached(
      [
        { pid: 99, startTime: START, clientName: 'gone' },
        { pid: 30, startTime: START, clientName: 'reused' },
        { clientName: 'http-no-pid' },
      ],
      tree,
      'darwin',
    );
    assert.deepEqual(
      named.map((a) => a.clientName),
      ['gone', 'reused', 'http-no-pid'],
    );
  });

  it('where the process table cannot name it, a known client is named by what it sent, as the rest of the view names it', () => {
    const named = nameAttached(
      [
        { clientName: 'cursor-vscode' },
        { pid: 99, startTime: START, clientName: 'claude-code' },
        { pid: 30, startTime: START, clientName: 'claude-ai' },
        { clientName: 'Visual Studio Code' },
        { clientName: 'codex-mcp-client' },
        { clientName: 'gemini-cli-mcp-client' },
        { clientName: 'zed' },
        { clientName: 'my-own-client' },
        {},
      ],
      tree,
      'darwin',
    );
    assert.deepEqual(
      named.map((a) => a.clientName),
      ['Cursor', 'Claude Code', 'Claude Desktop', 'VS Code', 'Codex', 'Gemini CLI', 'Zed', 'my-own-client', undefined],
    );
  });
});
