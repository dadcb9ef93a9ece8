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
  if (f.args !== undefined) {
    const args = f.args.value;
    if (!Array.isArray(args)) return dropped('"args" is not a list', 'args');
    if (args.some((a) => typeof a !== 'string')) return dropped('an element of "args" is not a string', 'args');
  }
  if (f.env !== undefined) {
    const env = f.env.value;
    if (env === null || typeof env !== 'object' || Array.isArray(env)) return dropped('"env" is not an object', 'env');
    if (Object.values(env).some((v) => typeof v !== 'string'))
      return dropped('a value of "env" is not a string', 'env');
  }
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

function dropped(reason: string, field: string): Rejection {
  return { reason: `Antigravity drops it: ${reason}`, field };
}
