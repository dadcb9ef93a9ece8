import { LAST_OUTPUT } from '../../core/base/downReason';
import { redactOutputLine } from '../../core/base/redact';
import { terminalSafe, withoutEscapes } from '../../core/base/terminalSafe';

/** The most lines of a child's stderr kept to say why it went down. */
export const OUTPUT_TAIL_LINES = 12;
/** The most bytes of a child's stderr kept at any time (one flood never holds more). */
const OUTPUT_TAIL_BYTES = 16 * 1024;
/** The most characters of one line kept: a traceback's last line, not a whole minified bundle. */
const LINE_CHARS = 1000;

/**
 * The end of one child's stderr, kept in memory: when the server goes down (a crash loop, a start
 * that fails), its last lines are the cause ("ModuleNotFoundError: ... pin 'mcp<2'"), said to the
 * client and written into the lock record. Bounded in bytes whatever the server writes.
 */
export class OutputTail {
  private buffer: Buffer = Buffer.alloc(0);
  private endedResolve!: () => void;
  /** Resolves once the stderr it is fed from has ended (at once for a child whose stderr is not read). */
  readonly ended = new Promise<void>((resolve) => (this.endedResolve = resolve));

  /** The stream ended: every byte the child wrote has been pushed. */
  end(): void {
    this.endedResolve();
  }

  /**
   * Waits until the stream ended, at most `ms`: a process's exit may be seen before the last of its
   * stderr is read, and that last line is the one that says why it died.
   */
  async settled(ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.ended, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
    clearTimeout(timer);
  }

  push(chunk: Buffer): void {
    const joined = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    this.buffer = joined.length > OUTPUT_TAIL_BYTES ? joined.subarray(joined.length - OUTPUT_TAIL_BYTES) : joined;
  }

  /**
   * The last non-blank lines, oldest first, each cut to LINE_CHARS: its terminal escapes (colours,
   * titles, links) removed and any other control character written visibly, `secrets` (the launch's
   * env values) and secret-looking values masked as `status` masks a command line: a server that
   * prints its token, or a URL with its password, never has it repeated.
   */
  lines(secrets: ReadonlySet<string>, max = OUTPUT_TAIL_LINES): string[] {
    const text = this.buffer.toString('utf8');
    const lines = text
      .split(/\r?\n/)
      .map((l) => withoutEscapes(l).replace(/\s+$/, ''))
      .filter((l) => l.trim() !== '');
    return lines.slice(-max).map((l) => cut(terminalSafe(redactOutputLine(l, secrets))));
  }
}

function cut(line: string): string {
  return line.length > LINE_CHARS ? `${line.slice(0, LINE_CHARS - 1)}…` : line;
}

/** How long the end of a dead child's stderr is waited for before saying why it died. */
export const OUTPUT_SETTLE_MS = 500;

/** A reason with the line of the server's last output that names its error, once (a reason that has one keeps it). */
export function withCause(reason: string, output: readonly string[]): string {
  const cause = causeLine(output);
  return cause && !reason.includes(LAST_OUTPUT) ? `${reason}${LAST_OUTPUT}${cause}` : reason;
}

/** Why a child did not serve, with its cause line, once the end of its stderr was read (or waited for). */
export async function diedBecause(reason: string, output: OutputTail, secrets: ReadonlySet<string>): Promise<string> {
  await output.settled(OUTPUT_SETTLE_MS);
  return withCause(reason, output.lines(secrets));
}

/**
 * The line that says the most of why a server died: the last one naming an error (a traceback's
 * `ModuleNotFoundError: ...`, Node's `Error: ...`), else the last line.
 */
export function causeLine(lines: readonly string[]): string | undefined {
  for (let i = lines.length - 1; i >= 0; i--)
    if (/\b[A-Z]\w*(Error|Exception)\b|\berror\b|\bfatal\b|\bpanic/i.test(lines[i])) return lines[i].trim();
  return lines[lines.length - 1]?.trim();
}
