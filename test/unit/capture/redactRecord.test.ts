import * as assert from 'node:assert/strict';
import { redactRecord } from '../../../src/core/capture/redactRecord';
import { emptyFsRecord, MachineRecord } from '../../../src/core/machine/record';
import { linuxRecord } from '../../support/machines';

/** A record of one process no config names (a stranger's), its secrets in its environment and its arguments. */
function strangerRecord(): MachineRecord {
  const fs = emptyFsRecord();
  fs.readText['/proc/42/environ'] =
    'HOME=/home/s\0MEMORY_API_TOKEN=Sesame-Blue-Walrus-7731\0MEMORY_UPSTREAM_KEY=Otter-Lantern-5512\0';
  fs.readText['/proc/42/cmdline'] =
    'node\0/opt/memory/index.js\0--label=Sesame-Blue-Walrus-7731\0--upstream=Otter-Lantern-5512\0';
  return linuxRecord(fs);
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

describe('capture: short and common env values ("1", "true")', () => {
  const config = JSON.stringify({
    mcpServers: {
      s: {
        command: 'node',
        args: ['/srv/x.js', '--verbose', '1', '--level=1', 'v1.2.1'],
        timeout: 1,
        disabled: true,
        env: { DEBUG: '1', ON: 'true', PORT: 3000 },
      },
    },
  });
  const fs = emptyFsRecord();
  fs.readBytes['/home/u/.cursor/mcp.json'] = { '0:200': Buffer.from(config).toString('base64') };
  fs.readText['/proc/5/cmdline'] = ['node', '/srv/x.js', '--verbose', '1', '--level=1', 'v1.2.1', ''].join('\0');
  fs.readText['/proc/5/environ'] = 'DEBUG=1\0ON=true\0PORT=3000\0';
  type Read = {
    mcpServers: { s: { args: string[]; timeout: unknown; disabled: unknown; env: Record<string, string> } };
  };
  let redacted: MachineRecord;
  let read: Read;
  let environ: Map<string, string>;
  before(() => {
    redacted = redactRecord(linuxRecord(fs), {
      secrets: new Set(['1', 'true', '3000']),
      declaredKeys: new Set(['DEBUG', 'ON', 'PORT']),
      configFiles: new Set(['/home/u/.cursor/mcp.json']),
    });
    read = JSON.parse(
      Buffer.from(redacted.fs.readBytes['/home/u/.cursor/mcp.json']['0:200'] as string, 'base64').toString('utf8'),
    ) as Read;
    environ = new Map(
      (redacted.fs.readText['/proc/5/environ'] as string)
        .split('\0')
        .filter(Boolean)
        .map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]),
    );
  });

  it("are stand-ins in the entry's env and its process's, equal to each other (a number's too), and the config still parses", () => {
    for (const key of ['DEBUG', 'ON', 'PORT']) {
      assert.match(read.mcpServers.s.env[key], /^<secret:[0-9a-f]{16}>$/, key);
      assert.equal(read.mcpServers.s.env[key], environ.get(key), key);
    }
  });

  it('are not masked anywhere else: arguments, numbers and booleans of the config, the command line', () => {
    assert.deepEqual(read.mcpServers.s.args, ['/srv/x.js', '--verbose', '1', '--level=1', 'v1.2.1']);
    assert.equal(read.mcpServers.s.timeout, 1);
    assert.equal(read.mcpServers.s.disabled, true);
    assert.deepEqual((redacted.fs.readText['/proc/5/cmdline'] as string).split('\0'), [
      'node',
      '/srv/x.js',
      '--verbose',
      '1',
      '--level=1',
      'v1.2.1',
      '',
    ]);
  });
});
