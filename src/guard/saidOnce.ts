/**
 * Lines the guard logs once per kind: a client or a server repeating what makes the guard say it
 * (a refusal, a failure of the relay's own bookkeeping) cannot flood the log. Used by every relay
 * path: the stdio transport, the HTTP front, the share hub and the share host's HTTP front.
 */
export class SaidOnce {
  private readonly said = new Set<string>();

  constructor(private readonly log: (line: string) => void) {}

  /** Logs `line` unless a line of this `kind` was logged already. */
  say(kind: string, line: string): void {
    if (this.said.has(kind)) return;
    this.said.add(kind);
    this.log(line);
  }
}

/** An error as a log line names it (its class and message), whatever was thrown. */
export function errorText(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
