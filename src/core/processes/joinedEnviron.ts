import type { Machine } from '../machine/types';
import type { ProcessInfo } from '../pids/table';
import { parseLstart, PS_ENV } from '../pids/identity';
import type { EnvAnswer } from './environ';

/**
 * The environment a process started with as macOS gives it: `ps -E` prints it after the command
 * line, every `KEY=value` joined by one space, as it prints the arguments (adv_cmds ps/print.c; the
 * kernel gives it for the caller's own processes and leaves it out for another user's and for
 * restricted ones: xnu sysctl_procargsx). So the text cannot be split back exactly, and is never
 * read as a map: it answers only whether a variable has a given value, and says "unknown" where the
 * joined text leaves that open.
 *
 * The env part kept for a pid is the text after its command line: one space, then its pairs. A
 * pair starts where a space is followed by a name and `=` (`[^\s=]+=`), the only places one can.
 */
export type JoinedEnviron = string;

/** One run of `ps` for every pid asked: start time (to be sure it is the process the table listed), command line and environment. */
export function psEnvironArgs(pids: readonly number[]): string[] {
  return ['-E', '-ww', '-o', 'pid=,lstart=,args=', '-p', pids.join(',')];
}

/**
 * The env parts of the processes asked, by pid, read in one run of `ps -E`. A process whose line
 * is not its table row's (another start time, another command line: the pid was reused) or whose
 * environment ps did not print (another user's, a restricted one, one gone) is left out: its
 * environment is unknown, never empty.
 */
export async function readJoinedEnvirons(
  machine: Machine,
  rows: readonly ProcessInfo[],
): Promise<Map<number, JoinedEnviron>> {
  if (rows.length === 0) return new Map();
  const pids = [...new Set(rows.map((p) => p.pid))].sort((a, b) => a - b);
  const out = await machine.run({ command: 'ps', args: psEnvironArgs(pids), env: PS_ENV });
  // ps exits 1 when one of the pids is gone; the others are still printed.
  if (out.code !== 0 && out.code !== 1) return new Map();
  return parsePsEnviron(out.stdout, rows);
}

/** The env part of each listed row whose `ps -E` line starts with the row's own start time and command line. */
export function parsePsEnviron(text: string, rows: readonly ProcessInfo[]): Map<number, JoinedEnviron> {
  const out = new Map<number, JoinedEnviron>();
  for (const line of text.split(/\r?\n/)) {
    const read = splitPsEnvironLine(line, rows);
    if (read) out.set(read.pid, read.env);
  }
  return out;
}

/**
 * One `ps -E` line as its parts: the columns before the command line (`head`, as printed), the
 * command line as the table row has it, and the env part after it. Undefined when the line is not
 * its row's (another start time or command line: the pid was reused) or no environment follows
 * (ps did not read it, or the command line runs on past the row's).
 */
export function splitPsEnvironLine(
  line: string,
  rows: readonly ProcessInfo[],
): { pid: number; head: string; command: string; env: JoinedEnviron } | undefined {
  const m = /^(\s*(\d+)\s+(\w{3}\s+\w{3}\s+\d{1,2}\s+\d{2}:\d{2}:\d{2}\s+\d{4})\s+)(.*)$/.exec(line);
  const row = m && rows.find((p) => p.pid === Number(m[2]));
  if (!m || !row || row.startTime === undefined || parseLstart(m[3]) !== row.startTime) return undefined;
  const command = row.argv.join(' ');
  const rest = m[4].startsWith(command) ? m[4].slice(command.length) : '';
  // What follows the command line must be a pair's start; anything else says no environment was read.
  return PAIR_START.test(rest) ? { pid: row.pid, head: m[1], command, env: rest } : undefined;
}

/** A space followed by a name and `=`: where a `KEY=value` pair may start. */
const PAIR_START = /^ [^\s=]+=/;
const PAIR_STARTS = / (?=[^\s=]+=)/g;

/**
 * The env part split at every place a pair may start: the reading `ps -E` gives when no value
 * holds a space followed by `NAME=`. The redaction of a capture keeps this reading.
 */
export function joinedPairs(env: JoinedEnviron): Array<[string, string]> {
  const starts = [...env.matchAll(PAIR_STARTS)].map((m) => m.index);
  return starts.map((at, k) => {
    const pair = env.slice(at + 1, starts[k + 1] ?? env.length);
    const eq = pair.indexOf('=');
    return [pair.slice(0, eq), pair.slice(eq + 1)];
  });
}

/**
 * Whether a process's joined environment has `key` set to `value`. `other` only where no reading of
 * the text gives it (no pair of that key, or one whose value is another); `same` where the key's one
 * pair reads exactly that value up to the next pair or the end; `unknown` where the key appears
 * twice (one may sit inside another value), where `value` would itself read as several pairs (the
 * key's text could run on into what looks like the next pair), and where ps would have printed the
 * value otherwise than it is (ps escapes tabs, newlines and bytes outside printable ASCII).
 */
export function joinedValueIs(env: JoinedEnviron, key: string, value: string): EnvAnswer {
  const pairs = joinedPairs(env).filter(([k]) => k === key);
  if (pairs.length === 0) return 'other';
  if (!/^[\x20-\x7e]*$/.test(value) || value.includes('\\')) return 'unknown';
  if (!someReadingHas(env, key, value)) return 'other';
  return pairs.length === 1 && pairs[0][1] === value ? 'same' : 'unknown';
}

/** Whether ` key=value` stands in the text ending where a pair may start or at the end: some reading of it gives that pair. */
function someReadingHas(env: JoinedEnviron, key: string, value: string): boolean {
  const needle = ` ${key}=${value}`;
  for (let at = env.indexOf(needle); at >= 0; at = env.indexOf(needle, at + 1)) {
    const end = at + needle.length;
    if (end === env.length || PAIR_START.test(env.slice(end))) return true;
  }
  return false;
}
