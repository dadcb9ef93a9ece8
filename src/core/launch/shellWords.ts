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

/** The shell a command is shown for: a POSIX shell's words, or PowerShell's (Windows' terminals). */
export type ShellKind = 'posix' | 'powershell';

export function shellOf(platform: NodeJS.Platform): ShellKind {
  return platform === 'win32' ? 'powershell' : 'posix';
}

/**
 * Characters each shell reads as themselves in a word. POSIX: no `~`, and `=` only after the first
 * character (zsh expands a word either starts), no backslash. PowerShell: no `@` (a word it starts
 * is splatted) or `,` (an array).
 */
const PLAIN_WORD: Record<ShellKind, RegExp> = {
  posix: /^[A-Za-z0-9_+:,./@%-][A-Za-z0-9_+:,./@%=-]*$/,
  powershell: /^[A-Za-z0-9_+:./\\-][A-Za-z0-9_+:./\\=-]*$/,
};

/**
 * One word written so that the shell reads it back as exactly that word: as it is when it holds
 * nothing the shell acts on, else in single quotes (POSIX: a `'` inside written `'\''`;
 * PowerShell: each kind of single quote doubled).
 */
export function quoteWord(word: string, shell: ShellKind): string {
  if (PLAIN_WORD[shell].test(word)) return word;
  return shell === 'posix'
    ? `'${word.replace(/'/g, `'\\''`)}'`
    : `'${word.replace(/['\u2018\u2019\u201a\u201b]/g, '$&$&')}'`;
}

/**
 * A command as the user's shell runs it: the program, its arguments, each one word, and the folder
 * it runs in first. What is shown before a command runs is this text, so pasting it runs the same.
 */
export function commandLineFor(
  c: { command: string; args: readonly string[]; cwd?: string },
  shell: ShellKind,
): string {
  const program = quoteWord(c.command, shell);
  // PowerShell runs a quoted program only through its call operator.
  const words = [shell === 'powershell' && program.startsWith("'") ? `& ${program}` : program];
  words.push(...c.args.map((a) => quoteWord(a, shell)));
  const line = words.join(' ');
  if (c.cwd === undefined) return line;
  return shell === 'posix'
    ? `cd ${quoteWord(c.cwd, shell)} && ${line}`
    : `Set-Location -LiteralPath ${quoteWord(c.cwd, shell)}; ${line}`;
}
