import type { IncomingHttpHeaders } from 'node:http';

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

function isLoopbackName(hostname: string): boolean {
  const h = hostname.toLowerCase();
  return LOOPBACK_NAMES.has(h) || /^127\.\d+\.\d+\.\d+$/.test(h) || h.endsWith('.localhost');
}

export type OriginVerdict = { ok: true } | { ok: false; reason: string };

/**
 * The spec's DNS-rebinding defence for local servers: a browser page on another site can reach a
 * loopback port, but it cannot hide its `Origin`, and a rebound name shows in `Host`. Requests
 * without an Origin (every non-browser client) pass; a browser origin must be a loopback one or
 * listed by the user. When the front is bound to loopback, `Host` must name loopback too.
 */
export function checkOrigin(headers: IncomingHttpHeaders, options: { allowedOrigins: readonly string[]; loopbackOnly: boolean }): OriginVerdict {
  const origin = headers.origin;
  if (origin !== undefined) {
    if (options.allowedOrigins.includes(origin)) return { ok: true };
    let hostname: string;
    try {
      hostname = new URL(origin).hostname;
    } catch {
      return { ok: false, reason: 'Forbidden: the Origin header is not a URL' };
    }
    if (!isLoopbackName(hostname)) return { ok: false, reason: `Forbidden: origin ${origin} is not allowed` };
  }
  if (options.loopbackOnly && headers.host !== undefined) {
    let hostname: string;
    try {
      hostname = new URL(`http://${headers.host}`).hostname;
    } catch {
      return { ok: false, reason: 'Forbidden: the Host header is not valid' };
    }
    if (!isLoopbackName(hostname)) return { ok: false, reason: `Forbidden: host ${hostname} is not a loopback name` };
  }
  return { ok: true };
}
