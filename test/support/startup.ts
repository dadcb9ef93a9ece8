import { ChildProcess, spawn } from 'node:child_process';
import * as http from 'node:http';
import * as net from 'node:net';

/**
 * Starting what a test talks to and waiting until it is ready: a child that announces readiness on
 * its output (MCP servers print a line on stderr), or a local server on a port the OS picks.
 */

/** A loopback port free right now (the OS picks it); the server that needs it binds it next. */
export { freePort } from '../../src/guard/http/upstream';

/** Binds `server` to a port the OS picks on 127.0.0.1 and returns the port. */
export async function listenOn(server: net.Server): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return (server.address() as net.AddressInfo).port;
}

/** Resolves when `child` writes `pattern` on `stream`; rejects, with what it wrote, if it exits first or `timeoutMs` pass. */
export function waitForOutput(
  child: ChildProcess,
  pattern: RegExp,
  timeoutMs: number,
  stream: 'stdout' | 'stderr' = 'stderr',
): Promise<void> {
  const source = child[stream];
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(
      () =>
        done(new Error(`pid ${child.pid} did not print ${pattern} within ${timeoutMs / 1000} s: ${seen.slice(-500)}`)),
      timeoutMs,
    );
    const onData = (d: Buffer) => {
      seen += d.toString();
      if (pattern.test(seen)) done();
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null) =>
      done(new Error(`pid ${child.pid} exited (${signal ?? code}) before printing ${pattern}: ${seen.slice(-500)}`));
    function done(err?: Error): void {
      clearTimeout(timer);
      source?.off('data', onData);
      child.off('exit', onExit);
      if (err) reject(err);
      else resolve();
    }
    source?.on('data', onData);
    child.once('exit', onExit);
  });
}

/**
 * Starts a server the way a stdio client does (the command with pipes; `started` gets it at once,
 * so teardown stops it even when it never gets ready) and resolves once it printed `ready` on stderr.
 */
export async function startReady(
  command: string,
  args: string[],
  opts: { cwd: string; env?: Record<string, string>; ready: RegExp; timeoutMs?: number },
  started: ChildProcess[],
): Promise<ChildProcess> {
  const child = spawn(command, args, {
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  started.push(child);
  await waitForOutput(child, opts.ready, opts.timeoutMs ?? 120_000);
  child.stdout?.resume();
  child.stderr?.resume();
  return child;
}

/** A request a test HTTP server received, body read in full. */
export interface Received {
  method: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * An HTTP server on a loopback port the OS picks (a fake upstream, say): it reads each request's
 * body, records the request in `seen`, then lets `answer` reply.
 */
export async function startHttpServer(
  seen: Received[],
  answer: (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void,
): Promise<{ server: http.Server; port: number }> {
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', headers: req.headers, body });
      answer(req, res, body);
    });
  });
  return { server, port: await listenOn(server) };
}
