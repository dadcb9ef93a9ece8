import * as assert from 'node:assert/strict';
import { redactRecord } from '../../../src/core/capture/redactRecord';
import { emptyFsRecord, MachineRecord } from '../../../src/core/machine/record';

/** A record of one process no config names (a stranger's), its secrets in its environment and its arguments. */
function strangerRecord(): MachineRecord {
  const fs = emptyFsRecord();
  fs.readText['/proc/42/environ'] =
    'HOME=/home/s\0MEMORY_API_TOKEN=Sesame-Blue-Walrus-7731\0MEMORY_UPSTREAM_KEY=Otter-Lantern-5512\0';
  fs.readText['/proc/42/cmdline'] =
    'node\0/opt/memory/index.js\0--label=Sesame-Blue-Walrus-7731\0--upstream=Otter-Lantern-5512\0';
  return {
    host: { home: '/home/u', platform: 'linux', env: {} },
    selfPid: 1,
    clock: [],
    fs,
    commands: [],
    pids: {},
    serverInfo: [],
  };
}

describe("capture: a process's own secrets in its command line", () => {
  it('are replaced by the stand-ins its environment gets, though no config names them, so a replay masks them as the snapshot did', () => {
    const redacted = redactRecord(strangerRecord(), {
      secrets: new Set(),
      declaredKeys: new Set(),
      configFiles: new Set(),
    });
    const cmdline = redacted.fs.readText['/proc/42/cmdline'] as string;
    const environ = redacted.fs.readText['/proc/42/environ'] as string;
    assert.ok(!cmdline.includes('Sesame-Blue-Walrus-7731') && !cmdline.includes('Otter-Lantern-5512'), cmdline);
    const standIn = (key: string) =>
      environ
        .split('\0')
        .find((e) => e.startsWith(`${key}=`))!
        .slice(key.length + 1);
    assert.deepEqual(cmdline.split('\0'), [
      'node',
      '/opt/memory/index.js',
      `--label=${standIn('MEMORY_API_TOKEN')}`,
      `--upstream=${standIn('MEMORY_UPSTREAM_KEY')}`,
      '',
    ]);
  });
});
