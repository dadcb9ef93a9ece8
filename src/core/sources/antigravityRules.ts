import { ClientRules, RawServerEntry, Rejection } from './types';

/**
 * Antigravity's reading of an entry of `mcp_config.json` (its `agy` and its app's language server,
 * one Go loader), as stbenjam/skillsaw's `antigravity-mcp-valid` measured it against `agy` 1.1.25: a
 * server whose fields are not of their types is dropped silently, the rest of the file still loads;
 * `disabled` turns a server off and `enabled` is no key it reads.
 */
export const ANTIGRAVITY_RULES: ClientRules = {
  rejects: antigravityRejects,
  ignores: ['enabled'],
};

function antigravityRejects(entry: RawServerEntry): Rejection | undefined {
  const f = entry.fields;
  const args = f.args?.value;
  if (f.args !== undefined && !(Array.isArray(args) && args.every((a) => typeof a === 'string')))
    return dropped('"args" is not a list of strings', 'args');
  const env = f.env?.value;
  if (f.env !== undefined && !(isObject(env) && Object.values(env).every((v) => typeof v === 'string')))
    return dropped('"env" is not an object of strings', 'env');
  if (f.serverUrl !== undefined && typeof f.serverUrl.value !== 'string')
    return dropped('"serverUrl" is not a string', 'serverUrl');
  if (f.disabledTools !== undefined) {
    const tools = f.disabledTools.value;
    if (!Array.isArray(tools) || tools.some((t) => typeof t !== 'string'))
      return dropped('"disabledTools" is not a list of strings', 'disabledTools');
  }
  if (f.authProviderType !== undefined && f.authProviderType.value !== 'google_credentials')
    return dropped('"authProviderType" is not "google_credentials"', 'authProviderType');
  return undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function dropped(reason: string, field: string): Rejection {
  return { reason: `Antigravity drops it: ${reason}`, field };
}
