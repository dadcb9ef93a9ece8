import { programName, PYTHON_LIKE } from '../launch/program';
import type { Ecosystem } from '../base/versionTypes';

/**
 * Package installers running right now (what each can write: installerScope.ts). While one runs, files appear and
 * vanish for seconds at a time (`npm ci` removes the whole tree first, then fetches before it
 * writes): a judgement then would report half of an install. A verdict that depends on files
 * changed since the start waits while an installer that can write its package runs: pip writes its
 * interpreter's environment, npm/pnpm/yarn/bun the tree of their working directory's project (or
 * the global prefix with `-g`), uv its project's environment (or its tool folder), pipx its home.
 * An installer whose reach cannot be told holds every verdict of its ecosystem, saying why.
 * Recognition is pure (tested on stored argv); the reach reads the installer's working directory,
 * `pyvenv.cfg` and `package.json` files through injected readers.
 */

type Spec = { ecosystem: Ecosystem; verbs: RegExp; bare?: boolean; subVerbs?: Record<string, RegExp> };

/** Subcommands that write a package tree, per installer. */
const WRITES: Record<string, Spec> = {
  npm: {
    ecosystem: 'npm',
    verbs:
      /^(install|i|in|ins|inst|insta|instal|isnt|isnta|isntal|isntall|add|ci|clean-install|install-clean|isntall-clean|update|up|upgrade|udpate|uninstall|un|unlink|remove|rm|r|link|ln|rebuild|rb|dedupe|ddp|prune)$/,
  },
  pnpm: {
    ecosystem: 'npm',
    verbs: /^(install|i|add|update|up|upgrade|remove|rm|uninstall|un|link|ln|rebuild|rb|prune|dedupe|import)$/,
  },
  yarn: {
    ecosystem: 'npm',
    verbs: /^(install|add|upgrade|up|remove|link|unlink|dedupe|global)$/,
    bare: true,
    subVerbs: { global: /^(add|upgrade|remove)$/ },
  },
  bun: { ecosystem: 'npm', verbs: /^(install|i|add|a|update|remove|rm|link)$/ },
  pip: { ecosystem: 'python', verbs: /^(install|uninstall)$/ },
  // `uv tool run` / `uv tool uvx` (what `uvx` runs) is a server, not an install: only these sub-verbs write.
  uv: {
    ecosystem: 'python',
    verbs: /^(sync|add|remove|pip|tool)$/,
    subVerbs: { tool: /^(install|upgrade|uninstall)$/, pip: /^(install|uninstall|sync)$/ },
  },
  pipx: {
    ecosystem: 'python',
    verbs: /^(install|upgrade|upgrade-all|inject|uninject|reinstall|reinstall-all|uninstall)$/,
  },
  poetry: { ecosystem: 'python', verbs: /^(install|add|remove|update|sync)$/ },
};

/** Options that take the next token as their value (so it is not read as the verb), for every installer. */
const VALUED = new Set([
  '--prefix',
  '--dir',
  '-C',
  '--cwd',
  '--directory',
  '--project',
  '--python',
  '-p',
  '--target',
  '-t',
  '--root',
  '--filter',
  '-F',
  '--workspace',
  '--registry',
  '--cache',
  '--userconfig',
  '--location',
  '--global-dir',
]);

/** The installer a program name is: `pip3.12` is pip, `npm-cli.js` npm, `yarn-4.1.0.cjs` yarn. */
function installerName(token: string): string | undefined {
  const prog = programName(token);
  if (/^pip(\d+(\.\d+)*)?$/.test(prog)) return 'pip';
  const js = /^(npm|pnpm|yarn)(-cli)?(-\d+(\.\d+)*)?(\.c?js|\.mjs)?$/.exec(prog);
  if (js) return js[1];
  return WRITES[prog] ? prog : undefined;
}

/** Python's options that take the next token as their value. */
const PYTHON_VALUED = new Set(['-W', '-X', '--check-hash-based-pycs']);

interface Recognised {
  name: string;
  rest: readonly string[];
  /** The interpreter running it (Python for a pip, pipx, poetry or uv script or module; node for npm's), as argv names it. */
  interpreter?: string;
  /** The installer's own program as argv names it (a script path, a binary). */
  program: string;
}

/**
 * The installer an argv runs, in every form the process table shows: a binary or a script by path
 * (`/venv/bin/pip`, `/usr/local/bin/npm`, `pip3.12`), a Node script (`node …/npm-cli.js`, `node
 * /usr/bin/npm`, `node …/pnpm.cjs`), a Python script run by its interpreter (`/venv/bin/python
 * /venv/bin/pip install x`: what `pip install` is once its shebang ran, and pipx's and poetry's
 * scripts the same) or module (`python -m pip`); undefined for anything else.
 */
function recognise(argv: readonly string[]): Recognised | undefined {
  const prog = programName(argv[0] ?? '');
  if (/^(node|nodejs)$/.test(prog)) {
    let i = 1;
    while (i < argv.length && argv[i].startsWith('-')) i += argv[i] === '-r' || argv[i] === '--require' ? 2 : 1;
    const script = argv[i];
    const name = script !== undefined ? installerName(script) : undefined;
    return name && WRITES[name].ecosystem === 'npm'
      ? { name, rest: argv.slice(i + 1), interpreter: argv[0], program: script }
      : undefined;
  }
  if (PYTHON_LIKE.test(prog)) {
    let i = 1;
    while (i < argv.length && argv[i].startsWith('-') && argv[i] !== '-m' && argv[i] !== '-c')
      i += PYTHON_VALUED.has(argv[i]) ? 2 : 1;
    if (argv[i] === '-c' || i >= argv.length) return undefined;
    const module = argv[i] === '-m';
    const target = module ? argv[i + 1] : argv[i];
    const name = target !== undefined ? (module ? moduleName(target) : installerName(target)) : undefined;
    if (!name || WRITES[name].ecosystem !== 'python') return undefined;
    return { name, rest: argv.slice(module ? i + 2 : i + 1), interpreter: argv[0], program: target! };
  }
  const name = installerName(argv[0] ?? '');
  return name ? { name, rest: argv.slice(1), program: argv[0] } : undefined;
}

function moduleName(module: string): string | undefined {
  if (/^pip(\d+(\.\d+)*)?$/.test(module)) return 'pip';
  return WRITES[module]?.ecosystem === 'python' ? module : undefined;
}

/** The words of an installer's arguments: options and the values of valued options left out. */
function wordsOf(rest: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    if (a === '--') break;
    if (a.startsWith('-')) {
      if (VALUED.has(a)) i++;
      continue;
    }
    out.push(a);
  }
  return out;
}

/** The value of an option (`--prefix X` or `--prefix=X`), the last one given. */
export function optionValue(rest: readonly string[], names: readonly string[]): string | undefined {
  let found: string | undefined;
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    if (a === '--') break;
    for (const n of names) {
      if (a === n && i + 1 < rest.length) found = rest[i + 1];
      else if (n.startsWith('--') && a.startsWith(`${n}=`)) found = a.slice(n.length + 1);
    }
  }
  return found;
}

/** Whether a flag is given (`-g`, `--global`), or npm's `--location global`. */
export const hasFlag = (rest: readonly string[], names: readonly string[]) =>
  rest.some((a) => names.includes(a)) || optionValue(rest, ['--location']) === 'global';

/** A process from the process table, as installers are found among them. */
export interface InstallerProcess {
  pid: number;
  argv: readonly string[];
  startTime?: number;
}

/** An installer at work: which, doing what, run how. */
export interface Installer {
  pid: number;
  startTime?: number;
  name: string;
  ecosystem: Ecosystem;
  /** Its verb (`install`, `ci`; `tool` and `pip` for uv, whose sub-verb is `sub`); undefined for a bare `yarn`. */
  verb?: string;
  sub?: string;
  /** Its arguments after the program (after the script or module for an interpreter). */
  rest: readonly string[];
  interpreter?: string;
  program: string;
  /** In words: `npm ci (pid 4242)`. */
  what: string;
}

/** The installer a process is, if it is one writing a package tree now. */
export function installerIn(p: InstallerProcess): Installer | undefined {
  const found = recognise(p.argv);
  if (!found) return undefined;
  const spec = WRITES[found.name];
  const words = wordsOf(found.rest);
  const verb = words[0];
  const subSpec = verb !== undefined ? spec.subVerbs?.[verb] : undefined;
  if (subSpec && !subSpec.test(words[1] ?? '')) return undefined;
  if (!((verb !== undefined && spec.verbs.test(verb)) || (verb === undefined && spec.bare))) return undefined;
  return {
    pid: p.pid,
    ...(p.startTime !== undefined ? { startTime: p.startTime } : {}),
    name: found.name,
    ecosystem: spec.ecosystem,
    ...(verb !== undefined ? { verb } : {}),
    ...(subSpec ? { sub: words[1] } : {}),
    rest: found.rest,
    ...(found.interpreter !== undefined ? { interpreter: found.interpreter } : {}),
    program: found.program,
    what: `${`${found.name} ${verb ?? ''}`.trim()} (pid ${p.pid})`,
  };
}

/** Every installer at work among the processes. */
export function installersIn(processes: readonly InstallerProcess[]): Installer[] {
  return processes.map(installerIn).filter((x): x is Installer => !!x);
}
