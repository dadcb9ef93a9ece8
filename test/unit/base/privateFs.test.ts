import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { lifeguardPaths } from '../../../src/core/base/paths';
import {
  appendPrivate,
  checkPrivateDir,
  ensurePrivateDir,
  ensurePrivateHome,
  homeProblem,
  openPrivateSync,
  PrivateDirError,
  PrivateFileError,
  readPrivate,
  readPrivateSync,
  writePrivateAtomic,
  writePrivateAtomicSync,
} from '../../../src/core/machine/privateFs';

const unix = process.platform !== 'win32';
const mode = (p: string) => fs.lstatSync(p).mode & 0o777;

describe("privateFs: our folders and files, never through a link, never someone else's", function () {
  let base: string;
  let root: string;
  let victim: string;

  before(function () {
    if (!unix) this.skip(); // links, owners and modes as an attacker uses them are Unix matters
  });

  beforeEach(() => {
    base = fs.mkdtempSync(path.join(os.tmpdir(), 'lg-privfs-'));
    root = path.join(base, 'root');
    victim = path.join(base, 'victim');
    fs.writeFileSync(victim, 'victim\n');
  });

  afterEach(() => fs.rmSync(base, { recursive: true, force: true }));

  describe('folders', () => {
    it('ensurePrivateDir creates the root and every folder below it 0700', () => {
      const dir = path.join(root, 'state', 'versions');
      ensurePrivateDir(dir, root);
      for (const d of [root, path.join(root, 'state'), dir]) assert.equal(mode(d), 0o700, d);
    });

    it('refuses a folder writable by group or others, naming it, the mode and the fix', () => {
      fs.mkdirSync(root, { mode: 0o700 });
      fs.chmodSync(root, 0o777);
      assert.throws(
        () => ensurePrivateDir(path.join(root, 'logs'), root),
        (err: unknown) =>
          err instanceof PrivateDirError &&
          err.dir === root &&
          /writable by group or others \(mode 777\)/.test(err.message) &&
          err.message.includes(`chmod 700 '${root}'`),
      );
      assert.equal(fs.existsSync(path.join(root, 'logs')), false, 'nothing is created below a refused folder');
    });

    it('refuses a folder that is a symlink, without following it', () => {
      fs.mkdirSync(root, { mode: 0o700 });
      const elsewhere = path.join(base, 'elsewhere');
      fs.mkdirSync(elsewhere, { mode: 0o700 });
      fs.symlinkSync(elsewhere, path.join(root, 'logs'));
      assert.throws(
        () => ensurePrivateDir(path.join(root, 'logs', 'deeper'), root),
        (err: unknown) =>
          err instanceof PrivateDirError && err.dir === path.join(root, 'logs') && /symbolic link/.test(err.message),
      );
      assert.deepEqual(fs.readdirSync(elsewhere), []);
    });

    it('refuses a file where a folder should be', () => {
      fs.mkdirSync(root, { mode: 0o700 });
      fs.writeFileSync(path.join(root, 'state'), '');
      assert.throws(() => ensurePrivateDir(path.join(root, 'state'), root), /is not a directory/);
    });

    it('refuses a folder of another owner (the expected uid injected)', () => {
      fs.mkdirSync(root, { mode: 0o700 });
      const other = fs.lstatSync(root).uid + 1;
      assert.throws(
        () => checkPrivateDir(root, { uid: other }),
        (err: unknown) =>
          err instanceof PrivateDirError &&
          new RegExp(`owned by uid ${other - 1}, not by this user \\(uid ${other}\\)`).test(err.message),
      );
      assert.doesNotThrow(() => checkPrivateDir(root));
    });

    it('on Windows only the link and type checks apply (ACLs, not mode bits)', () => {
      fs.mkdirSync(root, { mode: 0o700 });
      fs.chmodSync(root, 0o777);
      assert.doesNotThrow(() => checkPrivateDir(root, { platform: 'win32', uid: 12345 }));
      fs.symlinkSync(root, path.join(base, 'link'));
      assert.throws(() => checkPrivateDir(path.join(base, 'link'), { platform: 'win32' }), /symbolic link/);
    });
  });

  describe('files', () => {
    beforeEach(() => ensurePrivateDir(path.join(root, 'logs'), root));

    it('appendPrivate creates 0600 and appends', async () => {
      const file = path.join(root, 'logs', 'a.log');
      await appendPrivate(file, 'one\n', { root });
      await appendPrivate(file, 'two\n', { root });
      assert.equal(fs.readFileSync(file, 'utf8'), 'one\ntwo\n');
      assert.equal(mode(file), 0o600);
    });

    it('appendPrivate never writes through a planted link', async () => {
      const file = path.join(root, 'logs', 'a.log');
      fs.symlinkSync(victim, file);
      await assert.rejects(
        appendPrivate(file, 'x\n', { root }),
        (err: unknown) => err instanceof PrivateFileError && err.file === file && /symbolic link/.test(err.message),
      );
      assert.equal(fs.readFileSync(victim, 'utf8'), 'victim\n');
    });

    it('appendPrivate refuses a file of another owner', async () => {
      const file = path.join(root, 'logs', 'a.log');
      fs.writeFileSync(file, '');
      await assert.rejects(appendPrivate(file, 'x', { root, uid: fs.lstatSync(file).uid + 1 }), /owned by uid/);
    });

    it('writePrivateAtomic replaces a planted link instead of writing through it, 0600, no temp left', async () => {
      const file = path.join(root, 'logs', 'state.json');
      fs.symlinkSync(victim, file);
      await writePrivateAtomic(file, '{"a":1}', { root });
      assert.equal(fs.readFileSync(victim, 'utf8'), 'victim\n');
      assert.equal(fs.lstatSync(file).isFile(), true);
      assert.equal(fs.readFileSync(file, 'utf8'), '{"a":1}');
      assert.equal(mode(file), 0o600);
      assert.deepEqual(fs.readdirSync(path.join(root, 'logs')), ['state.json']);
      writePrivateAtomicSync(file, 'sync', { root, mode: 0o700 });
      assert.equal(fs.readFileSync(file, 'utf8'), 'sync');
    });

    it('writePrivateAtomic into a shared root writes nothing', async () => {
      fs.chmodSync(root, 0o777);
      await assert.rejects(writePrivateAtomic(path.join(root, 'logs', 'x.json'), '{}', { root }), PrivateDirError);
      assert.deepEqual(fs.readdirSync(path.join(root, 'logs')), []);
    });

    it('readPrivate: missing is undefined, a link is refused and not followed, a file of ours is read', async () => {
      const file = path.join(root, 'logs', 'r.json');
      assert.equal(await readPrivate(file, { root }), undefined);
      assert.equal(await readPrivate(path.join(root, 'missing', 'r.json'), { root }), undefined);
      fs.symlinkSync(victim, file);
      await assert.rejects(
        readPrivate(file, { root }),
        (err: unknown) => err instanceof PrivateFileError && /symbolic link/.test(err.message),
      );
      assert.throws(() => readPrivateSync(file, { root }), PrivateFileError);
      fs.unlinkSync(file);
      fs.writeFileSync(file, 'ours');
      assert.equal(await readPrivate(file, { root }), 'ours');
      assert.equal(readPrivateSync(file, { root })?.toString(), 'ours');
    });

    it('openPrivateSync with O_EXCL: a marker or a planted link already there is EEXIST', () => {
      const flags = fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_WRONLY;
      const file = path.join(root, 'logs', 'mark');
      fs.closeSync(openPrivateSync(file, flags, { root }));
      assert.throws(
        () => openPrivateSync(file, flags, { root }),
        (err: unknown) => (err as NodeJS.ErrnoException).code === 'EEXIST',
      );
      const link = path.join(root, 'logs', 'mark2');
      fs.symlinkSync(path.join(base, 'not-yet'), link);
      assert.throws(
        () => openPrivateSync(link, flags, { root }),
        (err: unknown) => (err as NodeJS.ErrnoException).code === 'EEXIST',
      );
      assert.equal(fs.existsSync(path.join(base, 'not-yet')), false, 'the link target was not created');
    });
  });

  describe('the home (root and its folders)', () => {
    const pathsOf = (r: string) => lifeguardPaths({ home: base, platform: 'linux', env: { MCP_LIFEGUARD_HOME: r } });

    it('ensurePrivateHome creates root, locks, state, cache, bin and logs 0700', () => {
      const paths = pathsOf(root);
      ensurePrivateHome(paths);
      for (const d of [paths.root, paths.locks, paths.state, paths.cache, paths.bin, paths.logs])
        assert.equal(mode(d), 0o700, d);
      assert.equal(homeProblem(paths), undefined);
    });

    it('homeProblem: a missing root is fine and creates nothing; a bad folder is named', () => {
      const paths = pathsOf(root);
      assert.equal(homeProblem(paths), undefined);
      assert.equal(fs.existsSync(root), false);
      fs.mkdirSync(paths.state, { recursive: true, mode: 0o700 });
      fs.chmodSync(paths.state, 0o770);
      assert.equal(homeProblem(paths)?.dir, paths.state);
      assert.equal(homeProblem(paths, { uid: fs.lstatSync(root).uid + 1 })?.dir, root, 'the root is judged first');
      assert.throws(
        () => ensurePrivateHome(paths),
        (err: unknown) => err instanceof PrivateDirError && err.dir === paths.state,
      );
    });
  });
});
