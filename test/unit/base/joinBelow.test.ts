import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { joinBelow } from '../../../src/core/base/hostEnv';

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
