import * as assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { liveMachine, currentHostEnv } from '../../../src/core/machine/live';
import { EngineCore } from '../../../src/core/versions/engineCore';
import { stopChildren } from '../../support/liveness';
import { until } from '../../support/poll';
import { repoRoot } from '../../support/repo';
import { makeTempDir } from '../../support/temp';

const MEMORY = path.join(repoRoot, 'node_modules', '@modelcontextprotocol', 'server-memory');

/** The processes a pid started (Linux). */
function childrenOf(pid: number): number[] {
  try {
    return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** A guard's question about its own child (core/versions/ownInstance.ts) on real processes. */
describe('versions (integration): the guard asks the engine about its own child', function () {
  this.timeout(60_000);
  const started: ChildProcess[] = [];
  let tmp: string;

  beforeEach(() => {
    tmp = makeTempDir('lg-own-');
  });
  afterEach(async () => {
    // The wrapper's own child goes first: a shell killed alone would leave it running.
    for (const c of started) for (const pid of c.pid ? childrenOf(c.pid) : []) process.kill(pid, 'SIGTERM');
    await stopChildren(started.splice(0));
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('through a wrapper child (a shell that stays), judges the server process it runs', async function () {
    if (process.platform !== 'linux') this.skip();
    const version = (JSON.parse(fs.readFileSync(path.join(MEMORY, 'package.json'), 'utf8')) as { version: string })
      .version;
    const args = ['-c', `"${process.execPath}" "${path.join(MEMORY, 'dist', 'index.js')}"; true`];
    const child = spawn('sh', args, {
      cwd: tmp,
      env: { ...process.env, MEMORY_FILE_PATH: path.join(tmp, 'memory.jsonl') },
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    started.push(child);
    await until('the server under the shell', () => childrenOf(child.pid!).length === 1, 20_000, 50);
    // A guard's engine: this machine, writing no state of its own (guard/host/versionProbe.ts).
    const engine = new EngineCore(liveMachine(currentHostEnv(process.env)), { registry: false, persist: false });
    const versions = await engine.judgeOne(
      { command: 'sh', args, cwd: tmp },
      {
        pid: child.pid!,
        spawnedAt: Date.now(),
        versions: { package: { name: '@modelcontextprotocol/server-memory', version, ecosystem: 'npm' } },
      },
    );
    assert.ok(
      versions.installed.state === 'installed' &&
        versions.installed.name === '@modelcontextprotocol/server-memory' &&
        versions.installed.version === version,
      JSON.stringify(versions.installed),
    );
    assert.equal(versions.verdict.state, 'current', JSON.stringify(versions.verdict));
    assert.equal(versions.running.state === 'known' && versions.running.source, 'lock-record');
  });
});
