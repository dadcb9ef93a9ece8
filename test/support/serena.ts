import * as fs from 'node:fs';
import * as path from 'node:path';
import { PYTHON } from './run';
import { cachedVenv } from './venv';
import { pypiWheelsBuilt } from './toolCache';

/**
 * serena-agent from PyPI (a Python MCP server over streamable HTTP, 75 distributions with its
 * dependencies) in a real venv, installed offline from wheels cached once per pin (`proxy_tools`
 * has no wheel on PyPI: it is built once, when the cache is filled).
 */

export const SERENA_VERSION = '2.1.0';

export interface SerenaVenv {
  /** The console script serena's docs configure: `serena start-mcp-server ...`. */
  bin: string;
}

/**
 * A venv holding serena-agent at SERENA_VERSION, made once per machine in the test cache (see
 * cachedVenv: the tests run it, never install into it).
 */
export async function serenaVenv(): Promise<SerenaVenv> {
  const wheels = await pypiWheelsBuilt(PYTHON, `serena-agent-${SERENA_VERSION}`, [`serena-agent==${SERENA_VERSION}`]);
  const venv = await cachedVenv(`serena-agent-${SERENA_VERSION}`, [wheels], [`serena-agent==${SERENA_VERSION}`]);
  return { bin: venv.bin('serena') };
}

/**
 * A project folder serena starts no language server for (no source file of a language it knows):
 * nothing needs `uv` or fetches a language server, and the MCP server still serves its tools.
 */
export function serenaProject(root: string): string {
  const dir = path.join(root, 'project');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'README.md'), '# notes\n');
  return dir;
}

/** The serena session id its `initial_instructions` give, which its REPL tool takes. */
export function serenaSessionOf(instructions: string): string | undefined {
  return /Your Serena session id is `([^`]+)`/.exec(instructions)?.[1];
}
