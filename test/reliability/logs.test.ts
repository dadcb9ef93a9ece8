import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeTempDir } from '../support/temp';
import { runCli } from './support';

/**
 * `mcp-lifeguard logs` on log files it did not write itself: the built CLI against a logs folder
 * holding a 2 GiB file (sparse: no disk is spent) and a symbolic link. The end of any file is read
 * without reading the rest, and a file that cannot be read is an error, said on stderr with a
 * non-zero exit, never a line in the log's own output.
 */
describe('reliability: logs on a huge or unreadable log file', function () {
  this.timeout(60_000);
  let home: string;
  let logs: string;

  beforeEach(() => {
    home = makeTempDir('lg-logs-');
    logs = path.join(home, 'lg', 'logs');
    fs.mkdirSync(logs, { recursive: true, mode: 0o700 });
    fs.chmodSync(path.join(home, 'lg'), 0o700);
  });
  afterEach(() => fs.rmSync(home, { recursive: true, force: true }));

  const env = () => ({
    PATH: process.env.PATH,
    HOME: home,
    MCP_LIFEGUARD_HOME: path.join(home, 'lg'),
    MCP_LIFEGUARD_UPDATE_CHECK: '0',
  });

  it('prints the last lines of a 2 GiB log and exits 0', async () => {
    const file = path.join(logs, 'notes-0123456789abcdef.stderr.log');
    const fd = fs.openSync(file, 'w', 0o600);
    const end = Buffer.from('first of the end\nsecond of the end\nthe very last line\n');
    const size = 2 * 1024 * 1024 * 1024 + 12_345;
    fs.ftruncateSync(fd, size - end.length);
    fs.writeSync(fd, end, 0, end.length, size - end.length);
    fs.closeSync(fd);
    assert.equal(fs.statSync(file).size, size);
    const r = await runCli(['logs', 'notes', '--lines', '2'], env());
    assert.equal(r.stdout, 'second of the end\nthe very last line\n');
    assert.equal(r.stderr, '');
    assert.equal(r.code, 0);
  });

  it('a log that cannot be read (a symbolic link) is an error on stderr with exit 1', async () => {
    const outside = path.join(home, 'elsewhere.txt');
    fs.writeFileSync(outside, 'not a log of ours\n');
    fs.symlinkSync(outside, path.join(logs, 'notes-0123456789abcdef.stderr.log'));
    const r = await runCli(['logs', 'notes'], env());
    assert.equal(r.code, 1);
    assert.doesNotMatch(r.stdout, /not a log of ours/);
    assert.match(r.stderr, /^mcp-lifeguard logs: cannot read .*notes-0123456789abcdef\.stderr\.log: .*symbolic link/m);
  });

  it('--lines past what the last 16 MiB hold: those lines, and stderr says the rest was not read', async () => {
    const file = path.join(logs, 'notes-0123456789abcdef.stderr.log');
    fs.writeFileSync(file, `${'x'.repeat(20 * 1024 * 1024)}\nlast\n`, { mode: 0o600 });
    const r = await runCli(['logs', 'notes', '--lines', '3'], env());
    assert.equal(r.code, 0, r.stderr);
    assert.ok(
      r.stdout === 'last\n',
      `stdout: ${r.stdout.length} characters, ending ${JSON.stringify(r.stdout.slice(-20))}`,
    );
    assert.match(r.stderr, /only the last 16 MiB of .* \(20971526 bytes\) were read: 1 line\n$/);
  });
});
