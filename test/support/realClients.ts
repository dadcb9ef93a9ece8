import * as http from 'node:http';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import { npmTool } from './toolCache';

/**
 * The real clients' CLIs from npm, pinned to the versions whose configs and process shapes were
 * verified (docs/clients.md), installed once into the tool cache; and the loopback model they talk
 * to, so a real session starts its MCP servers and nothing leaves the machine.
 */

/** Claude Code: its npm package's bin runs a native binary (`bin/claude.exe`). */
export const CLAUDE_CODE = { name: '@anthropic-ai/claude-code', version: '2.1.328' } as const;

export async function claudeCodeBin(): Promise<string> {
  return path.join(await npmTool(CLAUDE_CODE.name, CLAUDE_CODE.version), 'claude');
}

/**
 * Copilot CLI: its npm package's bin is a node loader that runs the native binary of the platform's
 * package (`@github/copilot-linux-x64/copilot`), which unpacks its own package into
 * `~/.cache/copilot/pkg` on first run (about 3 s).
 */
export const COPILOT_CLI = { name: '@github/copilot', version: '1.0.102' } as const;

export async function copilotCliBin(): Promise<string> {
  return path.join(await npmTool(COPILOT_CLI.name, COPILOT_CLI.version), 'copilot');
}

/**
 * Copilot CLI's session against a loopback model: offline mode (no GitHub login, no telemetry, no
 * update) with a custom OpenAI-compatible provider (BYOK, `copilot help environment`).
 */
export function copilotEnv(modelUrl: string): Record<string, string> {
  return {
    COPILOT_OFFLINE: 'true',
    COPILOT_AUTO_UPDATE: 'false',
    COPILOT_PROVIDER_BASE_URL: `${modelUrl}/v1`,
    COPILOT_PROVIDER_API_KEY: 'sk-loopback-model-stub',
    COPILOT_MODEL: 'gpt-4o',
  };
}

/** The environment a real client gets in tests: no update checks, no telemetry, its model on loopback. */
export function clientEnv(modelUrl: string): Record<string, string> {
  return {
    ANTHROPIC_BASE_URL: modelUrl,
    ANTHROPIC_API_KEY: 'sk-loopback-model-stub',
    DISABLE_AUTOUPDATER: '1',
    DISABLE_TELEMETRY: '1',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
  };
}

export interface ModelStub {
  url: string;
  /** Requests received so far (method and path): a session that started asks the model once. */
  requests: string[];
  close(): Promise<void>;
}

/**
 * A model API on 127.0.0.1 that takes every request and never answers: a client's session starts
 * its MCP servers, asks the model, and then waits, with its servers up, until the test ends it.
 */
export function modelStub(): Promise<ModelStub> {
  const requests: string[] = [];
  const open = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    req.resume();
    open.add(res);
    res.on('close', () => open.delete(res));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        requests,
        close: () =>
          new Promise<void>((done) => {
            for (const res of open) res.destroy();
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
