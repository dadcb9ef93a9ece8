import { ClientRules, RawServerEntry, Rejection } from './types';

/**
 * The Amazon Q Developer CLI's reading of a server of one of its agents (aws/amazon-q-developer-cli
 * at 15cc8f3, its last open-source commit: `CustomToolConfig` and `McpClientService::into_running_service`):
 * `type` is `stdio`, the default, or `http`; a stdio server with no `command` and an http one with no
 * `url` are "malformed" and not started; `disabled` turns a server off, while `enabled` and `cwd` are
 * no fields it has (a server runs in the CLI's own folder). Only its agents are read so: its
 * `mcp.json` files are read by its IDE plugins too, by other rules.
 */
export const AMAZON_Q_CLI_RULES: ClientRules = {
  rejects: amazonQCliRejects,
  ignores: ['enabled', 'cwd'],
};

function amazonQCliRejects(entry: RawServerEntry): Rejection | undefined {
  const f = entry.fields;
  const type = f.type?.value ?? 'stdio';
  if (type === 'http') return nonEmpty(f.url?.value) ? undefined : malformed('http', 'url', 'url');
  if (type === 'stdio' && !nonEmpty(f.command?.value)) return malformed('stdio', 'command', f.url ? 'url' : 'command');
  return undefined;
}

function nonEmpty(value: unknown): boolean {
  return typeof value === 'string' && value !== '';
}

/** The CLI's own words (`McpClientError::MalformedConfig`). */
function malformed(type: string, missing: string, field: string): Rejection {
  return {
    reason: `Amazon Q CLI: "MCP config is malformed: transport type is specified to be ${type} but ${missing} is empty"`,
    field,
  };
}
