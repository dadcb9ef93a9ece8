import * as assert from 'node:assert/strict';
import { ChildProcess, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { liveMachine, currentHostEnv } from '../../../src/core/machine/live';
import { machineScopeReaders } from '../../../src/core/versions/installerScope';
import { stopChildren } from '../../support/liveness';
import { startReady } from '../../support/startup';
import { makeTempDir } from '../../support/temp';

/**
 * A retitled npm's arguments are read from the debug log it holds open (`/proc/PID/fd/N`), through
 * that descriptor. Real processes hold the files: one a log another npm run deleted (npm keeps at
 * most logs-max logs), one a FIFO where a log's name is (what a descriptor number npm closed and
 * reused between the look and the open can be): reading it would wait for data that never comes.
 */
describe('versions (integration): npm arguments read through its open debug log', function () {
  this.timeout(60_000);
  const started: ChildProcess[] = [];
  afterEach(() => stopChildren(started.splice(0)));
  const readers = machineScopeReaders(liveMachine({ ...currentHostEnv(process.env), platform: 'linux' }), {
    stat: async () => undefined,
    realpath: async () => undefined,
  });

  /** A process holding `file` open (read-write unless told: a FIFO's open then waits for nobody) until stopped. */
  const holder = (file: string, mode: 'r+' | number = 'r+') =>
    startReady(
      process.execPath,
      [
        '-e',
        'const m = process.argv[2]; require("fs").openSync(process.argv[1], m === "r+" ? m : Number(m)); process.stderr.write("ready\\n"); setInterval(() => {}, 1000);',
        file,
        String(mode),
      ],
      { cwd: path.dirname(file), ready: /ready/, timeoutMs: 30_000 },
      started,
    );

  const logsDir = () => {
    const logs = path.join(makeTempDir('lg-npmlog-'), '_logs');
    fs.mkdirSync(logs);
    return logs;
  };

  it('reads the arguments from a log another npm run deleted while the holder runs', async function () {
    if (process.platform !== 'linux') this.skip();
    const log = path.join(logsDir(), '2026-11-24T01_00_00_000Z-debug-0.log');
    fs.writeFileSync(log, '0 verbose cli /usr/bin/node /usr/bin/npm\n1 verbose argv "ci" "--prefix" "/srv/app"\n');
    const child = await holder(log);
    assert.deepEqual(await readers.npmArgv!(child.pid!), ['ci', '--prefix', '/srv/app']);
    fs.rmSync(log);
    assert.match(
      fs
        .readdirSync(`/proc/${child.pid}/fd`)
        .map((fd) => linkOf(child.pid!, fd))
        .join('\n'),
      /\(deleted\)/,
    );
    assert.deepEqual(await readers.npmArgv!(child.pid!), ['ci', '--prefix', '/srv/app']);
  });

  /** What npmArgv answers for a process holding a FIFO under a debug log's name, or 'waited' after 5 s. */
  async function throughFifo(mode: 'r+' | number): Promise<string[] | undefined | 'waited'> {
    const fifo = path.join(logsDir(), '2026-11-24T01_00_00_000Z-debug-0.log');
    execFileSync('mkfifo', [fifo]);
    const child = await holder(fifo, mode);
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<'waited'>((resolve) => (timer = setTimeout(() => resolve('waited'), 5_000)));
    try {
      return await Promise.race([readers.npmArgv!(child.pid!), waited]);
    } finally {
      clearTimeout(timer);
      // A reader still waiting in open() for a writer (the old reading) is let go.
      try {
        fs.closeSync(fs.openSync(fifo, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK));
      } catch {
        // no reader waits
      }
    }
  }

  it('answers at once, without reading, when what is open under a log name is a pipe with a writer', async function () {
    if (process.platform !== 'linux') this.skip();
    // Before, the positioned read failed (ESPIPE) and the error escaped: the whole installer scan failed.
    assert.equal(await throughFifo('r+'), undefined);
  });

  it('and when it is a FIFO with no writer (whose blocking open would wait for one)', async function () {
    if (process.platform !== 'linux') this.skip();
    assert.equal(await throughFifo(fs.constants.O_RDONLY | fs.constants.O_NONBLOCK), undefined);
  });
});

function linkOf(pid: number, fd: string): string {
  try {
    return fs.readlinkSync(`/proc/${pid}/fd/${fd}`);
  } catch {
    return '';
  }
}
