import { pathFor } from '../base/hostEnv';
import { jsonServerMapAdapter } from './jsonc';
import { VSCODE_PRODUCTS, vscodeServerUserDir, vscodeUserDir } from './locations';
import { SourceSpec } from './types';
import { one, listOrEmpty } from './fileFinders';

/** The products of VS Code's family that read their own user `mcp.json`. */
const OWN_MCP_PRODUCTS = VSCODE_PRODUCTS.filter((product) => product.ownMcp);

/**
 * The user files of VS Code's family: a window starts their servers on its UI side (microsoft/vscode
 * mainThreadMcp.ts `canStart`: a collection starts only on the extension host of its remote
 * authority, and a user file's has none), so in a remote window they run on the local machine.
 */
export const vscodeSources: SourceSpec[] = OWN_MCP_PRODUCTS.flatMap((product): SourceSpec[] => [
  {
    client: product.client,
    scope: 'user',
    label: `${product.label} User`,
    files: one((ctx) => pathFor(ctx.host).join(vscodeUserDir(ctx.host, product.folder), 'mcp.json')),
    adapter: jsonServerMapAdapter(['servers']),
    variables: 'vscode',
    runsOn: 'window-ui',
  },
  {
    client: product.client,
    scope: 'profile',
    label: `${product.label} User`,
    files: async (ctx, listDir) => {
      const p = pathFor(ctx.host);
      const profiles = p.join(vscodeUserDir(ctx.host, product.folder), 'profiles');
      return (await listOrEmpty(listDir, profiles))
        .sort()
        .map((profile) => ({ file: p.join(profiles, profile, 'mcp.json'), profile }));
    },
    adapter: jsonServerMapAdapter(['servers']),
    variables: 'vscode',
    runsOn: 'window-ui',
  },
  {
    // Before mcp.json, servers lived under "mcp" in user settings.json; VS Code still migrates them.
    client: product.client,
    scope: 'user',
    label: `${product.label} User`,
    files: one((ctx) => pathFor(ctx.host).join(vscodeUserDir(ctx.host, product.folder), 'settings.json')),
    adapter: jsonServerMapAdapter(['mcp', 'servers']),
    variables: 'vscode',
    runsOn: 'window-ui',
  },
]);

/**
 * The server side of Remote SSH / WSL / Dev Containers keeps its own user mcp.json (Dev Containers
 * write their `customizations.vscode.mcp` servers there), one per product.
 */
export const vscodeRemoteSources: SourceSpec[] = OWN_MCP_PRODUCTS.map((product): SourceSpec => ({
  client: product.client,
  scope: 'user',
  label: `${product.label} Remote User`,
  files: one((ctx) => pathFor(ctx.host).join(vscodeServerUserDir(ctx.host, product.server), 'mcp.json')),
  adapter: jsonServerMapAdapter(['servers']),
  variables: 'vscode',
}));
