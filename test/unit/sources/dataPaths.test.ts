import * as assert from 'node:assert/strict';
import { dataKey, dataPathsOf, existenceQuestions, namesData } from '../../../src/core/sources/dataPaths';

/** What the entries' launches name as their data: the lock's key and the "one data store" flag read it. */
describe('data paths: the files and folders an entry names as its data', () => {
  const there = new Set(['/home/u/palace', '/home/u/data', '/home/u', '/etc/ssl', '/usr/bin', 'C:\\Users\\u\\data']);
  const exists = (p: string) => there.has(p);

  it("reads a data option's absolute path from the server's own args (`--palace P`, `--db=P`), never a launcher's or a script's", () => {
    assert.deepEqual(
      dataPathsOf({ command: '/v/bin/mempalace-mcp', args: ['--palace', '/home/u/palace'] }, 'linux', exists),
      [{ from: '--palace', key: dataKey('/home/u/palace') }],
    );
    assert.deepEqual(
      dataPathsOf({ command: 'uvx', args: ['mcp-server-sqlite', '--db-path=/home/u/data/x.db'] }, 'linux', exists),
      [{ from: '--db-path', key: dataKey('/home/u/data/x.db') }],
      'a file not there yet, in a folder that is',
    );
    // `uv --directory` is the launcher's folder, the script's path is code, `--config` is read, `./x` relative.
    assert.deepEqual(
      dataPathsOf(
        {
          command: 'uv',
          args: [
            '--directory',
            '/home/u/data',
            'run',
            '/home/u/data/server.py',
            '--config',
            '/home/u/data/c.json',
            '--db',
            './x.db',
          ],
        },
        'linux',
        exists,
      ),
      [],
    );
    // Nowhere near anything that exists: not a store on this machine.
    assert.deepEqual(dataPathsOf({ command: 'srv', args: ['--data-dir', '/nowhere/at/all'] }, 'linux', exists), []);
  });

  it('reads an env key whose name says data (never a credential, a runtime, a list or a variable)', () => {
    const env = {
      MEMORY_FILE_PATH: '/home/u/data/memory.json',
      HOME: '/home/u',
      PYTHONPATH: '/home/u/data',
      SSL_CERT_DIR: '/etc/ssl',
      PYTHON_BIN_PATH: '/usr/bin',
      SECRET_KEY_FILE: '/home/u/data/key.pem',
      DB_DIRS: '/home/u/data:/home/u/palace',
      NOTES_DIR: '${HOME}/notes',
      STORE_PATH: 'relative/store',
      LOG_LEVEL: 'debug',
    };
    assert.deepEqual(dataPathsOf({ command: 'srv', args: [], env }, 'linux', exists), [
      { from: 'env MEMORY_FILE_PATH', key: dataKey('/home/u/data/memory.json') },
    ]);
    // The server's own option first, then env keys by name; one path once.
    assert.deepEqual(
      dataPathsOf(
        {
          command: 'srv',
          args: ['--palace', '/home/u/palace/'],
          env: { PALACE_DIR: '/home/u/palace', A_DATA_DIR: '/home/u/data' },
        },
        'linux',
        exists,
      ),
      [
        { from: '--palace', key: dataKey('/home/u/palace') },
        { from: 'env A_DATA_DIR', key: dataKey('/home/u/data') },
      ],
    );
    assert.deepEqual(
      dataPathsOf({ command: 'srv.exe', args: [], env: { DATA_DIR: 'C:\\Users\\u\\data' } }, 'win32', exists),
      [{ from: 'env DATA_DIR', key: dataKey('C:\\Users\\u\\data') }],
    );
  });

  it("keeps a path's key, never the path: one key for one path however it is spelled or named, on any run", () => {
    const key = dataKey('/home/u/data/memory.json');
    assert.match(key, /^data:[0-9a-f]{16}$/);
    const named = [
      dataPathsOf({ command: 'srv', args: ['--memory-file', '/home/u/data/../data/memory.json'] }, 'linux', exists),
      dataPathsOf({ command: 'srv', args: [], env: { MEMORY_FILE_PATH: '/home/u/data/memory.json' } }, 'linux', exists),
    ];
    assert.deepEqual(
      named.map((d) => d.map((x) => x.key)),
      [[key], [key]],
    );
    assert.ok(!JSON.stringify(named).includes('/home/u'), JSON.stringify(named));
    assert.notEqual(dataKey('/home/u/data/other.json'), key);
    // What the scan asks of a value (the capture leaves these questions out when the value is a secret).
    assert.deepEqual(existenceQuestions('/home/u/data/x.json/', 'linux'), ['/home/u/data/x.json', '/home/u/data']);
    assert.deepEqual(existenceQuestions('relative/x', 'linux'), []);
  });

  it('names: data words, unless a word says config, logs, certificates, a runtime or a cache', () => {
    for (const n of ['--palace', '--db', 'MEMORY_FILE_PATH', 'dataDir', 'SQLITE_DB', '--vault-root'])
      assert.ok(namesData(n), n);
    for (const n of ['--config', 'LOG_DIR', '--cache-dir', 'NODE_PATH', 'SSL_CERT_FILE', '--verbose', 'MODE'])
      assert.ok(!namesData(n), n);
  });
});
