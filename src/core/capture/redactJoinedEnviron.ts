import { PS_TABLE_ARGS, parsePsTable, ProcessInfo } from '../pids/table';
import type { CommandRecord } from '../machine/record';
import { joinedPairs, joinedValueIs, splitPsEnvironLine } from '../processes/joinedEnviron';

/** What the redaction of `ps -E` lines needs from the capture's. */
export interface JoinedEnvironRedaction {
  /** The env keys entries set: the only variables kept. */
  declaredKeys: ReadonlySet<string>;
  /** The configs' secrets (every entry's env values among them): the values matching may ask about. */
  secrets: readonly string[];
  /** A value's stand-in, the same one the configs' values get. */
  standIn(value: string): string;
  /** A command line's words, redacted as the process table's are. */
  commandLine(words: readonly string[]): string[];
}

/** Stands first in every kept environment: it was read (an empty one reads as not read). */
const READ_MARK = ' MCP_LIFEGUARD_REDACTED=the variables no entry sets';

/** Whether a recorded run is the `ps -E` read of joined environments (processes/joinedEnviron.ts). */
export function isPsEnvironRun(c: Pick<CommandRecord, 'command' | 'args'>): boolean {
  return c.command === 'ps' && c.args[0] === '-E';
}

/** The rows of the process table a capture recorded (macOS's `ps`), by which `ps -E` lines are split. */
export function recordedPsTable(commands: readonly CommandRecord[]): ProcessInfo[] {
  const table = commands.find(
    (c) =>
      c.command === 'ps' && c.args.length === PS_TABLE_ARGS.length && c.args.every((a, i) => a === PS_TABLE_ARGS[i]),
  );
  return table ? parsePsTable(table.output.stdout) : [];
}

/**
 * `ps -E` lines made safe to keep: the command line as the table's is redacted (so a replay finds
 * it where the table says), and of the environment only the variables entries set, each value by its
 * stand-in, so a replay answers each entry's question as the machine did. A value the joined text
 * left open for some entry (joinedValueIs `unknown`) is kept open: its stand-in as one more pair of
 * that key. A line that is not its table row's is left out: its environment was unknown, and stays so.
 */
export function redactPsEnvironOutput(
  stdout: string,
  table: readonly ProcessInfo[],
  r: JoinedEnvironRedaction,
): string {
  const lines: string[] = [];
  for (const line of stdout.split('\n')) {
    const read = splitPsEnvironLine(line, table);
    if (!read) continue;
    const words = read.command.split(' ');
    lines.push(`${read.head}${r.commandLine(words).join(' ')}${READ_MARK}${keptEnv(read.env, r)}`);
  }
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}

/** The pairs of the keys entries set, by their stand-ins, and one more for each value left open. */
function keptEnv(env: string, r: JoinedEnvironRedaction): string {
  let out = joinedPairs(env)
    .filter(([k]) => r.declaredKeys.has(k))
    .map(([k, v]) => ` ${k}=${r.standIn(v)}`)
    .join('');
  for (const key of r.declaredKeys)
    for (const value of r.secrets)
      if (joinedValueIs(env, key, value) === 'unknown' && joinedValueIs(out, key, r.standIn(value)) !== 'unknown')
        out += ` ${key}=${r.standIn(value)}`;
  return out;
}
