import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { joinBelow, normalized } from '../../../src/core/base/hostEnv';

describe('joinBelow: plain names joined below a normal folder', () => {
  it('spells what path.join spells, on POSIX and on Windows', () => {
    const cases: Array<[typeof path.posix, string, string[]]> = [
      [path.posix, '/home/u/proj', ['node_modules', '@scope', 'pkg', 'package.json']],
      [path.posix, '/', ['node_modules', 'a']],
      [path.posix, '/home/u/', ['node_modules']],
      [path.posix, '/home/u', ['a\\b']],
      [path.win32, 'C:\\Users\\u\\proj', ['node_modules', '@scope', 'pkg']],
      [path.win32, 'C:\\', ['node_modules', 'a']],
    ];
    for (const [p, dir, parts] of cases)
      assert.equal(joinBelow(p, dir, parts), p.join(dir, ...parts), `${dir} ${parts}`);
  });

  it('a part that climbs, is empty or holds a separator is joined the careful way (never a path outside `dir` spelled as inside it)', () => {
    for (const parts of [['..', 'x'], ['.', 'x'], ['', 'x'], ['a/../../b'], ['node_modules', '../../etc']])
      assert.equal(joinBelow(path.posix, '/home/u/proj', parts), path.posix.join('/home/u/proj', ...parts), `${parts}`);
    assert.equal(joinBelow(path.win32, 'C:\\p', ['a\\..\\..\\b']), path.win32.join('C:\\p', 'a\\..\\..\\b'));
    assert.equal(joinBelow(path.win32, 'C:\\p', ['a/b']), 'C:\\p\\a\\b');
  });
});

describe('normalized: a path in normal form, cheaply', () => {
  it('says what path.normalize says, for every short path of slashes, dots, backslashes and names', () => {
    const letters = ['a', '.', '/', '\\'];
    const all: string[] = [''];
    for (let n = 0; n < 6; n++) for (const s of all.splice(0)) for (const c of letters) all.push(s + c, s);
    for (const file of new Set(all)) {
      assert.equal(normalized(path.posix, file), path.posix.normalize(file), JSON.stringify(file));
      assert.equal(normalized(path.win32, file), path.win32.normalize(file), JSON.stringify(file));
    }
  });
});
