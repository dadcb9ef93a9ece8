import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * Package managers and tools the integration tests install from a registry, cached outside the
 * clone and keyed by version: a fresh machine installs them on first use, a warm one never
 * downloads again. `MCP_LIFEGUARD_TEST_CACHE` moves the cache.
 */
export function toolCacheDir(): string {
  return process.env.MCP_LIFEGUARD_TEST_CACHE ?? path.join(os.homedir(), '.cache', 'mcp-lifeguard-test');
}

function npmInstall(prefix: string, spec: string, cache: string): Promise<void> {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const env = { ...process.env, npm_config_cache: cache, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
  return new Promise((resolve, reject) => {
    execFile(npm, ['install', '--prefix', prefix, '--no-save', spec], { env, timeout: 600_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`npm install ${spec} failed: ${err.message}\n${stdout}\n${stderr}`));
      else resolve();
    });
  });
}

/**
 * The `node_modules/.bin` folder of a real npm package `name@version`, installed with real npm into
 * a temp folder beside the cache entry and renamed into place, so an interrupted run never leaves a
 * half-installed entry (a rename onto an existing entry loses to whoever came first, harmlessly).
 */
export async function npmTool(name: string, version: string): Promise<string> {
  const root = toolCacheDir();
  const dir = path.join(root, `${name.replace(/[\\/]/g, '+')}-${version}`);
  const bin = path.join(dir, 'node_modules', '.bin');
  if (fs.existsSync(path.join(dir, 'node_modules', name, 'package.json'))) return bin;
  fs.mkdirSync(root, { recursive: true });
  const staging = fs.mkdtempSync(path.join(root, `.staging-${name.replace(/[\\/]/g, '+')}-`));
  try {
    await npmInstall(staging, `${name}@${version}`, path.join(staging, '.npm-cache'));
    fs.rmSync(path.join(staging, '.npm-cache'), { recursive: true, force: true });
    try {
      fs.renameSync(staging, dir);
    } catch (err) {
      if (!fs.existsSync(path.join(dir, 'node_modules', name, 'package.json'))) throw err;
    }
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
  return bin;
}
