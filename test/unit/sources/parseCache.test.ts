import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { ParseCache } from '../../../src/core/sources/parseCache';
import { FileScan, scanSources } from '../../../src/core/sources/scan';
import { duplicateKeyConfig } from '../../support/bigConfigs';
import { host, tempDir, writeTree } from './support';
import { liveFs } from '../../../src/core/machine/liveFs';

/**
 * The parse cache: an unchanged file is not parsed again on the next scan (its servers are the
 * very objects of the last scan), any change of its text or of what its result depends on is
 * parsed afresh, and the cache stays within its count and size.
 */

describe('sources: parse cache', () => {
  it('keeps the least recently used entries out first, within its count of files and bytes', () => {
    const c = new ParseCache<string>(2, 100);
    c.set('a', 'A', 10);
    c.set('b', 'B', 10);
    assert.equal(c.get('a'), 'A');
    c.set('c', 'C', 10);
    assert.deepEqual([c.get('a'), c.get('b'), c.get('c')], ['A', undefined, 'C']);
    c.set('d', 'D', 95);
    assert.deepEqual([c.get('a'), c.get('c'), c.get('d')], [undefined, undefined, 'D']);
    c.set('e', 'E', 101);
    assert.equal(c.get('e'), undefined, 'an entry heavier than the whole cache is not kept');
    assert.equal(c.size, 1);
  });

  it('an unchanged pathological file is parsed once; a change of its text or of the environment is parsed again', async () => {
    const home = tempDir('cache');
    const file = path.join(home, '.config', 'Code', 'User', 'mcp.json');
    const cfg = duplicateKeyConfig(1024 * 1024);
    writeTree({ [file]: cfg.text });
    const cache = new ParseCache<FileScan>();
    const ctx = { host: host(home), fs: liveFs, workspaceFolders: [], cache };
    const first = await scanSources(ctx);
    const again = await scanSources(ctx);
    assert.equal(again.servers.length, cfg.names);
    assert.equal(again.servers[0], first.servers[0], "the second scan reuses the first one's result");
    assert.deepEqual(again.diagnostics, first.diagnostics);
    assert.deepEqual(again.files, first.files);

    // Same size, one character changed: read afresh.
    writeTree({ [file]: cfg.text.replace('"command":"x1"', '"command":"y1"') });
    const changed = await scanSources(ctx);
    assert.notEqual(changed.servers[0], first.servers[0]);
    assert.equal(changed.servers.find((s) => s.name === 's0')?.command, 'y1');

    const otherEnv = await scanSources({ ...ctx, host: host(home, 'linux', { X: '1' }) });
    assert.notEqual(otherEnv.servers[0], changed.servers[0]);
    assert.deepEqual(
      otherEnv.servers.map((s) => s.command),
      changed.servers.map((s) => s.command),
    );
  });

  it('with the cache off every scan parses again', async () => {
    const home = tempDir('nocache');
    const file = path.join(home, '.cursor', 'mcp.json');
    writeTree({ [file]: '{"mcpServers":{"a":{"command":"x"}}}' });
    const ctx = { host: host(home), fs: liveFs, workspaceFolders: [], cache: false as const };
    const [a, b] = [await scanSources(ctx), await scanSources(ctx)];
    assert.notEqual(a.servers[0], b.servers[0]);
    assert.deepEqual(a.servers, b.servers);
  });
});
