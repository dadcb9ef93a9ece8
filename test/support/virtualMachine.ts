import * as path from 'node:path';
import { emptyFsRecord, MachineRecord, WHOLE_FILE } from '../../src/core/machine/record';
import type { FileStat } from '../../src/core/machine/types';

/**
 * A machine described by what is on it: its files, links and folders, and what its commands print
 * (`ps` on macOS, PowerShell's process query on Windows, `lsof`), turned into the record a capture
 * of it would hold. Questions about anything else are answered "not there", as a replay answers
 * them. For machines this test suite cannot run on: their outputs are written as their tools print
 * them (the formats the parsers in src/core/pids are tested on).
 */
export interface VirtualMachineSpec {
  platform: NodeJS.Platform;
  home: string;
  env: Record<string, string>;
  uid?: number;
  selfPid: number;
  /** The moment of the snapshot, ms. */
  now: number;
  /** Regular files: their text, and when they were written (default: a month before `now`). */
  files: Record<string, string | { text: string; mtimeMs: number }>;
  /** Symbolic links: their path, and the path they point at (absolute). */
  links?: Record<string, string>;
  /** Folders that exist though nothing is in them. */
  folders?: string[];
  commands?: Array<{
    command: string;
    args: readonly string[];
    env?: Record<string, string>;
    stdout: string;
    code?: number;
  }>;
}

export function virtualRecord(spec: VirtualMachineSpec): MachineRecord {
  const p = spec.platform === 'win32' ? path.win32 : path.posix;
  const uid = spec.platform === 'win32' ? undefined : (spec.uid ?? 501);
  const fs = emptyFsRecord();
  const old = spec.now - 30 * 86_400_000;
  let ino = 1000;
  const stat = (kind: FileStat['kind'], size: number, mtimeMs: number): FileStat => ({
    kind,
    size,
    mtimeMs,
    ctimeMs: mtimeMs,
    ino: ino++,
    dev: 1,
    ...(uid !== undefined ? { uid } : {}),
    mode: kind === 'dir' ? 0o40700 : kind === 'link' ? 0o120777 : 0o100644,
  });
  const children = new Map<string, Set<string>>();
  const entry = (dir: string, name: string) => {
    if (!children.has(dir)) children.set(dir, new Set());
    children.get(dir)!.add(name);
  };
  const folder = (dir: string) => {
    for (let d = dir; ; d = p.dirname(d)) {
      if (!fs.stat[d]) {
        const s = stat('dir', 4096, old);
        fs.stat[d] = s;
        fs.lstat[d] = s;
        fs.realpath[d] = d;
      }
      const up = p.dirname(d);
      if (up === d) break;
      entry(up, p.basename(d));
    }
  };
  for (const dir of spec.folders ?? []) folder(dir);
  for (const [file, content] of Object.entries(spec.files)) {
    const { text, mtimeMs } = typeof content === 'string' ? { text: content, mtimeMs: old } : content;
    const bytes = Buffer.from(text, 'utf8');
    const s = stat('file', bytes.length, mtimeMs);
    folder(p.dirname(file));
    entry(p.dirname(file), p.basename(file));
    fs.stat[file] = s;
    fs.lstat[file] = s;
    fs.realpath[file] = file;
    fs.readText[file] = text;
    // Whole: any part of it can be read (a config's capped read, a script's first line).
    fs.readBytes[file] = { [WHOLE_FILE]: bytes.toString('base64') };
    fs.readNoFollow[file] = { kind: 'file', stat: s, text };
  }
  for (const [link, target] of Object.entries(spec.links ?? {})) {
    folder(p.dirname(link));
    entry(p.dirname(link), p.basename(link));
    fs.lstat[link] = stat('link', target.length, old);
    fs.readlink[link] = target;
    fs.readNoFollow[link] = { kind: 'link', stat: fs.lstat[link] as FileStat };
    const to = fs.stat[target];
    if (to) fs.stat[link] = to;
    if (fs.realpath[target]) fs.realpath[link] = fs.realpath[target];
    if (typeof fs.readText[target] === 'string') fs.readText[link] = fs.readText[target];
    if (fs.readBytes[target]) fs.readBytes[link] = fs.readBytes[target];
  }
  for (const [dir, names] of children) fs.readdir[dir] = [...names].sort();
  return {
    host: { home: spec.home, platform: spec.platform, env: spec.env },
    selfPid: spec.selfPid,
    ...(uid !== undefined ? { uid } : {}),
    clock: [spec.now],
    fs,
    commands: (spec.commands ?? []).map((c) => ({
      command: c.command,
      args: [...c.args],
      ...(c.env ? { env: c.env } : {}),
      output: { code: c.code ?? 0, stdout: c.stdout, stderr: '' },
    })),
    serverInfo: [],
    pids: {},
  };
}
