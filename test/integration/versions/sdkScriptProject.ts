import * as fs from 'node:fs';
import * as path from 'node:path';
import { NPM, npmEnv, npmWorld, run } from './support';

export const SDK = '@modelcontextprotocol/sdk';

/** A server as the SDK's quickstart writes it: ESM, importing the SDK by its package subpaths, one tool. */
const SDK_SERVER = `import { McpServer } from '${SDK}/server/mcp.js';
import { StdioServerTransport } from '${SDK}/server/stdio.js';
const server = new McpServer({ name: 'proj', version: '1.0.0' });
server.registerTool('hello', { description: 'Says hi' }, async () => ({ content: [{ type: 'text', text: 'hi' }] }));
await server.connect(new StdioServerTransport());
console.error('proj running on stdio');
`;

/**
 * A script server no package installs, in a project `npm install` made (a package.json of
 * dependencies only) under `<root>/proj`: the SDK at 1.32.2 in its node_modules, and 1.25.0 fetched
 * once into the same npm cache (`<root>/npm-cache`, npmWorld: made once per machine), so a real
 * `npm install` of 1.25.0 in the project moves what the script imports. Its script's path.
 */
export async function sdkScriptProject(root: string): Promise<{ proj: string; script: string }> {
  await npmWorld(root, `script-project-sdk-1.32.2-cache-1.25.0`, async (dir) => {
    const proj = path.join(dir, 'proj');
    const other = path.join(dir, 'other');
    for (const d of [proj, other]) fs.mkdirSync(d);
    await run(NPM, ['install', `${SDK}@1.25.0`], { cwd: other, env: npmEnv(dir) });
    fs.rmSync(other, { recursive: true });
    await run(NPM, ['install', `${SDK}@1.32.2`], { cwd: proj, env: npmEnv(dir) });
  });
  const proj = path.join(root, 'proj');
  const script = path.join(proj, 'server.mjs');
  fs.writeFileSync(script, SDK_SERVER);
  return { proj, script };
}

/** The SDK moved under the project's script by real npm: 1.32.2 -> 1.25.0, from the npm cache. */
export function moveSdk(root: string, proj: string): Promise<unknown> {
  return run(NPM, ['install', `${SDK}@1.25.0`], { cwd: proj, env: npmEnv(root) });
}
