import { isIP } from 'node:net';

/**
 * What counts as loopback, in one place: it decides the DNS-rebinding defence of the HTTP front
 * (Host and Origin), which addresses may be bound without --allow-remote, and which configured
 * URLs are served on this machine. Text is read with the WHATWG URL parser (as browsers read it)
 * and `net.isIP` (as Node reports socket addresses); anything those do not read cleanly is not
 * loopback.
 */

/** An IP address as Node reports it (no brackets, no port): 127.0.0.0/8, ::1, ::ffff:127.x.y.z. */
export function isLoopbackAddress(ip: string): boolean {
  const family = isIP(ip);
  if (family === 4) return Number(ip.slice(0, ip.indexOf('.'))) === 127;
  if (family !== 6) return false;
  const canonical = canonicalIPv6(ip);
  if (canonical === '::1') return true;
  // The URL parser writes an IPv4-mapped address as ::ffff:HHHH:HHHH; the first byte is the /8.
  if (canonical?.startsWith('::ffff:')) {
    const groups = canonical.slice('::ffff:'.length).split(':');
    return groups.length === 2 && parseInt(groups[0], 16) >> 8 === 127;
  }
  return false;
}

/**
 * A host that can only mean this machine's loopback: a loopback address (bare, or bracketed IPv6),
 * `localhost` or a name under `.localhost` (RFC 6761), in any case, with or without a port — a
 * URL hostname or an HTTP Host header. `localhost.` (trailing dot) is not accepted.
 */
export function isLoopbackHostname(host: string): boolean {
  if (isIP(host) !== 0) return isLoopbackAddress(host);
  const hostname = authorityHostname(host);
  if (hostname === undefined) return false;
  if (hostname.startsWith('[')) return isLoopbackAddress(hostname.slice(1, -1));
  if (isIP(hostname) === 4) return isLoopbackAddress(hostname);
  return hostname === 'localhost' || (hostname.endsWith('.localhost') && hostname.length > '.localhost'.length);
}

/**
 * A host the front may bind without --allow-remote: a loopback address, or the name `localhost`.
 * Other names (`127.1`, `foo.localhost`) go through the system resolver when bound, which is free
 * to answer something else.
 */
export function isLoopbackBindHost(host: string): boolean {
  return isLoopbackAddress(host) || host.toLowerCase() === 'localhost';
}

/** `HOST:PORT` or `[IPv6]:PORT` as `--listen` takes it, split; undefined when it is not that shape. */
export function splitListenAddress(listen: string): { host: string; port: number } | undefined {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(listen);
  return m ? { host: m[1] ?? m[2], port: Number(m[3]) } : undefined;
}

/** The `http://` URL of `path` at host and port, an IPv6 host in brackets: `splitListenAddress` the other way. */
export function httpUrl(host: string, port: number, path: string): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}${path}`;
}

/**
 * A URL hostname a client reaching it reaches this machine with: a loopback name, or an
 * unspecified address (0.0.0.0, ::), which connects to the local host.
 */
export function namesThisMachine(host: string): boolean {
  if (isLoopbackHostname(host)) return true;
  if (isIP(host) === 4) return host === '0.0.0.0';
  if (isIP(host) === 6) return canonicalIPv6(host) === '::';
  const hostname = authorityHostname(host);
  return hostname === '0.0.0.0' || hostname === '[::]';
}

/**
 * The DNS-rebinding defence: a page on another site can get a browser to reach a loopback port
 * under a name it controls, and that name shows in `Host`. So when the front is bound to loopback
 * (`listen`: the bound address or the host given to bind), `Host` must name loopback. A request
 * without `Host` passes (HTTP/1.0 clients; browsers always send one). Bound elsewhere
 * (--allow-remote), clients may use any name.
 */
export function hostHeaderAllowed(hostHeader: string | undefined, listen: string): boolean {
  if (!isLoopbackHostname(listen) || hostHeader === undefined) return true;
  return isLoopbackHostname(hostHeader);
}

/**
 * A browser `Origin` the front serves: one listed by the user (exactly as written), or a loopback
 * one (`scheme://host[:port]` with a loopback host). `null`, user info, paths and anything that is
 * not a URL are refused.
 */
export function originAllowed(origin: string, allowList: readonly string[]): boolean {
  if (allowList.includes(origin)) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  const prefix = `${url.protocol}//`;
  if (origin.slice(0, prefix.length).toLowerCase() !== prefix) return false;
  return isLoopbackHostname(origin.slice(prefix.length));
}

/** The hostname of `host[:port]` as the URL parser reads it (lower case, IPv6 bracketed), or undefined. */
function authorityHostname(authority: string): string | undefined {
  // The URL parser would drop or decode these silently and read another host than the one given
  // (user info before '@', a path, tabs and newlines removed, percent-decoding).
  for (const ch of authority) if (ch <= ' ' || ch === '\u007f' || '@/\\?#%'.includes(ch)) return undefined;
  try {
    const hostname = new URL(`http://${authority}`).hostname;
    return hostname === '' ? undefined : hostname;
  } catch {
    return undefined;
  }
}

export function canonicalIPv6(ip: string): string | undefined {
  try {
    return new URL(`http://[${ip}]`).hostname.slice(1, -1);
  } catch {
    return undefined; // zone ids (fe80::1%eth0) are not URL hosts
  }
}
