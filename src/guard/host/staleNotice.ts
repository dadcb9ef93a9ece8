import type { RequestId } from '@modelcontextprotocol/server';
import { createScanner, SyntaxKind } from 'jsonc-parser';
import { isRecord } from '../../core/base/isRecord';
import { quoted } from '../../core/base/modelText';
import { terminalSafe } from '../../core/base/terminalSafe';
import { causeWords } from '../../core/report/causes';
import { ResolvedVersion } from './staleness';

/**
 * `--when-stale annotate`: what the guard tells the model, and the one change it makes to a
 * server's answer to do so. The model drives these servers and reads tool results, not the
 * guard's stderr: a text block appended to a `tools/call` result is the only place it hears that
 * it talks to old code. Nothing else of the answer is touched: the block goes in right before the
 * closing `]` of `result.content`, so every byte the server wrote stays as it wrote it.
 */

/**
 * Response lines at least this long are relayed byte for byte, never annotated: annotating means
 * holding the whole line and parsing it, and a multi-MiB result (a file, a screenshot) must keep
 * streaming through without being held or parsed (the same bound as messages.ts LARGE_LINE_BYTES,
 * above which the relay does not parse a line at all).
 */
export const MAX_ANNOTATED_LINE_BYTES = 256 * 1024;

const PREFIX = '[MCP Lifeguard]';

/** A name fit for one line of text, quoted for a shell when it is not a plain word. */
function shellWord(name: string): string {
  return /^[\w.@/:+-]+$/.test(name) ? name : `'${name.replace(/'/g, `'\\''`)}'`;
}

/**
 * What a verdict that asks for a restart means for the model, and what to do about it. `said` is
 * the engine's words for it with its values quoted (core/report/evidence.ts describeVerdict with
 * `quoted`: the package, versions, moved dependencies, changed files of the package), and the
 * server's name is quoted too: a version or name that reads like a sentence stays a value. Control
 * and bidi characters are escaped (the text may also end up in a terminal).
 */
export function staleNoticeText(said: string, serverName: string): string {
  return terminalSafe(
    `${PREFIX} This server (${quoted(serverName)}): ${said.replace(/\.$/, '')}. Restart it to load the installed code: run \`mcp-lifeguard restart ${shellWord(serverName)}\`, or use Restart in the MCP Lifeguard view in VS Code. The guard restarts it without ending this session.`,
  );
}

/**
 * What every request is answered with while the server is down (the guard gave up starting it): no
 * server runs, so no result carries a notice and no `--when-stale` policy is asked (the cause's
 * `guard` is `answer`). The reason carries the line of the server's last output that names its error.
 */
export function downAnswer(serverName: string, reason: string): string {
  return `${serverName} is ${causeWords('down').label}: ${reason}`;
}

/** A newer release in the registry than the one installed (from the cached daily check). */
export interface UpdateAvailableNotice {
  name: string;
  installed: string;
  latest: string;
}

/** A newer release than `installed` the registry cache knows of (read from disk only), or undefined. */
export type UpdateLookup = (
  installed: ResolvedVersion & { state: 'known' },
) => Promise<UpdateAvailableNotice | undefined>;

export function updateNoticeText(update: UpdateAvailableNotice): string {
  return terminalSafe(
    `${PREFIX} A newer release of ${quoted(update.name)} is available: ${quoted(update.latest)} (installed ${quoted(update.installed)}).`,
  );
}

/**
 * The line with one text block per notice appended to `result.content`, when the line is the
 * answer to a `tools/call` (`isToolCall` says so by its id) that has a `content` array; otherwise
 * undefined, and the line goes out unchanged. Untouched: error responses, other methods' answers,
 * results without a `content` array, lines of MAX_ANNOTATED_LINE_BYTES or more, anything not JSON.
 * `notices` may depend on the answer's id (a shared server's clients each hear a notice once).
 */
export function annotateToolResult(
  line: Buffer,
  notices: readonly string[] | ((id: RequestId) => readonly string[]),
  isToolCall: (id: RequestId) => boolean,
): Buffer | undefined {
  if ((Array.isArray(notices) && notices.length === 0) || line.length >= MAX_ANNOTATED_LINE_BYTES) return undefined;
  let message: unknown;
  try {
    message = JSON.parse(line.toString('utf8'));
  } catch {
    return undefined;
  }
  if (!isRecord(message) || message.jsonrpc !== '2.0' || 'error' in message || 'method' in message) return undefined;
  const id = message.id;
  if ((typeof id !== 'string' && typeof id !== 'number') || !isToolCall(id)) return undefined;
  const texts = typeof notices === 'function' ? notices(id) : notices;
  if (texts.length === 0) return undefined;
  const result = message.result;
  if (!isRecord(result) || !Array.isArray(result.content)) return undefined;
  const close = contentArrayEnd(line);
  if (close === undefined) return undefined;
  const blocks = texts.map((text) => JSON.stringify({ type: 'text', text })).join(',');
  const insert = Buffer.from(`${result.content.length > 0 ? ',' : ''}${blocks}`, 'utf8');
  return Buffer.concat([line.subarray(0, close), insert, line.subarray(close)]);
}

/**
 * The byte offset of the `]` that closes `result.content`, or undefined when the line does not have
 * that shape (or names `result`, or its `content`, twice: which one JSON.parse kept is then not
 * worth guessing). One pass over jsonc-parser's tokens with an explicit stack: a server's result
 * may nest thousands of levels deep, and a recursive parse ran out of stack (RangeError) on 6,000.
 */
export function contentArrayEnd(line: Buffer): number | undefined {
  const text = line.toString('utf8');
  // jsonc-parser's offsets are of the decoded text: only a line that encodes back to its own bytes maps them back.
  if (!Buffer.from(text, 'utf8').equals(line)) return undefined;
  const scanner = createScanner(text, true);
  /** The open containers, outermost first: true for an object. */
  const objects: boolean[] = [];
  /** In an object: whether the next string is a member's name. */
  let atKey = false;
  /** The name of the member whose value comes next (in an object). */
  let member: string | undefined;
  /** Whether the container at depth 2 is the value of the top-level `result`. */
  let inResult = false;
  let results = 0;
  let contents = 0;
  /** The depth of `result.content`'s array while it is open, and the offset of its `]`. */
  let contentDepth = -1;
  let close: number | undefined;
  for (let token = scanner.scan(); token !== SyntaxKind.EOF; token = scanner.scan()) {
    if (scanner.getTokenError() !== 0) return undefined;
    switch (token) {
      case SyntaxKind.OpenBraceToken:
      case SyntaxKind.OpenBracketToken: {
        const isObject = token === SyntaxKind.OpenBraceToken;
        if (objects.length === 1 && member === 'result') inResult = isObject;
        if (objects.length === 2 && inResult && member === 'content' && !isObject) contentDepth = 3;
        objects.push(isObject);
        atKey = isObject;
        member = undefined;
        break;
      }
      case SyntaxKind.CloseBraceToken:
      case SyntaxKind.CloseBracketToken:
        if (objects.length === contentDepth) {
          close = scanner.getTokenOffset();
          contentDepth = -1;
        }
        objects.pop();
        if (objects.length === 1) inResult = false;
        atKey = false;
        member = undefined;
        break;
      case SyntaxKind.CommaToken:
        atKey = objects[objects.length - 1] === true;
        member = undefined;
        break;
      case SyntaxKind.ColonToken:
        break;
      case SyntaxKind.StringLiteral:
        if (atKey) {
          member = scanner.getTokenValue();
          atKey = false;
          if (objects.length === 1 && member === 'result') results++;
          if (objects.length === 2 && inResult && member === 'content') contents++;
          break;
        }
        member = undefined;
        break;
      case SyntaxKind.NumericLiteral:
      case SyntaxKind.TrueKeyword:
      case SyntaxKind.FalseKeyword:
      case SyntaxKind.NullKeyword:
        member = undefined;
        break;
      default:
        // Trivia is skipped by the scanner; anything else (comments, unknown tokens) is not JSON.
        return undefined;
    }
  }
  if (results !== 1 || contents !== 1 || close === undefined) return undefined;
  return Buffer.byteLength(text.slice(0, close), 'utf8');
}
