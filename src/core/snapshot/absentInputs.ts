import type { PathRules } from '../base/hostEnv';
import type { MachineFs } from '../machine/types';
import { probeNow, Stamp } from './passInputs';

/**
 * Paths a pass found absent (most of a pass's inputs: every config file a client may have, each
 * distribution's optional files), looked at again through the nearest folder that holds them
 * rather than one by one. A path is anchored to that folder once a tick found it still absent and
 * the folder's stat, taken before the entry under it was looked for, is older than the file
 * system's clock can tell apart (FS_TIME_RESOLUTION_MS): no entry can be added to a folder without
 * changing its change time, so while the folder's stat is the same (device, inode, size, times,
 * mode, owner) the path is still absent. The entry is looked for with lstat, so a link that leads
 * nowhere, which a later file at its target would make present without touching its folder, is
 * never anchored: such a path, and any whose folder changed, is looked at on its own.
 */
export class AbsentInputs {
  private readonly anchors = new Map<string, { folder: string; seen: string }>();

  /** Whether `path` is absent by its anchor; `folderNow`: a folder's stat taken this tick. */
  holds(path: string, folderNow: (folder: string) => Stamp): boolean {
    const a = this.anchors.get(path);
    return a !== undefined && folderNow(a.folder).seen === a.seen;
  }

  /**
   * After a tick found `path` absent: anchors it to the nearest folder on its way that exists, when
   * that folder did not change after `racyAfter` and holds no entry of the path's next name.
   */
  anchor(fs: MachineFs, p: PathRules, path: string, racyAfter: number, folderNow: (folder: string) => Stamp): void {
    if (this.anchors.has(path)) this.anchors.delete(path);
    let entry = path;
    for (let folder = p.dirname(path); folder !== entry; entry = folder, folder = p.dirname(folder)) {
      const stamp = folderNow(folder);
      if (stamp.seen === 'absent') continue;
      if (!stamp.seen.startsWith('dir:') || stamp.changed >= racyAfter) return;
      if (probeNow(fs, 'lstat', entry) === 'absent') this.anchors.set(path, { folder, seen: stamp.seen });
      return;
    }
  }
}
