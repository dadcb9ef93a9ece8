import * as os from 'node:os';
import type { HostEnv, PathRules } from '../base/hostEnv';
// This machine's own path rules, for what acts here alone (thisMachinePath).
import * as path from 'node:path';
import { runLive } from './liveCommands';
import { liveFs } from './liveFs';
import { liveNet } from './liveNet';
import { Machine, ServerInfoAnswer } from './types';

export interface LiveMachineOptions {
  /** How a running HTTP server is asked for its serverInfo (the engine passes serverInfo.ts); absent: never asked. */
  serverInfo?: Machine['serverInfo'];
  /** Defaults to this process's pid. */
  selfPid?: number;
}

const NOT_ASKED: ServerInfoAnswer = { ok: false, reason: 'servers are not asked for their serverInfo here' };

/** This machine, read as it is now. */
export function liveMachine(host: HostEnv, options: LiveMachineOptions = {}): Machine {
  const facts = new Map<string, unknown>();
  return {
    host,
    selfPid: options.selfPid ?? process.pid,
    uid: process.getuid?.(),
    accountHome: accountHome(),
    kind: 'live',
    now: () => Date.now(),
    fs: liveFs,
    once: <T>(key: string, compute: () => T): T => {
      if (!facts.has(key)) facts.set(key, compute());
      return facts.get(key) as T;
    },
    pidExists,
    run: (command) => runLive(host, command),
    serverInfo: options.serverInfo ?? (async () => NOT_ASKED),
    net: liveNet,
  };
}

/** The account's home from the OS's user database (os.userInfo reads it, not HOME); none when it has no entry. */
function accountHome(): string | undefined {
  try {
    return os.userInfo().homedir;
  } catch {
    return undefined;
  }
}

/** Signal 0: EPERM means the pid is alive and another user's, not gone. */
function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The host this process runs on. `HOME` (or `USERPROFILE` on Windows) overrides `os.homedir()`. */
export function currentHostEnv(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): HostEnv {
  const home = (platform === 'win32' ? env.USERPROFILE : env.HOME) || os.homedir();
  return { home, platform, env: { ...env } };
}

/**
 * This machine as this process sees it (its environment, its home): for the actions and guards
 * that only ever act here. The engine is handed its Machine instead, so that a replay reads its record.
 */
export function thisMachine(): Machine {
  return liveMachine(currentHostEnv());
}

/**
 * The path rules of the machine this process runs on: for the files what acts here alone writes
 * (a lock it takes, a config it rewrites, the guard it installs). What a Machine is asked about is
 * named by that Machine's rules instead (`pathFor(machine.host)`).
 */
export function thisMachinePath(): PathRules {
  return path;
}
