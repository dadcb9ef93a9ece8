/**
 * MCP version negotiation for a later legacy client of a shared session. The server was initialized
 * once, with its first client's version, so the session speaks that version and no other. MCP's
 * lifecycle: a client asks the newest version it supports; a server that cannot speak it answers
 * another version it supports, and the client decides whether it can go on. So:
 * - a client asking the session's version, or a newer one (it supports older ones too: every SDK
 *   client lists several), is answered with the session's version and decides;
 * - a client asking an older one than the session's cannot speak it: it is refused with MCP's
 *   "Unsupported protocol version" error (-32602, the versions in `data`), saying why, where a
 *   bare answer would leave it to fail with "Server's protocol version is not supported".
 */

/** Legacy protocol versions are dates: they compare as strings. */
const DATED = /^\d{4}-\d{2}-\d{2}$/;

export interface VersionRefusal {
  message: string;
  data: { supported: string[]; requested: string };
}

/** The refusal for a later client asking `asked` of a session speaking `session`, or undefined to answer it. */
export function laterClientRefusal(asked: unknown, session: unknown): VersionRefusal | undefined {
  if (typeof asked !== 'string' || typeof session !== 'string') return undefined;
  if (!DATED.test(asked) || !DATED.test(session) || asked >= session) return undefined;
  return {
    message: `Unsupported protocol version ${asked}: this shared server's session speaks ${session}, negotiated by its first client, and a client asking an older version cannot speak it (run this client with another --name, or without --on-conflict share)`,
    data: { supported: [session], requested: asked },
  };
}
