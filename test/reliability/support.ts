import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cliPath } from '../support/repo';


/** Runs the built CLI to completion with exactly this environment. */
export function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cliPath, ...args], { env, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/**
 * Writes a script that idles until it is stopped (and exits by itself after two minutes, should a
 * test fail to stop it), for processes that only need to exist with a given argv.
 */
export function writeIdleScript(file: string): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, 'setTimeout(() => process.exit(0), 120000);\n');
  return file;
}

/** `mcp-lifeguard` as installed, a link to the built CLI: a process table then shows `mcp-lifeguard run`. */
export function linkCli(dir: string): string {
  const link = path.join(dir, 'mcp-lifeguard');
  fs.mkdirSync(dir, { recursive: true });
  fs.symlinkSync(cliPath, link);
  return link;
}


/** Every regular file under a folder. */
export function allFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? allFiles(path.join(dir, e.name)) : e.isFile() ? [path.join(dir, e.name)] : []));
}
