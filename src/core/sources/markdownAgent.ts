import { adaptYamlServerMap } from './continueYaml';
import { jsonServerMapAdapter } from './jsonc';
import { AdaptResult } from './types';

/**
 * An agent file of Kiro's (`.kiro/agents/`, `~/.kiro/agents/`): JSON with `mcpServers`, or Markdown
 * whose YAML front matter holds the same map (the agent's prompt is the body). A Markdown file with
 * no front matter (a prompt kept beside the agents) defines no servers.
 */
export function adaptAgentFile(text: string, file: string): AdaptResult {
  if (!/\.md$/i.test(file)) return agentJson(text);
  const front = frontMatter(text);
  return front === undefined ? { entries: [], diagnostics: [] } : adaptYamlServerMap(front);
}

const agentJson = jsonServerMapAdapter(['mcpServers']);

/**
 * The front matter of a Markdown file (from a first line `---` to the next line `---`) as YAML of
 * the same length up to its end, its opening `---` blanked: a position in it is the position in the
 * file. Undefined when the file has none, or it is never closed.
 */
function frontMatter(text: string): string | undefined {
  const open = /^\uFEFF?---[ \t]*(?=\r?\n)/.exec(text);
  if (!open) return undefined;
  const rest = text.slice(open[0].length);
  const end = /^---[ \t]*\r?$/m.exec(rest);
  if (!end) return undefined;
  return ' '.repeat(open[0].length) + rest.slice(0, end.index);
}
