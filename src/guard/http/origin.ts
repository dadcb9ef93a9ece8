import type { IncomingHttpHeaders } from 'node:http';
import { hostHeaderAllowed, originAllowed } from '../../core/net/loopback';

export type OriginVerdict = { ok: true } | { ok: false; reason: string };

/**
 * The spec's DNS-rebinding defence for local servers: a browser page on another site can reach a
 * loopback port, but it cannot hide its `Origin`, and a rebound name shows in `Host`. Requests
 * without an Origin (every non-browser client) pass; a browser origin must be a loopback one or
 * listed by the user. When the front is bound to loopback (`listen`: the bound address), `Host`
 * must name loopback too. The policy itself lives in core/net/loopback; this gives its reasons.
 */
export function checkOrigin(
  headers: IncomingHttpHeaders,
  options: { allowedOrigins: readonly string[]; listen: string },
): OriginVerdict {
  const origin = headers.origin;
  if (origin !== undefined && !originAllowed(origin, options.allowedOrigins))
    return { ok: false, reason: `Forbidden: origin ${origin} is not allowed` };
  if (!hostHeaderAllowed(headers.host, options.listen))
    return { ok: false, reason: `Forbidden: host ${String(headers.host)} is not a loopback name` };
  return { ok: true };
}
