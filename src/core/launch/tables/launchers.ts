import { optionTable, OptionTable } from '../options';

/**
 * Programs that run another program given on their command line, as people put them in configs:
 * environment and priority wrappers, version managers, watchers. Each is walked through, never taken
 * for the server. Options that take a value are listed (from each tool's `--help`/man page); any other
 * option stands alone.
 */
export interface Launcher {
  options: OptionTable;
  /** Words that must follow the program for it to run another (`direnv exec`, `mise x`); absent: none. */
  verbs?: readonly string[];
  /** Positionals before the command (`timeout DURATION cmd`, `direnv exec DIR cmd`). */
  skip?: number;
  /** A positional the launcher may take before the command, when it looks like this (`nvm exec 20 node x`, `mise x node@20 -- cmd`). */
  optional?: RegExp;
  /** Options whose value is the folder the command runs in (`env -C DIR`). */
  cwdOptions?: readonly string[];
  /** Options whose value is more of the command line, split into words (`env -S "node x"`). */
  splitOptions?: readonly string[];
  /** Options whose value is a shell command string that is the command (`script -c "..."`, `nodemon --exec "..."`). */
  commandOptions?: readonly string[];
  /** What runs the command when it is a script (`nvm run 20 s.js` runs `node s.js`; nodemon runs `node`). */
  runsWith?: string;
  /** Whether the launcher stays as the parent of what it runs (a fork) rather than replacing itself (an exec). */
  spawns: boolean;
  /** Whether it restarts what it runs when files change: the instance is its current child, a reload a new start. */
  watches?: boolean;
}

// `node` is a version alias too, but also the program: only numbers and lts names are taken for versions.
const VERSION = /^(v?\d[\w.-]*|lts\/.*)$/;
// The coreutils and util-linux launchers read their options with getopt, which lets single letters
// share one dash (`script -qfc CMD`, `setsid -fw cmd`, `timeout -vk 5 1h cmd`): their tables bundle.
const TOOL_AT_VERSION = /^[\w./:-]+@[\w.^~<>=*-]+$/;

export const LAUNCHERS: Readonly<Record<string, Launcher>> = {
  // coreutils env(1): `env [-i] [-u NAME] [-C DIR] [-S STRING] [NAME=VALUE]... cmd`
  env: {
    options: optionTable({
      value: [
        '-u',
        '--unset',
        '-C',
        '--chdir',
        '-S',
        '--split-string',
        '-P',
        '--default-signal',
        '--ignore-signal',
        '--block-signal',
      ],
      flag: ['-i', '--ignore-environment', '-0', '--null', '-v', '--debug'],
      bundles: true,
    }),
    cwdOptions: ['-C', '--chdir'],
    splitOptions: ['-S', '--split-string'],
    spawns: false,
  },
  nice: { options: optionTable({ value: ['-n', '--adjustment'], bundles: true }), spawns: false },
  ionice: {
    options: optionTable({ value: ['-c', '--class', '-n', '--classdata'], flag: ['-t', '--ignore'], bundles: true }),
    spawns: false,
  },
  stdbuf: {
    options: optionTable({ value: ['-i', '--input', '-o', '--output', '-e', '--error'], bundles: true }),
    spawns: false,
  },
  setsid: {
    options: optionTable({ flag: ['-c', '--ctty', '-f', '--fork', '-w', '--wait'], bundles: true }),
    spawns: false,
  },
  nohup: { options: optionTable({}), spawns: false },
  chrt: { options: optionTable({ value: ['-T', '-P', '-D'] }), skip: 1, spawns: false },
  // `timeout [opts] DURATION cmd` forks the command and waits for it.
  timeout: {
    options: optionTable({
      value: ['-s', '--signal', '-k', '--kill-after'],
      flag: ['--preserve-status', '--foreground', '-v', '--verbose'],
      bundles: true,
    }),
    skip: 1,
    spawns: true,
  },
  // util-linux script(1): `script -q -c "cmd" /dev/null` runs cmd through the shell in a new pty.
  script: {
    options: optionTable({
      value: [
        '-c',
        '--command',
        '-E',
        '--echo',
        '-I',
        '--log-in',
        '-O',
        '--log-out',
        '-B',
        '--log-io',
        '-T',
        '--log-timing',
        '-m',
        '--logging-format',
        '-t',
        '--timing',
      ],
      flag: ['-a', '--append', '-e', '--return', '-f', '--flush', '-q', '--quiet'],
      bundles: true,
    }),
    commandOptions: ['-c', '--command'],
    spawns: true,
  },
  unbuffer: { options: optionTable({ flag: ['-p'] }), spawns: true },
  // direnv exec DIR cmd: loads DIR's .envrc, then execs (the folder is not entered).
  direnv: { options: optionTable({}), verbs: ['exec'], skip: 1, spawns: false },
  // mise exec|x [TOOL@VERSION]... [-- cmd] (or -c "cmd"); rtx is its old name.
  mise: {
    options: optionTable({
      value: ['-C', '--cd', '-j', '--jobs', '-c', '--command', '-E', '--env'],
      flag: ['--raw', '--fresh-env', '--no-prepare', '-q', '--quiet', '-v', '--verbose', '-y', '--yes'],
    }),
    verbs: ['exec', 'x'],
    optional: TOOL_AT_VERSION,
    cwdOptions: ['-C', '--cd'],
    commandOptions: ['-c', '--command'],
    spawns: false,
  },
  rtx: {
    options: optionTable({ value: ['-C', '--cd', '-j', '--jobs', '-c', '--command'] }),
    verbs: ['exec', 'x'],
    optional: TOOL_AT_VERSION,
    cwdOptions: ['-C', '--cd'],
    commandOptions: ['-c', '--command'],
    spawns: false,
  },
  asdf: { options: optionTable({}), verbs: ['exec'], spawns: false },
  volta: {
    options: optionTable({
      value: ['--node', '--npm', '--pnpm', '--yarn', '--env'],
      flag: ['--bundled-npm', '--no-yarn', '--verbose', '--quiet'],
    }),
    verbs: ['run'],
    spawns: true,
  },
  fnm: {
    options: optionTable({
      value: [
        '--using',
        '--node-dist-mirror',
        '--fnm-dir',
        '--log-level',
        '--arch',
        '--version-file-strategy',
        '--corepack-enabled',
        '--resolve-engines',
      ],
    }),
    verbs: ['exec'],
    spawns: true,
  },
  nvm: {
    options: optionTable({ flag: ['--silent', '--lts'] }),
    verbs: ['exec', 'run'],
    optional: VERSION,
    spawns: true,
  },
  // Watchers: they run the server as a child and start a new one on each change.
  nodemon: {
    options: optionTable({
      value: [
        '-e',
        '--ext',
        '-w',
        '--watch',
        '-i',
        '--ignore',
        '-x',
        '--exec',
        '-d',
        '--delay',
        '--signal',
        '--config',
        '-C',
        '--cwd',
        '-P',
        '--polling-interval',
        '--spawn',
      ],
      flag: [
        '-q',
        '--quiet',
        '-V',
        '--verbose',
        '-L',
        '--legacy-watch',
        '--no-stdin',
        '--no-colors',
        '--no-update-notifier',
        '-I',
      ],
    }),
    commandOptions: ['-x', '--exec'],
    cwdOptions: ['--cwd'],
    runsWith: 'node',
    spawns: true,
    watches: true,
  },
  'ts-node-dev': {
    options: optionTable({
      value: [
        '--ignore-watch',
        '--watch',
        '--debounce',
        '--interval',
        '-r',
        '--require',
        '--compiler',
        '-P',
        '--project',
        '-O',
        '--compiler-options',
        '--cache-directory',
        '--dir',
        '--deps-level',
      ],
      flag: [
        '--respawn',
        '--transpile-only',
        '-T',
        '--exit-child',
        '--rs',
        '--notify',
        '--clear',
        '--cls',
        '--poll',
        '--debug',
        '--prefer-ts',
        '--prefer-ts-exts',
        '--deps',
        '--all-deps',
        '--fork',
      ],
    }),
    runsWith: 'node',
    spawns: true,
    watches: true,
  },
  tsnd: {
    options: optionTable({
      value: ['--ignore-watch', '--watch', '--debounce', '--interval', '-r', '--require', '-P', '--project'],
      flag: ['--respawn', '--transpile-only', '-T', '--exit-child'],
    }),
    runsWith: 'node',
    spawns: true,
    watches: true,
  },
};

/** A launcher's name as it appears as a node script (`node .../nodemon/bin/nodemon.js`): the bin file's stem. */
export function launcherOf(prog: string): Launcher | undefined {
  const name = prog.replace(/\.(js|cjs|mjs)$/, '');
  return Object.prototype.hasOwnProperty.call(LAUNCHERS, name) ? LAUNCHERS[name] : undefined;
}
