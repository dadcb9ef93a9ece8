import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CLI_BUNDLE_MARKER, isCliBundleText } from '../../../src/core/base/ownBundle';
import { isGuard, isShareRelay, isWrapper, shareHostEntryArgv } from '../../../src/core/processes/argv';
import { launcherText } from '../../../src/core/configEdit/guardInstall';

const root = path.resolve(__dirname, '..', '..', '..');

describe('our own CLI bundle, known by its content', () => {
  it('the build writes the marker second in dist/cli.js, after the #! line', () => {
    const build = fs.readFileSync(path.join(root, 'scripts', 'build.mjs'), 'utf8');
    assert.ok(
      build.includes(JSON.stringify(`#!/usr/bin/env node\n${CLI_BUNDLE_MARKER}`).slice(1, -1)),
      'build.mjs banner',
    );
    assert.ok(isCliBundleText(`#!/usr/bin/env node\n${CLI_BUNDLE_MARKER}\n"use strict";`));
    assert.ok(isCliBundleText(`${CLI_BUNDLE_MARKER}\n`));
    assert.ok(!isCliBundleText('#!/usr/bin/env node\n"use strict";'));
    assert.ok(!isCliBundleText(`#!/usr/bin/env node\n// a copy: ${CLI_BUNDLE_MARKER}`));
  });

  it("the installed guard's launcher (what Wrap and Share write as the command) is ours too, as the installer writes it on each OS; a look-alike is not", () => {
    const script = '/home/u/.local/state/mcp-lifeguard/bin/mcp-lifeguard.js';
    assert.ok(isCliBundleText(launcherText(script, { kind: 'node', path: '/usr/bin/node' }, 'linux')));
    assert.ok(isCliBundleText(launcherText(script, { kind: 'electron', path: '/opt/code/code' }, 'darwin')));
    assert.ok(
      isCliBundleText(launcherText('C:\\u\\mcp-lifeguard.js', { kind: 'node', path: 'C:\\node.exe' }, 'win32')),
    );
    assert.ok(!isCliBundleText('#!/bin/sh\n# runs the installed guard.\nexec node x.js "$@"\n'));
    assert.ok(!isCliBundleText('@echo off\r\nrem something else\r\n"node" "x.js" %*\r\n'));
  });

  it('the guard, a relay and a share host by content under any name; a script named mcp-lifeguard that is not ours is none of them', () => {
    const clone = '/src/lifeguard/dist/cli.js';
    const fake = '/tmp/x/mcp-lifeguard.js';
    const ours = (script: string) => (script === clone ? true : script === fake ? false : undefined);
    const relay = ['node', clone, 'run', '--on-conflict', 'share', '--name', 'm', '--', 'mcp-server-memory'];
    const host = [
      'node',
      clone,
      'run',
      '--share-host',
      '--on-conflict',
      'share',
      '--name',
      'm',
      '--',
      'mcp-server-memory',
    ];
    assert.ok(isGuard(relay, ours));
    assert.ok(!isGuard(relay), 'by name alone a clone is not known');
    assert.ok(isShareRelay(relay, ours));
    assert.deepEqual(shareHostEntryArgv(host, ours), relay);
    assert.ok(isWrapper(relay, ours));
    const impostor = ['node', fake, 'run', '--', 'mcp-server-memory'];
    assert.ok(isGuard(impostor), 'by name it would pass');
    assert.ok(!isGuard(impostor, ours));
    assert.ok(!isWrapper(impostor, ours));
    // Unreadable (a recorded table, a file gone): the name decides, as before.
    const installed = ['node', '/home/u/.local/state/mcp-lifeguard/bin/mcp-lifeguard.js', 'run', '--', 'x'];
    assert.ok(isGuard(installed, ours));
  });
});
