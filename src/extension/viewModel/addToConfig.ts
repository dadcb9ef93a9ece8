import * as path from 'node:path';
import type { ClientId, ScannedFile } from '../../core/base/model';
import { REDACTED } from '../../core/base/redact';
import { parseLaunch } from '../../core/launch/parse';
import { splitShellWords } from '../../core/launch/shellWords';
import { VmInstance, VmServer } from '../../core/report/input';
import { describeProgram } from './notConfigured';
import { CLIENT_NAMES } from '../../core/sources/clientNames';
import { t } from './l10n';

/**
 * Add to Config's choices, as plain data: the configs a new entry can go into, the entry a Not
 * configured process gives (its launch as the client would start it), and a name for it.
 */

/** A servers' map of a JSON config file a new entry can be written into. */
export interface AddTarget {
  file: string;
  client: ClientId;
  /** The keys to the map (`["mcpServers"]`, VS Code's `["servers"]`, Claude Code's `["projects", dir, "mcpServers"]`). */
  serversAt: string[];
  /** "Claude Code", "VS Code User": the group the new server will show under. */
  label: string;
  /** The names already in the map. */
  names: Set<string>;
}

/**
 * Every map a new stdio entry can go into: each JSON file read whose servers are one map (the scan
 * says where), and each map that already holds an entry of a JSON file (Claude Code's user and
 * per-project maps in one file). Files of other formats (Codex's TOML, Continue's YAML), Claude
 * Desktop's extensions, Claude Code plugins' files, Gemini CLI and Qwen Code extensions' manifests
 * and files that could not be read are not offered.
 */
export function addTargets(snapshot: {
  files: readonly ScannedFile[];
  servers: readonly Pick<VmServer, 'name' | 'keyPath' | 'source'>[];
}): AddTarget[] {
  const targets = new Map<string, AddTarget>();
  const read = new Set(snapshot.files.filter((f) => f.state === 'read').map((f) => f.file));
  const at = (file: string, client: ClientId, serversAt: string[], label: string): AddTarget | undefined => {
    if (!read.has(file) || !isJsonFile(file)) return undefined;
    const key = JSON.stringify([file, serversAt]);
    let target = targets.get(key);
    if (!target) targets.set(key, (target = { file, client, serversAt, label, names: new Set() }));
    return target;
  };
  for (const s of snapshot.servers) {
    const map = s.keyPath.slice(0, -1);
    if (s.source.extension || s.source.addOn || !map.every((k): k is string => typeof k === 'string')) continue;
    at(s.source.file, s.source.client, map, s.source.label)?.names.add(s.name);
  }
  for (const f of snapshot.files) if (f.serversAt) at(f.file, f.client, f.serversAt, CLIENT_NAMES[f.client]);
  return [...targets.values()].sort((a, b) => a.label.localeCompare(b.label) || a.file.localeCompare(b.file));
}

function isJsonFile(file: string): boolean {
  return !/\.(toml|ya?ml)$/i.test(file);
}

/** The entry a process gives, or why it gives none. */
export type LaunchEntry =
  { kind: 'entry'; command: string; args: string[]; relative: boolean } | { kind: 'refused'; reason: string };

/**
 * The command and arguments of a Not configured process's launch: the command line of the process
 * its starter ran (the top of its launcher chain: `npx -y pkg`, not the node process under it), read
 * by the one launch parser. One that holds a redacted value is refused: the real value is not known
 * here. `relative`: the script or program is named relative to a folder the process ran in, which
 * the client's start may not share.
 */
export function launchEntry(i: Pick<VmInstance, 'commandLine' | 'launcherChain'>): LaunchEntry {
  const line = i.launcherChain?.[0]?.commandLine ?? i.commandLine;
  const argv = line ? splitShellWords(line) : [];
  if (argv.length === 0) return { kind: 'refused', reason: t('its command line is not known') };
  if (argv.some((a) => a.includes(REDACTED)))
    return {
      kind: 'refused',
      reason: t('its command line holds a secret, shown as {0}; add the entry by hand with the real value', REDACTED),
    };
  const { target } = parseLaunch(argv);
  if (target.kind === 'none') return { kind: 'refused', reason: t('its command line names nothing to run') };
  const named = target.kind === 'script' ? target.script : target.kind === 'program' ? target.program : undefined;
  const relative =
    named !== undefined && /[/\\]/.test(named) && !path.isAbsolute(named) && !/^[A-Za-z]:[\\/]/.test(named);
  return { kind: 'entry', command: argv[0], args: argv.slice(1), relative };
}

/** A name for the new entry: what the process is (its package's last part, or its program), unused in the map. */
export function suggestedName(i: Pick<VmInstance, 'commandLine'>, taken: ReadonlySet<string>): string {
  const what = describeProgram(i.commandLine) ?? 'server';
  const base =
    (what.split('/').pop() ?? what)
      .replace(/[^A-Za-z0-9_.-]+/g, '-')
      .replace(/^[-.]+|[-.]+$/g, '')
      .slice(0, 40) || 'server';
  let name = base;
  for (let n = 2; taken.has(name); n++) name = `${base}-${n}`;
  return name;
}
