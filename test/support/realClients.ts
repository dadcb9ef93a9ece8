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
