import type { Instance, Snapshot } from '../../../src/core/base/model';
import { ProcessSeen, Role, roleText } from './machine';

/**
 * The properties of attribution on a busy machine, checked on one snapshot against what the test
 * knows it started (each process's role, read from its own environment). Each check returns every
 * violation with its evidence (the entry, `matchedBy`, the command line), so one failing run says
 * all that is wrong at once.
 */

export interface Violation {
  /** Which stranger or entry it concerns (the role's label), for the summary. */
  label?: string;
  property:
    | 'stranger-claimed'
    | 'other-user-claimed'
    | 'foreign-claimed'
    | 'stranger-in-duplicates'
    | 'own-lost'
    | 'own-misattributed'
    | 'own-not-configured'
    | 'launcher-as-instance'
    | 'plan-names-stranger'
    | 'count-wrong';
  pid: number;
  text: string;
}

/** What the test knows at the moment of a snapshot. */
export interface World {
  /** The test user's uid. */
  uid: number;
  /** Every process of the table, read right after the snapshot, with the roles of those the run started. */
  table: ReadonlyMap<number, ProcessSeen>;
  /** Each own launch's server process, by the launch's role text. */
  ownMains: ReadonlyMap<string, number>;
  /** The entry names the test configured (every other entry of the snapshot is not the test's). */
  entries: ReadonlySet<string>;
  /**
   * Entries whose file does not parse: their processes may be listed under another entry only as
   * undecided (an `unknown` verdict on the owner), or not at all.
   */
  unreadable: ReadonlySet<string>;
}

function roleOf(w: World, pid: number): Role | undefined {
  return w.table.get(pid)?.role;
}

function labelOf(w: World, pid: number): string {
  const role = roleOf(w, pid);
  return role ? `${role.kind}:${role.label}` : w.table.has(pid) ? 'not started by this test' : 'gone';
}

/** How a pid reads in a violation: its role and command line. */
export function describePid(w: World, pid: number, fallback?: string): string {
  const p = w.table.get(pid);
  const role = p?.role ? roleText(p.role) : p ? `not started by this test (uid ${p.uid})` : 'gone';
  return `pid ${pid} [${role}] ${p ? p.argv.join(' ') : (fallback ?? '')}`;
}

function instanceText(w: World, entry: string, i: Instance): string {
  return `${describePid(w, i.pid, i.commandLine)} listed under '${entry}' (matchedBy ${i.matchedBy}, uid ${i.uid ?? '?'}, client ${i.client.name}${i.client.pid ? ` pid ${i.client.pid}` : ''}${i.launcherChain.length ? `, via ${i.launcherChain.map((s) => s.commandLine).join(' > ')}` : ''})`;
}

/**
 * No process the entries do not run is listed as one of their instances, counted in their
 * duplicates, or in an instance's launcher chain: strangers, another user's processes, and processes
 * this test did not start at all (other programs on the machine).
 */
export function strangersClaimed(s: Snapshot, w: World): Violation[] {
  const out: Violation[] = [];
  for (const server of s.servers) {
    if (!w.entries.has(server.name)) continue;
    for (const i of server.instances) {
      const role = roleOf(w, i.pid);
      if (i.uid !== undefined && i.uid !== w.uid)
        out.push({
          property: 'other-user-claimed',
          pid: i.pid,
          label: labelOf(w, i.pid),
          text: instanceText(w, server.name, i),
        });
      else if (role?.kind === 'other-user')
        out.push({
          property: 'other-user-claimed',
          pid: i.pid,
          label: labelOf(w, i.pid),
          text: instanceText(w, server.name, i),
        });
      else if (role?.kind === 'stranger' || role?.kind === 'client')
        out.push({
          property: 'stranger-claimed',
          pid: i.pid,
          label: labelOf(w, i.pid),
          text: instanceText(w, server.name, i),
        });
      else if (!role)
        out.push({
          property: 'foreign-claimed',
          pid: i.pid,
          label: labelOf(w, i.pid),
          text: instanceText(w, server.name, i),
        });
      for (const v of i.verdicts) {
        const refs = v.kind === 'duplicate' ? [...v.instances, v.keep] : v.kind === 'shared' ? v.instances : [];
        for (const ref of refs) {
          if (roleOf(w, ref.pid)?.kind !== 'own')
            out.push({
              property: 'stranger-in-duplicates',
              pid: ref.pid,
              label: labelOf(w, ref.pid),
              text: `${describePid(w, ref.pid)} named in the ${v.kind} verdict of ${describePid(w, i.pid)} under '${server.name}'`,
            });
        }
      }
    }
  }
  return dedupe(out);
}

/**
 * Every own launch's server process is an instance of exactly its entry, never of another entry and
 * never under Not configured; its launchers (npx, sh, bash, a watcher) are never taken for it.
 */
export function ownLost(s: Snapshot, w: World): Violation[] {
  const out: Violation[] = [];
  const listed = new Map<number, string[]>();
  const decidedUnder = new Map<number, string[]>();
  for (const server of s.servers)
    for (const i of server.instances) {
      listed.set(i.pid, [...(listed.get(i.pid) ?? []), server.name]);
      if (!i.verdicts.some((v) => v.kind === 'unknown' && v.question === 'owner'))
        decidedUnder.set(i.pid, [...(decidedUnder.get(i.pid) ?? []), server.name]);
    }
  const notConfigured = new Set(s.notConfigured.map((i) => i.pid));
  for (const [role, pid] of w.ownMains) {
    const entry = roleOf(w, pid)?.label ?? role;
    if (w.unreadable.has(entry)) {
      // Its entry cannot be read: another entry may list it only as undecided.
      const taken = decidedUnder.get(pid) ?? [];
      if (taken.length)
        out.push({
          property: 'own-misattributed',
          pid,
          label: entry,
          text: `${describePid(w, pid)} of '${entry}' (its file does not parse) is listed as the decided instance of ${taken.map((n) => `'${n}'`).join(', ')}`,
        });
      continue;
    }
    const under = listed.get(pid) ?? [];
    if (!under.includes(entry))
      out.push({
        property: 'own-lost',
        pid,
        label: entry,
        text: `${describePid(w, pid)} is not listed under its entry '${entry}' (listed under: ${under.length ? under.map((n) => `'${n}'`).join(', ') : 'no entry'})`,
      });
    const others = under.filter((n) => n !== entry);
    if (others.length)
      out.push({
        property: 'own-misattributed',
        pid,
        label: entry,
        text: `${describePid(w, pid)} of '${entry}' is also listed under ${others.map((n) => `'${n}'`).join(', ')}`,
      });
    if (notConfigured.has(pid))
      out.push({
        property: 'own-not-configured',
        pid,
        label: entry,
        text: `${describePid(w, pid)} of '${entry}' is listed under Not configured`,
      });
  }
  const mains = new Set(w.ownMains.values());
  for (const server of s.servers) {
    if (!w.entries.has(server.name)) continue;
    for (const i of server.instances) {
      if (roleOf(w, i.pid)?.kind === 'own' && !mains.has(i.pid))
        out.push({
          property: 'launcher-as-instance',
          pid: i.pid,
          label: server.name,
          text: `${instanceText(w, server.name, i)}: a launcher of the launch, not its server`,
        });
    }
  }
  return out;
}

/** A pid some action plan names, and the entry it names it for. */
export interface PlannedPid {
  plan: string;
  pid: number;
  entry: string;
}

/**
 * Every pid an action plan names is an own process of the entry it is named for. Where the plan only
 * mentions instances (`mention`: the badge's rows, an upgrade notice's count), an own process of an
 * entry whose file does not parse may be named under the entry it is listed under (as undecided).
 */
export function plansNameStrangers(planned: readonly PlannedPid[], w: World, mention = false): Violation[] {
  const out: Violation[] = [];
  for (const p of planned) {
    const role = roleOf(w, p.pid);
    if (mention && role?.kind === 'own' && w.unreadable.has(role.label)) continue;
    if (role?.kind !== 'own' || role.label !== p.entry)
      out.push({
        property: 'plan-names-stranger',
        pid: p.pid,
        label: labelOf(w, p.pid),
        text: `${p.plan} names ${describePid(w, p.pid)} for '${p.entry}'`,
      });
  }
  return dedupe(out);
}

/** One violation per text; a pid named in many verdicts (every instance's `shared` lists them all) once per property. */
function dedupe(vs: Violation[]): Violation[] {
  const seen = new Set<string>();
  const key = (v: Violation) => (v.property === 'stranger-in-duplicates' ? `${v.property}:${v.pid}` : v.text);
  return vs.filter((v) => !seen.has(key(v)) && !!seen.add(key(v)));
}

/** A failure message: the violations grouped by property, the first few of each in full. */
export function report(title: string, vs: readonly Violation[], shown = 8): string {
  if (vs.length === 0) return `${title}: none`;
  const byProperty = new Map<string, Violation[]>();
  for (const v of vs) byProperty.set(v.property, [...(byProperty.get(v.property) ?? []), v]);
  const lines = [`${title}: ${vs.length} violation${vs.length === 1 ? '' : 's'}`];
  for (const [property, list] of byProperty) {
    const byLabel = new Map<string, number>();
    for (const v of list) if (v.label) byLabel.set(v.label, (byLabel.get(v.label) ?? 0) + 1);
    lines.push(
      `  ${property} (${list.length}${byLabel.size ? `: ${[...byLabel].map(([l, n]) => `${l} x${n}`).join(', ')}` : ''}):`,
    );
    for (const v of list.slice(0, shown)) lines.push(`    ${v.text}`);
    if (list.length > shown) lines.push(`    ... and ${list.length - shown} more`);
  }
  return lines.join('\n');
}
