import type { MachineNet, NetAnswer, NetRequest } from './types';

/** The response headers a caller reads (a redirect's target, the body's type): the only ones an answer keeps. */
const KEPT_HEADERS = ['location', 'content-type'];

/** This machine's network: one GET with `fetch`, redirects handed back, the body read no further than its bound. */
export const liveNet: MachineNet = { get };

async function get(request: NetRequest): Promise<NetAnswer> {
  try {
    const res = await fetch(request.url, {
      signal: request.signal,
      ...(request.headers ? { headers: { ...request.headers } } : {}),
      redirect: 'manual',
    });
    const headers: Record<string, string> = {};
    for (const name of KEPT_HEADERS) {
      const value = res.headers.get(name);
      if (value !== null) headers[name] = value;
    }
    const body = await boundedText(res, request.maxBytes);
    if (body === undefined) return { kind: 'too-big', status: res.status };
    return { kind: 'answer', status: res.status, headers, body };
  } catch (err) {
    const e = err as Error;
    return {
      kind: 'failed',
      message: e.message,
      aborted: request.signal.aborted || e.name === 'TimeoutError' || e.name === 'AbortError',
    };
  }
}

/** A response's body as text, read no further than `max` bytes: undefined (the rest never read) when it is larger. */
async function boundedText(res: Response, max: number): Promise<string | undefined> {
  const declared = Number(res.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > max) {
    await res.body?.cancel();
    return undefined;
  }
  if (!res.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
