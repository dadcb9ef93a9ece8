import type { Diagnostic, ServerConfig } from '../base/model';
import { pathFor } from '../base/hostEnv';
import { effectiveArgv, genericProgram, isGuard, LaunchKey, launchKeyOf, OwnScript, programName } from './argv';
import { shimScriptPath } from '../launch/binShim';
import { hasSeparator } from '../launch/program';
import { parseLaunch } from '../launch/parse';
import { PluginCache, pluginCacheOf } from './pluginUpdate';
import type { PathFacts } from './matchOptions';

export interface ConfigLaunch {
  config: ServerConfig;
  argv: string[];
  launch: LaunchKey;
  /** The configured program token after peeling, for the path check of plain programs. */
  program: string;
  /** Whether the launch moves to a folder itself (`cd d &&`, `uv --directory d`): a relative script is found there. */
  moves: boolean;
  /**
   * The command a guard-wrapped entry runs under its guard: the process it started before it was
   * wrapped still runs that command unguarded, and stays the entry's until it exits, but only when
   * the entry's own client runs it.
   */
  underGuard?: boolean;
  /** A `pipx run` entry indexed by the app it execs into (`prog:<app>`): its runner's key, for the cache check. */
  pipxApp?: string;
  /**
   * An `npx -p pkg bin` entry indexed by its bin (`npx:<bin>`, as npm's process title `npm exec bin`
   * shows it, its options left out): the package, whose folder the process's script must lie in.
   */
  npxPackage?: string;
}

/** The server command of a guard launch (`mcp-lifeguard run [opts] -- cmd...`, or our bundle by any name), when argv is one. */
function guardedCommand(argv: readonly string[], { facts, platform }: PathFacts): string[] | undefined {
  const bundle = facts?.cliBundle;
  const ours: OwnScript | undefined = bundle
    ? (script) => (pathFor({ platform }).isAbsolute(script) ? bundle(script) : undefined)
    : undefined;
  if (!isGuard(argv, ours)) return undefined;
  const eff = effectiveArgv(argv);
  const dash = eff.indexOf('--');
  return dash >= 0 && dash + 1 < eff.length ? eff.slice(dash + 1) : undefined;
}

/**
 * A configured program that is a bin shim where package managers write them (a `.bin` folder,
 * pnpm's are shell scripts; npm's global prefix on Windows, `%APPDATA%\npm\<bin>.cmd`): the
 * process it leaves running is `node <shim folder>/<target>`, the path spelled as the shim spells
 * it, so the entry is matched as that launch. Anything else is matched as configured.
 */
function throughBinShim(argv: string[], cwd: string | undefined, { facts, platform }: PathFacts): string[] {
  const program = argv[0];
  if (!facts?.binShimTarget || !hasSeparator(program)) return argv;
  const path = pathFor({ platform });
  const full = path.isAbsolute(program)
    ? program
    : cwd !== undefined && path.isAbsolute(cwd)
      ? path.resolve(cwd, program)
      : undefined;
  const rel = full !== undefined ? facts.binShimTarget(full) : undefined;
  return rel === undefined ? argv : ['node', shimScriptPath(program, rel), ...argv.slice(1)];
}

/**
 * Configured stdio launches by launch key, each parsed once, and the cache folders of the plugins
 * they run from (pluginUpdate.ts); entries that run a general-purpose program become diagnostics.
 */
export function indexConfigs(
  configs: readonly ServerConfig[],
  read: PathFacts,
): { byKey: Map<string, ConfigLaunch[]>; plugins: PluginCache[]; diagnostics: Diagnostic[] } {
  const byKey = new Map<string, ConfigLaunch[]>();
  const plugins = new Map<string, PluginCache>();
  const diagnostics: Diagnostic[] = [];
  for (const config of configs) {
    if (config.transport !== 'stdio' || !config.command) continue;
    const plugin = pluginCacheOf(config.source.addOn, read.platform);
    if (plugin) plugins.set(plugin.folder, plugin);
    const argv = throughBinShim([config.command, ...config.args], config.cwd, read);
    const generic = genericProgram(argv);
    if (generic !== undefined) {
      diagnostics.push(genericDiagnostic(config, generic));
      continue;
    }
    for (const entry of launchesOf(config, argv, read)) {
      let list = byKey.get(entry.launch.key);
      if (!list) byKey.set(entry.launch.key, (list = []));
      list.push(entry);
    }
  }
  return { byKey, plugins: [...plugins.values()], diagnostics };
}

/**
 * The launches an entry is matched as: its command as configured, the app a `pipx run` entry execs
 * into, and the command a guard-wrapped entry runs under its guard.
 */
function launchesOf(config: ServerConfig, argv: string[], read: PathFacts): ConfigLaunch[] {
  const launch = launchKeyOf(argv);
  if (!launch) return [];
  const parsed = parseLaunch(argv);
  const moves = parsed.cwd !== undefined;
  const out: ConfigLaunch[] = [{ config, argv, launch, program: effectiveArgv(argv)[0] ?? '', moves }];
  // `pipx run` replaces itself with the app in its cached environment: the process is that app.
  const target = parsed.target;
  if (target.kind === 'package' && target.runner === 'pipx-run' && target.command) {
    const app = programName(target.command);
    out.push({
      config,
      argv,
      launch: { key: `prog:${app}`, args: target.args, runner: false },
      program: app,
      moves,
      pipxApp: launch.key,
    });
  }
  // npm titles its exec process `npm exec bin args`, leaving `--package` out: the bin is the key it shows.
  if (target.kind === 'package' && target.runner === 'npx' && target.command) {
    const bin = `npx:${target.command.toLowerCase()}`;
    if (bin !== launch.key)
      out.push({
        config,
        argv,
        launch: { key: bin, args: target.args, runner: true },
        program: target.command,
        moves,
        npxPackage: target.name,
      });
  }
  const inner = guardedCommand(argv, read);
  const innerLaunch = inner && genericProgram(inner) === undefined ? launchKeyOf(inner) : undefined;
  if (inner && innerLaunch)
    out.push({
      config,
      argv: inner,
      launch: innerLaunch,
      program: effectiveArgv(inner)[0] ?? '',
      moves: parseLaunch(inner).cwd !== undefined,
      underGuard: true,
    });
  return out;
}

function genericDiagnostic(config: ServerConfig, program: string): Diagnostic {
  return {
    file: config.source.file,
    ...(config.position ? { line: config.position.line, column: config.position.column } : {}),
    severity: 'info',
    client: config.source.client,
    message: `'${config.name}' runs ${program}, a general-purpose program: its instances cannot be told apart from ordinary ${program} processes, so none are listed, and none are ever stopped for it`,
  };
}
