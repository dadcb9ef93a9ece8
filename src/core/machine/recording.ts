import { commandKey, CommandRecord, MachineRecord, NetRecord, ServerInfoRecord } from './record';
import { recordingFs } from './recordingFs';
import { CommandOutput, Machine, MachineNet, NetAnswer } from './types';

/**
 * A Machine that answers as `inner` does and writes down every answer: what one snapshot read,
 * replayable by `recordedMachine`. Each question is asked of `inner` once: a later ask of the same
 * path, pid or command gets the answer written down, as a replay would. A machine changes while a
 * snapshot reads it (a process ends between two reads of its files), and a record holds one answer
 * per question, so the snapshot taken while recording is the one its record replays to. The record
 * is raw (env values, command lines, config texts as read): `capture/` redacts it before it leaves
 * the process. One recorder per kind of question, each keeping its own part of the record.
 */
export function recordingMachine(inner: Machine): { machine: Machine; record: () => MachineRecord } {
  const files = recordingFs(inner.fs);
  const clock = recordingClock(inner);
  const facts = recordingFacts();
  const pids = recordingPids(inner);
  const runs = recordingRuns(inner);
  const servers = recordingServerInfo(inner);
  const network = recordingNet(inner);

  const machine: Machine = {
    host: inner.host,
    selfPid: inner.selfPid,
    uid: inner.uid,
    accountHome: inner.accountHome,
    kind: inner.kind,
    now: clock.now,
    fs: files.fs,
    once: facts.once,
    pidExists: pids.pidExists,
    run: runs.run,
    serverInfo: servers.serverInfo,
    net: network.net,
  };

  return {
    machine,
    record: () => ({
      host: { home: inner.host.home, platform: inner.host.platform, env: definedEnv(inner.host.env) },
      selfPid: inner.selfPid,
      ...(inner.uid !== undefined ? { uid: inner.uid } : {}),
      ...(inner.accountHome !== undefined ? { accountHome: inner.accountHome } : {}),
      clock: clock.kept(),
      fs: files.record,
      commands: runs.kept(),
      pids: pids.kept(),
      facts: facts.kept(),
      serverInfo: servers.kept(),
      net: network.kept(),
    }),
  };
}

/** Every reading of the clock, in order. */
function recordingClock(inner: Machine): { now: Machine['now']; kept: () => number[] } {
  const clock: number[] = [];
  return {
    now: () => {
      const t = inner.now();
      clock.push(t);
      return t;
    },
    kept: () => [...clock],
  };
}

/** The facts worked out once; computed through the recording machine, so what a fact read is recorded too. */
function recordingFacts(): { once: Machine['once']; kept: () => Record<string, unknown> } {
  const facts = new Map<string, unknown>();
  return {
    once: <T>(key: string, compute: () => T): T => {
      if (!facts.has(key)) facts.set(key, compute());
      return facts.get(key) as T;
    },
    // Plain values only: a fact a replay could not hold as JSON is worked out again there.
    kept: () =>
      Object.fromEntries(
        [...facts].filter(([, v]) => v === null || ['number', 'string', 'boolean'].includes(typeof v)),
      ),
  };
}

/** Whether each pid asked existed, asked of `inner` once. */
function recordingPids(inner: Machine): { pidExists: Machine['pidExists']; kept: () => Record<string, boolean> } {
  const pids: Record<string, boolean> = {};
  return {
    pidExists: (pid) => (pids[String(pid)] ??= inner.pidExists(pid)),
    kept: () => ({ ...pids }),
  };
}

/** The commands run and what they printed. A command is run once: a second run of it in one snapshot is a cache miss of ours, not news. */
function recordingRuns(inner: Machine): { run: Machine['run']; kept: () => CommandRecord[] } {
  const commands: CommandRecord[] = [];
  const runs = new Map<string, Promise<CommandOutput>>();
  return {
    run: (command) => {
      const key = commandKey(command);
      const first = runs.get(key);
      if (first) return first;
      const output = inner.run(command).then((out) => {
        commands.push({
          command: command.command,
          args: [...command.args],
          ...(command.env ? { env: { ...command.env } } : {}),
          output: out,
        });
        return out;
      });
      runs.set(key, output);
      return output;
    },
    kept: () => [...commands],
  };
}

/** What each running server asked answered of its serverInfo, in the order answered. */
function recordingServerInfo(inner: Machine): { serverInfo: Machine['serverInfo']; kept: () => ServerInfoRecord[] } {
  const asked: ServerInfoRecord[] = [];
  return {
    serverInfo: async (url, transport) => {
      const answer = await inner.serverInfo(url, transport);
      asked.push({ url, transport, answer });
      return answer;
    },
    kept: () => [...asked],
  };
}

/** What each URL asked over the network answered. A URL is asked once, as a command is run once: a second ask in one snapshot gets the first answer. */
function recordingNet(inner: Machine): { net: MachineNet; kept: () => NetRecord[] } {
  const answered: NetRecord[] = [];
  const gets = new Map<string, Promise<NetAnswer>>();
  return {
    net: {
      get: (request) => {
        const first = gets.get(request.url);
        if (first) return first.then((a) => structuredClone(a));
        const answer = inner.net.get(request).then((a) => {
          answered.push({ url: request.url, answer: structuredClone(a) });
          return a;
        });
        gets.set(request.url, answer);
        return answer;
      },
    },
    kept: () => [...answered],
  };
}

function definedEnv(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return out;
}
