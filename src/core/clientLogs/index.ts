import { HostEnv } from '../base/hostEnv';
import type { InstanceClient, ServerConfig } from '../base/model';
import { clientLogFormat } from './locations';
import { CLIENT_NAMES } from '../sources/clientNames';
import { redactText } from '../base/redact';
import { readTail } from '../base/tail';
import { secretEnvValues } from '../processes/environ';
import { ClientLogDeps, ClientLogLookup, ClientLogQuery, locateClientLog } from './locate';
import { openClientLog, OpenClientLogOptions } from '../machine/clientLogFile';
import { copilotLineIsAbout, renderClientLog } from './render';

export { ClientLogRefused } from '../machine/clientLogFile';
export { clientLogFormat } from './locations';

/** An unguarded instance whose client keeps a log of it: what to look for, and whose env keys to mask. */
export interface ClientLogOf {
  /** "Claude Code", "Claude Desktop", "Copilot CLI". */
  clientName: string;
  query: ClientLogQuery;
  /** The entry's env keys: the values the process runs with for them are masked too. */
  envKeys: string[];
}

/**
 * Whether an instance's client keeps a log of it that can be looked for (every face asks this one
 * rule): an unguarded instance (a guarded one's stderr is in the guard's log) of Claude Code, Claude
 * Desktop or Copilot CLI, run from an entry of that client's own config (the client names its log
 * after its own name for the server).
 */
export function clientLogOf(
  server: Pick<ServerConfig, 'name' | 'source' | 'envKeys'>,
  instance: { pid: number; startTime?: number; client: Pick<InstanceClient, 'id' | 'pid'>; lock?: unknown },
): ClientLogOf | undefined {
  if (instance.lock || server.source.client !== instance.client.id) return undefined;
  const format = clientLogFormat(instance.client.id, server.source.extension !== undefined);
  if (!format) return undefined;
  return {
    clientName: CLIENT_NAMES[format],
    query: {
      serverName: server.name,
      client: instance.client.id,
      pid: instance.pid,
      ...(instance.startTime !== undefined ? { startTime: instance.startTime } : {}),
      ...(instance.client.pid !== undefined ? { clientPid: instance.client.pid } : {}),
    },
    envKeys: [...server.envKeys],
  };
}
export type { ClientLogFormat } from './locations';
export type { ClientLogLookup, ClientLogQuery, ClientLogDeps } from './locate';
export { locateClientLog, liveClientLogDeps, noClientLogReason } from './locate';

/** A client's log of one instance, its end read, shown and masked. */
export type ClientServerLog =
  | (Extract<ClientLogLookup, { found: true }> & {
      /** The last lines, as shown (the client's format read for people) and with every secret masked. */
      lines: string[];
      /** The file's size when read. */
      size: number;
      /** True when the lines asked for were not all within the bytes read. */
      cut: boolean;
      /** The file is gone (the client removed it since it was found). */
      gone?: true;
    })
  | { found: false; reason: string };

export interface ClientServerLogOptions {
  /** How many lines to give from the end. */
  lines: number;
  /** The most of the file's end read. */
  maxBytes: number;
  /**
   * Values never shown: every env and header value of the configs (a scan's `secrets`), masked
   * wherever they stand, also as JSON writes them (a client's JSON log escapes `"` and `\`).
   */
  secrets: ReadonlySet<string>;
  /** The instance's entry's env keys: their values in the running process (Linux) are masked too. */
  envKeys?: readonly string[];
  /** Where the log is looked for: the Machine of the face that asks (liveClientLogDeps). */
  deps: ClientLogDeps;
  open?: OpenClientLogOptions;
}

/**
 * The end of the log the instance's client keeps of it: found (core/clientLogs/locate.ts), opened
 * only as a regular file of this user under the client's log folder (open.ts), read from its end
 * within `maxBytes` (a log of any size), the lines about other servers left out where the client
 * logs them all in one file, read for people (render.ts), and every secret masked: the configs'
 * env and header values, the values the process runs with for its entry's env keys, and the shapes
 * of well-known tokens.
 */
export async function clientServerLog(
  q: ClientLogQuery,
  host: HostEnv,
  o: ClientServerLogOptions,
): Promise<ClientServerLog> {
  const lookup = await locateClientLog(q, host, o.deps);
  if (!lookup.found) return lookup;
  const opened = await openClientLog(lookup.root, lookup.file, { platform: host.platform, ...o.open });
  if (!opened) return { ...lookup, lines: [], size: 0, cut: false, gone: true };
  let tail;
  try {
    const name = lookup.linesOf;
    tail = await readTail(
      opened.handle,
      opened.size,
      o.lines,
      o.maxBytes,
      name === undefined ? undefined : (l) => copilotLineIsAbout(l, name),
    );
  } finally {
    await opened.handle.close();
  }
  const secrets = maskedValues(o.secrets, secretEnvValues(o.deps.environ(q.pid), o.envKeys ?? []));
  const shown = renderClientLog(lookup.format, tail.lines.length === 1 && tail.lines[0] === '' ? [] : tail.lines)
    .slice(-o.lines)
    .map((l) => redactText(l, secrets));
  return { ...lookup, lines: shown, size: tail.size, cut: tail.cut };
}

/** The values to mask, each also as a JSON string spells it (escaped `"`, `\`, control characters). */
function maskedValues(...sets: ReadonlySet<string>[]): Set<string> {
  const out = new Set<string>();
  for (const set of sets)
    for (const v of set) {
      out.add(v);
      const json = JSON.stringify(v).slice(1, -1);
      if (json !== v) out.add(json);
    }
  return out;
}
