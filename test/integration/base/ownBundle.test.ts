import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CLI_BUNDLE_MARKER, isCliBundleFile } from '../../../src/core/base/ownBundle';
import { liveFs } from '../../../src/core/machine/liveFs';
import { makeTempDir } from '../../support/temp';

describe('our own CLI bundle, read from real files', () => {
  it('a file is ours by its first bytes: yes, no, or undefined when it cannot be read; a FIFO is never opened to wait', () => {
    const dir = makeTempDir('lg-own-');
    try {
      const ours = path.join(dir, 'cli.js');
      fs.writeFileSync(ours, `#!/usr/bin/env node\n${CLI_BUNDLE_MARKER}\n${'x'.repeat(4096)}`);
      const named = path.join(dir, 'mcp-lifeguard.js');
      fs.writeFileSync(named, '#!/usr/bin/env node\nconsole.log("not ours")\n');
      assert.equal(isCliBundleFile(ours, liveFs), true);
      assert.equal(isCliBundleFile(named, liveFs), false, 'a script merely named mcp-lifeguard');
      assert.equal(isCliBundleFile(path.join(dir, 'gone.js'), liveFs), undefined);
      assert.equal(isCliBundleFile(dir, liveFs), false, 'a folder');
      const fifo = path.join(dir, 'fifo');
      execFileSync('mkfifo', [fifo]);
      assert.equal(isCliBundleFile(fifo, liveFs), false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the CLI the build wrote is ours', () => {
    assert.equal(isCliBundleFile(path.resolve(__dirname, '..', '..', '..', 'dist', 'cli.js'), liveFs), true);
  });
});
