/**
 * A shell's command string (`sh -c '...'`, `bash -lc "..."`, `zsh -c`) read as the shell runs it, to
 * find the one command that is the server: assignments (`A=1 node x`), `cd DIR &&`, `source`/`.`,
 * `export`, `exec`, `&&`/`||`/`;` lists, pipelines and redirections. Text only: nothing is expanded.
 */

/** What a command string starts as the server. */
export interface ShellLaunch {
  /** The server's command: the last command of the list that is not set-up, the server stage of its pipeline. */
  argv: string[];
  /** The folder the shell moved to before it (`cd DIR && ...`), as written: relative, `~` and `$VAR` kept. */
  cwd?: string;
  /** Whether the shell replaces itself with the command (`exec cmd`): no shell is left in the process table. */
  exec: boolean;
}

type Token = { word: string } | { op: string };

/** Words and control operators; redirections (`2>&1`, `> log`, `<in`) are dropped with their targets. */
export function shellTokens(text: string): Token[] {
  const out: Token[] = [];
  let cur = '';
  let any = false;
  let quote: '"' | "'" | undefined;
  let skipNextWord = false;
  const end = (): void => {
    if (any) {
      if (skipNextWord) skipNextWord = false;
      else out.push({ word: cur });
    }
    cur = '';
    any = false;
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quote) {
      if (ch === quote) quote = undefined;
      else if (ch === '\\' && quote === '"' && i + 1 < text.length && /["\\$`]/.test(text[i + 1])) cur += text[++i];
      else cur += ch;
      continue;
    }
    if (ch === '"' || ch === "'") {
      quote = ch;
      any = true;
    } else if (ch === '\\' && i + 1 < text.length) {
      if (text[i + 1] === '\n') i++;
      else {
        cur += text[++i];
        any = true;
      }
    } else if (ch === '#' && !any) {
      // A comment runs to the end of the line.
      while (i + 1 < text.length && text[i + 1] !== '\n') i++;
    } else if (ch === '<' || ch === '>' || (ch === '&' && text[i + 1] === '>')) {
      // `2>` and `>`: a number written right before the operator is its file descriptor, not a word.
      if (any && /^\d+$/.test(cur)) {
        cur = '';
        any = false;
      } else end();
      let j = i + 1;
      while (j < text.length && /[<>&|]/.test(text[j]) && j - i < 3) j++;
      const op = text.slice(i, j);
      i = j - 1;
      // `>&2`, `2>&1`, `<&-`: a duplicated descriptor, no file to skip.
      const dup = /&$/.test(op) && /^[\d-]/.test(text[j] ?? '');
      if (dup) {
        while (i + 1 < text.length && /[\d-]/.test(text[i + 1])) i++;
      } else if (op.startsWith('<<')) {
        skipNextWord = true; // a here-document's delimiter; its body is not followed
      } else skipNextWord = true;
    } else if (ch === '&' || ch === '|' || ch === ';' || ch === '\n' || ch === '(' || ch === ')') {
      end();
      const two = text.slice(i, i + 2);
      if (two === '&&' || two === '||' || two === '|&' || two === ';;') {
        out.push({ op: two });
        i++;
      } else out.push({ op: ch });
    } else if (/\s/.test(ch)) end();
    else {
      cur += ch;
      any = true;
    }
  }
  end();
  return out;
}

/** Commands a shell runs to prepare, never the server. */
const SETUP = new Set([
  'cd',
  'pushd',
  'popd',
  'source',
  '.',
  'export',
  'unset',
  'set',
  'shopt',
  'setopt',
  'ulimit',
  'umask',
  'trap',
  'alias',
  'eval',
  'true',
  ':',
  'false',
  'echo',
  'printf',
  'test',
  '[',
  '[[',
  'hash',
  'declare',
  'typeset',
  'local',
  'readonly',
  'wait',
  'sleep',
  'mkdir',
  'touch',
  'rm',
  'cp',
  'mv',
  'chmod',
  'ln',
]);
/** Version-manager verbs that only prepare the shell (`nvm use 20`, `fnm use`), unlike their `exec`/`run`. */
const SETUP_VERBS: Record<string, readonly string[]> = {
  nvm: ['use', 'install', 'alias', 'on', 'off'],
  fnm: ['use', 'install', 'env'],
  pyenv: ['shell', 'local', 'activate'],
  conda: ['activate', 'deactivate'],
  mise: ['use', 'activate', 'install', 'trust'],
  asdf: ['shell', 'local', 'install'],
};
/** Pipeline stages that only pass bytes through: the server is another stage. */
const FILTERS =
  /^(cat|tee|grep|egrep|fgrep|sed|awk|gawk|mawk|head|tail|cut|tr|sort|uniq|wc|jq|stdbuf|pv|col|rev|iconv|dos2unix|ts|logger)$/;
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;

const base = (w: string): string => (w.split('/').pop() ?? w).toLowerCase();

function isSetup(argv: readonly string[]): boolean {
  const prog = base(argv[0]);
  if (SETUP.has(prog)) return true;
  const verbs = SETUP_VERBS[prog];
  return verbs !== undefined && verbs.includes(argv[1] ?? '');
}

/** `exec [-cl] [-a name] cmd...` -> cmd...; undefined when there is no `exec`. */
function stripExec(argv: readonly string[]): readonly string[] | undefined {
  if (argv[0] !== 'exec') return undefined;
  let i = 1;
  while (i < argv.length && argv[i].startsWith('-')) i += argv[i] === '-a' ? 2 : 1;
  return argv.slice(i);
}

/** The folder `cd` moves to from `cwd` (undefined: not known from the text, e.g. `cd -`). */
function moved(cwd: string | undefined, arg: string | undefined): string | undefined {
  if (arg === undefined || arg === '~') return '~';
  if (arg === '-') return undefined;
  if (
    arg.startsWith('/') ||
    arg.startsWith('~') ||
    arg.startsWith('$') ||
    /^[A-Za-z]:[\\/]/.test(arg) ||
    cwd === undefined
  )
    return arg;
  return `${cwd.replace(/\/+$/, '')}/${arg}`;
}

/**
 * The server a command string starts. The last command of the list that is not set-up is the
 * server (`cd d && source x && exec npx -y pkg` -> `npx -y pkg`); of a pipeline, the last stage
 * that is not a filter (`a | node s.js` -> `node s.js`; `node s.js | tee log` -> `node s.js`).
 * Undefined when the string runs nothing but set-up.
 */
export function readShellCommand(text: string): ShellLaunch | undefined {
  const tokens = shellTokens(text);
  // Pipelines, each a list of commands (word lists).
  const pipelines: string[][][] = [];
  let pipeline: string[][] = [[]];
  for (const t of tokens) {
    if ('word' in t) pipeline[pipeline.length - 1].push(t.word);
    else if (t.op === '|' || t.op === '|&') pipeline.push([]);
    else if (t.op === '(' || t.op === ')') continue;
    else {
      pipelines.push(pipeline);
      pipeline = [[]];
    }
  }
  pipelines.push(pipeline);

  let cwd: string | undefined;
  let chosen: { argv: string[]; cwd?: string; exec: boolean } | undefined;
  // Only set-up (`bash -c 'sleep 30'`): the last command is what runs.
  let last: string[] | undefined;
  for (const p of pipelines) {
    const stages = p
      .map((words) => {
        let i = 0;
        while (i < words.length && ASSIGNMENT.test(words[i])) i++;
        return words.slice(i);
      })
      .filter((w) => w.length > 0);
    if (stages.length === 0) continue;
    if (stages.length === 1 && (stages[0][0] === 'cd' || stages[0][0] === 'pushd')) {
      cwd = moved(cwd, stages[0][1]);
      continue;
    }
    if (stages.length === 1 && isSetup(stages[0])) {
      last = stages[0];
      continue;
    }
    const servers = stages.filter((s) => !FILTERS.test(base(stripExec(s)?.[0] ?? s[0])));
    const stage = servers.length > 0 ? servers[servers.length - 1] : stages[stages.length - 1];
    const execd = stripExec(stage);
    const argv = [...(execd ?? stage)];
    if (argv.length === 0) continue;
    chosen = { argv, ...(cwd !== undefined ? { cwd } : {}), exec: execd !== undefined };
  }
  return (
    chosen ?? (last !== undefined ? { argv: last, ...(cwd !== undefined ? { cwd } : {}), exec: false } : undefined)
  );
}
