import semverGt from 'semver/functions/gt';
import semverValid from 'semver/functions/valid';
import type { Instance, Verdict } from '../base/model';
import { ProcessInfo } from '../pids/table';
import { effectiveArgv } from './argv';
import { matchClientSignature } from './clients';
import type { LaunchFacts } from './launchFacts';
import { ProcessTree } from './tree';

type Superseded = Extract<Verdict, { kind: 'superseded' }>;

/** A host's files changed this long after its start still count as its own start's (start times are rounded). */
const SLACK_MS = 2000;

/** `.../claude/versions/2.1.328/claude`, `.../versions/0.130.0/codex`: the version a native install runs. */
const VERSION_DIR = /[/\\]versions[/\\](\d+\.\d+\.\d+[^/\\]*)[/\\]/;
/** The package folder an npm install runs from (`.../node_modules/@anthropic-ai/claude-code/cli.js`). */
const PACKAGE_DIR = /^(.*[/\\]node_modules[/\\](?:@[^/\\]+[/\\])?[^/\\]+)[/\\]/;

interface Host {
  p: ProcessInfo;
  name: string;
  /** The signature, so hosts of one kind are compared (two Claude Code daemons, never a daemon and a Codex app-server). */
  kind: object;
  version?: string;
  /** Why its files are not what it started from, when they are not. */
  replaced?: string;
}

/** The files a host runs: its executable as the process names it and as the OS resolves it, and a node script's path. */
function programFiles(p: ProcessInfo, facts: LaunchFacts): string[] {
  const files = [facts.exe(p.pid), p.argv[0], effectiveArgv(p.argv)[0]];
  return [...new Set(files.filter((f): f is string => !!f && /^([/\\]|[A-Za-z]:[/\\])/.test(f)))];
}

function describe(p: ProcessInfo, name: string, kind: object, facts: LaunchFacts): Host {
  const files = programFiles(p, facts);
  let version: string | undefined;
  for (const f of files) {
    const v = VERSION_DIR.exec(f)?.[1] ?? packageVersion(f, facts);
    if (v && semverValid(v)) {
      version = v;
      break;
    }
  }
  let replaced: string | undefined;
  if (facts.exeDeleted?.(p.pid))
    replaced = `its executable ${facts.exe(p.pid) ?? p.argv[0]} was deleted since it started`;
  else if (p.startTime !== undefined)
    for (const f of files) {
      const changed = facts.changedAt?.(f);
      if (changed !== undefined && changed > p.startTime + SLACK_MS) {
        replaced = `${f} was replaced on disk since it started`;
        break;
      }
    }
  return { p, name, kind, version, replaced };
}

function packageVersion(file: string, facts: LaunchFacts): string | undefined {
  const dir = PACKAGE_DIR.exec(file)?.[1];
  return dir !== undefined ? facts.packageVersion?.(dir) : undefined;
}

/** Why `a` is an earlier generation than `b`, or undefined when it is not shown to be. */
function earlier(a: Host, b: Host): string | undefined {
  if (a.version && b.version && semverGt(b.version, a.version)) return `version ${a.version}, older than ${b.version}`;
  if (
    a.replaced &&
    !b.replaced &&
    a.p.startTime !== undefined &&
    b.p.startTime !== undefined &&
    b.p.startTime > a.p.startTime &&
    (!a.version || !b.version || a.version === b.version)
  )
    return a.replaced;
  return undefined;
}

/**
 * Agent hosts left by an earlier generation of themselves: a host of one kind (two Claude Code
 * daemons) whose program was replaced on disk since it started, or that runs an older version, while
 * a newer host of the same kind runs for the same user. The old one's servers are leftovers of the
 * host the client upgraded away from. Only proven pairs count: one host alone, or two of one version
 * with nothing replaced, are not judged.
 */
export function supersededHosts(
  hostPids: Iterable<number>,
  tree: ProcessTree,
  platform: NodeJS.Platform,
  facts: LaunchFacts | undefined,
): Map<number, Superseded> {
  const out = new Map<number, Superseded>();
  if (!facts) return out;
  const olds: Host[] = [];
  for (const pid of new Set(hostPids)) {
    const p = tree.get(pid);
    const sig = p && matchClientSignature(p, platform);
    if (p && sig?.agent?.role === 'host') olds.push(describe(p, sig.agent.name, sig, facts));
  }
  // The newer host need not run a server yet: every live host of those kinds is compared.
  const kinds = new Set(olds.map((h) => h.kind));
  const hosts = olds.length
    ? tree.processes.flatMap((p) => {
        const known = olds.find((h) => h.p.pid === p.pid);
        if (known) return [known];
        const sig = matchClientSignature(p, platform);
        return sig?.agent?.role === 'host' && kinds.has(sig) ? [describe(p, sig.agent.name, sig, facts)] : [];
      })
    : [];
  for (const a of olds) {
    const newer = hosts
      .filter((b) => b !== a && b.kind === a.kind && b.p.uid === a.p.uid)
      .map((b) => ({ b, why: earlier(a, b) }))
      .filter((x): x is { b: Host; why: string } => x.why !== undefined)
      // The newest of them is the one that runs now.
      .sort((x, y) => (y.b.p.startTime ?? 0) - (x.b.p.startTime ?? 0));
    if (newer.length === 0) continue;
    const { b, why } = newer[0];
    const ref = (h: Host) => ({
      pid: h.p.pid,
      startTime: h.p.startTime,
      startedAt: h.p.startTime !== undefined ? new Date(h.p.startTime).toISOString() : undefined,
      ...(h.version ? { version: h.version } : {}),
    });
    out.set(a.p.pid, {
      kind: 'superseded',
      name: a.name,
      host: ref(a),
      newer: ref(b),
      why: a.version && b.version && a.version !== b.version ? 'version' : 'replaced',
      reason: `left by an earlier ${a.name} (pid ${a.p.pid}, ${why}); ${b.name} pid ${b.p.pid} runs now`,
    });
  }
  return out;
}

/** Marks each instance whose agent host is an earlier generation (see supersededHosts). */
export function markSuperseded(
  instances: readonly Instance[],
  tree: ProcessTree,
  platform: NodeJS.Platform,
  facts: LaunchFacts | undefined,
): void {
  const hosted = instances.filter((i) => i.client.agentHost);
  if (hosted.length === 0) return;
  const old = supersededHosts(
    hosted.map((i) => i.client.agentHost?.pid as number),
    tree,
    platform,
    facts,
  );
  for (const i of hosted) {
    const v = old.get(i.client.agentHost?.pid as number);
    if (v && !i.verdicts.some((x) => x.kind === 'superseded')) i.verdicts.push(v);
  }
}
