import type { Translate } from '../translate';

/** A server entry's launch as written in its file. */
export interface RawEntry {
  command: string;
  args: string[];
}

/**
 * Reading and rewriting one entry's `command` and `args` in one config format, touching nothing
 * else. `read` answers a reason (a string) when the entry cannot be edited safely.
 */
export interface EntryFormat {
  /** `t` words the reason (the face's translator; English by default). */
  read(text: string, keyPath: (string | number)[], t?: Translate): RawEntry | string;
  write(text: string, keyPath: (string | number)[], entry: RawEntry): string;
}
