import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { Capture, parseCapture } from '../../src/core/capture/capture';
import { repoRoot } from './repo';

/** Where captures of real machines are kept for the tests (gzipped), beside the described ones (machines.ts). */
export const CAPTURES_DIR = path.join(repoRoot, 'test', 'fixtures', 'captures');

/**
 * The stored captures, by name: the busy machine's stages captured on Linux by its reliability
 * test (`MCP_LIFEGUARD_CAPTURES=DIR npm test -- test/reliability/busy-machine.test.ts` writes them again).
 */
export function storedCaptures(): Array<{ name: string; capture: Capture }> {
  return fs
    .readdirSync(CAPTURES_DIR)
    .filter((n) => n.endsWith('.capture.json.gz'))
    .sort()
    .map((n) => ({
      name: n.replace(/\.capture\.json\.gz$/, ''),
      capture: parseCapture(zlib.gunzipSync(fs.readFileSync(path.join(CAPTURES_DIR, n))).toString('utf8'), n),
    }));
}
