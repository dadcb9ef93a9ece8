import * as assert from 'node:assert/strict';
import { genericProgram } from '../../../src/core/processes/argv';
import { attachInstances } from '../../../src/core/processes/instances';
import { ProcessInfo } from '../../../src/core/pids/table';
import { stdioConfig } from './support';

describe('general-purpose programs are never claimed as servers', () => {
  it('names shells and interpreters with nothing to run, and everyday tools, whatever their arguments', () => {
    for (const argv of [
      ['bash'],
      ['/bin/sh'],
      ['zsh', '-l'],
      ['pwsh'],
      ['cmd.exe'],
      ['node'],
      ['python3', '-i'],
      ['deno'],
      ['bun'],
      ['ruby'],
      ['perl'],
      ['cat'],
      ['sleep', '600'],
      ['tail', '-f', 'x.log'],
      ['tee', 'out'],
      ['bash', '-c', 'sleep 30'],
      ['env', 'A=1', 'bash'],
      ['tclsh'],
      ['tclsh8.6'],
      ['vim', '-n', '-es'],
      ['mawk', '{print}', 'f2'],
      ['gawk', '-f', 'x.awk'],
      ['nano', 'notes.txt'],
    ]) {
      assert.ok(genericProgram(argv), argv.join(' '));
    }
  });

  it('leaves servers alone: a script, a module, a package runner, a named program', () => {
    for (const argv of [
      ['node', 'server.js'],
      ['python', '-m', 'pkg'],
      ['bash', 'run-server.sh'],
      ['npx', '-y', '@modelcontextprotocol/server-memory'],
      ['mcp-server-git'],
      ['sh', '-c', 'mcp-server-x --y'],
      ['uvx', 'mcp-server-fetch'],
    ]) {
      assert.equal(genericProgram(argv), undefined, argv.join(' '));
    }
  });

  it('an entry that runs bash lists no instances and says why, in its file', async () => {
    const shell = stdioConfig('shell', 'vscode', 'bash', [], { position: { line: 3, column: 5 } });
    const processes: ProcessInfo[] = [
      { pid: 1, ppid: 0, argv: ['/sbin/init'], startTime: 1 },
      { pid: 10, ppid: 1, argv: ['/usr/share/code/code'], startTime: 1000 },
      ...[11, 12, 13, 14].map((pid) => ({ pid, ppid: 10, argv: ['bash'], startTime: pid * 100 })),
    ];
    const r = await attachInstances(
      [shell],
      { state: 'ok', processes, method: 'procfs' },
      { platform: 'linux', secretsOf: () => new Set() },
    );
    assert.deepEqual(r.servers[0].instances, []);
    assert.equal(r.diagnostics.length, 1);
    assert.equal(r.diagnostics[0].file, shell.source.file);
    assert.equal(r.diagnostics[0].line, 3);
    assert.match(r.diagnostics[0].message, /'shell' runs bash.*cannot be told apart from ordinary bash processes/);
  });
});
