import { parseArgs } from 'node:util';
import { UsageError } from './io';

/**
 * The one place command-line options are declared, parsed, checked and described. A command lists
 * its options once; parsing, the typed values, the usage errors and the help text all come from
 * that list, so the help cannot drift from what a command accepts.
 */

interface Described {
  /** One line for the help text. */
  description?: string;
  /** The value's name in the help text (SECONDS, N, DIR...); each type has its own by default. */
  value?: string;
}
export interface BooleanOption extends Described {
  type: 'boolean';
}
export interface StringOption extends Described {
  type: 'string';
  default?: string;
  /** The only values allowed. */
  choices?: readonly string[];
  /** Returns what is wrong with the value, or undefined when it is fine. */
  check?: (value: string) => string | undefined;
}
/** A string option that may be given more than once; its value is every one given, in order. */
export interface RepeatableOption extends Described {
  type: 'repeatable';
}
/** A duration given in seconds (fractions allowed); its value is in milliseconds. */
export interface SecondsOption extends Described {
  type: 'seconds';
  /** In seconds, as a user would write it. */
  default?: number;
  /** 0 (and what rounds to 0 ms) is refused too. */
  positive?: boolean;
}
export interface IntegerOption extends Described {
  type: 'integer';
  default?: number;
  min?: number;
  max?: number;
  /** What the number counts, for the error message ("bytes"). */
  unit?: string;
}
export type OptionSpec = BooleanOption | StringOption | RepeatableOption | SecondsOption | IntegerOption;
export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

type ValueOf<S> = S extends { type: 'boolean' }
  ? boolean
  : S extends { type: 'repeatable' }
    ? string[]
    : S extends { type: 'seconds' | 'integer' }
      ? S extends { default: number }
        ? number
        : number | undefined
      : S extends { choices: readonly (infer C extends string)[] }
        ? S extends { default: string }
          ? C
          : C | undefined
        : S extends { default: string }
          ? string
          : string | undefined;

/** The parsed values: booleans default to false, repeatables to [], seconds are milliseconds. */
export type OptionValues<O extends OptionSpecs> = { -readonly [K in keyof O]: ValueOf<O[K]> };

export interface Parsed<O extends OptionSpecs> {
  values: OptionValues<O>;
  positionals: string[];
}

/**
 * Parses `args` against `options`. Unknown options, a missing value and a value the option does not
 * take are a UsageError naming the option and the value. Positionals are refused unless allowed.
 */
export function parseOptions<O extends OptionSpecs>(
  args: string[],
  options: O,
  { positionals = false } = {},
): Parsed<O> {
  let raw: { values: Record<string, string | boolean | (string | boolean)[] | undefined>; positionals: string[] };
  try {
    raw = parseArgs({ args, options: parseArgsConfig(options), strict: true, allowPositionals: positionals });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const values: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(options)) values[name] = valueOf(name, spec, raw.values[name]);
  return { values: values as OptionValues<O>, positionals: raw.positionals };
}

/** What node:util parseArgs needs to know: every value is read as text and typed afterwards. */
function parseArgsConfig(options: OptionSpecs): Record<string, { type: 'string' | 'boolean'; multiple: boolean }> {
  const config: Record<string, { type: 'string' | 'boolean'; multiple: boolean }> = {};
  for (const [name, spec] of Object.entries(options))
    config[name] = { type: spec.type === 'boolean' ? 'boolean' : 'string', multiple: spec.type === 'repeatable' };
  return config;
}

function valueOf(name: string, spec: OptionSpec, given: unknown): unknown {
  const flag = `--${name}`;
  switch (spec.type) {
    case 'boolean':
      return given === true;
    case 'repeatable':
      return Array.isArray(given) ? given.map(String) : [];
    case 'string': {
      const text = given === undefined ? spec.default : String(given);
      if (text === undefined) return undefined;
      if (spec.choices && !spec.choices.includes(text))
        throw new UsageError(`${flag} must be one of ${spec.choices.join(', ')}, not '${text}'`);
      const problem = spec.check?.(text);
      if (problem) throw new UsageError(`${flag} ${problem}, not '${text}'`);
      return text;
    }
    case 'seconds': {
      if (given === undefined) return spec.default === undefined ? undefined : Math.round(spec.default * 1000);
      return secondsToMs(flag, String(given), spec.positive ?? false);
    }
    case 'integer': {
      if (given === undefined) return spec.default;
      const text = String(given);
      const n = text.trim() === '' ? NaN : Number(text);
      if (
        !Number.isInteger(n) ||
        (spec.min !== undefined && n < spec.min) ||
        (spec.max !== undefined && n > spec.max)
      ) {
        throw new UsageError(
          `${flag} takes a whole number${spec.unit ? ` of ${spec.unit}` : ''}${rangeText(spec)}, not '${text}'`,
        );
      }
      return n;
    }
  }
}

/** A number of seconds as the user wrote it ("5", "0.2"), in whole milliseconds. */
export function secondsToMs(flag: string, text: string, positive = false): number {
  const n = text.trim() === '' ? NaN : Number(text);
  const ms = Math.round(n * 1000);
  // A positive duration that rounds to 0 ms would be a busy loop or an instant timeout.
  if (!Number.isFinite(n) || n < 0 || (positive && ms <= 0)) {
    throw new UsageError(`${flag} takes a number of seconds${positive ? ' above 0' : ''}, not '${text}'`);
  }
  return ms;
}

function rangeText(spec: IntegerOption): string {
  if (spec.min !== undefined && spec.max !== undefined) return ` from ${spec.min} to ${spec.max}`;
  if (spec.min !== undefined) return ` >= ${spec.min}`;
  if (spec.max !== undefined) return ` <= ${spec.max}`;
  return '';
}

/**
 * `args` without the named options and their values, read the way parseOptions reads them (so a
 * boolean never takes the next word with it). For handing a command's options on to another.
 */
export function withoutOptions(args: string[], options: OptionSpecs, drop: readonly string[]): string[] {
  const { tokens } = parseArgs({
    args,
    options: parseArgsConfig(options),
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const skip = new Set<number>();
  for (const t of tokens) {
    if (t.kind !== 'option' || !drop.includes(t.name)) continue;
    skip.add(t.index);
    if (t.value !== undefined && !t.inlineValue) skip.add(t.index + 1);
  }
  return args.filter((_, i) => !skip.has(i));
}

/** Everything before `--`, and what follows it (the server command), never parsed as our options. */
export function splitServerCommand(args: string[]): { options: string[]; command: string[] } {
  const split = args.indexOf('--');
  return split < 0 ? { options: args, command: [] } : { options: args.slice(0, split), command: args.slice(split + 1) };
}

// ---------------------------------------------------------------------------------------------
// Help text

/** A command (or one mode of it) as the help text shows it. */
export interface CommandSpec {
  /** The words that select it: `status`, `run --http`. */
  name: string;
  /** What follows the name in the synopsis, before the options: `PID`, `[SERVER]`, `--listen HOST:PORT`. */
  operands?: string;
  /** Takes `-- COMMAND [ARGS...]`: everything after `--` is the server's command line. */
  serverCommand?: boolean;
  /** Lines saying what it does. */
  summary: readonly string[];
  options: OptionSpecs;
  /** Options that are part of the name or operands and so not listed again in the synopsis line. */
  implied?: readonly string[];
}

/** `--name VALUE` as the help text writes it. */
export function optionSynopsis(name: string, spec: OptionSpec): string {
  if (spec.type === 'boolean') return `--${name}`;
  const value =
    spec.value ??
    (spec.type === 'seconds'
      ? 'SECONDS'
      : spec.type === 'integer'
        ? 'N'
        : spec.type === 'string' && spec.choices
          ? spec.choices.join('|')
          : 'VALUE');
  return `--${name} ${value}${spec.type === 'repeatable' ? '...' : ''}`;
}

function defaultText(spec: OptionSpec): string {
  if (spec.type === 'boolean' || spec.type === 'repeatable' || spec.default === undefined) return '';
  return ` (default ${spec.default}${spec.type === 'seconds' ? ' s' : ''})`;
}

export function synopsis(spec: CommandSpec): string {
  return [spec.name, spec.operands, '[options]', spec.serverCommand ? '-- COMMAND [ARGS...]' : undefined]
    .filter(Boolean)
    .join(' ');
}

const COLUMN = 42;
const WIDTH = 104;
const HELP_COLUMN = 30;

/** Words joined into lines no wider than WIDTH, each starting with `indent`. */
function wrap(words: string[], indent: string, gap = ' '): string[] {
  const lines: string[] = [];
  let line = '';
  for (const w of words) {
    if (line && indent.length + line.length + gap.length + w.length > WIDTH) {
      lines.push(indent + line);
      line = w;
    } else line = line ? line + gap + w : w;
  }
  if (line) lines.push(indent + line);
  return lines;
}

/** The overview: every command with its summary and every option it takes. */
export function usageText(commands: readonly CommandSpec[], tail: string): string {
  const lines = [
    'Usage: mcp-lifeguard <command> [options]',
    '       mcp-lifeguard <command> --help    What each option of a command does',
    '',
    'Commands:',
  ];
  for (const c of commands) {
    const head = `  ${synopsis(c)}`;
    const summary = [...c.summary];
    if (head.length < COLUMN) lines.push(head.padEnd(COLUMN) + (summary.shift() ?? ''));
    else lines.push(head);
    for (const s of summary) lines.push(' '.repeat(COLUMN) + s);
    const listed = Object.entries(c.options).filter(([name]) => !c.implied?.includes(name));
    lines.push(
      ...wrap(
        listed.map(([name, spec]) => optionSynopsis(name, spec)),
        '      ',
        '  ',
      ),
    );
  }
  lines.push(
    `  ${'help'.padEnd(COLUMN - 2)}This text`,
    `  ${'version'.padEnd(COLUMN - 2)}The version of mcp-lifeguard`,
  );
  return `${lines.join('\n')}\n\n${tail}`;
}

/** `mcp-lifeguard COMMAND --help`: the synopsis of each mode of the command and each option, one line each. */
export function commandHelp(modes: readonly CommandSpec[]): string {
  const out: string[] = [];
  for (const c of modes) {
    out.push(`Usage: mcp-lifeguard ${synopsis(c)}`, ...c.summary.map((s) => `  ${s}`), '', 'Options:');
    const rows = Object.entries(c.options).map(([name, spec]) => [
      `  ${optionSynopsis(name, spec)}`,
      `${spec.description ?? ''}${defaultText(spec)}`,
    ]);
    // A long left side (an option with many choices) gets its description on the next line.
    const width = Math.min(HELP_COLUMN, Math.max(...rows.map(([left]) => left.length + 2)));
    for (const [left, right] of rows) {
      if (left.length + 2 <= width) out.push(left.padEnd(width) + right);
      else out.push(left, ' '.repeat(width) + right);
    }
    out.push('');
  }
  return out.join('\n');
}
