import { pathFor } from '../base/hostEnv';
import { jsonServerMapAdapter } from './jsonc';
import { adaptOpencodeConfig } from './opencode';
import { VSCODE_PRODUCTS, VscodeProduct, vscodeServerUserDir, vscodeUserDir, xdgAppConfigDir } from './locations';
import { SourceContext, SourceSpec } from './types';
import { one, several } from './fileFinders';

export const mcpServers = jsonServerMapAdapter(['mcpServers']);

/** opencode's config file names, as it reads them in its global folder (config.json first) and in a project. */
export const OPENCODE_FILES = ['opencode.json', 'opencode.jsonc'];
/** Kilo's config file names (Kilo 7.7.7 `GLOBAL_CONFIG_FILES`, `ALL_CONFIG_FILES`). */
export const KILO_FILES = ['kilo.json', 'kilo.jsonc', 'opencode.json', 'opencode.jsonc'];

/**
 * A VS Code extension's MCP settings file in its global storage, wherever the extension can be
 * installed: the user folder of each product of VS Code's family, and each one's remote server's.
 * The entries are the extension's (its client), whichever product's process runs them.
 */
export function inExtensionStorage(
  client: SourceSpec['client'],
  label: string,
  extensionId: string,
  fileName: string,
): SourceSpec[] {
  const places = VSCODE_PRODUCTS.flatMap((product) => [
    // The extension in VS Code itself keeps the plain name, as it always had.
    { label: product.client === 'vscode' ? label : `${label} (${product.label})`, dir: userDirOf(product) },
    { label: `${label} (${product.label} Remote)`, dir: serverUserDirOf(product) },
  ]);
  return places.map((place) => ({
    client,
    scope: 'user',
    label: place.label,
    files: one((ctx) => pathFor(ctx.host).join(place.dir(ctx), 'globalStorage', extensionId, 'settings', fileName)),
    adapter: mcpServers,
    variables: 'none',
  }));
}

function userDirOf(product: VscodeProduct) {
  return (ctx: SourceContext) => vscodeUserDir(ctx.host, product.folder);
}

function serverUserDirOf(product: VscodeProduct) {
  return (ctx: SourceContext) => vscodeServerUserDir(ctx.host, product.server);
}

/**
 * A client that reads opencode's format (opencode, and Kilo's CLI, its fork): the user's files in
 * its XDG config folder (`config.json` and `names`) and the one its `envVar` names, and a
 * workspace's files.
 */
export function opencodeFormat(
  client: SourceSpec['client'],
  label: string,
  user: { app: string; names: readonly string[]; envVar: string },
  workspaceFiles: SourceSpec['files'],
): SourceSpec[] {
  const userFiles = several((ctx) => {
    const p = pathFor(ctx.host);
    const dir = xdgAppConfigDir(ctx.host, user.app);
    return [...['config.json', ...user.names].map((name) => p.join(dir, name)), ctx.host.env[user.envVar]];
  });
  return [
    {
      client,
      scope: 'user',
      label,
      files: userFiles,
      adapter: adaptOpencodeConfig,
      variables: 'opencode',
      types: OPENCODE_TYPES,
    },
    {
      client,
      scope: 'workspace',
      label: `${label} (workspace)`,
      files: workspaceFiles,
      adapter: adaptOpencodeConfig,
      variables: 'opencode',
      types: OPENCODE_TYPES,
    },
  ];
}

/** opencode's own words for a transport. */
const OPENCODE_TYPES = { local: 'stdio', remote: 'http' } as const;

/** How a client's rows read their files: the adapter and the client's variables, words and rules. */
export type Reading = Pick<SourceSpec, 'adapter' | 'variables' | 'types' | 'rules'>;

/** A client's user files and its workspace files, read alike: two rows, `label` and `label (workspace)`. */
export function userAndWorkspace(
  client: SourceSpec['client'],
  label: string,
  files: { user: SourceSpec['files']; workspace: SourceSpec['files'] },
  reading: Reading,
): SourceSpec[] {
  return [
    { client, scope: 'user', label, files: files.user, ...reading },
    { client, scope: 'workspace', label: `${label} (workspace)`, files: files.workspace, ...reading },
  ];
}

/** `mcpServers` with Claude Code's `${VAR}`, or with Cursor's `${env:NAME}`. */
export const SHELL_VARIABLES: Reading = { adapter: mcpServers, variables: 'shell' };
export const ENV_VARIABLES: Reading = { adapter: mcpServers, variables: 'cursor' };
