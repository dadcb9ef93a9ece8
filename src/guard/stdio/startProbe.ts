import { Buffer } from 'node:buffer';
import type { ProbeResult } from '../host/probe';
import { describeExit, PipedProcess, probeChild, ServerChild, SpawnSpec, StopGrace } from '../host/supervisor';
import { GuardRequests } from './guardRequests';
import type { Handshake } from './handshake';
import { LineSplitter } from './lines';
import { classify } from './messages';

/**
 * Starts the installed server beside the one serving and asks it what the client's session would:
 * the client's own `initialize` (legacy) or `server/discover` (modern), then its tools when it
 * offers tools. Its answers and its stderr stay here (the client never sees them); it is stopped
 * after, whatever it said. A restart goes on only when it answered: otherwise the serving server
 * keeps serving, and the reason carries the probe's own last error line.
 */
export async function probeStdioServer(o: {
  spec: SpawnSpec;
  handshake: Handshake;
  timeoutMs: number;
  grace: StopGrace;
  secrets: ReadonlySet<string>;
  log(line: string): void;
}): Promise<ProbeResult> {
  const handshake = o.handshake.forProbe();
  if (!handshake.replayable && handshake.era !== 'modern') return { kind: 'skipped' };
  return probeChild<PipedProcess>(o.spec, ['pipe', 'pipe', 'pipe'], o, (child) => askAsClient(child, handshake, o));
}

/** Asks the probed server what its client asked; throws when it ends or does not answer. */
async function askAsClient(
  child: ServerChild,
  handshake: Handshake,
  o: { timeoutMs: number; log(line: string): void },
): Promise<ProbeResult> {
  const write = (line: Buffer) => {
    if (!child.exit && child.proc.stdin.writable) child.proc.stdin.write(Buffer.concat([line, Buffer.from('\n')]));
  };
  const requests = new GuardRequests(write, o.timeoutMs, o.log);
  const splitter = new LineSplitter({ maxLineBytes: 64 * 1024 * 1024 });
  child.proc.stdout.on('data', (chunk: Buffer) => {
    for (const line of splitter.push(chunk)) requests.take(classify(line));
  });
  void child.exited.then((exit) => requests.childGone(describeExit(exit)));
  let capabilities: Record<string, unknown>;
  if (handshake.era === 'modern') {
    const found = await requests.discover(handshake.modernVersion);
    if (!found) throw new Error(child.exit ? `it ${describeExit(child.exit)}` : 'it did not answer server/discover');
    capabilities = (found.capabilities as Record<string, unknown> | undefined) ?? {};
  } else {
    await handshake.replay(write, (id, timeoutMs) => requests.answer(id, timeoutMs, 'initialize'), o.timeoutMs);
    capabilities = handshake.capabilities;
  }
  if (capabilities.tools === undefined) return { kind: 'ok', what: 'it answered initialize' };
  const tools = await requests.listTools(handshake.era === 'modern' ? handshake.modernVersion : undefined);
  if (!tools) throw new Error(child.exit ? `it ${describeExit(child.exit)}` : 'it did not list its tools');
  return { kind: 'ok', what: `it answered and listed ${tools.length} tool${tools.length === 1 ? '' : 's'}` };
}
