// Bundles the two shipped entry points: the extension (CommonJS, `vscode` external) and the CLI.
// Minified for size (the .vsix and the install); the source maps sit next to the bundles
// (dist/*.js.map, linked, not packaged) so that, with `node --enable-source-maps`, a stack trace
// points into src/. No bundle keeps function and class names (`keepNames`): it cost the engine and the
// extension 36 KB, and every closure a hot function makes a property write (a tenth of `status` on a
// config of 20,000 servers); the source maps name every function.
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

/**
 * Two substitutions that keep the bundles small without changing what they do:
 * - package.json is read for its version alone (src/core/base/version.ts): the manifest's other
 *   12 KB (commands, menus, settings) stays out of both bundles.
 * - The MCP server SDK's Node shims bring Ajv (150 KB) as the default JSON Schema validator; the
 *   agent face's tools declare zod schemas, which validate themselves, so the SDK's own Workers
 *   choice (@cfworker/json-schema, a fifth of the size) serves for anything else.
 */
const lean = {
  name: 'lean',
  setup(b) {
    b.onResolve({ filter: /^@modelcontextprotocol\/server\/_shims$/ }, () => ({
      path: fileURLToPath(new URL('./shims/mcpServerShims.mjs', import.meta.url)),
    }));
    b.onLoad({ filter: /[\\/]package\.json$/ }, (args) =>
      args.path === fileURLToPath(new URL('../package.json', import.meta.url))
        ? { contents: JSON.stringify({ version }), loader: 'json' }
        : undefined,
    );
  },
};

/**
 * The TypeScript settings esbuild reads, as tsconfig.json has them, but for `alwaysStrict`: with it
 * every module of a bundle gets its own `"use strict"` (a hundred in the guard's, 1.4 KB); each bundle
 * is strict as a whole instead (`banner`), which is the same for every module in it.
 */
const tsconfigRaw = { compilerOptions: { target: 'ES2022', strict: true, alwaysStrict: false, esModuleInterop: true } };

const common = {
  bundle: true,
  tsconfigRaw,
  banner: { js: '"use strict";' },
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'linked',
  minify: true,
  logLevel: 'warning',
  legalComments: 'none',
  // jsonc-parser's UMD build hides its requires from bundlers; its ESM build bundles cleanly.
  mainFields: ['module', 'main'],
  plugins: [lean],
};

/**
 * The CLI ships as three files: `cli.js` (the `bin`) only picks the bundle a command needs. The guard
 * (`run`), started once per server a client runs, loads `cli-guard.js` (the stdio guard alone, about a
 * quarter of the CLI); every other command loads `cli-commands.js`, and `mcp` (the agent face) adds
 * `cli-agent.js`, the MCP server SDK with it. A `require` of these
 * modules in src/cli (or the guard's `import('./runHttp.js')`) becomes a require of the sibling
 * bundle at run time (tests run the sources).
 */
const siblings = (map) => ({
  name: 'siblings',
  setup(b) {
    b.onResolve(
      {
        filter: /^(\.\/(guardCli|relayCli|run|runHttp\.js|share\/httpFront|stdioGuard)|\.\.\/\.\.\/agent\/serveStdio)$/,
      },
      (args) =>
        (args.kind === 'require-call' || args.kind === 'dynamic-import') && map[args.path]
          ? { path: map[args.path], external: true }
          : undefined,
    );
  },
});

/**
 * The guard's front door (src/guard/index.ts) is the one file the CLI imports from the guard. It only
 * re-exports; each file it names is marked free of side effects when reached through it, so a bundle
 * carries only the guard files whose exports it uses, as if it imported them one by one (`cli.js`
 * takes `flushedWithin` alone, not the guard and the engine behind the rest).
 */
const guardIndex = fileURLToPath(new URL('../src/guard/index.ts', import.meta.url));
const guardFrontDoor = {
  name: 'guard-front-door',
  setup(b) {
    b.onResolve({ filter: /^\./ }, async (args) => {
      if (args.importer !== guardIndex || args.pluginData?.resolving) return undefined;
      const resolved = await b.resolve(args.path, {
        kind: args.kind,
        importer: args.importer,
        resolveDir: args.resolveDir,
        pluginData: { resolving: true },
      });
      return resolved.errors.length > 0 ? undefined : { path: resolved.path, sideEffects: false };
    });
  },
};

/**
 * The engine (src/core) ships once, as `engine.js`, shared by the extension, the commands and the agent
 * face: each of those bundles would otherwise carry its own copy of it and of the config parsers
 * (YAML, TOML, JSONC), about 450 KB, a third of the package. The engine bundle exports each core
 * module a face reads as one namespace, keyed by its path; an import of a core module from outside src/core
 * becomes a read of that namespace from the sibling `./engine.js` at run time, so one process holds
 * one engine (one set of caches). The guard and the relay, started once per server, keep their own
 * smaller copy of what they use: they load no more than they need.
 */
const coreDir = fileURLToPath(new URL('../src/core/', import.meta.url));
/**
 * Modules of src/core only the commands use (`capture/`, and the Machines that record and replay
 * one): bundled into cli-commands.js, their imports of the rest of the engine read from engine.js
 * like any command's, so the engine every window loads does not carry them.
 */
const COMMANDS_ONLY = ['capture/', 'machine/recording', 'machine/recorded'];
const commandsOnly = (module) => COMMANDS_ONLY.some((f) => (f.endsWith('/') ? module.startsWith(f) : module === f));
const coreModules = readdirSync(coreDir, { recursive: true })
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
  .map((f) => f.split(path.sep).join('/').replace(/\.ts$/, ''))
  .filter((m) => !commandsOnly(m))
  .sort();
const engineKey = (module) => module.replace(/[^A-Za-z0-9]/g, '$');
/**
 * The core modules the faces' bundles read from engine.js, as their builds resolve them: the engine
 * exports only these (each export costs its namespace object and a getter per name, and keeps code no
 * face calls); the rest of src/core is in it only as far as those modules use it.
 */
const engineUsed = new Set();
const engineBarrel = () =>
  coreModules
    .filter((m) => engineUsed.has(m))
    .map((m) => `export * as ${engineKey(m)} from './src/core/${m}';`)
    .join('\n');

const sharedEngine = {
  name: 'shared-engine',
  setup(b) {
    b.onResolve({ filter: /core|^\.\.?\// }, async (args) => {
      const fromCore = args.importer.startsWith(coreDir);
      const importer = fromCore ? path.relative(coreDir, args.importer).split(path.sep).join('/') : '';
      // Within the engine its modules import each other as they are; a commands-only module reads the rest from engine.js.
      if (args.pluginData?.resolving || (fromCore && !commandsOnly(importer)) || args.kind === 'entry-point')
        return undefined;
      const resolved = await b.resolve(args.path, {
        kind: args.kind,
        importer: args.importer,
        resolveDir: args.resolveDir,
        pluginData: { resolving: true },
      });
      if (resolved.errors.length > 0 || !resolved.path.startsWith(coreDir)) return undefined;
      const module = path.relative(coreDir, resolved.path).split(path.sep).join('/').replace(/\.ts$/, '');
      if (commandsOnly(module)) return undefined;
      engineUsed.add(module);
      return { path: engineKey(module), namespace: 'engine' };
    });
    b.onResolve({ filter: /^\.\/engine\.js$/, namespace: 'engine' }, () => ({ path: './engine.js', external: true }));
    b.onLoad({ filter: /.*/, namespace: 'engine' }, (args) => ({
      contents: `module.exports = require('./engine.js').${args.path};`,
      loader: 'js',
    }));
  },
};

/**
 * The YAML library (a fifth of the engine, needed only for Continue's YAML configs) ships as
 * `engine-yaml.js`, beside the engine: the engine requires it on first use (src/core/base/yamlLib.ts),
 * so the extension and every command load and parse it only on a machine with such a config.
 */
const yamlApart = {
  name: 'yaml-apart',
  setup(b) {
    b.onResolve({ filter: /^yaml$/ }, () => ({ path: './engine-yaml.js', external: true }));
  },
};

await Promise.all([
  // The YAML library the engine loads when it first meets a YAML config (src/core/base/yamlLib.ts).
  build({
    ...common,
    stdin: { contents: "export * from 'yaml';", resolveDir: fileURLToPath(new URL('..', import.meta.url)) },
    outfile: 'dist/engine-yaml.js',
  }),
  build({
    ...common,
    entryPoints: ['src/extension/extension.ts'],
    outfile: 'dist/extension.js',
    external: ['vscode'],
    plugins: [lean, sharedEngine],
  }),
  build({
    ...common,
    entryPoints: ['src/cli/guardCli.ts'],
    outfile: 'dist/cli-guard.js',
    // `run --http` (the HTTP front) is served by the commands bundle, which exports it: the stdio
    // guard every client starts does not carry it.
    plugins: [
      lean,
      guardFrontDoor,
      siblings({
        './run': './cli-commands.js',
        './runHttp.js': './cli-commands.js',
        './share/httpFront': './cli-share-front.js',
      }),
    ],
  }),
  // The share host's HTTP front (`run --on-conflict share --share-listen`), loaded by that host alone.
  build({
    ...common,
    entryPoints: ['src/guard/share/httpFront.ts'],
    outfile: 'dist/cli-share-front.js',
    plugins: [lean],
  }),
  build({
    ...common,
    entryPoints: ['src/cli/run.ts'],
    outfile: 'dist/cli-commands.js',
    plugins: [
      lean,
      guardFrontDoor,
      sharedEngine,
      siblings({
        '../../agent/serveStdio': './cli-agent.js',
        './share/httpFront': './cli-share-front.js',
        // `run`'s stdio guard, required by run.ts when `run` comes here: the guard's bundle exports it.
        './stdioGuard': './cli-guard.js',
      }),
    ],
  }),
  // A client of a shared server (`run --on-conflict share`): the relay alone, the guard a sibling.
  build({
    ...common,
    entryPoints: ['src/cli/relayCli.ts'],
    outfile: 'dist/cli-relay.js',
    plugins: [lean, guardFrontDoor, siblings({ './guardCli': './cli-guard.js' })],
  }),
  // The agent face (`mcp`) and the MCP server SDK it runs on, loaded by that command alone.
  build({
    ...common,
    entryPoints: ['src/agent/serveStdio.ts'],
    outfile: 'dist/cli-agent.js',
    plugins: [lean, sharedEngine],
  }),
]);

// The engine, once the faces' builds have said which of its modules they read from it. Names are
// kept in the extension and the engine it runs (stack traces in the log name functions).
await build({
  ...common,
  stdin: {
    contents: engineBarrel(),
    resolveDir: fileURLToPath(new URL('..', import.meta.url)),
    sourcefile: 'engine.js',
  },
  outfile: 'dist/engine.js',
  plugins: [lean, yamlApart],
});

// `mcp-lifeguard --help` and `--version` are answered by cli.js alone: the text is the commands
// bundle's own, read from it here and written into cli.js.
const { createRequire } = await import('node:module');
const { USAGE } = createRequire(import.meta.url)('../dist/cli-commands.js');
await build({
  ...common,
  entryPoints: ['src/cli/main.ts'],
  outfile: 'dist/cli.js',
  // The second line is how the engine knows this file as MCP Lifeguard's own, under any name or path
  // (src/core/base/ownBundle.ts CLI_BUNDLE_MARKER; a unit test holds the two equal).
  banner: {
    js: '#!/usr/bin/env node\n// mcp-lifeguard: the CLI bundle (guard, relay, share host, commands)\n"use strict";',
  },
  define: { LIFEGUARD_USAGE: JSON.stringify(USAGE), LIFEGUARD_BUILD_VERSION: JSON.stringify(version) },
  plugins: [
    lean,
    guardFrontDoor,
    siblings({ './guardCli': './cli-guard.js', './relayCli': './cli-relay.js', './run': './cli-commands.js' }),
  ],
});
