// Size budgets for what ships: each bundle in dist/ and the .vsix, printed with its limit; exits 1
// when one is over (or a bundle has no budget). Run by `npm test` after the build. The .vsix is
// packaged here into a temporary folder (vsce, as `npm run package` does) and removed again, unless
// `--vsix FILE` names the one the same build has just packaged (npm test's, when e2e tests run).
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const KB = 1024;

/** The limits, in KB of 1,024 bytes (docs/benchmarks.md, "Bundle sizes"). */
const BUDGETS = {
  // The CLI's entry only picks a bundle; the whole CLI is cli-commands.js, the guard cli-guard.js, and
  // the agent face (`mcp`, with the MCP server SDK) cli-agent.js, loaded by that command alone.
  'dist/cli.js': 20,
  'dist/cli-commands.js': 280,
  // The stdio guard with its own copy of the engine's judgement: 304 since the guard keeps its
  // server's maps between judgements (versions/maps.ts KEPT_MAPS), not reading them every 30 s; 308
  // since it keeps its child's runtime sighting and the PATH candidates of a lookup (1 KB); 310 since
  // a restart runs one copy at a time and verifies the new one (its tools listed, the way back said);
  // 314 since a stop ends the server's whole process tree (the table walk, its checks, the recorded
  // mark: 3 KB, read at every stop, so not worth a bundle of its own); 318 since the live Machine
  // carries its network read (the registries, 0.8 KB), the version judgement reads as named rules and
  // every verdict is worded from one table (2 KB); 320 since the process table is read as macOS and
  // Windows give it (macOS's joined arguments split back, one Windows query shared by a check, a pid
  // pinned by its creation time, Windows' stop stages: 2 KB, all on the guard's stop and lock paths);
  // 324 since its own child is judged on more evidence (the links on the way to its script, a
  // digest of its package's files at first sight, plugins loaded by computed names, package
  // folders a Python script imports from, import hooks: 3 KB, each a verdict the guard gives too);
  // 326 since the installed guard's launcher is known by its content (a wrapped entry keeps the
  // process its client started before the edit), refuse-writes reads a tool's name where the server
  // declares nothing, and a settling change is judged again soon: 1.4 KB; 327 since a same-version
  // reinstall of native libraries is proven once for every process that maps them (a proof kept by
  // the replaced file, comparisons under way shared, each RECORD read once, the linker's relocated
  // data left out of a comparison through memory: 0.8 KB, each a verdict the guard gives too); 328
  // since a script's verdict rests on recorded evidence rather than file times (its imported
  // packages' versions, its environment's RECORD hashes) and a guard under another root is told
  // apart from a stranger for its warning: 0.4 KB.
  'dist/cli-guard.js': 328,
  // The relay a client of a shared server runs (`run --on-conflict share`).
  'dist/cli-relay.js': 60,
  // The share host's streamable HTTP front (`--share-listen`), loaded by such a host alone.
  'dist/cli-share-front.js': 40,
  'dist/cli-agent.js': 360,
  // The engine (src/core and the config parsers), shared by the extension, the commands and the agent face.
  // 600 since it reads 13 more clients and places (Kiro, Junie, Amazon Q, Antigravity, Amp, Factory
  // Droid, Mistral Vibe, Claude Code plugins, Gemini CLI and Qwen Code extensions, the VS Code family
  // and remote folders), each client's own validity rules, and a remote window's sides: 14 KB;
  // 610 since a tick that finds nothing changed re-judges nothing (the pass's inputs noted and
  // compared: 9 KB), and a JavaScript script's imported packages and a Python script's RECORD
  // hashes are read (7 KB); 620 for a same-version reinstall proven by its RECORDs, a watch tick's
  // kept /proc descriptors and absent paths checked by their folder, Unwrap's guarded-until state,
  // a share host counted for its attached clients only, one redaction rule for captures, clients
  // named by what they send, and the words the walk asked for (11 KB).
  'dist/engine.js': 620,
  // The YAML library, which the engine loads for a YAML config only (src/core/base/yamlLib.ts).
  'dist/engine-yaml.js': 120,
  'dist/extension.js': 160,
  // 760 for the same clients and places as the engine's (6 KB packed) and their words; 770 for the
  // engine's quiet ticks and script evidence above (5 KB packed); 780 for the engine's 11 KB above
  // and the extension's own-action notifications (about 4 KB packed); 781 for the folder a relative
  // script is found in (its identity, its claim, copies by file) and a configured script's process
  // listed when no entry claims it (1.6 KB of engine, 0.8 KB packed with their changelog lines).
  'mcp-lifeguard.vsix': 781,
};

function packageVsix() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lg-sizes-'));
  const out = path.join(dir, 'mcp-lifeguard.vsix');
  try {
    execFileSync(
      process.execPath,
      [
        path.join(root, 'node_modules', '@vscode', 'vsce', 'vsce'),
        'package',
        '--no-dependencies',
        '--allow-missing-repository',
        '--skip-license',
        '--no-rewrite-relative-links',
        '-o',
        out,
      ],
      { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] },
    );
    return fs.statSync(out).size;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const sizes = {};
for (const name of fs.readdirSync(path.join(root, 'dist')))
  if (name.endsWith('.js')) sizes[`dist/${name}`] = fs.statSync(path.join(root, 'dist', name)).size;
sizes['mcp-lifeguard.vsix'] = givenVsix() ?? packageVsix();

/** The size of the .vsix `--vsix FILE` names, or undefined without the option; exits when FILE cannot be read. */
function givenVsix() {
  const at = process.argv.indexOf('--vsix');
  if (at < 0) return undefined;
  const file = process.argv[at + 1];
  const stat = file === undefined ? undefined : fs.statSync(path.resolve(file), { throwIfNoEntry: false });
  if (!stat?.isFile()) {
    console.error(`--vsix ${file ?? ''}: ${file === undefined ? 'names no file' : 'no such file'}`);
    process.exit(2);
  }
  return stat.size;
}

let over = 0;
for (const [file, bytes] of Object.entries(sizes)) {
  const limit = BUDGETS[file];
  const shown = `${(bytes / KB).toFixed(0).padStart(5)} KB`;
  if (limit === undefined) {
    over++;
    console.log(`${file.padEnd(22)} ${shown}  no budget: add one to scripts/sizes.mjs`);
  } else {
    const ok = bytes <= limit * KB;
    if (!ok) over++;
    console.log(`${file.padEnd(22)} ${shown}  limit ${String(limit).padStart(4)} KB  ${ok ? 'ok' : 'OVER'}`);
  }
}
for (const file of Object.keys(BUDGETS)) {
  if (!(file in sizes)) {
    over++;
    console.log(`${file.padEnd(22)} missing (run npm run build)`);
  }
}
if (over) {
  console.error(`${over} size budget${over === 1 ? '' : 's'} not met`);
  process.exitCode = 1;
}
