import { randomBytes } from 'node:crypto';

/**
 * The variable a guard starts its server with, its value new for each server: the server's
 * processes inherit it, so one that left the tree before the stop (a daemon that forked twice, now
 * under init) still says whose it is (Linux, where a process's starting environment can be read).
 * The guard records the value beside its server (the lock record's `child`), so a successor finds
 * that server's processes even once the guard and the server are gone (actions/serverTree.ts).
 */
export const TREE_MARK_VAR = 'MCP_LIFEGUARD_TREE';

/** A new value for TREE_MARK_VAR: random, so no other process carries it by chance. */
export function newTreeMark(): string {
  return randomBytes(16).toString('hex');
}

/** Whether a recorded tree mark has the shape newTreeMark gives (a record is input). */
export function isTreeMark(value: unknown): value is string {
  return typeof value === 'string' && /^[0-9a-f]{32}$/.test(value);
}
