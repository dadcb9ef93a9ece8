import { getNodeValue, Node } from 'jsonc-parser';
import { pathFor } from '../base/hostEnv';
import { REDACTED } from '../base/redact';
import { describeNode, misshapen, parseJsoncDocument, propertyValue, readFields } from './jsonc';
import { LineMap } from './position';
import { AdaptInput, AdaptResult, FileDiagnostic, RawField, RawServerEntry } from './types';

/**
 * Claude Desktop extensions (MCP Bundles, `.mcpb`). Claude Desktop unpacks each installed bundle
 * into `<Claude>/Claude Extensions/<id>/` (its `manifest.json` and files) and keeps the extension's
 * settings in `<Claude>/Claude Extensions Settings/<id>.json`: `{"isEnabled": true, "userConfig":
 * {...}}`, an absent file reading as disabled. The launch is the manifest's `server.mcp_config`
 * (`command`, `args`, `env`, a `platform_overrides` entry for this OS) with its variables
 * substituted as `getMcpConfigForManifest` of `@anthropic-ai/mcpb` 2.1.2 (src/shared/config.ts,
 * the code Claude Desktop loads bundles with) does: `${__dirname}` (the extension's folder),
 * `${pathSeparator}` and `${/}`, `${HOME}`, `${DESKTOP}`, `${DOCUMENTS}`, `${DOWNLOADS}`, and
 * `${user_config.KEY}` from the settings' `userConfig` over the manifest's defaults (an argument
 * that is only `${user_config.KEY}` of a list expands to its items). A setting the manifest marks
 * `sensitive` is a secret: never shown, never kept. Claude Desktop stores such a value encrypted
 * (`__encrypted__:...`) and decrypts it at launch: its real value is not known here.
 */

export const EXTENSIONS_FOLDER = 'Claude Extensions';
export const EXTENSION_SETTINGS_FOLDER = 'Claude Extensions Settings';

/** The prefix of a setting Claude Desktop keeps encrypted (decrypted only when it starts the server). */
export const ENCRYPTED_PREFIX = '__encrypted__:';

/** The manifest versions `@anthropic-ai/mcpb` 2.1.2 ships schemas for. */
const MANIFEST_VERSIONS = new Set(['0.1', '0.2', '0.3', '0.4']);
const SERVER_TYPES = new Set(['node', 'python', 'binary', 'uv']);

type Variables = Record<string, string | string[]>;

/**
 * `replaceVariables` of `@anthropic-ai/mcpb` 2.1.2, to the letter: each variable in turn, in the
 * order given, replaced everywhere in a string (a list value cannot go into a string: left as is);
 * in a list, an item that is only `${user_config.KEY}` becomes the value's items (or the value),
 * and stays as written when the value is unset or empty. Objects are walked value by value.
 */
export function replaceVariables(value: unknown, variables: Variables): unknown {
  if (typeof value === 'string') {
    let result = value;
    for (const [key, replacement] of Object.entries(variables)) {
      let pattern: RegExp;
      try {
        pattern = new RegExp(`\\$\\{${key}\\}`, 'g');
      } catch {
        // A setting name that is no valid pattern: the client's substitution fails on it too.
        continue;
      }
      if (result.match(pattern) && !Array.isArray(replacement)) result = result.replace(pattern, replacement);
    }
    return result;
  }
  if (Array.isArray(value)) {
    const result: unknown[] = [];
    for (const item of value) {
      if (typeof item === 'string' && /^\$\{user_config\.[^}]+\}$/.test(item)) {
        const name = /^\$\{([^}]+)\}$/.exec(item)?.[1];
        const replacement = name ? variables[name] : undefined;
        if (replacement && replacement.length > 0) {
          if (Array.isArray(replacement)) result.push(...replacement);
          else result.push(replacement);
        } else result.push(item);
      } else result.push(replaceVariables(item, variables));
    }
    return result;
  }
  if (value && typeof value === 'object') {
    const result: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) result[k] = replaceVariables(v, variables);
    return result;
  }
  return value;
}

/** A `user_config` definition of a manifest, as far as the launch needs it. */
export interface UserConfigDefinition {
  sensitive: boolean;
  required: boolean;
  default?: unknown;
}

function isBlank(v: unknown): boolean {
  return v === undefined || v === null || v === '';
}

/**
 * The required settings without a value (`hasRequiredConfigMissing` of `@anthropic-ai/mcpb`: only
 * the saved settings count, not the defaults). Claude Desktop does not start such an extension.
 */
export function missingRequired(
  definitions: Record<string, UserConfigDefinition>,
  userConfig: Record<string, unknown>,
): string[] {
  return Object.entries(definitions)
    .filter(([key, d]) => {
      if (!d.required) return false;
      const v = userConfig[key];
      return isBlank(v) || (Array.isArray(v) && (v.length === 0 || v.some(isBlank)));
    })
    .map(([key]) => key);
}

/** A setting's value as substitution text: lists stay lists (of text), booleans `true`/`false`, the rest as String() writes it. */
function asVariable(value: unknown): string | string[] {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return String(value);
}

/** Where Claude Desktop's system folders are for this home (`app.getPath`'s defaults). */
function systemDirs(home: string, join: (...p: string[]) => string): Record<string, string> {
  return {
    HOME: home,
    DESKTOP: join(home, 'Desktop'),
    DOCUMENTS: join(home, 'Documents'),
    DOWNLOADS: join(home, 'Downloads'),
  };
}

/** What an extension's settings file says. */
interface Settings {
  enabled: boolean;
  userConfig: Record<string, unknown>;
}

function readSettings(input: AdaptInput, file: string, diagnostics: FileDiagnostic[]): Settings {
  const disabled: Settings = { enabled: false, userConfig: {} };
  const companion = input.companions.find((c) => c.file === file);
  // Missing: disabled (Claude Desktop writes the file when the extension is enabled). Unreadable:
  // the scan reports it, and Claude Desktop cannot read it either.
  if (!companion || companion.outcome.state !== 'read') return disabled;
  const at = (d: FileDiagnostic) => diagnostics.push({ ...d, file });
  companion.outcome.diagnostics.forEach(at);
  const doc = parseJsoncDocument(companion.outcome.text);
  doc.diagnostics.forEach(at);
  if (!doc.root) return disabled;
  const enabledNode = propertyValue(doc.root, 'isEnabled');
  let enabled = false;
  if (enabledNode) {
    if (enabledNode.type === 'boolean') enabled = enabledNode.value === true;
    else
      at({
        severity: 'warning',
        ...doc.lines.position(enabledNode.offset),
        message: `"isEnabled" must be true or false, found ${describeNode(enabledNode)}; read as disabled`,
      });
  }
  const userNode = propertyValue(doc.root, 'userConfig');
  let userConfig: Record<string, unknown> = {};
  if (userNode) {
    if (userNode.type === 'object') userConfig = getNodeValue(userNode) as Record<string, unknown>;
    else
      at({
        severity: 'error',
        ...doc.lines.position(userNode.offset),
        message: `"userConfig" must be an object of setting names to values, found ${describeNode(userNode)}; no setting read`,
      });
  }
  return { enabled, userConfig };
}

function readDefinitions(
  node: Node | undefined,
  lines: LineMap,
  diagnostics: FileDiagnostic[],
): Record<string, UserConfigDefinition> {
  const out: Record<string, UserConfigDefinition> = {};
  if (!node) return out;
  if (node.type !== 'object') {
    diagnostics.push(misshapen(lines, node, `"user_config" must be an object of setting definitions`));
    return out;
  }
  for (const prop of node.children ?? []) {
    const [k, v] = prop.children ?? [];
    if (!k || typeof k.value !== 'string' || !v) continue;
    if (v.type !== 'object') {
      diagnostics.push(misshapen(lines, v, `"user_config.${k.value}" must be an object`));
      continue;
    }
    const def = getNodeValue(v) as Record<string, unknown>;
    out[k.value] = {
      sensitive: def.sensitive === true,
      required: def.required === true,
      ...(def.default !== undefined ? { default: def.default } : {}),
    };
  }
  return out;
}

/** Every string a value holds (a list's items). */
function strings(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  if (typeof v === 'number' || typeof v === 'boolean') return [String(v)];
  return [];
}

/**
 * A Claude Desktop extension's `manifest.json` (the file the scan lists, one per extension folder),
 * with its settings file as the one companion: the extension as one configured server, its launch
 * as Claude Desktop substitutes it, disabled when its settings say so (or are absent) or when a
 * required setting has no value. Pure: every file it reads was read by the scan.
 */
export function adaptExtensionManifest(text: string, file: string, input: AdaptInput): AdaptResult {
  const p = pathFor(input.host);
  const folder = p.dirname(file);
  const id = p.basename(folder);
  const settingsFile =
    input.companions[0]?.file ?? p.join(p.dirname(p.dirname(folder)), EXTENSION_SETTINGS_FOLDER, `${id}.json`);
  const doc = parseJsoncDocument(text);
  const diagnostics: FileDiagnostic[] = [...doc.diagnostics];
  const root = doc.root;
  if (!root) return { entries: [], diagnostics };
  const lines = doc.lines;
  const header = readHeader(text, doc.diagnostics.length === 0, root, id, lines, diagnostics);
  const server = readServer(root, header.name, lines, diagnostics);
  if (!server) return { entries: [], diagnostics };
  const fields = launchFields(doc, server.configNode, input.host.platform, header.name, lines, diagnostics);
  const definitions = readDefinitions(propertyValue(root, 'user_config'), lines, diagnostics);
  const settings = readSettings(input, settingsFile, diagnostics);
  const missing = missingRequired(definitions, settings.userConfig);
  const values = settingValues(definitions, settings.userConfig, {
    __dirname: folder,
    pathSeparator: p.sep,
    '/': p.sep,
    ...systemDirs(input.host.home, p.join),
  });
  const launch = substitutedLaunch(fields, values);
  if (settings.enabled && missing.length > 0)
    diagnostics.push({
      severity: 'warning',
      ...lines.position(server.configNode.offset),
      message: `extension "${header.name}": required setting${missing.length > 1 ? 's' : ''} ${missing
        .map((k) => `"${k}"`)
        .join(', ')} ha${missing.length > 1 ? 've' : 's'} no value: Claude Desktop does not start it`,
    });
  launch.fields.disabled = { value: !settings.enabled || missing.length > 0 };
  const entry: RawServerEntry = {
    name: header.name,
    position: lines.position(server.configNode.offset),
    keyPath: ['server', 'mcp_config'],
    fields: launch.fields,
    ...(values.secrets.size ? { secrets: [...values.secrets] } : {}),
    ...(launch.unresolved.length ? { unresolved: launch.unresolved } : {}),
    ...(launch.opaqueEnv.length ? { opaqueEnv: launch.opaqueEnv } : {}),
    ...(launch.display ? { display: launch.display } : {}),
    extension: {
      id,
      ...(header.version !== undefined ? { version: header.version } : {}),
      ...(server.serverType !== undefined ? { serverType: server.serverType } : {}),
      settings: settingsFile,
    },
  };
  return { entries: [entry], diagnostics };
}

/** The manifest's name (its folder's when it has none) and version, with a warning for what Claude Desktop may not load. */
function readHeader(
  text: string,
  parsedClean: boolean,
  root: Node,
  id: string,
  lines: LineMap,
  diagnostics: FileDiagnostic[],
): { name: string; version?: string } {
  const str = (key: string): string | undefined => {
    const n = propertyValue(root, key);
    if (!n) return undefined;
    if (n.type === 'string') return n.value as string;
    diagnostics.push(misshapen(lines, n, `"${key}" must be a string`));
    return undefined;
  };
  if (parsedClean) {
    try {
      JSON.parse(text);
    } catch {
      diagnostics.push({
        severity: 'warning',
        message: 'is not strict JSON (comments or trailing commas): Claude Desktop may not load this extension',
      });
    }
  }
  const manifestVersion = str('manifest_version') ?? str('dxt_version');
  const version = str('version');
  const name = str('name') ?? id;
  if (manifestVersion !== undefined && !MANIFEST_VERSIONS.has(manifestVersion)) {
    const n = propertyValue(root, 'manifest_version') ?? propertyValue(root, 'dxt_version');
    diagnostics.push({
      severity: 'warning',
      ...(n ? lines.position(n.offset) : {}),
      message: `manifest version "${manifestVersion}" is not one of the MCPB manifest versions known here (0.1 to 0.4); read as they are`,
    });
  }
  if (version === undefined && !propertyValue(root, 'version'))
    diagnostics.push({
      severity: 'warning',
      message: 'has no "version": the installed version of this extension is not known',
    });
  return { name, ...(version !== undefined ? { version } : {}) };
}

/** The manifest's `server`: its type and its `mcp_config` object, or undefined (with why) when there is nothing to run. */
function readServer(
  root: Node,
  name: string,
  lines: LineMap,
  diagnostics: FileDiagnostic[],
): { serverType?: string; configNode: Node } | undefined {
  const serverNode = propertyValue(root, 'server');
  if (!serverNode) {
    diagnostics.push({ severity: 'error', message: `extension "${name}": has no "server": nothing to run` });
    return undefined;
  }
  if (serverNode.type !== 'object') {
    diagnostics.push(misshapen(lines, serverNode, `extension "${name}": "server" must be an object`));
    return undefined;
  }
  const typeNode = propertyValue(serverNode, 'type');
  const serverType = typeNode?.type === 'string' ? (typeNode.value as string) : undefined;
  if (typeNode && (serverType === undefined || !SERVER_TYPES.has(serverType)))
    diagnostics.push({
      severity: 'error',
      ...lines.position(typeNode.offset),
      message: `extension "${name}": "server.type" must be "node", "python", "binary" or "uv", found ${
        serverType !== undefined ? `"${serverType}"` : describeNode(typeNode)
      }`,
    });
  const configNode = propertyValue(serverNode, 'mcp_config');
  if (!configNode) {
    diagnostics.push(
      serverType === 'uv'
        ? {
            severity: 'info',
            ...lines.position(serverNode.offset),
            message: `extension "${name}": a uv extension without "server.mcp_config" is run by Claude Desktop its own way; not listed`,
          }
        : {
            severity: 'error',
            ...lines.position(serverNode.offset),
            message: `extension "${name}": has no "server.mcp_config": nothing to run`,
          },
    );
    return undefined;
  }
  if (configNode.type !== 'object') {
    diagnostics.push(misshapen(lines, configNode, `extension "${name}": "server.mcp_config" must be an object`));
    return undefined;
  }
  return { ...(serverType !== undefined ? { serverType } : {}), configNode };
}

/** The launch as written, then this OS's override of command, args and env (each replaced whole). */
function launchFields(
  doc: ReturnType<typeof parseJsoncDocument>,
  configNode: Node,
  platform: string,
  name: string,
  lines: LineMap,
  diagnostics: FileDiagnostic[],
): RawServerEntry['fields'] {
  const fields: RawServerEntry['fields'] = readFields(doc, configNode);
  delete fields.platform_overrides;
  const overrides = propertyValue(configNode, 'platform_overrides');
  if (!overrides) return fields;
  if (overrides.type !== 'object') {
    diagnostics.push(misshapen(lines, overrides, `extension "${name}": "platform_overrides" must be an object`));
    return fields;
  }
  const mine = propertyValue(overrides, platform);
  if (mine?.type === 'object') {
    const over = readFields(doc, mine);
    for (const k of ['command', 'args', 'env'] as const) if (over[k]?.value) fields[k] = over[k];
  } else if (mine)
    diagnostics.push(misshapen(lines, mine, `extension "${name}": "platform_overrides.${platform}" must be an object`));
  return fields;
}

/** The variables a launch is substituted with: real, and as shown (sensitive settings masked). */
interface SettingValues {
  real: Variables;
  shown: Variables;
  /** The values of sensitive settings: never shown, never kept. */
  secrets: Set<string>;
  /** Settings Claude Desktop keeps encrypted: their real value is not known here. */
  opaque: Set<string>;
}

/** The settings over the manifest's defaults, as Claude Desktop merges them, as variables over `base`. */
function settingValues(
  definitions: Record<string, UserConfigDefinition>,
  userConfig: Record<string, unknown>,
  base: Variables,
): SettingValues {
  const merged: Record<string, unknown> = {};
  for (const [key, d] of Object.entries(definitions)) if (d.default !== undefined) merged[key] = d.default;
  Object.assign(merged, userConfig);
  const secrets = new Set<string>();
  const opaque = new Set<string>();
  const sensitiveKeys = new Set<string>();
  for (const [key, value] of Object.entries(merged)) {
    const texts = strings(value);
    if (texts.some((t) => t.startsWith(ENCRYPTED_PREFIX))) opaque.add(key);
    if (definitions[key]?.sensitive || opaque.has(key)) {
      sensitiveKeys.add(key);
      for (const t of texts) if (t.length > 0) secrets.add(t);
    }
  }
  const real: Variables = { ...base };
  const shown: Variables = { ...base };
  for (const [key, value] of Object.entries(merged)) {
    real[`user_config.${key}`] = asVariable(value);
    shown[`user_config.${key}`] = sensitiveKeys.has(key)
      ? Array.isArray(value)
        ? value.map(() => REDACTED)
        : REDACTED
      : asVariable(value);
  }
  return { real, shown, secrets, opaque };
}

/**
 * The launch's fields with the real values substituted, the encrypted settings it uses (by variable
 * and by env key), and its command line as shown (sensitive values masked) when it is one.
 */
function substitutedLaunch(
  fields: RawServerEntry['fields'],
  values: SettingValues,
): {
  fields: RawServerEntry['fields'];
  unresolved: string[];
  opaqueEnv: string[];
  display?: { command: string; args: string[] };
} {
  const substituted: RawServerEntry['fields'] = {};
  for (const [key, field] of Object.entries(fields))
    substituted[key] = { ...field, value: replaceVariables(field.value, values.real) } as RawField;
  const opaque = [...values.opaque];
  const written = JSON.stringify([fields.command?.value, fields.args?.value, fields.env?.value]);
  const unresolved = opaque.map((k) => `\${user_config.${k}}`).filter((v) => written.includes(v));
  const env = fields.env?.value;
  const opaqueEnv =
    env && typeof env === 'object' && !Array.isArray(env)
      ? Object.entries(env as Record<string, unknown>)
          .filter(([, v]) => typeof v === 'string' && opaque.some((k) => v.includes(`\${user_config.${k}}`)))
          .map(([k]) => k)
      : [];
  const shownCommand = replaceVariables(fields.command?.value, values.shown);
  const shownArgs = replaceVariables(fields.args?.value, values.shown);
  const display =
    typeof shownCommand === 'string' && Array.isArray(shownArgs) && shownArgs.every((a) => typeof a === 'string')
      ? { command: shownCommand, args: shownArgs as string[] }
      : undefined;
  return { fields: substituted, unresolved, opaqueEnv, ...(display ? { display } : {}) };
}
