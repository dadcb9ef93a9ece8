import { REDACTED } from '../base/redact';
import { effectiveArgv, LaunchKey } from './argv';
import { hasSeparator } from '../launch/program';
import { ProcessInfo } from '../pids/table';
import type { ConfigLaunch } from './configLaunches';
import { launcherStem } from './pathAnswers';

/**
 * Whether a configured argument is this running one. Discovery redacts secrets in configured args
 * (`--api-key=<redacted>`), so a `<redacted>` part stands for any non-empty text.
 */
function argMatches(configured: string, running: string): boolean {
  if (configured === running) return true;
  if (!configured.includes(REDACTED)) return false;
  return redactedPattern(configured, '.+').test(running);
}

/** A configured argument as a pattern: its text literal, each `<redacted>` part as `secret`. */
function redactedPattern(configured: string, secret: '.+' | '(.+)'): RegExp {
  const literal = configured.split(REDACTED).map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${literal.join(secret)}$`, 's');
}

/**
 * The running text a configured argument's `<redacted>` parts stand for (a secret the entry holds
 * masked, or one only the client knows: an extension's encrypted setting, which Claude Desktop
 * decrypts at launch), lined up from the end of the process's argv: masked in its command line too.
 */
export function maskedParts(configured: readonly string[], argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let k = 1; k <= Math.min(configured.length, argv.length); k++) {
    const c = configured[configured.length - k];
    const r = argv[argv.length - k];
    if (!c.includes(REDACTED) || c === r) continue;
    const m = redactedPattern(c, '(.+)').exec(r);
    if (m) for (const part of m.slice(1)) if (part && part !== REDACTED) out.push(part);
  }
  return out;
}

/**
 * Whether the running arguments are the configured ones. From a line the OS printed joined (macOS
 * `ps`), a space inside an argument looks like one between two (`--name My Server`): there the
 * configured arguments joined the same way are compared with the running ones joined, what `ps`
 * would print for the entry's launch.
 */
function sameArgs(configured: readonly string[], running: readonly string[], joined = false): boolean {
  if (configured.length === running.length && configured.every((x, i) => argMatches(x, running[i]))) return true;
  return joined && argMatches(configured.join(' '), running.join(' '));
}

function endsWith(running: readonly string[], configured: readonly string[], joined: boolean): boolean {
  if (
    configured.length <= running.length &&
    configured.every((x, i) => argMatches(x, running[running.length - configured.length + i]))
  )
    return true;
  if (!joined || configured.length === 0) return false;
  // The running arguments' tail, as many words as the configured ones hold once joined.
  const words = configured.join(' ').split(' ').length;
  return words <= running.length && argMatches(configured.join(' '), running.slice(running.length - words).join(' '));
}

/**
 * Whether a candidate root process is this configured launch: same launch key (checked by the
 * caller), same server arguments (on the runner, or at the end of the main process's argv when the
 * runner hides them, as `npm exec` does), and the same program path when both name one.
 */
export function launchMatches(
  c: ConfigLaunch,
  rootLaunch: LaunchKey,
  rootEff: readonly string[],
  main: ProcessInfo,
  joined: boolean,
): boolean {
  // `pipx run` execs into its cache's environment (`<pipx home>/.cache/<hash>`), never an installed app's venv.
  if (c.pipxApp)
    return (
      sameArgs(c.launch.args, rootLaunch.args, joined) && main.argv.some((a) => /[\\/]pipx[\\/]\.cache[\\/]/.test(a))
    );
  if (!c.launch.runner && !c.pipxApp && hasSeparator(c.program) && hasSeparator(rootEff[0] ?? '')) {
    // A launcher script and what it runs may differ by extension (`bin/mcp-lifeguard` runs `bin/mcp-lifeguard.js`).
    const cfg = launcherStem(c.program);
    const run = launcherStem(rootEff[0]);
    const absolute = cfg.startsWith('/') || /^[A-Za-z]:\//.test(cfg);
    // Absolute paths are compared by the identity questions (real paths: links, pnpm's version folders).
    if (!absolute && !run.endsWith(cfg.replace(/^\.\//, '')) && !c.moves) return false;
  }
  if (sameArgs(c.launch.args, rootLaunch.args, joined)) return true;
  if (rootLaunch.runner && rootLaunch.args.length === 0) {
    const mainArgs = effectiveArgv(main.argv).slice(1);
    return endsWith(mainArgs, c.launch.args, joined && main.argvJoined === true);
  }
  return false;
}
