import * as assert from 'node:assert/strict';
import { causeLine, OutputTail, OUTPUT_TAIL_LINES } from '../../../src/guard/host/outputTail';

describe('guard: the end of a child’s stderr, kept to say why it went down', () => {
  it('keeps the last non-blank lines across chunk boundaries, masking the launch’s secrets and token shapes', () => {
    const tail = new OutputTail();
    tail.push(Buffer.from('starting\n\nTraceback (most recent call last):\n  File "srv.py", line 1, in <mod'));
    tail.push(
      Buffer.from("ule>\nModuleNotFoundError: No module named 'x' hunter2-secret ghp_abcdefghijklmnopqrstuvwx\n"),
    );
    assert.deepEqual(tail.lines(new Set(['hunter2-secret'])), [
      'starting',
      'Traceback (most recent call last):',
      '  File "srv.py", line 1, in <module>',
      "ModuleNotFoundError: No module named 'x' <redacted> <redacted>",
    ]);
  });

  it('strips terminal escapes and masks a URL’s password and a --token= value, as status masks a command line', () => {
    const tail = new OutputTail();
    tail.push(
      Buffer.from(
        '\u001b]0;owned title\u0007\u001b[31mError:\u001b[0m connect postgres://app:hunter22@db:5432/x failed\n' +
          'retrying with --token=abc123def --password hunter33 (url="https://u:pw1234@h/api")\u0007\n',
      ),
    );
    const lines = tail.lines(new Set());
    assert.deepEqual(lines, [
      'Error: connect postgres://<redacted>@db:5432/x failed',
      'retrying with --token=<redacted> --password <redacted> (url="https://<redacted>@h/api")\\u0007',
    ]);
    assert.ok(!lines.join('\n').includes('\u001b'));
  });

  it('holds a bounded end whatever the server floods, and cuts a long line', () => {
    const tail = new OutputTail();
    for (let i = 0; i < 10_000; i++) tail.push(Buffer.from(`line ${i}\n`));
    tail.push(Buffer.from(`${'x'.repeat(5000)}\n`));
    const lines = tail.lines(new Set());
    assert.equal(lines.length, OUTPUT_TAIL_LINES);
    assert.equal(lines[lines.length - 2], 'line 9999');
    assert.equal(lines[lines.length - 1].length, 1000);
    assert.ok(lines[lines.length - 1].endsWith('…'));
  });

  it('the cause is the last line naming an error, else the last line', () => {
    assert.equal(
      causeLine(['Traceback (most recent call last):', "ModuleNotFoundError: No module named 'x'", 'bye']),
      "ModuleNotFoundError: No module named 'x'",
    );
    assert.equal(
      causeLine(['listening', 'Error: listen EADDRINUSE 127.0.0.1:8080', '    at Server.setupListenHandle']),
      'Error: listen EADDRINUSE 127.0.0.1:8080',
    );
    assert.equal(causeLine(['just stopped']), 'just stopped');
    assert.equal(causeLine([]), undefined);
  });

  it('settles once the stream ended, or after the wait', async () => {
    const tail = new OutputTail();
    const t0 = Date.now();
    await tail.settled(50);
    assert.ok(Date.now() - t0 >= 40, 'waited while the stream was open');
    tail.end();
    await tail.settled(60_000);
  });
});
