import { closeSync, constants, fstatSync, renameSync, writeSync } from 'node:fs';
import { openPrivateSync } from '../../core/machine/privateFs';
import { SERVER_LOG_MAX_BYTES } from '../../core/locks/serverLog';

/**
 * A guarded server's stderr, kept in a private file (0600 in a private folder, never through a
 * link) that rotates at a bound: past it the file becomes `<file>.1` (the older one goes) and a new
 * one starts. The guard's own lines about the child go in too, marked, so a reader sees restarts.
 * Writing never throws: a log that cannot be written is given up once, with one line saying why.
 */
export class ServerLog {
  private fd: number | undefined;
  private size = 0;
  private failed = false;

  constructor(
    readonly file: string,
    private readonly root: string,
    private readonly onError: (message: string) => void,
    private readonly maxBytes = SERVER_LOG_MAX_BYTES,
  ) {}

  /** Bytes the server wrote to its stderr. */
  write(chunk: Buffer): void {
    this.append(chunk);
  }

  /** One line of the guard's own about the server ("child started, pid 4242"). */
  note(line: string): void {
    this.append(Buffer.from(`[mcp-lifeguard ${new Date().toISOString()}] ${line}\n`));
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private append(chunk: Buffer): void {
    if (this.failed || chunk.length === 0) return;
    try {
      if (this.fd === undefined) this.open();
      // A chunk larger than the whole bound keeps only its end: the newest lines matter most.
      const data = chunk.length > this.maxBytes ? chunk.subarray(chunk.length - this.maxBytes) : chunk;
      if (this.size + data.length > this.maxBytes && this.size > 0) this.rotate();
      writeSync(this.fd!, data);
      this.size += data.length;
    } catch (err) {
      this.failed = true;
      this.close();
      this.onError(
        `the server's log ${this.file} cannot be written (${(err as Error).message}); its stderr still reaches the client`,
      );
    }
  }

  private open(): void {
    this.fd = openPrivateSync(this.file, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT, {
      root: this.root,
    });
    this.size = fstatSync(this.fd).size;
  }

  private rotate(): void {
    this.close();
    // rename(2) replaces whatever is at `.1`, a link included, without following it.
    renameSync(this.file, `${this.file}.1`);
    this.open();
  }
}
