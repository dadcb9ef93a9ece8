import { existsSync, readFileSync } from 'node:fs';

/**
 * Files read as any program reads them, a link at the name followed: what is copied as it is (the
 * bundled CLI installed at <root>/bin) and whether a path names anything (a program looked up on
 * PATH). Neither is evidence a snapshot records (those reads go through the Machine) nor a file of
 * ours (privateFs.ts).
 */

/** A file's bytes, whole; throws what the OS says (ENOENT, EACCES...). */
export function readWholeFileSync(file: string): Buffer {
  return readFileSync(file);
}

/** Whether `p` names anything that can be reached; any failure to look (EACCES) counts as not there. */
export function pathExistsSync(p: string): boolean {
  return existsSync(p);
}
