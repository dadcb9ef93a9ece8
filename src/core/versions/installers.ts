import { programName } from '../launch/program';
import type { Ecosystem } from '../base/versionTypes';

/**
 * Package installers running right now. While one runs, files appear and vanish for seconds at a
 * time (`npm ci` removes the whole tree first, then fetches before it writes): a judgement then
 * would report half of an install. A verdict that depends on files changed since the start waits
 * until no installer of that ecosystem runs. Pure: tested on stored argv.
 */

/** Subcommands that write a package tree, per installer. */
const WRITES: Record<
  string,
  { ecosystem: Ecosystem; verbs: RegExp; bare?: boolean; subVerbs?: Record<string, RegExp> }
> = {
  npm: {
    ecosystem: 'npm',
    verbs:
      /^(install|i|in|ins|inst|insta|instal|isnt|isnta|isntal|isntall|add|ci|clean-install|install-clean|isntall-clean|update|up|upgrade|udpate|uninstall|un|unlink|remove|rm|r|link|ln|rebuild|rb|dedupe|ddp|prune)$/,
  },
  pnpm: {
    ecosystem: 'npm',
    verbs: /^(install|i|add|update|up|upgrade|remove|rm|uninstall|un|link|ln|rebuild|rb|prune|dedupe|import)$/,
  },
  yarn: { ecosystem: 'npm', verbs: /^(install|add|upgrade|up|remove|link|unlink|dedupe)$/, bare: true },
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

/** The installer an argv runs, seen through `node npm-cli.js`, `python -m pip`, `pip3`; undefined for anything else. */
function installerOf(argv: readonly string[]): { name: string; rest: readonly string[] } | undefined {
  const prog = programName(argv[0] ?? '');
  if (/^(node|nodejs)$/.test(prog)) {
    const script = programName(argv[1] ?? '');
    const m = /^(npm|pnpm|yarn)(-cli)?(\.c?js)?$/.exec(script);
    return m ? { name: m[1], rest: argv.slice(2) } : undefined;
  }
  if (/^python(\d+(\.\d+)?)?$/.test(prog) && argv[1] === '-m') {
    const mod = argv[2] ?? '';
    return WRITES[mod] ? { name: mod, rest: argv.slice(3) } : undefined;
  }
  const name = prog.replace(/^pip\d+(\.\d+)?$/, 'pip');
  return WRITES[name] ? { name, rest: argv.slice(1) } : undefined;
}

export interface RunningInstaller {
  /** In words: `npm ci (pid 4242)`. */
  what: string;
  /** ms since the epoch, when the OS gave it. */
  startTime?: number;
}

/** An installer of `ecosystem` among the processes, if one runs. */
export function runningInstaller(
  processes: ReadonlyArray<{ pid: number; argv: readonly string[]; startTime?: number }>,
  ecosystem: Ecosystem,
): RunningInstaller | undefined {
  for (const p of processes) {
    const found = installerOf(p.argv);
    if (!found) continue;
    const spec = WRITES[found.name];
    if (spec.ecosystem !== ecosystem) continue;
    const words = found.rest.filter((a) => !a.startsWith('-'));
    const verb = words[0];
    const sub = verb !== undefined ? spec.subVerbs?.[verb] : undefined;
    if (sub && !sub.test(words[1] ?? '')) continue;
    if ((verb !== undefined && spec.verbs.test(verb)) || (verb === undefined && spec.bare)) {
      return {
        what: `${`${found.name} ${verb ?? ''}`.trim()} (pid ${p.pid})`,
        ...(p.startTime !== undefined ? { startTime: p.startTime } : {}),
      };
    }
  }
  return undefined;
}
