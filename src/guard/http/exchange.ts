import * as http from 'node:http';

export interface UpstreamAddress {
  host: string;
  port: number;
}

export interface Exchanged {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/**
 * One whole request/response with the upstream, for the front's own requests (the replayed
 * handshake): the answer is read completely (at most `maxBytes`) within `timeoutMs`.
 */
export function exchange(
  target: UpstreamAddress,
  request: { method: string; path: string; headers: http.OutgoingHttpHeaders; body?: string },
  options: { timeoutMs: number; agent?: http.Agent; maxBytes?: number },
): Promise<Exchanged> {
  const maxBytes = options.maxBytes ?? 1024 * 1024;
  return new Promise((resolve, reject) => {
    let settled = false;
    const done = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
    };
    const headers = { ...request.headers };
    if (request.body !== undefined) headers['content-length'] = Buffer.byteLength(request.body);
    const req = http.request({
      host: target.host,
      port: target.port,
      method: request.method,
      path: request.path,
      headers,
      agent: options.agent,
    });
    const timer = setTimeout(() => {
      done(() => reject(new Error(`no complete answer within ${options.timeoutMs} ms`)));
      req.destroy();
    }, options.timeoutMs);
    req.on('error', (err) => done(() => reject(err)));
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) {
          req.destroy();
          done(() => reject(new Error(`the answer is larger than ${maxBytes} bytes`)));
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () =>
        done(() => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) })),
      );
      res.on('error', (err) => done(() => reject(err)));
    });
    req.end(request.body);
  });
}

/** The JSON-RPC messages of a JSON or SSE answer body. */
export function messagesOf(answer: Exchanged): unknown[] {
  const type = String(answer.headers['content-type'] ?? '');
  const text = answer.body.toString('utf8');
  if (type.includes('text/event-stream')) {
    const out: unknown[] = [];
    for (const event of text.split(/\r?\n\r?\n/)) {
      const data = event
        .split(/\r?\n/)
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).replace(/^ /, ''))
        .join('\n');
      if (!data) continue;
      try {
        out.push(JSON.parse(data));
      } catch {
        // not a JSON-RPC event: skipped
      }
    }
    return out;
  }
  if (text.trim() === '') return [];
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? value : [value];
  } catch {
    return [];
  }
}
