import { HostEnv, pathFor } from '../base/hostEnv';
import { geminiDir, qwenHome } from './locations';
import { isRecord } from '../base/isRecord';
import { JsonRecord, readJsonRecord, readStrictJson, StrictJson } from './strictJson';
import { InstalledCliExtension, ListDir, ReadText, SourceContext, SourceFile } from './types';

/**
 * The extensions Gemini CLI and its fork Qwen Code load, as @google/gemini-cli 0.61.0 and
 * @qwen-code/qwen-code 0.24.4 find them (`gemini extensions install <path>` copies a folder in,
 * `gemini extensions link <path>` records where it is; test/clients/cliExtensions.test.ts):
 *
 * - one folder per extension in the user's extensions folder (`~/.gemini/extensions`,
 *   `~/.qwen/extensions`); no other place (neither reads a workspace's extensions);
 * - in it, the install record (`.gemini-extension-install.json`): `{"source", "type"}`; a `link`
 *   extension is loaded from its `source` folder, any other from its own;
 * - the manifest there (`gemini-extension.json`, `qwen-extension.json`): its `name` (letters, digits
 *   and dashes), `version` (Gemini CLI skips an extension without one) and `mcpServers`;
 * - `extension-enablement.json` in the extensions folder: `{"NAME": {"overrides": ["/path/*", "!/path/"]}}`,
 *   each rule turning it on (or off, with `!`) in a folder (and, with `*`, below it), the last rule
 *   to match the folder the client runs in deciding; on where none matches.
 */
export interface CliExtensionFlavour {
  /** The client's name, for its reasons. */
  clientName: string;
  /** The user's extensions folder. */
  folder(host: HostEnv): string;
  manifest: string;
  installRecord: string;
  /** Whether the client skips an extension whose manifest names no version. */
  versionRequired: boolean;
  /** The variables that stand for the extension's folder in its manifest. */
  rootVariables: readonly string[];
}

export const GEMINI_CLI_EXTENSIONS: CliExtensionFlavour = {
  clientName: 'Gemini CLI',
  folder: (host) => pathFor(host).join(geminiDir(host), 'extensions'),
  manifest: 'gemini-extension.json',
  installRecord: '.gemini-extension-install.json',
  versionRequired: true,
  rootVariables: ['extensionPath'],
};

/** Qwen Code's own extension format; it converts a Gemini CLI extension to it when it installs one. */
export const QWEN_CODE_EXTENSIONS: CliExtensionFlavour = {
  clientName: 'Qwen Code',
  folder: (host) => pathFor(host).join(qwenHome(host), 'extensions'),
  manifest: 'qwen-extension.json',
  installRecord: '.qwen-extension-install.json',
  versionRequired: false,
  rootVariables: ['extensionPath', 'CLAUDE_PLUGIN_ROOT'],
};

/** Each extension's rules, or none at all when the file is not of that shape (the clients then read it as empty). */
function enablementRules(record: JsonRecord | undefined): Map<string, string[]> {
  const rules = new Map<string, string[]>();
  for (const [name, entry] of Object.entries(record ?? {})) {
    const overrides = isRecord(entry) ? entry.overrides : undefined;
    if (!Array.isArray(overrides) || !overrides.every((r): r is string => typeof r === 'string')) return new Map();
    rules.set(name, overrides);
  }
  return rules;
}

/** A folder as the rules are matched against it: forward slashes, a slash first and last. */
function slashed(dir: string): string {
  let out = dir.replace(/\\/g, '/');
  if (!out.startsWith('/')) out = `/${out}`;
  return out.endsWith('/') ? out : `${out}/`;
}

/** Whether one rule matches a folder: its path, and with a trailing `*` every folder below it. */
function ruleMatches(rule: string, folder: string): boolean {
  const glob = rule.startsWith('!') ? rule.slice(1) : rule;
  const pattern = glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/(\/?)\*/g, '($1.*)?');
  return new RegExp(`^${pattern}$`).test(slashed(folder));
}

/** Whether the rules turn an extension on in a folder: the last rule to match decides; on when none does. */
export function enabledIn(rules: readonly string[], folder: string): boolean {
  let enabled = true;
  for (const rule of rules) if (ruleMatches(rule, folder)) enabled = !rule.startsWith('!');
  return enabled;
}

const NAME = /^[a-zA-Z0-9-]+$/;

/**
 * What the client makes of one extension's manifest: why it skips it, or its name and version. An
 * extension is on where the client may run it: in the home folder (where a user-wide rule, written
 * for the home folder and below, decides) or in any of the workspace folders.
 */
function stateOf(
  flavour: CliExtensionFlavour,
  read: StrictJson,
  root: string,
  rules: ReadonlyMap<string, string[]>,
  places: readonly string[],
): InstalledCliExtension['state'] {
  const skipped = (why: string) => ({
    kind: 'skipped' as const,
    reason: `${flavour.clientName} skips this extension: ${why}`,
  });
  if ('error' in read) return skipped(`its manifest is not JSON (${read.error})`);
  // A manifest that is no object has no name either.
  const { name, version } = isRecord(read.value) ? read.value : {};
  if (typeof name !== 'string' || name === '') return skipped('its manifest has no "name"');
  if (flavour.versionRequired && (typeof version !== 'string' || version === ''))
    return skipped('its manifest has no "version"');
  if (!NAME.test(name)) return skipped(`its "name" may hold only letters, digits and dashes, found "${name}"`);
  const own = rules.get(name) ?? [];
  return {
    kind: 'loaded',
    ref: { kind: 'cli-extension', name, ...(typeof version === 'string' && version !== '' ? { version } : {}), root },
    enabled: places.some((place) => enabledIn(own, place)),
  };
}

/** Every extension in a client's extensions folder that has a manifest, with the file that declares its servers. */
export async function cliExtensionFiles(
  flavour: CliExtensionFlavour,
  ctx: SourceContext,
  listDir: ListDir,
  readText: ReadText,
): Promise<SourceFile[]> {
  const p = pathFor(ctx.host);
  const folder = flavour.folder(ctx.host);
  let names: string[];
  try {
    names = await listDir(folder);
  } catch {
    // No extensions folder: no extensions.
    return [];
  }
  const rules = enablementRules(await readJsonRecord(readText, p.join(folder, 'extension-enablement.json')));
  const places = [ctx.host.home, ...ctx.workspaceFolders];
  const out: SourceFile[] = [];
  for (const name of [...names].sort()) {
    const own = p.join(folder, name);
    const record = await readJsonRecord(readText, p.join(own, flavour.installRecord));
    const root =
      record?.type === 'link' && typeof record.source === 'string' && record.source !== '' ? record.source : own;
    const manifest = p.join(root, flavour.manifest);
    const read = await readStrictJson(readText, manifest);
    // A folder without a manifest is no extension the client loads (and nothing to report).
    if (!read) continue;
    out.push({
      file: manifest,
      addOn: { kind: 'cli-extension', root, state: stateOf(flavour, read, root, rules, places) },
    });
  }
  return out;
}
