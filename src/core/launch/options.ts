/**
 * How a launcher's options are read: one table per launcher says, for each option, whether it
 * takes a value (`--python 3.12`, `--python=3.12`), stands alone (`-y`), or names what runs and so
 * ends the options (`python -m module`, `node -e code`). An option no table lists stands alone.
 */

export type OptionKind = 'value' | 'flag' | 'runs';

export interface OptionTable {
  readonly options: ReadonlyMap<string, OptionKind>;
  /** Whether single letters may be bundled behind one dash (`-it`, `-ite VALUE`, `-eA=1`), as docker allows. */
  readonly bundles: boolean;
}

export function optionTable(spec: {
  value?: readonly string[];
  flag?: readonly string[];
  runs?: readonly string[];
  bundles?: boolean;
}): OptionTable {
  const options = new Map<string, OptionKind>();
  for (const o of spec.flag ?? []) options.set(o, 'flag');
  for (const o of spec.value ?? []) options.set(o, 'value');
  for (const o of spec.runs ?? []) options.set(o, 'runs');
  return { options, bundles: spec.bundles ?? false };
}

export interface OptionScan {
  /** The index of the first positional (past a `--` that ended the options); args.length when none. */
  positional: number;
  /** Each value-taking option's values, in order of appearance. */
  values: ReadonlyMap<string, readonly string[]>;
  /** The option that named what runs (`-m`, `-e`) and its value; `positional` is then the first argument after it. */
  runs?: { option: string; value: string };
}

/** Reads options from `args[from]` on, per `table`, up to the first positional, a `--`, or a `runs` option. */
export function scanOptions(args: readonly string[], from: number, table: OptionTable): OptionScan {
  const values = new Map<string, string[]>();
  let i = from;
  while (i < args.length) {
    const a = args[i];
    if (a === '--') return { positional: i + 1, values };
    if (!a.startsWith('-') || a === '-') break;
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const opt = eq > 0 ? a.slice(0, eq) : a;
      const kind = table.options.get(opt) ?? 'flag';
      const value = eq > 0 ? a.slice(eq + 1) : kind === 'flag' ? undefined : args[i + 1];
      if (kind === 'runs')
        return value === undefined
          ? { positional: args.length, values }
          : { positional: i + (eq > 0 ? 1 : 2), values, runs: { option: opt, value } };
      put(values, opt, value);
      i += eq < 0 && kind === 'value' ? 2 : 1;
      continue;
    }
    const short = a.slice(0, 2);
    const kind = table.options.get(a) ?? table.options.get(short) ?? 'flag';
    if (table.bundles && !table.options.has(a)) {
      // `-it` (flags), `-ite X` (flags, then one that takes the next token), `-eA=1` (value attached).
      let taken = 1;
      for (let j = 1; j < a.length; j++) {
        const letter = `-${a[j]}`;
        if ((table.options.get(letter) ?? 'flag') === 'flag') continue;
        const attached = a.slice(j + 1);
        put(values, letter, attached || args[i + 1]);
        if (!attached) taken = 2;
        break;
      }
      i += taken;
      continue;
    }
    // `-X dev` or `-Xdev`, `-m pkg` or `-mpkg`: a value attached to a single letter.
    const attached = table.options.has(a) ? undefined : a.length > 2 && kind !== 'flag' ? a.slice(2) : undefined;
    const opt = attached !== undefined ? short : a;
    const value = kind === 'flag' ? undefined : (attached ?? args[i + 1]);
    if (kind === 'runs')
      return value === undefined
        ? { positional: args.length, values }
        : { positional: i + (attached !== undefined ? 1 : 2), values, runs: { option: opt, value } };
    put(values, opt, value);
    i += kind === 'value' && attached === undefined ? 2 : 1;
  }
  return { positional: i, values };
}

/** Adds an option's value (none for a flag). A function of its own, not a closure per scan: launches are read by the thousand. */
function put(values: Map<string, string[]>, option: string, value: string | undefined): void {
  if (value === undefined) return;
  const known = values.get(option);
  if (known) known.push(value);
  else values.set(option, [value]);
}
