import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from '../../support/repo';
import type { E2eTools } from './tools';
import { makeTempDir } from '../../support/temp';

/**
 * The packaged extension, built once per run and installed once into a template extensions folder
 * that each session copies (a fresh extensions dir per session). `npm test` packages it before any
 * test runs and names it in MCP_LIFEGUARD_E2E_VSIX (shards run beside the e2e scenarios: packaging
 * here would rebuild dist/ under their feet); a bare mocha run packages it here with `npm run package`.
 */

export const EXTENSION_ID = 'mcp-lifeguard.mcp-lifeguard';

function run(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { cwd: options.cwd, env: options.env, timeout: options.timeoutMs, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const out = `${stdout}${stderr}`;
        if (err)
          reject(new Error(`${path.basename(command)} ${args.join(' ')} failed: ${err.message}\n${out.slice(-4000)}`));
        else resolve(out);
      },
    );
  });
}

let template: Promise<string> | undefined;
let runDir: string | undefined;

/** A folder for this run's shared artefacts (the .vsix, the template), removed when the run ends. */
export function runFolder(): string {
  if (!runDir) runDir = makeTempDir('mcp-lifeguard-e2e-run-');
  return runDir;
}

async function buildTemplate(tools: E2eTools): Promise<string> {
  const dir = runFolder();
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const packaged = process.env.MCP_LIFEGUARD_E2E_VSIX;
  if (!packaged) await run(npm, ['run', 'package', '--silent'], { cwd: repoRoot, env: process.env, timeoutMs: 300000 });
  const vsix = path.join(dir, 'mcp-lifeguard.vsix');
  fs.copyFileSync(packaged ?? path.join(repoRoot, 'dist', 'mcp-lifeguard.vsix'), vsix);
  const extensions = path.join(dir, 'extensions');
  const scratch = path.join(dir, 'install-home');
  fs.mkdirSync(scratch, { recursive: true });
  await run(
    tools.node,
    [
      tools.codeServerEntry,
      '--user-data-dir',
      path.join(scratch, 'data'),
      '--extensions-dir',
      extensions,
      '--install-extension',
      vsix,
    ],
    // A TMPDIR of its own for code-server's IPC sockets, short (sun_path) and removed with the run's folders.
    {
      cwd: dir,
      env: {
        ...process.env,
        HOME: scratch,
        TMPDIR: makeTempDir('lg-vsix-'),
        PATH: `${tools.nodeBinDir}${path.delimiter}${process.env.PATH ?? ''}`,
      },
      timeoutMs: 180000,
    },
  );
  const installed = fs.readdirSync(extensions).filter((n) => n.startsWith(`${EXTENSION_ID}-`));
  if (installed.length !== 1)
    throw new Error(`installing the .vsix left ${JSON.stringify(fs.readdirSync(extensions))} in ${extensions}`);
  return path.join(extensions, installed[0]);
}

/** Builds and installs the extension once; later calls reuse it. */
export function installedExtension(tools: E2eTools): Promise<string> {
  template ??= buildTemplate(tools);
  return template;
}

/** A fresh extensions dir holding only the packaged extension (loaded by code-server at start). */
export async function freshExtensionsDir(tools: E2eTools, dir: string): Promise<void> {
  const ext = await installedExtension(tools);
  fs.mkdirSync(dir, { recursive: true });
  fs.cpSync(ext, path.join(dir, path.basename(ext)), { recursive: true });
}
