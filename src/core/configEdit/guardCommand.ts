import { VmServer } from '../report/input';
import { assertNever } from '../base/assertNever';
import type { HostEnv } from '../base/hostEnv';
import type { AddOnRef } from '../base/model';
import { lifeguardRoot, ROOT_ENV_VAR } from '../base/paths';
import { english, Translate } from './translate';
import { isWrappedCommand } from '../processes/argv';

// Written beside `isGuard`, so that the report (Show Evidence) reads an entry as wrapped by the same rule.
export { isWrappedCommand };

/**
 * Recognising and planning the guard wrapper in a server's entry. A wrapped entry launches
 * `<guard> run -- <original command> <original args>`, where <guard> is the guard installed at a
 * stable per-user path (never inside the versioned extension folder).
 */

/**
 * The folder of our own files a written guard command must name (`run --home DIR`): this reader's
 * root when MCP_LIFEGUARD_HOME moves it away from the default, else undefined. A client starts the
 * guard with its own environment, not the reader's: without it, the guard keeps its lock where the
 * reader never looks and every wrapped server reads "not running" while it serves.
 */
export function guardHomeFor(host: HostEnv): string | undefined {
  if (!host.env[ROOT_ENV_VAR]) return undefined;
  const root = lifeguardRoot(host);
  const env = { ...host.env };
  delete env[ROOT_ENV_VAR];
  return root === lifeguardRoot({ ...host, env }) ? undefined : root;
}

/**
 * Whether this server already runs under the guard: its entry launches the guard, or a running
 * instance holds a guard's lock (an entry may reach the guard by a path no name check can know,
 * such as `node <clone>/dist/cli.js run`). Either way Wrap with Guard has nothing to add.
 */
export function runsUnderGuard(s: Pick<VmServer, 'command' | 'args' | 'instances'>): boolean {
  return isWrappedCommand(s.command, s.args) || s.instances.some((i) => i.lock !== undefined);
}

export function isWrapped(s: Pick<VmServer, 'command' | 'args'>): boolean {
  return isWrappedCommand(s.command, s.args);
}

export type WrapSupport = { supported: true } | { supported: false; reason: string };

/** Whether Wrap with Guard can rewrite this entry: a stdio server whose place in its file (JSON/JSONC, TOML, YAML) is known. */
export function wrapSupport(
  s: Pick<VmServer, 'transport' | 'command' | 'source' | 'keyPath'>,
  t: Translate = english,
): WrapSupport {
  if (s.transport !== 'stdio')
    return {
      supported: false,
      reason: t('only stdio servers can be wrapped; HTTP servers are reached over the network'),
    };
  if (!s.command) return { supported: false, reason: t('the entry has no command') };
  // Its manifest is the extension's own file, replaced by Claude Desktop whenever it updates the extension.
  if (s.source.extension)
    return {
      supported: false,
      reason: t(
        'a Claude Desktop extension runs as its manifest says, and Claude Desktop replaces the manifest when it updates the extension',
      ),
    };
  // An add-on's files are its own, replaced by its client whenever it updates the add-on.
  if (s.source.addOn) return { supported: false, reason: addOnReplaced(s.source.addOn, t) };
  // opencode and Kilo write the program and its arguments as one `command` array, which the entry
  // editors do not rewrite (they write `command` and `args`).
  if ((s.source.client === 'opencode' || s.source.client === 'kilo') && s.keyPath[0] === 'mcp')
    return {
      supported: false,
      reason: t(
        '{0} keeps the program and its arguments in one "command" array, which Wrap with Guard does not rewrite',
        s.source.label,
      ),
    };
  // A Markdown agent's servers sit in its YAML front matter, which the entry editors do not rewrite.
  if (/\.md$/i.test(s.source.file))
    return {
      supported: false,
      reason: t("{0}: Wrap with Guard does not rewrite a Markdown file's front matter", s.source.label),
    };
  // Mistral Vibe's servers are a list of tables, which the TOML entry editor does not address.
  if (s.source.client === 'mistral-vibe')
    return {
      supported: false,
      reason: t('{0}: Wrap with Guard does not rewrite a list of tables ([[mcp_servers]])', s.source.label),
    };
  if (s.keyPath.length === 0) return { supported: false, reason: t("the entry's place in its file is not known") };
  return { supported: true };
}

/** Why an add-on's entry is not rewritten: its client replaces the add-on's files when it updates it. */
function addOnReplaced(addOn: AddOnRef, t: Translate): string {
  switch (addOn.kind) {
    case 'claude-plugin':
      return t("Claude Code replaces a plugin's files when it updates the plugin");
    case 'cli-extension':
      return t("Gemini CLI and Qwen Code replace an extension's manifest when they update it");
    default:
      return assertNever(addOn);
  }
}

/** The guard's own options of a wrapped entry (before its `--`), or undefined when it does not launch the guard. */
function guardOptionsOf(s: { command?: string; args: readonly string[] }): readonly string[] | undefined {
  if (!isWrappedCommand(s.command, s.args)) return undefined;
  const end = s.args.indexOf('--');
  return end < 0 ? s.args : s.args.slice(0, end);
}

/** The `--name` a wrapped entry runs under (before its `--`), if any. */
export function wrappedName(s: Pick<VmServer, 'command' | 'args'>): string | undefined {
  const own = guardOptionsOf(s);
  if (!own) return undefined;
  const i = own.indexOf('--name');
  if (i >= 0 && i + 1 < own.length) return own[i + 1];
  return own.find((a) => a.startsWith('--name='))?.slice('--name='.length);
}

/** Whether a wrapped entry shares one server with the other clients (`--on-conflict share`). */
export function isShareWrapped(s: Pick<VmServer, 'command' | 'args'>): boolean {
  const own = guardOptionsOf(s);
  if (!own) return false;
  const i = own.indexOf('--on-conflict');
  return own.includes('--on-conflict=share') || (i >= 0 && own[i + 1] === 'share');
}

/** The `--resource` a wrapped entry's guard locks on (before its `--`), if it names one. */
export function wrappedResource(s: { command?: string; args: readonly string[] }): string | undefined {
  const own = guardOptionsOf(s);
  if (!own) return undefined;
  const i = own.indexOf('--resource');
  if (i >= 0 && i + 1 < own.length) return own[i + 1];
  return own.find((a) => a.startsWith('--resource='))?.slice('--resource='.length);
}
