import type { ClientId, InstanceClient } from '../base/model';
import { effectiveArgv, programName } from './argv';
import { ProcessInfo } from '../pids/table';
import { ProcessTree } from './tree';

/**
 * How each MCP client looks in the process table, per OS: the one place that knows. A signature
 * matches a process when the program name is one of `programs` (lower-case, without `.exe`) or the
 * full command line matches `pattern`, and, when `requires` is set, the command line also matches it.
 */
export interface ClientSignature {
  id: ClientId;
  name: string;
  platforms?: NodeJS.Platform[];
  programs?: string[];
  pattern?: RegExp;
  requires?: RegExp;
}

const EXTENSION_HOST = /extensionHost|--type=extensionHost|--vscode-utility-kind=extensionHost/;

/** Order matters: the first signature that matches wins (more specific first). */
export const CLIENT_SIGNATURES: readonly ClientSignature[] = [
  // code-server and VS Code Server run the extension host as a node process.
  { id: 'vscode', name: 'code-server', pattern: /(^|[/\\])code-server([/\\]|$)/i, requires: EXTENSION_HOST },
  { id: 'vscode', name: 'VS Code Server', pattern: /\.vscode-server(-insiders)?[/\\]/, requires: EXTENSION_HOST },
  // Desktop editors: any process of the app (the extension host is one of its helpers).
  { id: 'cursor', name: 'Cursor', programs: ['cursor'], pattern: /Cursor\.app[/\\]|[/\\]cursor[/\\]cursor\b|Cursor Helper/i },
  { id: 'windsurf', name: 'Windsurf', programs: ['windsurf'], pattern: /Windsurf\.app[/\\]|[/\\]windsurf[/\\]windsurf\b|Windsurf Helper/i },
  { id: 'vscode-insiders', name: 'VS Code Insiders', programs: ['code-insiders'], pattern: /Visual Studio Code - Insiders\.app[/\\]|Code - Insiders Helper/ },
  { id: 'vscode', name: 'VS Code', programs: ['code'], pattern: /Visual Studio Code\.app[/\\]|Microsoft VS Code[/\\]Code\.exe|Code Helper/i },
  // Desktop apps: the main process or its helpers spawn servers.
  { id: 'claude-desktop', name: 'Claude Desktop', platforms: ['darwin'], pattern: /Claude\.app[/\\]/ },
  { id: 'claude-desktop', name: 'Claude Desktop', platforms: ['win32'], pattern: /AnthropicClaude|[/\\]Claude[/\\]Claude\.exe|app-[\d.]+[/\\]claude\.exe/i },
  { id: 'claude-desktop', name: 'Claude Desktop', platforms: ['linux'], programs: ['claude-desktop'] },
  { id: 'zed', name: 'Zed', programs: ['zed', 'zed-editor', 'zeditor', 'zed-preview'] },
  { id: 'zed', name: 'Zed', platforms: ['darwin'], pattern: /Zed\.app[/\\]/ },
  // Terminal agents: a native binary or a node script from their npm package.
  { id: 'claude-code', name: 'Claude Code', programs: ['claude'], pattern: /@anthropic-ai[/\\]claude-code[/\\]/ },
  { id: 'codex', name: 'Codex', programs: ['codex'], pattern: /@openai[/\\]codex[/\\]/ },
  { id: 'gemini-cli', name: 'Gemini CLI', programs: ['gemini'], pattern: /@google[/\\]gemini-cli[/\\]/ },
  { id: 'copilot-cli', name: 'Copilot CLI', programs: ['copilot'], pattern: /@github[/\\]copilot[/\\]/ },
];

/** Shells whose presence on a terminal means "started by hand from a terminal". */
const SHELLS = new Set(['sh', 'bash', 'zsh', 'fish', 'dash', 'ksh', 'tcsh', 'csh', 'nu', 'pwsh', 'powershell', 'cmd']);

/** The signature a process matches, if any. */
export function matchClientSignature(p: ProcessInfo, platform: NodeJS.Platform, signatures: readonly ClientSignature[] = CLIENT_SIGNATURES): ClientSignature | undefined {
  const line = p.argv.join(' ');
  const prog = programName(p.argv[0] ?? '');
  // A node script named after a client (`node /usr/lib/node_modules/.bin/claude`) counts as that program.
  const script = programName(effectiveArgv(p.argv)[0] ?? '');
  for (const sig of signatures) {
    if (sig.platforms && !sig.platforms.includes(platform)) continue;
    const byProgram = sig.programs?.includes(prog) || sig.programs?.includes(script);
    if (!byProgram && !(sig.pattern && sig.pattern.test(line))) continue;
    if (sig.requires && !sig.requires.test(line)) continue;
    return sig;
  }
  return undefined;
}

const signatureCache = new WeakMap<ProcessTree, Map<number, ClientSignature | null>>();

/**
 * The owning client of a launch: walks up from the process the client started (`root`) to the first
 * ancestor matching a client signature; else "terminal" when an ancestor is a shell on a terminal;
 * else "unknown", naming the process that started the launch (its pid groups duplicates).
 */
export function owningClient(root: ProcessInfo, tree: ProcessTree, platform: NodeJS.Platform): InstanceClient {
  const ancestors = tree.ancestors(root.pid);
  // Many instances share their client's ancestors: judge each ancestor once per tree.
  let cache = signatureCache.get(tree);
  if (!cache) signatureCache.set(tree, (cache = new Map()));
  for (const a of ancestors) {
    let sig = cache.get(a.pid);
    if (sig === undefined) cache.set(a.pid, (sig = matchClientSignature(a, platform) ?? null));
    if (sig) return { id: sig.id, name: sig.name, pid: a.pid };
    // The first interactive shell on a terminal, before any client: started by hand (even inside an editor's terminal).
    if (isInteractiveShell(a)) return { id: 'terminal', name: 'terminal', pid: a.pid };
  }
  return { id: 'unknown', name: 'unknown', pid: ancestors[0]?.pid };
}

/** A shell with no `-c` and no script: the user's prompt. A terminal is required when the table says. */
function isInteractiveShell(p: ProcessInfo): boolean {
  if (p.tty === false) return false;
  const prog = programName(p.argv[0] ?? '').replace(/^-/, '');
  if (!SHELLS.has(prog)) return false;
  return p.argv.slice(1).every((a) => a.startsWith('-') && a !== '-c' && !/^\/[ck]$/i.test(a));
}
