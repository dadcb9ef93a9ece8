// What scripts/test.mjs runs where: the test files of each layer, and the slower layers split into
// shards of about equal length (each shard one mocha process, the shards side by side). Pure
// functions of a listing and the durations of an earlier run, so the plan itself is unit-tested
// (test/unit/testPlan.test.ts).

/**
 * How many shards run side by side: MCP_LIFEGUARD_TEST_JOBS when set (a whole number from 1), else
 * two where the machine has two processors or more (each shard is one mocha process whose tests
 * start real servers, clients and a browser: more than two on this machine kind only wait on each
 * other), one on a single processor. { jobs } or { problem } (a message naming the bad value).
 */
export function shardCount(setting, processors) {
  if (setting === undefined || setting === '') return { jobs: Math.max(1, Math.min(2, Math.floor(processors) || 1)) };
  const jobs = Number(setting);
  return Number.isInteger(jobs) && jobs >= 1
    ? { jobs }
    : { problem: `MCP_LIFEGUARD_TEST_JOBS must be a whole number from 1, not ${JSON.stringify(setting)}` };
}

/** The layers, in the order a file's path names them. */
export const LAYERS = ['unit', 'integration', 'clients', 'reliability', 'e2e'];

/** A test file's layer, from its path (`test/<layer>/...`); undefined for a file outside them. */
export function layerOf(file) {
  const m = /^test\/([^/]+)\//.exec(file.split('\\').join('/'));
  return m && LAYERS.includes(m[1]) ? m[1] : undefined;
}

/**
 * The e2e scenarios share one packaged extension and one tools folder and each starts a code-server
 * with a browser: they run one after another, in one shard.
 */
function together(file) {
  return layerOf(file) === 'e2e';
}

/**
 * What a file of each layer takes when no file of its layer was ever timed (seconds, rough: the real
 * clients install and run a CLI, an e2e scenario starts a code-server and a browser).
 */
const FIRST_GUESS = { unit: 1, integration: 15, clients: 60, reliability: 20, e2e: 50 };

/** What a file without a recorded duration is counted as: the median of its layer's known files, else the first guess. */
function estimator(files, durations) {
  const byLayer = new Map();
  for (const f of files) {
    const d = durations[f];
    if (typeof d !== 'number' || !(d >= 0)) continue;
    const layer = layerOf(f) ?? '';
    byLayer.set(layer, [...(byLayer.get(layer) ?? []), d]);
  }
  const median = (xs, layer) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length ? s[Math.floor(s.length / 2)] : (FIRST_GUESS[layer] ?? 10);
  };
  return (f) => {
    const d = durations[f];
    return typeof d === 'number' && d >= 0 ? d : median(byLayer.get(layerOf(f) ?? '') ?? [], layerOf(f));
  };
}

/**
 * `files` in at most `jobs` shards of about equal expected time: longest first, each to the shard
 * with the least so far (files that run together count as one). A shard's files keep their listed
 * order within a unit. Each shard: { files, seconds } (seconds as expected).
 */
export function planShards(files, durations, jobs) {
  const n = Math.max(1, Math.floor(jobs));
  const estimate = estimator(files, durations);
  // One shard runs the files as listed: the order of a serial run does not depend on earlier times.
  if (n === 1)
    return files.length ? [{ files: [...files], seconds: files.reduce((sum, f) => sum + estimate(f), 0) }] : [];
  const units = [];
  const grouped = files.filter(together);
  if (grouped.length) units.push({ files: grouped, seconds: grouped.reduce((s, f) => s + estimate(f), 0) });
  for (const f of files) if (!together(f)) units.push({ files: [f], seconds: estimate(f) });
  // Longest first; equal ones in listed order, so a plan is the same for the same input.
  const order = units.map((u, i) => ({ u, i })).sort((a, b) => b.u.seconds - a.u.seconds || a.i - b.i);
  const shards = Array.from({ length: Math.min(n, units.length) }, () => ({ files: [], seconds: 0 }));
  for (const { u } of order) {
    let least = shards[0];
    for (const s of shards) if (s.seconds < least.seconds) least = s;
    least.files.push(...u.files);
    least.seconds += u.seconds;
  }
  return shards.filter((s) => s.files.length > 0);
}

/**
 * The durations of this run merged over an earlier record: every file this run timed is replaced,
 * every other kept (a quick run of one file keeps the rest of the record).
 */
export function mergeDurations(before, measured) {
  const out = { ...before };
  for (const [file, seconds] of Object.entries(measured)) out[file] = Math.round(seconds * 10) / 10;
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The `n` slowest tests of a run, slowest first: { title, file, ms }. */
export function slowest(tests, n) {
  return [...tests].sort((a, b) => b.ms - a.ms).slice(0, n);
}

/** Each layer's summed test-file time in seconds, in layer order (layers that ran nothing left out). */
export function layerSeconds(fileDurations) {
  const sums = new Map();
  for (const [file, seconds] of Object.entries(fileDurations)) {
    const layer = layerOf(file) ?? 'other';
    sums.set(layer, (sums.get(layer) ?? 0) + seconds);
  }
  return [...LAYERS, 'other'].filter((l) => sums.has(l)).map((l) => ({ layer: l, seconds: sums.get(l) }));
}
