import { ChildProcess, fork, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { build } from 'esbuild';
import type { FromContender, ToContender } from './contender';
import { lockprotoPy, python } from './python';

/** Bundles contender.ts into one plain .cjs file (tsx in 64 processes would take minutes on 2 cores). */
export async function bundleContender(outDir: string): Promise<string> {
  const outfile = path.join(outDir, 'contender.cjs');
  await build({
    entryPoints: [path.join(__dirname, 'contender.ts')],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    outfile,
    logLevel: 'warning',
  });
  return outfile;
}

/**
 * A live contender process and the messages it sent that nobody has taken yet. Node contenders
 * talk over IPC; Python ones (py_contender.py) in JSON lines over stdin and stdout.
 */
export class Contender {
  readonly pid: number;
  private inbox: FromContender[] = [];
  private waiters: Array<() => void> = [];
  readonly exited: Promise<void>;

  constructor(
    readonly child: ChildProcess,
    readonly language: 'node' | 'python' = 'node',
  ) {
    if (child.pid === undefined) throw new Error('contender did not start');
    this.pid = child.pid;
    const receive = (msg: FromContender) => {
      this.inbox.push(msg);
      for (const w of this.waiters.splice(0)) w();
    };
    if (language === 'node') child.on('message', receive);
    else createInterface({ input: child.stdout! }).on('line', (line) => receive(JSON.parse(line) as FromContender));
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
  }

  send(msg: ToContender): void {
    if (this.language === 'node') this.child.send(msg);
    else this.child.stdin!.write(`${JSON.stringify(msg)}\n`);
  }

  /** Whether a message of `type` came that nobody has taken yet. */
  has(type: FromContender['type']): boolean {
    return this.inbox.some((m) => m.type === type);
  }

  /** The next message of `type`, waiting at most `timeoutMs` (generous: this is not a speed check). */
  async next<T extends FromContender['type']>(
    type: T,
    timeoutMs = 60_000,
  ): Promise<Extract<FromContender, { type: T }>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.inbox.findIndex((m) => m.type === type);
      if (i >= 0) return this.inbox.splice(i, 1)[0] as Extract<FromContender, { type: T }>;
      if (this.child.exitCode !== null || this.child.signalCode !== null)
        throw new Error(
          `contender ${this.pid} exited (${this.child.exitCode ?? this.child.signalCode}) while waiting for '${type}'`,
        );
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`contender ${this.pid} sent no '${type}' within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 1000));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    await this.exited;
  }
}

export async function startContender(
  bundle: string,
  dir: string,
  serverName: string,
  resourceKey: string,
): Promise<Contender> {
  // A small environment: the engine copies it at each look at the machine, thousands of times a race.
  const child = fork(bundle, [dir, serverName, resourceKey], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    env: { PATH: process.env.PATH ?? '' },
  });
  const c = new Contender(child);
  await c.next('ready');
  return c;
}

export async function startPyContender(dir: string, serverName: string, resourceKey: string): Promise<Contender> {
  const script = path.join(__dirname, 'py_contender.py');
  const child = spawn(python, [script, path.dirname(lockprotoPy), dir, serverName, resourceKey], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const c = new Contender(child, 'python');
  await c.next('ready');
  return c;
}

export function makeTempRoot(prefix: string): string {
  // Short paths under os.tmpdir(): control sockets live in lock directories.
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}
