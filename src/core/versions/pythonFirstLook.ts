import { pathFor } from '../base/hostEnv';
import { Installed } from '../base/versionTypes';
import { historyInference, HistoryReader, inferLoaded, START_SLACK_MS } from './inferLoaded';
import type { VersionEvidence } from './versionEvidence';
import { keptMtimeCache } from './lookup';
import { inferFromPipxLogs, PipxLog, pipxLogDirs, readPipxLogs } from './pipxLog';
import { uvCacheDir } from './python';
import { UvCacheHistory, uvCacheHistory } from './uvCacheHistory';

/**
 * The first look at a Python server whose environment changed after it started, nothing of ours
 * having seen it start: what uv's cache (uvCacheHistory.ts) or pipx's logs (pipxLog.ts) still tell
 * of the version it loaded. uv: an environment uv installed (its dist-info's INSTALLER says `uv`) is
 * linked from the archives of uv's cache, each unpacked once; the version whose wheel was unpacked
 * last before the start is the one it loaded (inferLoaded's rule, as for npm's cache). For a
 * same-version answer, the dependencies are vouched for when uv's cache unpacked no other version
 * of any member of the closure before the start. pipx: the version the first logged pip run after
 * the start replaced.
 */

type Inferred = NonNullable<VersionEvidence['inferred']>;

const iso = (ms: number) => new Date(ms).toISOString();

/** The venv a `pipx venv <path>` resolution names. */
function pipxVenv(installed: Extract<Installed, { state: 'installed' }>): string | undefined {
  return /^pipx venv (.+)$/.exec(installed.how)?.[1];
}

const fromUvCache: HistoryReader<Inferred> = async (ctx, installed, start, log) => {
  const { host, fs } = ctx;
  const p = pathFor(host);
  const installer = (await fs.readText(p.join(installed.location, 'INSTALLER')))?.trim();
  if (installer !== 'uv') return undefined;
  const cacheDir = uvCacheDir(ctx);
  const histories = keptMtimeCache<UvCacheHistory>(ctx, 'uv-cache-history');
  const history = (name: string) =>
    histories.get(JSON.stringify([cacheDir, name]), (tfs) => uvCacheHistory({ host, fs: tfs }, cacheDir, name));
  const words = { cache: "uv's cache", did: 'unpacked' };
  const h = await history(installed.name);
  if (h.state !== 'found') {
    log(`uv cache history of ${installed.name}: ${h.reason}`);
    return undefined;
  }
  const answer = inferLoaded(h.unpacks, {
    installedVersion: installed.version,
    changedAt: installed.changedAt,
    processStart: start,
    words,
  });
  if (answer.state !== 'inferred') {
    log(`uv cache history of ${installed.name}: ${answer.reason}`);
    return undefined;
  }
  const inferred: Inferred = { version: answer.version, how: answer.evidence, source: 'uv-cache' };
  if (answer.version !== installed.version) return inferred;
  // The same version: its dependencies are vouched for only when each could have been nothing else.
  const members = Object.entries(installed.environment?.packages ?? {});
  const horizon = start + START_SLACK_MS;
  for (const [name, version] of members) {
    const m = await history(name);
    const before = m.state === 'found' ? m.unpacks.filter((u) => u.fetchedAt < horizon) : [];
    const others = [...new Set(before.filter((u) => u.version !== version).map((u) => u.version))];
    if (!before.some((u) => u.version === version) || others.length) {
      log(
        `uv cache history of ${name}, a dependency of ${installed.name}: ${
          others.length
            ? `${others.join(', ')} also unpacked before the process started at ${iso(start)}`
            : `${version} not unpacked before the process started at ${iso(start)}`
        }`,
      );
      return inferred;
    }
  }
  return {
    ...inferred,
    closureHow: `uv's cache unpacked no other version of its ${members.length} dependencies before the process started at ${iso(start)}`,
  };
};

const fromPipxLogs: HistoryReader<Inferred> = async (ctx, installed, start, log) => {
  const venv = pipxVenv(installed);
  if (!venv) return undefined;
  const { host, fs } = ctx;
  const logs = await keptMtimeCache<PipxLog[]>(ctx, 'pipx-logs').get(JSON.stringify(pipxLogDirs(host)), (tfs) =>
    readPipxLogs({ host, fs: tfs }),
  );
  // The log names the venv as pipx resolved it: compared through real paths too.
  const real = (await fs.realpath(venv)) ?? venv;
  const same = await Promise.all(
    logs.map(async (l) => ({
      ...l,
      runs: await Promise.all(
        l.runs.map(async (r) =>
          r.venv === venv || r.venv === real || (await fs.realpath(r.venv)) === real ? { ...r, venv } : r,
        ),
      ),
    })),
  );
  const answer = inferFromPipxLogs(same, { venv, name: installed.name, processStart: start });
  if (answer.state !== 'inferred') {
    log(`pipx logs of ${installed.name}: ${answer.reason}`);
    return undefined;
  }
  return { version: answer.version, how: answer.evidence, source: 'pipx-log' };
};

/**
 * What uv's cache or pipx's logs say this Python process loaded, for a first look at a package
 * changed after the start (each history cached like a resolution: a refresh re-stats what it read).
 */
export const inferFromPythonHistory = historyInference<Inferred>(
  'python',
  async (ctx, installed, start, log) =>
    (await fromUvCache(ctx, installed, start, log)) ?? (await fromPipxLogs(ctx, installed, start, log)),
);
