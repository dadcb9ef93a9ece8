import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { listenOn } from './startup';
import { PYTHON } from './run';
import { isolatedHome, offlineVenv, OfflineVenv, writeBytecode } from './venv';
import { pypiWheelhouseOf, toolCacheRoot } from './toolCache';

/**
 * mempalace from PyPI (a Python MCP server over a chromadb palace, 85 distributions with its
 * dependencies) in a real venv, installed offline from a wheelhouse cached once per pin set. The
 * wheelhouse holds both chromadb releases, so a test can upgrade chromadb under a running server.
 */

export const MEMPALACE_VERSION = '3.11.0';
export const CHROMADB_OLD = '1.5.8';
export const CHROMADB_NEW = '1.5.9';
const WHEELHOUSE_KEY = `mempalace-${MEMPALACE_VERSION}-chromadb-${CHROMADB_OLD}-${CHROMADB_NEW}`;

/** The wheelhouse (downloaded on first use, ~110 MB): mempalace with chromadb at the old release, and the new chromadb with its own deps. */
export function mempalaceWheelhouse(): Promise<string> {
  return pypiWheelhouseOf(PYTHON, WHEELHOUSE_KEY, [
    [`mempalace==${MEMPALACE_VERSION}`, `chromadb==${CHROMADB_OLD}`],
    [`chromadb==${CHROMADB_NEW}`],
  ]);
}

/** Whether the wheelhouse is already cached (the bench skips rather than download). */
export function mempalaceWheelhouseCached(): boolean {
  return fs.existsSync(path.join(toolCacheRoot(), `wheelhouse-${WHEELHOUSE_KEY}`));
}

export interface MempalaceVenv extends OfflineVenv {
  /** The console script mempalace's README configures: `mempalace-mcp [--palace <path>]`. */
  mcpBin: string;
  sitePackages: string;
}

/**
 * A venv at `<root>/venv` holding mempalace with chromadb at CHROMADB_OLD (setup: a copy of a
 * per-machine template, compiled, see offlineVenv); `pip` is the installer a test upgrades chromadb with.
 */
export async function mempalaceVenv(root: string): Promise<MempalaceVenv> {
  const wheelhouse = await mempalaceWheelhouse();
  const { venv, py, pip, seed } = await offlineVenv(root, [wheelhouse], {
    holding: {
      requirements: [`mempalace==${MEMPALACE_VERSION}`, `chromadb==${CHROMADB_OLD}`],
      findLinks: [wheelhouse],
    },
  });
  const lib = path.join(venv, 'lib');
  const sitePackages = path.join(
    lib,
    fs.readdirSync(lib).find((d) => /^python\d/.test(d))!,
    'site-packages',
  );
  return { venv, py, mcpBin: path.join(venv, 'bin', 'mempalace-mcp'), sitePackages, pip, seed };
}

/**
 * A loopback OpenAI-compatible `/v1/embeddings` endpoint answering 8 numbers per text (from its
 * hash). mempalace's default embedder downloads a model, which this machine cannot reach; its
 * `openai-compat` setting points the write path here instead. The embedder is not under test.
 */
export async function startEmbeddings(): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const { input, model } = JSON.parse(body) as { input: string[]; model: string };
      const data = input.map((text, index) => ({
        object: 'embedding',
        index,
        embedding: [...createHash('sha256').update(text).digest().subarray(0, 8)].map((b) => b / 255 + 0.01),
      }));
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ object: 'list', data, model }));
    });
  });
  const port = await listenOn(server);
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * A home for mempalace (`~/.mempalace/config.json` naming the loopback embedder) and the
 * environment a server started in it gets: HOME and the XDG folders under it, nothing of the user's,
 * and Python's bytecode written (each start after the first one in a venv loads chromadb compiled).
 */
export function mempalaceHome(home: string, embeddingsUrl: string): Record<string, string> {
  fs.mkdirSync(path.join(home, '.mempalace'), { recursive: true });
  fs.writeFileSync(
    path.join(home, '.mempalace', 'config.json'),
    JSON.stringify(
      { embedding_model: 'openai-compat', embedding_api_url: embeddingsUrl, embedding_api_model: 'lg-test' },
      null,
      2,
    ),
  );
  return { ...isolatedHome(home), ...writeBytecode };
}

/** The text of the first content block of a tool result, parsed as mempalace's JSON answer. */
export function answerOf(result: unknown): Record<string, unknown> {
  const text = ((result as { content: Array<{ text?: string }> }).content[0] ?? {}).text ?? '';
  return JSON.parse(text) as Record<string, unknown>;
}

/**
 * How many mempalace server processes run this venv's console script (`python <mcpBin> ...`; a guard
 * names it only after `--`, so its own command line does not count).
 */
export function mempalaceServerCount(mcpBin: string): number {
  return fs
    .readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((pid) => {
      try {
        return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').slice(0, 2).includes(mcpBin);
      } catch {
        return false;
      }
    }).length;
}
