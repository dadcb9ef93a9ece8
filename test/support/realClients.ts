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

/**
 * Codex: its npm package's bin is a node shim (`bin/codex.js`) that runs the vendored musl binary of
 * the platform package (`@openai/codex-linux-x64/vendor/x86_64-unknown-linux-musl/bin/codex`) with
 * the same arguments: as its child under a Node without `process.execve` (20), in its place
 * (execve, same pid) under one with it (22.15+).
 */
export const CODEX = { name: '@openai/codex', version: '0.169.0' } as const;

export async function codexBin(): Promise<string> {
  return path.join(await npmTool(CODEX.name, CODEX.version), 'codex');
}

/**
 * `codex exec`'s options for a model on loopback, given on its command line (`-c`), so that
 * config.toml holds only what `codex mcp add` wrote: a provider `local` speaking the Responses API
 * at `<modelUrl>/v1`, its key read from CODEX_LOOPBACK_KEY.
 */
export function codexModelArgs(modelUrl: string): string[] {
  return [
    '-c',
    'model_provider="local"',
    '-c',
    `model_providers.local={name="local",base_url="${modelUrl}/v1",wire_api="responses",env_key="CODEX_LOOPBACK_KEY"}`,
    '-c',
    'model="gpt-5"',
  ];
}

/** Gemini CLI: a node script (`bundle/gemini.js`) that relaunches itself as a child with a larger heap. */
export const GEMINI_CLI = { name: '@google/gemini-cli', version: '0.61.0' } as const;

export async function geminiCliBin(): Promise<string> {
  return path.join(await npmTool(GEMINI_CLI.name, GEMINI_CLI.version), 'gemini');
}

/**
 * Gemini CLI's session against a loopback model: the API-key method (its settings'
 * `security.auth.selectedType: "gemini-api-key"` says which; without it `-p` refuses to start)
 * with GEMINI_API_KEY, and GOOGLE_GEMINI_BASE_URL, which its content generator takes as the
 * Gemini API's base URL (@google/gemini-cli 0.61.0 bundle: createContentGenerator). The folder is
 * trusted through GEMINI_CLI_TRUST_WORKSPACE: `--skip-trust` lets `-p` run but, in 0.61.0, leaves
 * the project's servers out.
 */
export function geminiEnv(modelUrl: string): Record<string, string> {
  return {
    GEMINI_API_KEY: 'loopback-model-stub',
    GOOGLE_GEMINI_BASE_URL: modelUrl,
    GEMINI_CLI_TRUST_WORKSPACE: 'true',
  };
}

/**
 * Qwen Code: `.bin/qwen` is `cli-entry.js` under node, which runs `cli.js` as a child node
 * (`--expose-gc`), which relaunches itself once more; servers are the last one's children.
 */
export const QWEN_CODE = { name: '@qwen-code/qwen-code', version: '0.24.4' } as const;

export async function qwenCodeBin(): Promise<string> {
  return path.join(await npmTool(QWEN_CODE.name, QWEN_CODE.version), 'qwen');
}

/**
 * Qwen Code's session against a loopback model: its OpenAI-compatible method (chosen in its user
 * settings, `security.auth.selectedType: "openai"`) with OPENAI_BASE_URL, OPENAI_API_KEY and
 * OPENAI_MODEL (@qwen-code/qwen-code 0.24.4 bundle: the openai content generator's config).
 */
export function qwenEnv(modelUrl: string): Record<string, string> {
  return {
    OPENAI_BASE_URL: `${modelUrl}/v1`,
    OPENAI_API_KEY: 'sk-loopback-model-stub',
    OPENAI_MODEL: 'gpt-4o',
    QWEN_USAGE_STATISTICS_ENABLED: 'false',
  };
}

/** opencode: the npm bin is the native binary itself (`opencode-ai/bin/opencode.exe`); servers are its children. */
export const OPENCODE = { name: 'opencode-ai', version: '1.18.33' } as const;

export async function opencodeBin(): Promise<string> {
  return path.join(await npmTool(OPENCODE.name, OPENCODE.version), 'opencode');
}

/**
 * What opencode (and Kilo, its fork) runs with in tests: no models.dev fetch, no update, no
 * sharing; its background install of its plugin package into its config folders pointed at a dead
 * loopback registry (it fails and the session goes on).
 */
export function opencodeEnv(prefix: 'OPENCODE' | 'KILO'): Record<string, string> {
  return {
    [`${prefix}_DISABLE_MODELS_FETCH`]: '1',
    [`${prefix}_DISABLE_AUTOUPDATE`]: '1',
    [`${prefix}_DISABLE_SHARE`]: '1',
    npm_config_registry: 'http://127.0.0.1:9/',
  };
}

/**
 * The model of an opencode (or Kilo) session, given in the config its `*_CONFIG_CONTENT` variable
 * holds, so its files keep only what `mcp add` wrote: a provider `stub` of the bundled
 * `@ai-sdk/openai-compatible` at `<modelUrl>/v1`.
 */
export function opencodeModelConfig(modelUrl: string): string {
  return JSON.stringify({
    provider: {
      stub: {
        npm: '@ai-sdk/openai-compatible',
        name: 'stub',
        options: { baseURL: `${modelUrl}/v1`, apiKey: 'sk-loopback-model-stub' },
        models: { m: { name: 'm' } },
      },
    },
    model: 'stub/m',
  });
}

/**
 * Kilo's CLI, a fork of opencode: its npm bin is a node script (`@kilocode/cli/bin/kilo`) that runs
 * the native binary its install linked as `@kilocode/cli/bin/.kilo` and waits; servers are the
 * native binary's children.
 */
export const KILO = { name: '@kilocode/cli', version: '7.7.7' } as const;

export async function kiloBin(): Promise<string> {
  return path.join(await npmTool(KILO.name, KILO.version), 'kilo');
}

/**
 * The Cline CLI: its npm package `cline` installs the platform package's native binary as its bin
 * (`@cline/cli-linux-x64/bin/cline`). A session's process runs its servers; it also starts a hub
 * (`cline --cline-hub-daemon ...`) that outlives it, in which later sessions run, their servers the
 * hub's children.
 */
export const CLINE_CLI = { name: 'cline', version: '3.0.65' } as const;

export async function clineCliBin(): Promise<string> {
  return path.join(await npmTool(CLINE_CLI.name, CLINE_CLI.version), 'cline');
}

/** `cline auth`'s arguments for an OpenAI-compatible provider on the loopback model (it writes them to its providers.json). */
export function clineAuthArgs(modelUrl: string): string[] {
  return ['auth', '-p', 'openai', '-k', 'sk-loopback-model-stub', '-m', 'gpt-4o', '-b', `${modelUrl}/v1`];
}

/** The Continue CLI: `cn`, a node script (`@continuedev/cli/dist/cn.js`); servers are its children. */
export const CONTINUE_CLI = { name: '@continuedev/cli', version: '1.5.47' } as const;

export async function continueCliBin(): Promise<string> {
  return path.join(await npmTool(CONTINUE_CLI.name, CONTINUE_CLI.version), 'cn');
}

/** Auggie, Augment's CLI: a node script (`@augmentcode/auggie/augment.mjs`, the bin `auggie`). */
export const AUGGIE = { name: '@augmentcode/auggie', version: '0.36.0' } as const;

export async function auggieBin(): Promise<string> {
  return path.join(await npmTool(AUGGIE.name, AUGGIE.version), 'auggie');
}

/** Amp (Sourcegraph): the npm bin is the native binary itself (`@ampcode/cli/bin/amp.exe`). */
export const AMP = { name: '@sourcegraph/amp', version: '0.0.1790142911-g7618fb' } as const;

export async function ampBin(): Promise<string> {
  return path.join(await npmTool(AMP.name, AMP.version), 'amp');
}

/**
 * Factory Droid: the `droid` package, whose bin is the platform package's native binary
 * (`@factory/cli-linux-x64/bin/droid`). `@factory/cli` 0.225.1 names platform packages npm does not
 * serve at that version, so it does not install.
 */
export const FACTORY_DROID = { name: 'droid', version: '0.215.0' } as const;

export async function droidBin(): Promise<string> {
  return path.join(await npmTool(FACTORY_DROID.name, FACTORY_DROID.version), 'droid');
}

/**
 * Factory Droid's session against a loopback model: a custom (BYOK) model at `<modelUrl>/v1` in its
 * user settings, chosen with `droid exec -m custom:<model>`; no Factory login. Its own API
 * (feature flags, organization settings) is a closed loopback port, which it passes over at once.
 */
export function droidSettings(modelUrl: string): Record<string, unknown> {
  return {
    customModels: [
      {
        model: 'gpt-4o',
        displayName: 'loopback',
        baseUrl: `${modelUrl}/v1`,
        apiKey: 'sk-loopback-model-stub',
        provider: 'generic-chat-completion-api',
        maxOutputTokens: 1000,
      },
    ],
  };
}

export const DROID_ENV = {
  FACTORY_API_BASE_URL: 'http://127.0.0.1:9',
  FACTORY_DROID_AUTO_UPDATE_ENABLED: 'false',
} as const;

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
  /**
   * From now on the model answers: every held request and every later one gets a one-turn reply,
   * "done", in its API's streaming form (Anthropic Messages for Claude Code, OpenAI Responses for
   * Codex), so a `-p` / `exec` session ends by itself as it does for a user.
   */
  answer(): void;
  close(): Promise<void>;
}

type Held = { path: string; body: string; res: http.ServerResponse };

function sse(res: http.ServerResponse, events: Array<Record<string, unknown> & { type: string }>): void {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  for (const e of events) res.write(`event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`);
  res.end();
}

/** The model's one reply, "done", as the API the request was made to says it. */
function reply({ path: url, body, res }: Held): void {
  let request: { stream?: boolean; model?: string } = {};
  try {
    request = JSON.parse(body);
  } catch {
    // no body: answered all the same
  }
  if (url.includes('/responses')) {
    const usage = { input_tokens: 1, output_tokens: 1, total_tokens: 2 };
    const item = { type: 'message', id: 'msg_1', role: 'assistant', status: 'completed' };
    return sse(res, [
      { type: 'response.created', response: { id: 'resp_1' } },
      {
        type: 'response.output_item.done',
        output_index: 0,
        item: { ...item, content: [{ type: 'output_text', text: 'done', annotations: [] }] },
      },
      { type: 'response.completed', response: { id: 'resp_1', usage } },
    ]);
  }
  if (!url.includes('/messages')) {
    res.writeHead(404).end();
    return;
  }
  const message = {
    id: 'msg_1',
    type: 'message',
    role: 'assistant',
    model: request.model ?? 'stub',
    content: [] as unknown[],
    stop_reason: null as string | null,
    stop_sequence: null,
    usage: { input_tokens: 1, output_tokens: 1 },
  };
  if (!request.stream) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ ...message, content: [{ type: 'text', text: 'done' }], stop_reason: 'end_turn' }));
    return;
  }
  sse(res, [
    { type: 'message_start', message },
    { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
    { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'done' } },
    { type: 'content_block_stop', index: 0 },
    { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 1 } },
    { type: 'message_stop' },
  ]);
}

/**
 * A model API on 127.0.0.1 that takes every request and never answers (until told to: answer()): a
 * client's session starts its MCP servers, asks the model, and then waits, with its servers up,
 * until the test ends it.
 */
export function modelStub(): Promise<ModelStub> {
  const requests: string[] = [];
  const held = new Set<Held>();
  let answering = false;
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const h = { path: req.url ?? '', body, res };
      if (answering) return reply(h);
      held.add(h);
      res.on('close', () => held.delete(h));
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        requests,
        answer: () => {
          answering = true;
          for (const h of [...held]) {
            held.delete(h);
            reply(h);
          }
        },
        close: () =>
          new Promise<void>((done) => {
            for (const h of held) h.res.destroy();
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
