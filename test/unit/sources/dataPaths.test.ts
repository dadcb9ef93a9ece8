import * as assert from 'node:assert/strict';
import { dataPathsOf, namesData } from '../../../src/core/sources/dataPaths';

/** What the entries' launches name as their data: the lock's key and the "one data store" flag read it. */
describe('data paths: the files and folders an entry names as its data', () => {
  const there = new Set(['/home/u/palace', '/home/u/data', '/home/u', '/etc/ssl', '/usr/bin', 'C:\\Users\\u\\data']);
  const exists = (p: string) => there.has(p);

  it("reads a data option's absolute path from the server's own args (`--palace P`, `--db=P`), never a launcher's or a script's", () => {
    assert.deepEqual(
      dataPathsOf({ command: '/v/bin/mempalace-mcp', args: ['--palace', '/home/u/palace'] }, 'linux', exists),
      [{ path: '/home/u/palace', from: '--palace' }],
    );
    assert.deepEqual(
      dataPathsOf({ command: 'uvx', args: ['mcp-server-sqlite', '--db-path=/home/u/data/x.db'] }, 'linux', exists),
      [{ path: '/home/u/data/x.db', from: '--db-path' }],
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
      { path: '/home/u/data/memory.json', from: 'env MEMORY_FILE_PATH' },
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
        { path: '/home/u/palace', from: '--palace' },
        { path: '/home/u/data', from: 'env A_DATA_DIR' },
      ],
    );
    assert.deepEqual(
      dataPathsOf({ command: 'srv.exe', args: [], env: { DATA_DIR: 'C:\\Users\\u\\data' } }, 'win32', exists),
      [{ path: 'C:\\Users\\u\\data', from: 'env DATA_DIR' }],
    );
  });

  it('names: data words, unless a word says config, logs, certificates, a runtime or a cache', () => {
    for (const n of ['--palace', '--db', 'MEMORY_FILE_PATH', 'dataDir', 'SQLITE_DB', '--vault-root'])
      assert.ok(namesData(n), n);
    for (const n of ['--config', 'LOG_DIR', '--cache-dir', 'NODE_PATH', 'SSL_CERT_FILE', '--verbose', 'MODE'])
      assert.ok(!namesData(n), n);
  });
});
