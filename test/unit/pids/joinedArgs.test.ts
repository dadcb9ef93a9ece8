import * as assert from 'node:assert/strict';
import { splitJoinedArgs } from '../../../src/core/pids/joinedArgs';
import { parsePsCpuTime } from '../../../src/core/pids/table';

/** A machine's folders, as a reader of their entries (every folder of the listed files). */
function folders(files: readonly string[]): (folder: string) => readonly string[] | undefined {
  const entries = new Map<string, Set<string>>();
  for (const file of files) {
    const parts = file.split('/').filter(Boolean);
    for (let i = 0; i < parts.length; i++) {
      const folder = `/${parts.slice(0, i).join('/')}`;
      if (!entries.has(folder)) entries.set(folder, new Set());
      entries.get(folder)!.add(parts[i]);
    }
  }
  return (folder) => (entries.has(folder) ? [...entries.get(folder)!] : undefined);
}

const EXT = '/Users/ana/Library/Application Support/Claude/Claude Extensions/ant.dir.ant.anthropic.filesystem';

describe('a command line ps joined with spaces, split back (macOS)', () => {
  it('keeps a path with spaces whole where its folders exist: the program, a script, an option value', () => {
    const read = folders([
      `${EXT}/server/index.js`,
      '/Users/ana/Documents/notes.md',
      '/Applications/Google Chrome.app/x',
    ]);
    assert.deepEqual(splitJoinedArgs(`node ${EXT}/server/index.js /Users/ana/Documents`, read), [
      'node',
      `${EXT}/server/index.js`,
      '/Users/ana/Documents',
    ]);
    assert.deepEqual(splitJoinedArgs(`${EXT}/server/index.js --root=${EXT} -v`, read), [
      `${EXT}/server/index.js`,
      `--root=${EXT}`,
      '-v',
    ]);
    // The last word of the line needs no folder: nothing else could split it.
    assert.deepEqual(splitJoinedArgs(`node ${EXT}/server/index.js`, read), ['node', `${EXT}/server/index.js`]);
  });

  it('splits on spaces where the folders prove nothing: a path gone, a folder not readable, words that are no path', () => {
    const none = () => undefined;
    assert.deepEqual(splitJoinedArgs(`node ${EXT}/server/index.js x`, none), [
      'node',
      '/Users/ana/Library/Application',
      'Support/Claude/Claude',
      'Extensions/ant.dir.ant.anthropic.filesystem/server/index.js',
      'x',
    ]);
    assert.deepEqual(splitJoinedArgs('npx -y  @scope/pkg --name My Server', folders(['/a'])), [
      'npx',
      '-y',
      '@scope/pkg',
      '--name',
      'My',
      'Server',
    ]);
  });

  it('stays undecided when two entries both fit (a file `My` beside a folder `My Server`)', () => {
    const read = folders(['/srv/My', '/srv/My Server/index.js']);
    assert.deepEqual(splitJoinedArgs('node /srv/My Server/index.js', read), ['node', '/srv/My', 'Server/index.js']);
    // One of them alone is proof.
    assert.deepEqual(splitJoinedArgs('node /srv/My Server/index.js', folders(['/srv/My Server/index.js'])), [
      'node',
      '/srv/My Server/index.js',
    ]);
  });
});

describe("ps's cpu time", () => {
  it('reads macOS minutes:seconds.hundredths and procps [DD-]HH:MM:SS', () => {
    assert.equal(parsePsCpuTime('0:00.32'), 320);
    assert.equal(parsePsCpuTime('1234:56.78'), (1234 * 60 + 56.78) * 1000);
    assert.equal(parsePsCpuTime('01:02:03'), 3723_000);
    assert.equal(parsePsCpuTime('2-01:00:00'), 49 * 3600 * 1000);
    assert.equal(parsePsCpuTime('-'), undefined);
  });
});
