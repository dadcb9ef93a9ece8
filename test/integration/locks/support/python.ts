import { ChildProcess, execFile, spawn } from 'node:child_process';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { repoRoot } from '../../../support/repo';

const execFileAsync = promisify(execFile);

/** The Python reference implementation of the protocol (stdlib only). */
export const lockprotoPy = path.join(repoRoot, 'docs', 'examples', 'lockproto.py');
export const python = process.env.PYTHON ?? 'python3';

/** What lockproto.py prints: one JSON line. */
export interface PyResult {
  result: 'acquired' | 'held' | 'error';
  record?: { pid: number; startTime: number };
  holder?: { pid: number };
  tookOver?: string | null;
  message?: string;
}

export interface PyHolder {
  child: ChildProcess;
  first: PyResult;
  exited: Promise<void>;
}

/** Starts `lockproto.py hold`, resolving with its first line once it has acquired (or not). */
export async function pyHold(dir: string, name: string, key: string): Promise<PyHolder> {
  const child = spawn(python, [lockprotoPy, 'hold', '--dir', dir, '--name', name, '--key', key], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const lines = createInterface({ input: child.stdout! });
  const first = await new Promise<PyResult>((resolve, reject) => {
    lines.once('line', (line) => resolve(JSON.parse(line) as PyResult));
    child.once('exit', (code, signal) =>
      reject(new Error(`lockproto.py hold exited (${code ?? signal}) before printing`)),
    );
  });
  return { child, first, exited };
}

/** Runs `lockproto.py try|show` to completion. */
export async function pyRun(
  action: 'try' | 'show',
  dir: string,
  name: string,
  key: string,
): Promise<{ code: number; out: PyResult & { state?: string; record?: { pid: number }; reason?: string } }> {
  try {
    const { stdout } = await execFileAsync(python, [lockprotoPy, action, '--dir', dir, '--name', name, '--key', key]);
    return { code: 0, out: JSON.parse(stdout) };
  } catch (err) {
    const e = err as { code?: number; stdout?: string };
    if (typeof e.code !== 'number' || !e.stdout) throw err;
    return { code: e.code, out: JSON.parse(e.stdout) };
  }
}

/** Evaluates a Python expression with lockproto imported; returns its JSON value. */
export async function pyEval(expr: string): Promise<unknown> {
  const code = `import json, sys; sys.path.insert(0, ${JSON.stringify(path.dirname(lockprotoPy))}); import lockproto; print(json.dumps(${expr}))`;
  const { stdout } = await execFileAsync(python, ['-c', code]);
  return JSON.parse(stdout);
}
