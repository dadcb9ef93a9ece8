import { pathFor } from '../base/hostEnv';
import { GUARD_LAUNCHER_MARKER } from '../base/ownBundle';
import { thisMachinePath } from '../machine/live';
import { whichSync } from '../launch/which';
import { pathExistsSync, readWholeFileSync } from '../machine/plainFiles';
import { ensurePrivateDir, readPrivateSync, writePrivateAtomicSync } from '../machine/privateFs';

/**
 * Installs the guard where wrapped configs point: `<lifeguard root>/bin`, a stable per-user path
 * that survives extension updates (the extension's own folder is versioned and removed on update).
 * The bundled CLI is copied as `mcp-lifeguard.js`, with the bundles it loads beside it (CLI_BUNDLES),
 * next to a small launcher that runs it with a known Node.js: clients start servers with a bare environment (Claude Desktop passes a minimal PATH), so
 * the launcher names the runtime by absolute path instead of trusting PATH.
 */

export interface GuardInstallOptions {
  binDir: string;
  /** Our root (src/core/base/paths.ts): every folder from it down to binDir must be private (default: binDir alone). */
  root?: string;
  /** The bundled CLI (dist/cli.js) to install. */
  cliSource: string;
  platform: NodeJS.Platform;
  /** How to run JavaScript: a Node.js binary, or Electron's binary run as Node. */
  runtime: Runtime;
}

/**
 * The bundles dist/cli.js loads from its own folder (scripts/build.mjs): the guard's, the relay a
 * client of a shared server runs (`run --on-conflict share`), the share host's HTTP front
 * (`--share-listen`), the other commands', the agent face's, the engine the last two share, and the
 * YAML library the engine loads for a YAML config.
 */
export const CLI_BUNDLES = [
  'cli-guard.js',
  'cli-relay.js',
  'cli-share-front.js',
  'cli-commands.js',
  'cli-agent.js',
  'engine.js',
  'engine-yaml.js',
] as const;

export type Runtime = { kind: 'node'; path: string } | { kind: 'electron'; path: string };

export type GuardInstall =
  { state: 'installed'; launcher: string; changed: boolean } | { state: 'failed'; reason: string };

/** The launcher a config's `command` names. */
export function launcherPath(binDir: string, platform: NodeJS.Platform): string {
  return pathFor({ platform }).join(binDir, platform === 'win32' ? 'mcp-lifeguard.cmd' : 'mcp-lifeguard');
}

export function launcherText(scriptPath: string, runtime: Runtime, platform: NodeJS.Platform): string {
  if (platform === 'win32') {
    const env = runtime.kind === 'electron' ? 'set ELECTRON_RUN_AS_NODE=1\r\n' : '';
    return `@echo off\r\nrem ${GUARD_LAUNCHER_MARKER}\r\n${env}"${runtime.path}" "${scriptPath}" %*\r\n`;
  }
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const env = runtime.kind === 'electron' ? 'ELECTRON_RUN_AS_NODE=1 ' : '';
  return `#!/bin/sh\n# ${GUARD_LAUNCHER_MARKER}\n${env}exec ${q(runtime.path)} ${q(scriptPath)} "$@"\n`;
}

/**
 * Writes `content` only when it differs, atomically (temp file + rename), so a running guard keeps
 * its file. A link or a file not of ours at the name is replaced, never read or written through.
 */
function writeIfChanged(file: string, content: Buffer, mode: number, root: string): boolean {
  try {
    if (readPrivateSync(file, { root })?.equals(content)) return false;
  } catch {
    // Not a private file of ours: replaced below.
  }
  writePrivateAtomicSync(file, content, { root, mode });
  return true;
}

export function installGuard(o: GuardInstallOptions): GuardInstall {
  try {
    const root = o.root ?? o.binDir;
    ensurePrivateDir(o.binDir, root, { platform: o.platform });
    // Installed here, on this machine.
    const path = thisMachinePath();
    const script = path.join(o.binDir, 'mcp-lifeguard.js');
    const launcher = launcherPath(o.binDir, o.platform);
    // The bundles first: the script that loads them is replaced last.
    const parts = CLI_BUNDLES.map((name) =>
      writeIfChanged(
        path.join(o.binDir, name),
        readWholeFileSync(path.join(path.dirname(o.cliSource), name)),
        0o644,
        root,
      ),
    );
    const a = writeIfChanged(script, readWholeFileSync(o.cliSource), 0o644, root);
    const b = writeIfChanged(launcher, Buffer.from(launcherText(script, o.runtime, o.platform)), 0o755, root);
    return { state: 'installed', launcher, changed: parts.includes(true) || a || b };
  } catch (err) {
    return { state: 'failed', reason: (err as Error).message };
  }
}

/** A Node.js on PATH, else the editor's own binary run as Node (always present, updated with it). */
export function findRuntime(
  env: Readonly<Record<string, string | undefined>>,
  platform: NodeJS.Platform,
  execPath: string,
  exists: (p: string) => boolean = pathExistsSync,
): Runtime {
  const node = whichSync(
    platform === 'win32' ? 'node.exe' : 'node',
    platform,
    platform === 'win32' ? { ...env, PATHEXT: '' } : env,
    exists,
  );
  return node !== undefined ? { kind: 'node', path: node } : { kind: 'electron', path: execPath };
}
