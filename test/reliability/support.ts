import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { killAll } from '../support/liveness';
import { cliPath } from '../support/repo';

/** Runs the built CLI to completion with exactly this environment. */
export function runCli(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number; stdout: string; stderr: string }> {
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
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? allFiles(path.join(dir, e.name)) : e.isFile() ? [path.join(dir, e.name)] : []));
}

/** What a scenario over real processes shares with its tests (read the fields inside a test or hook). */
export interface ProcessScenario {
  /** The test's HOME: a fresh temp folder each test, removed after it. */
  readonly home: string;
  /** The folder's name: put it in a process's argv and teardown kills that process too. */
  readonly tag: string;
  /** Pids the test started (push them): SIGKILLed after each test. */
  readonly started: number[];
  /** Writes the user's own VS Code mcp.json in HOME (user level: no workspace trust involved); returns its path. */
  userConfig(servers: Record<string, unknown>): string;
}

/**
 * The set-up the scenarios that signal real processes share; call it inside `describe`. Linux only
 * (the process table and signals they check are Linux's), with the built CLI; each test gets a
 * temp HOME named `<prefix><6 random>` (word characters only, so the tag also fits a Python package
 * name), and after it everything it started, or that names the tag, is killed and the folder removed.
 */
export function processScenario(prefix: string): ProcessScenario {
  if (!/^\w+$/.test(prefix)) throw new Error(`the prefix '${prefix}' is a tag: word characters only`);
  const started: number[] = [];
  let home = '';

  before(function () {
    if (process.platform !== 'linux') this.skip();
    assert.ok(fs.existsSync(cliPath), `${cliPath} is built (npm run build)`);
  });

  beforeEach(() => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  });

  afterEach(async () => {
    await killAll(started.splice(0), path.basename(home));
    fs.rmSync(home, { recursive: true, force: true });
  });

  return {
    get home() {
      return home;
    },
    get tag() {
      return path.basename(home);
    },
    started,
    userConfig(servers) {
      const file = path.join(home, '.config', 'Code', 'User', 'mcp.json');
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, JSON.stringify({ servers }));
      return file;
    },
  };
}
