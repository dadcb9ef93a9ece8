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
  read(text: string, keyPath: (string | number)[]): RawEntry | string;
  write(text: string, keyPath: (string | number)[], entry: RawEntry): string;
}
