import { HostEnv, pathFor } from '../base/hostEnv';
import { REDACTED } from '../base/redact';
import { FileDiagnostic, VariableFlavour } from './types';

export interface VariableContext {
  host: HostEnv;
  /** The workspace folder of the entry's file, when it has one. */
  workspaceFolder?: string;
}

export interface Resolved {
  /** The value after substitution: used for matching and launch keys, never shown as is. */
  value: string;
  /** The value safe to show: substitutions from environment variables that may hold secrets are redacted. */
  display: string;
  /** Variables left as written (`${input:token}`, an unset `${VAR}` with no default). */
  unresolved: string[];
  /** Substituted environment values that may be secrets (kept out of every output). */
  secrets: string[];
  /**
   * Whether a substitution came from this process's environment beyond the user's own paths and names
   * (`${env:API_BASE}`, `${PATH}`): the client's environment may hold another value.
   */
  fromAmbientEnv?: boolean;
  warnings: FileDiagnostic[];
}

/** Environment variables that hold paths and names, never credentials: shown resolved. */
const PLAIN_ENV = new Set([
  'HOME',
  'USERPROFILE',
  'USER',
  'USERNAME',
  'LOGNAME',
  'PWD',
  'SHELL',
  'TMPDIR',
  'TEMP',
  'TMP',
  'APPDATA',
  'LOCALAPPDATA',
  'PROGRAMFILES',
  'PROGRAMDATA',
  'SYSTEMROOT',
  'HOMEDRIVE',
  'HOMEPATH',
  'CODEX_HOME',
  'COPILOT_HOME',
]);

function isPlainEnv(name: string): boolean {
  return PLAIN_ENV.has(name.toUpperCase()) || name.toUpperCase().startsWith('XDG_');
}

type Lookup = { kind: 'value'; value: string; fromEnv?: string } | { kind: 'unresolved' };

/**
 * Expands the variables a client documents in one string value. Each flavour follows its client:
 * VS Code and Cursor `${name}` / `${env:NAME}` forms, Claude Code's `${VAR}` and `${VAR:-default}`,
 * Gemini CLI's `$VAR` and `${VAR}`, opencode's `{env:NAME}`. What cannot be known here (`${input:...}`, `${command:...}`,
 * `${config:...}`, an unset variable with no default) is left as written and listed as unresolved.
 */
export function resolveVariables(text: string, flavour: VariableFlavour, ctx: VariableContext): Resolved {
  const out: Resolved = { value: '', display: '', unresolved: [], secrets: [], warnings: [] };
  if (flavour === 'none') {
    out.value = out.display = text;
    return out;
  }
  if (flavour === 'continue') {
    // Continue fills these from its own secret store and inputs at run time: nothing to resolve here.
    out.value = out.display = text;
    for (const m of text.matchAll(/\$\{\{[^}]*\}\}/g)) if (!out.unresolved.includes(m[0])) out.unresolved.push(m[0]);
    return out;
  }
  const pattern =
    flavour === 'dollar'
      ? /\$\{([^}]+)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g
      : flavour === 'opencode'
        ? /\{((?:env|file):[^}]*)\}/g
        : /\$\{([^}]+)\}/g;
  let last = 0;
  for (const m of text.matchAll(pattern)) {
    const literal = text.slice(last, m.index);
    out.value += literal;
    out.display += literal;
    last = m.index + m[0].length;
    const inner = m[1] ?? m[2];
    const found = lookup(inner, flavour, ctx);
    if (found.kind === 'unresolved') {
      out.value += m[0];
      out.display += m[0];
      if (!out.unresolved.includes(m[0])) out.unresolved.push(m[0]);
      continue;
    }
    out.value += found.value;
    if (found.fromEnv !== undefined && !isPlainEnv(found.fromEnv)) out.fromAmbientEnv = true;
    if (found.fromEnv !== undefined && !isPlainEnv(found.fromEnv) && found.value.length > 0) {
      out.display += REDACTED;
      out.secrets.push(found.value);
    } else {
      out.display += found.value;
    }
  }
  out.value += text.slice(last);
  out.display += text.slice(last);
  return out;
}

function lookup(inner: string, flavour: VariableFlavour, ctx: VariableContext): Lookup {
  const p = pathFor(ctx.host);
  const env = (name: string): Lookup => {
    const v = ctx.host.env[name];
    return v === undefined ? { kind: 'unresolved' } : { kind: 'value', value: v, fromEnv: name };
  };
  if (flavour === 'vscode' || flavour === 'cursor') {
    if (inner === 'userHome') return { kind: 'value', value: ctx.host.home };
    if (inner === 'workspaceFolder')
      return ctx.workspaceFolder ? { kind: 'value', value: ctx.workspaceFolder } : { kind: 'unresolved' };
    if (inner === 'workspaceFolderBasename')
      return ctx.workspaceFolder ? { kind: 'value', value: p.basename(ctx.workspaceFolder) } : { kind: 'unresolved' };
    if (inner === 'pathSeparator' || inner === '/') return { kind: 'value', value: p.sep };
    if (inner.startsWith('env:')) {
      // VS Code substitutes an unset variable with the empty string.
      const name = inner.slice(4);
      const v = ctx.host.env[name];
      return { kind: 'value', value: v ?? '', fromEnv: name };
    }
    return { kind: 'unresolved' }; // input:, config:, command:, workspaceFolder:name...
  }
  if (flavour === 'opencode') {
    // opencode substitutes `{env:NAME}` with the variable, or nothing when it is unset.
    if (!inner.startsWith('env:')) return { kind: 'unresolved' };
    const name = inner.slice(4);
    return { kind: 'value', value: ctx.host.env[name] ?? '', fromEnv: name };
  }
  // shell and dollar flavours: VAR or VAR:-default
  const m = /^([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?$/s.exec(inner);
  if (!m) return { kind: 'unresolved' };
  const found = env(m[1]);
  // As in the shell, `:-` takes the default when the variable is unset or empty.
  if (m[2] !== undefined && flavour === 'shell' && (found.kind === 'unresolved' || found.value === ''))
    return { kind: 'value', value: m[2] };
  return found;
}
