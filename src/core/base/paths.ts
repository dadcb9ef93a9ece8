import { HostEnv, pathFor } from './hostEnv';

/** The one environment variable that moves every file MCP Lifeguard owns. */
export const ROOT_ENV_VAR = 'MCP_LIFEGUARD_HOME';

/**
 * Every file of our own (locks, state, caches, the installed guard, logs) derives from one root per
 * OS, overridable with `MCP_LIFEGUARD_HOME`, so tests and users can isolate everything at once.
 *   Linux    ${XDG_STATE_HOME:-~/.local/state}/mcp-lifeguard
 *   macOS    ~/Library/Application Support/MCP Lifeguard
 *   Windows  %LOCALAPPDATA%\MCP Lifeguard
 */
export interface LifeguardPaths {
  /** The machine's platform: files below these folders are named by its path rules (`pathFor(paths)`). */
  readonly platform: NodeJS.Platform;
  readonly root: string;
  /** Lock records and control sockets: user-private (0700). */
  readonly locks: string;
  /** Persisted observations (first-seen versions, notification marks, HTTP session maps). */
  readonly state: string;
  /** Caches that may be deleted at any time (resolutions, registry answers). */
  readonly cache: string;
  /** The installed guard, at a stable path configs can point at. */
  readonly bin: string;
  readonly logs: string;
}

export function lifeguardRoot(host: HostEnv): string {
  const p = pathFor(host);
  const override = host.env[ROOT_ENV_VAR];
  if (override) return p.resolve(override);
  switch (host.platform) {
    case 'win32':
      return p.join(host.env.LOCALAPPDATA || p.join(host.home, 'AppData', 'Local'), 'MCP Lifeguard');
    case 'darwin':
      return p.join(host.home, 'Library', 'Application Support', 'MCP Lifeguard');
    default:
      return p.join(host.env.XDG_STATE_HOME || p.join(host.home, '.local', 'state'), 'mcp-lifeguard');
  }
}

export function lifeguardPaths(host: HostEnv): LifeguardPaths {
  const p = pathFor(host);
  const root = lifeguardRoot(host);
  return {
    platform: host.platform,
    root,
    locks: p.join(root, 'locks'),
    state: p.join(root, 'state'),
    cache: p.join(root, 'cache'),
    bin: p.join(root, 'bin'),
    logs: p.join(root, 'logs'),
  };
}
