import { execFileSync } from 'node:child_process';

/** The other local user some tests run processes as (another user's servers, a hostile writer). */
export const OTHER_USER_NAME = 'mcplg-stranger';

/** Its uid and gid; as root, it is made a system user (no home, no shell) when missing. */
export function otherUserIds(): { name: string; uid: number; gid: number } {
  const id = (flag: string) =>
    Number(
      execFileSync('id', [flag, OTHER_USER_NAME], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim(),
    );
  try {
    id('-u');
  } catch {
    execFileSync('useradd', [
      '--system',
      '--no-create-home',
      '--home-dir',
      '/nonexistent',
      '--shell',
      '/usr/sbin/nologin',
      OTHER_USER_NAME,
    ]);
  }
  return { name: OTHER_USER_NAME, uid: id('-u'), gid: id('-g') };
}
