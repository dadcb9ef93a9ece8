/**
 * The HTTP front's cost: request round-trips through the front vs straight to the server (p50 and
 * p99 of 5,000 each, interleaved in blocks so drift hits both alike), and the throughput of a large
 * SSE answer. The front is the shipped one: `mcp-lifeguard run --http` from the built CLI, which
 * starts the server itself; the server is a minimal one so its own time does not hide the front's.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import type { BenchReport } from './run';

const REQUESTS = 5000;
const BLOCK = 500;
const SSE_MB = 256;

const SERVER = `
const http = require('node:http');
const event = Buffer.from('event: message\\ndata: ' + 'x'.repeat(65536 - 24) + '\\n\\n');
function stream(res, mb) {
    const total = mb * 1024 * 1024;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'mcp-session-id': 'bench-upstream' });
    let sent = 0;
    const pump = () => {
      while (sent < total) {
        sent += event.length;
        if (!res.write(event)) return void res.once('drain', pump);
      }
      res.end();
    };
    pump();
}
http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (d) => chunks.push(d));
  req.on('end', () => {
    const msg = JSON.parse(Buffer.concat(chunks).toString() || '{}');
    if (msg.method === 'big') return stream(res, msg.params.mb);
    res.writeHead(200, { 'content-type': 'application/json', 'mcp-session-id': 'bench-upstream' });
    res.end(JSON.stringify({ jsonrpc: '2.0', id: msg.id === undefined ? null : msg.id, result: {} }));
  });
}).listen(Number(process.env.PORT), '127.0.0.1', () => console.log('ready'));
`;

/** The least any HTTP proxy in Node does (read, pipe, write): the reference for what a hop costs on this machine. */
const BARE_PROXY = `
const http = require('node:http');
const agent = new http.Agent({ keepAlive: true });
http.createServer((req, res) => {
  const up = http.request({ host: '127.0.0.1', port: Number(process.env.PORT), method: req.method, path: req.url, headers: req.headers, agent }, (upRes) => {
    res.writeHead(upRes.statusCode, upRes.headers);
    upRes.pipe(res);
  });
  req.pipe(up);
}).listen(Number(process.env.FRONT_PORT), '127.0.0.1', () => console.log('ready'));
`;

function startProcess(args: string[], env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'ignore'] });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`bench process exited with ${code}`)));
    child.stdout!.once('data', () => resolve(child));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = http.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function post(port: number, body: string, sid?: string): Promise<{ ms: number; sid?: string }> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const headers: http.OutgoingHttpHeaders = {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'content-length': Buffer.byteLength(body),
    };
    if (sid) headers['mcp-session-id'] = sid;
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/mcp', headers, agent }, (res) => {
      res.resume();
      res.on('end', () =>
        resolve({
          ms: Number(process.hrtime.bigint() - t0) / 1e6,
          sid: res.headers['mcp-session-id'] as string | undefined,
        }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A POST whose answer is a large event stream (a big tool result): MB/s as the client reads it. */
function download(port: number, sid: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const body = JSON.stringify({ jsonrpc: '2.0', id: 'big', method: 'big', params: { mb: SSE_MB } });
    const headers = {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-session-id': sid,
      'content-length': Buffer.byteLength(body),
    };
    const req = http.request(
      { host: '127.0.0.1', port, method: 'POST', path: '/mcp', headers, agent: false },
      (res) => {
        let bytes = 0;
        res.on('data', (d: Buffer) => (bytes += d.length));
        res.on('end', () => resolve(bytes / 1024 / 1024 / (Number(process.hrtime.bigint() - t0) / 1e9)));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

export async function run(report: BenchReport): Promise<void> {
  const upstreamPort = await freePort();
  const frontPort = await freePort();
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'mlb-'));
  // The guard starts the server on --upstream-port (passed to it as PORT) and fronts it on frontPort.
  const cli = path.join(__dirname, '..', 'dist', 'cli.js');
  const front = await startProcess(
    [
      cli,
      'run',
      '--http',
      '--listen',
      `127.0.0.1:${frontPort}`,
      '--upstream-port',
      String(upstreamPort),
      '--',
      process.execPath,
      '-e',
      SERVER,
    ],
    { MCP_LIFEGUARD_HOME: home },
  );
  const barePort = await freePort();
  const bare = await startProcess(['-e', BARE_PROXY], { PORT: String(upstreamPort), FRONT_PORT: String(barePort) });
  try {
    const init = JSON.stringify({
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bench', version: '1' } },
    });
    const frontSid = (await post(frontPort, init)).sid!;
    const directSid = (await post(upstreamPort, init)).sid!;
    const request = (id: number) =>
      JSON.stringify({
        jsonrpc: '2.0',
        id,
        method: 'tools/call',
        params: { name: 'echo', arguments: { message: 'hello' } },
      });
    for (let i = 0; i < BLOCK; i++) {
      await post(upstreamPort, request(i), directSid);
      await post(frontPort, request(i), frontSid);
    }
    const direct: number[] = [];
    const fronted: number[] = [];
    for (let done = 0; done < REQUESTS; done += BLOCK) {
      for (let i = 0; i < BLOCK; i++) direct.push((await post(upstreamPort, request(i), directSid)).ms);
      for (let i = 0; i < BLOCK; i++) fronted.push((await post(frontPort, request(i), frontSid)).ms);
    }
    direct.sort((a, b) => a - b);
    fronted.sort((a, b) => a - b);
    report.figure('round-trip direct p50', pct(direct, 50), 'ms');
    report.figure('round-trip direct p99', pct(direct, 99), 'ms');
    report.figure('round-trip through the front p50', pct(fronted, 50), 'ms');
    report.figure('round-trip through the front p99', pct(fronted, 99), 'ms');
    report.ratio('p50 added by the front (ms)', pct(fronted, 50) - pct(direct, 50), { max: 0.5 });
    report.figure('p99 added by the front', pct(fronted, 99) - pct(direct, 99), 'ms');

    await download(upstreamPort, directSid);
    const directRates: number[] = [];
    const frontRates: number[] = [];
    const bareRates: number[] = [];
    for (let i = 0; i < 5; i++) {
      directRates.push(await download(upstreamPort, directSid));
      frontRates.push(await download(frontPort, frontSid));
      bareRates.push(await download(barePort, directSid));
    }
    const median = (xs: number[]) =>
      pct(
        [...xs].sort((a, b) => a - b),
        50,
      );
    report.figure(`SSE ${SSE_MB} MB direct (median of 5)`, median(directRates), 'MB/s');
    report.figure(`SSE ${SSE_MB} MB through the front (median of 5)`, median(frontRates), 'MB/s');
    report.figure(
      `SSE ${SSE_MB} MB through a bare Node pipe proxy, for reference (median of 5)`,
      median(bareRates),
      'MB/s',
    );
    // The target is against one hop that does nothing else: any proxy is one more process reading and writing every byte.
    report.ratio('SSE throughput through the front / through the bare proxy', median(frontRates) / median(bareRates), {
      min: 0.9,
    });
    report.figure('SSE throughput through the front / direct', median(frontRates) / median(directRates), 'x');
  } finally {
    agent.destroy();
    bare.kill('SIGKILL');
    // SIGTERM: the guard stops its server and frees its lock.
    front.kill('SIGTERM');
    await new Promise((resolve) => front.once('exit', resolve));
    fs.rmSync(home, { recursive: true, force: true });
  }
}
