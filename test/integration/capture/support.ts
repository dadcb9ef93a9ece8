import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cliPath } from '../../support/repo';

export type CliRun = { code: number; stdout: string; stderr: string };

/** The built CLI run in `cwd` with `env` alone (nothing of the test's own environment). */
export function runCli(cwd: string, args: string[], env: Record<string, string>): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cliPath, ...args], { cwd, env }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** The environment of the user of `home`, MCP Lifeguard's root at `root`, with no registry asked. */
export function userEnv(home: string, root: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: home,
    MCP_LIFEGUARD_HOME: root,
    MCP_LIFEGUARD_UPDATE_CHECK: '0',
  };
}

/** Cursor's user config in `home` with these servers, indented as a person writes it; its path. */
export function cursorConfig(home: string, servers: Record<string, unknown>): string {
  const config = path.join(home, '.cursor', 'mcp.json');
  fs.mkdirSync(path.dirname(config), { recursive: true });
  fs.writeFileSync(config, JSON.stringify({ mcpServers: servers }, null, 2));
  return config;
}

/**
 * `capture --out <base>/capture.json`, then `status --json --replay` of it, each run in `base` and
 * asserted to exit 0: the capture's path and the replay's run.
 */
export async function captureAndReplay(
  base: string,
  env: Record<string, string>,
): Promise<{ file: string; replayed: CliRun }> {
  const file = path.join(base, 'capture.json');
  const taken = await runCli(base, ['capture', '--out', file], env);
  assert.equal(taken.code, 0, taken.stderr);
  const replayed = await runCli(base, ['status', '--json', '--replay', file], env);
  assert.equal(replayed.code, 0, replayed.stderr);
  return { file, replayed };
}
