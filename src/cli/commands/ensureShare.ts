import * as path from 'node:path';
import { currentHostEnv } from '../../core/machine/live';
import { lifeguardPaths } from '../../core/base/paths';
import { pollUntil } from '../../core/base/pollUntil';
import { terminalSafe } from '../../core/base/terminalSafe';
import { httpUrl } from '../../core/net/loopback';
import { recordHttpLaunch } from '../../core/http/launchRecord';
import { readHolder } from '../../core/locks';
import { shareUrlField } from '../../core/processes/guarded';
import { describePortHolder, identityOf } from '../../guard';
import { CliIo, UsageError } from '../io';
import { CommandSpec, parseOptions, splitServerCommand } from '../options';
import { privateHomeReady } from '../privateHome';
import { startShareHost } from '../shareHost';
import { portTaken } from './portTaken';
import { RUN_COMMAND, shareListenOf } from './runSpec';

export const ENSURE_SHARE_COMMAND = {
  name: 'ensure --share',
  operands: '--name NAME --share-listen HOST:PORT',
  implied: ['share', 'name', 'share-listen'],
  serverCommand: true,
  summary: [
    "Print the URL of a shared server's HTTP front, starting its share",
    'host first: for machines whose clients all name a URL',
  ],
  options: {
    share: { type: 'boolean', description: "The shared mode: a share host's HTTP front on --share-listen" },
    name: RUN_COMMAND.options.name,
    'share-listen': {
      type: 'string',
      value: 'HOST:PORT',
      description: 'Where the share host serves the server over streamable HTTP (loopback)',
    },
    resource: RUN_COMMAND.options.resource,
    linger: {
      type: 'seconds',
      default: 600,
      description: 'Seconds the shared server keeps running with no client (after its start, or its last client)',
    },
    'when-stale': RUN_COMMAND.options['when-stale'],
    timeout: {
      type: 'seconds',
      default: 120,
      positive: true,
      description: 'Seconds to wait for the front to answer (or a running start to finish)',
    },
  },
} as const satisfies CommandSpec;

/**
 * `mcp-lifeguard ensure --share --name NAME --share-listen HOST:PORT -- <command>`: the start of a
 * shared server for clients that name its URL and so start nothing themselves. Prints the URL when
 * its share host already serves it there; starts the share host otherwise (detached, as a relay
 * would, with `--linger`, 10 minutes unless told, so it waits for its first client) and waits for
 * its front. Concurrent calls start one host: the share host's own lock decides. The command line
 * is recorded for the port, so Start Server in VS Code can run it again for a URL entry.
 */
export async function ensureShareCommand(args: string[], io: CliIo): Promise<number> {
  const split = splitServerCommand(args);
  if (split.command.length === 0)
    throw new UsageError(
      'ensure --share needs the server command after --, e.g. mcp-lifeguard ensure --share --name memory --share-listen 127.0.0.1:3310 -- npx -y @modelcontextprotocol/server-memory',
    );
  const { values } = parseOptions(split.options, ENSURE_SHARE_COMMAND.options);
  const name = values.name;
  if (name === undefined) throw new UsageError('ensure --share needs --name NAME: the name every client of it shares');
  const listen = shareListenOf(values['share-listen'], 'share');
  if (!listen) throw new UsageError('ensure --share needs --share-listen HOST:PORT (e.g. 127.0.0.1:3310)');
  const log = (line: string): void => io.stderr(`${terminalSafe(`mcp-lifeguard ensure [${name}]: ${line}`)}\n`);
  const paths = lifeguardPaths(currentHostEnv(io.env));
  if (!privateHomeReady(paths, log)) return 1;
  const [command, ...commandArgs] = split.command;
  const cwd = path.resolve(io.cwd);
  const identity = await identityOf(
    { command, args: commandArgs, cwd, env: io.env },
    { name, resource: values.resource },
  );
  const url = httpUrl(listen.host, listen.port, '/mcp');
  const lingerSeconds = String(values.linger / 1000);
  // The share host gets run's options only: what a relay with the same front would hand it.
  const hostOptions = [
    '--on-conflict',
    'share',
    '--name',
    name,
    '--share-listen',
    values['share-listen'] as string,
    '--linger',
    lingerSeconds,
    '--when-stale',
    values['when-stale'],
    ...(values.resource !== undefined ? ['--resource', values.resource] : []),
  ];
  let started: ReturnType<typeof startShareHost> | undefined;

  // One look: an exit code when done, undefined to look again until the deadline.
  const attempt = async (): Promise<number | undefined> => {
    const holder = await readHolder({ dir: paths.locks, identity });
    if (holder.state === 'live') {
      const record = holder.record;
      if (record.share !== true) {
        log(`a guard of ${name} runs without --on-conflict share (pid ${record.pid}): it serves its own client alone`);
        return 1;
      }
      const served = shareUrlField(record).shareUrl;
      if (served === new URL(url).href) {
        io.stdout(`${served}\n`);
        return 0;
      }
      // A host just started (by this call or a concurrent one) writes its URL once its front listens: look again.
      const frontComing = record.shareFront === 'starting' || (started !== undefined && record.shareFront !== 'failed');
      if (served === undefined && frontComing) return undefined;
      log(
        served !== undefined
          ? `the share host of ${name} (pid ${record.pid}) serves its front at ${served}, not ${url}`
          : record.shareFront === 'failed'
            ? `the share host of ${name} (pid ${record.pid}) could not serve its HTTP front at ${url}${started ? ` (its log: ${started.log})` : ''}`
            : `the share host of ${name} (pid ${record.pid}) runs without an HTTP front; clients reach it through relays (stop it, or give its relays --share-listen, then run this again)`,
      );
      return 1;
    }
    if (started) {
      const exit = started.exit();
      if (exit !== undefined) {
        log(`the share host ${exit} (its log: ${started.log})`);
        return 1;
      }
      return undefined;
    }
    if (await portTaken(listen.host, listen.port)) {
      log(
        `cannot start the share host of ${name}: ${listen.host}:${listen.port} is in use: ${await describePortHolder(listen.port)}`,
      );
      return 1;
    }
    started = startShareHost(hostOptions, split.command, io, paths);
    return undefined;
  };
  const polled = await pollUntil(attempt, { deadline: Date.now() + values.timeout, backoff: { maxMs: 200 } });
  if (polled.kind === 'timeout') {
    log(`no share host served ${url} within ${values.timeout / 1000} s${started ? ` (its log: ${started.log})` : ''}`);
    return 1;
  }
  const code = polled.value;
  if (code === 0) {
    // What Start (in VS Code) runs again for a URL entry at this port: this very command line.
    const r = await recordHttpLaunch(paths, {
      host: listen.host,
      port: listen.port,
      argv: ['ensure', ...args],
      cwd,
      recordedAt: new Date().toISOString(),
    }).catch((err: Error) => ({ recorded: false as const, reason: err.message }));
    if (!r.recorded) log(`not recorded for Start: ${r.reason}`);
  }
  return code;
}
