import { constants } from 'node:fs';

/**
 * The open(2) flags every file of this machine is opened with where a name may have been planted:
 * one spelling of each, for every reader and writer in core/machine.
 */

/** O_NOFOLLOW where the OS has it (Windows has none, and no such links in our folders). */
export const NOFOLLOW = constants.O_NOFOLLOW ?? 0;

/** Opening a planted fifo for reading would block until a writer came; O_NONBLOCK returns at once. */
export const NONBLOCK = constants.O_NONBLOCK ?? 0;

/** A file read never through a link at its name and never waiting on a fifo. */
export const READ_NOFOLLOW = constants.O_RDONLY | NOFOLLOW | NONBLOCK;

/** A temp file created only where nothing has the name: O_EXCL never opens a file someone prepared, nor follows a link. */
export const CREATE_EXCLUSIVE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | NOFOLLOW;

/** Whether an open failed because O_NOFOLLOW met a link: ELOOP (EMLINK on FreeBSD, EFTYPE on NetBSD). */
export function isLinkRefusal(err: unknown): boolean {
  return ['ELOOP', 'EMLINK', 'EFTYPE'].includes((err as NodeJS.ErrnoException | undefined)?.code ?? '');
}
