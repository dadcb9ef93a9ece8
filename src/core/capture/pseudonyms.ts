import { createHmac, randomBytes } from 'node:crypto';

/**
 * Stand-ins for secrets in a capture: each value gets one of its own, the same wherever it appears
 * (a config's env value and the process environment that carries it), from a key made for this
 * capture and thrown away with it, so two equal values still compare equal in a replay and no
 * value can be recovered, not even by guessing it.
 */
export class Pseudonyms {
  private readonly key = randomBytes(32);
  private readonly given = new Map<string, string>();

  of(value: string): string {
    let p = this.given.get(value);
    if (!p) {
      p = `<secret:${createHmac('sha256', this.key).update(value).digest('hex').slice(0, 16)}>`;
      this.given.set(value, p);
    }
    return p;
  }

  /** Whether a text is one of the stand-ins (already masked). */
  static is(text: string): boolean {
    return /^<secret:[0-9a-f]{16}>$/.test(text);
  }
}
