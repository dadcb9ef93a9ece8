import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  ConfigFileRead,
  folderRefusal,
  readConfigForEdit,
  writeConfigFile,
} from '../../../src/core/configEdit/configWriter';
import { makeTempDir } from '../../support/temp';

const posix = process.platform !== 'win32';

function read(file: string): ConfigFileRead {
  const r = readConfigForEdit(file);
  if (r instanceof Error) assert.fail(r.message);
  return r;
}

function ours(): { uid: number; gid: number } {
  return { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
}

/** A folder of ours (0700) with `mcp.json` holding `text`. */
function config(text: string, mode = 0o600): { dir: string; file: string } {
  const dir = makeTempDir('lg-writer-');
  fs.chmodSync(dir, 0o700);
  const file = path.join(dir, 'mcp.json');
  fs.writeFileSync(file, text);
  fs.chmodSync(file, mode);
  return { dir, file };
}

const dirStat = (mode: number, uid: number, gid: number) => ({ mode, uid, gid, isDirectory: () => true });

describe('config writer: one writer of client config files for every face', () => {
  it('writes through a fresh temp file renamed into place, keeping the mode (not the umask) and writing a link through to its file', async () => {
    const { dir, file } = config('before', 0o606);
    const link = path.join(dir, 'link.json');
    fs.symlinkSync(file, link);
    const ino = fs.statSync(file).ino;
    assert.equal(
      await writeConfigFile(read(link), Buffer.from('after'), { settleMs: 0, platform: process.platform }),
      undefined,
    );
    assert.equal(fs.readFileSync(file, 'utf8'), 'after');
    assert.notEqual(fs.statSync(file).ino, ino, 'a new file, renamed into place');
    assert.ok(fs.lstatSync(link).isSymbolicLink(), 'a link stays a link; its file is written');
    if (posix) assert.equal(fs.statSync(file).mode & 0o7777, 0o606);
    assert.deepEqual(fs.readdirSync(dir).sort(), ['link.json', 'mcp.json'], 'no temp file left');
  });

  it('refuses a file that changed since it was read: other bytes, or another file under the name', async () => {
    const { dir, file } = config('before');
    const r = read(file);
    fs.writeFileSync(file, 'edited by hand');
    assert.match(
      (await writeConfigFile(r, Buffer.from('after'), { platform: process.platform })) ?? '',
      /changed since it was read; nothing was written/,
    );
    assert.equal(fs.readFileSync(file, 'utf8'), 'edited by hand');
    // The same bytes in another file (a client that saved by rename): still not the file the edit was read from.
    const again = read(file);
    const other = path.join(dir, 'other');
    fs.writeFileSync(other, 'edited by hand');
    fs.renameSync(other, file);
    assert.match(
      (await writeConfigFile(again, Buffer.from('after'), { platform: process.platform })) ?? '',
      /changed since it was read/,
    );
    assert.equal(fs.readFileSync(file, 'utf8'), 'edited by hand');
    assert.deepEqual(fs.readdirSync(dir), ['mcp.json']);
  });

  it('writes the bytes it is given: a file that is not UTF-8 keeps every byte', async () => {
    const bytes = Buffer.from([0x7b, 0x2f, 0x2f, 0xe9, 0x0a, 0x7d, 0x0a]);
    const { file } = config('');
    fs.writeFileSync(file, bytes);
    const after = Buffer.concat([bytes, Buffer.from([0xff])]);
    assert.equal(await writeConfigFile(read(file), after, { settleMs: 0, platform: process.platform }), undefined);
    assert.ok(fs.readFileSync(file).equals(after));
  });

  it("a folder another user can change is refused, naming it and why; ours, root's, our group's and a sticky one for our file are not", () => {
    const me = { uid: 1000, gid: 1000 };
    const mine = { uid: 1000 };
    const theirs = { uid: 1001 };
    const refuse = (mode: number, uid: number, gid: number, file = mine) =>
      folderRefusal('/h/.cursor', dirStat(mode, uid, gid), file, me);
    assert.equal(refuse(0o40755, 1000, 1000), undefined);
    assert.equal(refuse(0o40755, 0, 0), undefined, "root's folder");
    assert.equal(refuse(0o40775, 1000, 1000), undefined, 'writable by our own group');
    assert.equal(refuse(0o41777, 0, 0), undefined, 'sticky, and the file is ours');
    assert.match(refuse(0o40755, 1001, 1001) ?? '', /^\/h\/\.cursor belongs to another user \(uid 1001\)/);
    assert.match(refuse(0o40777, 1000, 1000) ?? '', /^\/h\/\.cursor can be written by other users \(mode 0777\)/);
    assert.match(refuse(0o40775, 1000, 50) ?? '', /can be written by other users \(mode 0775\)/, "another group's");
    assert.match(
      refuse(0o41777, 0, 0, theirs) ?? '',
      /can be written by other users \(mode 1777\)/,
      'sticky, their file',
    );
    assert.match(
      folderRefusal('/h/x', { ...dirStat(0o100644, 1000, 1000), isDirectory: () => false }, mine, me) ?? '',
      /is not a folder/,
    );
  });

  it('writes nothing in a folder everyone may write, and leaves nothing there', async function () {
    if (!posix) this.skip(); // mode bits
    const { dir, file } = config('before');
    fs.chmodSync(dir, 0o777);
    try {
      const why = await writeConfigFile(read(file), Buffer.from('after'), { platform: process.platform });
      assert.ok(why?.startsWith(`${dir} can be written by other users (mode 0777)`), why);
      assert.equal(fs.readFileSync(file, 'utf8'), 'before');
      assert.deepEqual(fs.readdirSync(dir), ['mcp.json']);
    } finally {
      fs.chmodSync(dir, 0o700);
    }
  });

  it('a save that lands between the last check and the rename is put back, and the edit reported as not written', async () => {
    const { dir, file } = config('v1');
    const why = await writeConfigFile(read(file), Buffer.from('ours'), {
      platform: process.platform,
      // Another program saves in place (open, truncate, write) at the worst moment.
      hooks: { afterCheck: () => fs.writeFileSync(file, 'their save') },
    });
    assert.match(why ?? '', /another program saved it while it was being written; its save was kept/);
    assert.equal(fs.readFileSync(file, 'utf8'), 'their save');
    assert.deepEqual(fs.readdirSync(dir), ['mcp.json']);
  });

  it('a program that had the file open and writes into it after the rename: its save is put back', async () => {
    const { file } = config('v1');
    let fd = -1;
    const why = await writeConfigFile(read(file), Buffer.from('ours'), {
      platform: process.platform,
      hooks: {
        afterCheck: () => {
          fd = fs.openSync(file, 'r+');
        },
        // The write reaches the file that was renamed away: lost, were it not put back.
        afterRename: () => {
          fs.ftruncateSync(fd, 0);
          fs.writeSync(fd, 'late save', 0);
          fs.closeSync(fd);
        },
      },
    });
    assert.match(why ?? '', /its save was kept and this edit was not written/);
    assert.equal(fs.readFileSync(file, 'utf8'), 'late save');
  });

  it('a save over the new file right after the rename stays, in place or by rename, and the edit is not reported written', async () => {
    const { dir, file } = config('v1');
    const inPlace = await writeConfigFile(read(file), Buffer.from('ours'), {
      platform: process.platform,
      hooks: { afterRename: () => fs.writeFileSync(file, 'newer, in place') },
    });
    assert.match(inPlace ?? '', /saved it right after it was written; its save was kept/);
    assert.equal(fs.readFileSync(file, 'utf8'), 'newer, in place');
    const byRename = await writeConfigFile(read(file), Buffer.from('ours'), {
      platform: process.platform,
      hooks: {
        afterRename: () => {
          fs.writeFileSync(path.join(dir, 'theirs.tmp'), 'newer, renamed');
          fs.renameSync(path.join(dir, 'theirs.tmp'), file);
        },
      },
    });
    assert.match(byRename ?? '', /saved it right after it was written/);
    assert.equal(fs.readFileSync(file, 'utf8'), 'newer, renamed');
    assert.deepEqual(fs.readdirSync(dir), ['mcp.json']);
  });

  it("reads a file as bytes with the file's identity; a missing one is an error", () => {
    const { file } = config('x');
    const r = read(file);
    assert.deepEqual([r.bytes.toString(), r.ino], ['x', fs.statSync(file).ino]);
    assert.ok(readConfigForEdit(path.join(path.dirname(file), 'nope')) instanceof Error);
  });

  it('the owner and group of the file stay as they were', async function () {
    if (!posix) this.skip();
    const { file } = config('before', 0o640);
    const { uid, gid } = ours();
    assert.equal(
      await writeConfigFile(read(file), Buffer.from('after'), { settleMs: 0, platform: process.platform }),
      undefined,
    );
    const st = fs.statSync(file);
    assert.deepEqual([st.uid, st.gid], [uid, gid]);
  });
});
