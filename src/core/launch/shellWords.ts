/**
 * Command lines as words, the two ways they are written: a POSIX shell's (config files, `ps`
 * output, `sh -c` strings) and Windows' (the CIM process table). Both collect characters into
 * words the same way; only what quotes and escapes mean differs.
 */

/** Collects words; a word exists once anything (even an empty pair of quotes) was seen for it. */
class Words {
  private readonly out: string[] = [];
  private cur = '';
  private any = false;

  add(text: string): void {
    this.cur += text;
    this.any = true;
  }

  /** An opening or closing quote: the word exists even if nothing else comes. */
  mark(): void {
    this.any = true;
  }

  end(): void {
    if (this.any) this.out.push(this.cur);
    this.cur = '';
    this.any = false;
  }

  done(): string[] {
    this.end();
    return this.out;
  }
}

/** Splits a shell word list: quotes group, backslash escapes outside single quotes. Good enough for launch commands. */
export function splitShellWords(text: string): string[] {
  const words = new Words();
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quote) {
      if (ch === quote) quote = undefined;
      else if (ch === '\\' && quote === '"' && i + 1 < text.length && /["\\$`]/.test(text[i + 1])) words.add(text[++i]);
      else words.add(ch);
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      words.mark();
    } else if (ch === '\\' && i + 1 < text.length && !/[A-Za-z0-9_.-]/.test(text[i + 1])) words.add(text[++i]);
    else if (/\s/.test(ch)) words.end();
    else words.add(ch);
  }
  return words.done();
}

/** Splits a Windows command line: quotes group words and are removed; backslashes are literal. */
export function splitWindowsCommandLine(cmd: string): string[] {
  const words = new Words();
  let inQuotes = false;
  for (const ch of cmd) {
    if (ch === '"') {
      inQuotes = !inQuotes;
      words.mark();
    } else if (!inQuotes && (ch === ' ' || ch === '\t')) words.end();
    else words.add(ch);
  }
  return words.done();
}
