import { pathFor } from '../base/hostEnv';
import { CliExtensionFlavour } from './cliExtensions';
import { fileResult, parseJsoncDocument, propertyValue, readServersOf } from './jsonc';
import { asAddOnEntry } from './addOnEntry';
import { Adapter, AdaptResult } from './types';

/**
 * The servers a Gemini CLI or Qwen Code extension's manifest declares (its `mcpServers`), read as
 * the client reads them: each named as it is there (`gemini mcp list` prints `NAME (from EXTENSION)`),
 * its extension's variables replaced as the client replaces them before anything else:
 * `${extensionPath}` (and Qwen Code's `${CLAUDE_PLUGIN_ROOT}`) the folder it loads the extension
 * from, `${/}` and `${pathSeparator}` the path separator; then `$VAR` and `${VAR}` are the
 * environment's, as in the client's settings (`${workspacePath}`, the folder a session runs in, is
 * left as written). A manifest the client skips is one problem, with its reason; an extension the
 * enablement rules leave off where the user works has its servers listed as disabled.
 */
export function cliExtensionAdapter(flavour: CliExtensionFlavour): Adapter {
  return (text, _file, input): AdaptResult => {
    const extension = input.addOn;
    // The row hands every manifest its extension; a file without one declares no extension's servers.
    if (extension?.kind !== 'cli-extension') return { entries: [], diagnostics: [] };
    if (extension.state.kind === 'skipped')
      return { entries: [], diagnostics: [{ severity: 'error', message: extension.state.reason }] };
    const { ref, enabled } = extension.state;
    const doc = parseJsoncDocument(text);
    const declared = doc.root ? propertyValue(doc.root, 'mcpServers') : undefined;
    if (!declared) return fileResult(doc, { diagnostics: [] }, []);
    const map = readServersOf(doc, declared, ['mcpServers'], { addOn: ref });
    const variables = new Map<string, string>([
      ...flavour.rootVariables.map((name): [string, string] => [name, ref.root]),
      ['/', pathFor(input.host).sep],
      ['pathSeparator', pathFor(input.host).sep],
    ]);
    const hydrate = (s: string) => s.replace(/\$\{(.*?)\}/g, (whole, name: string) => variables.get(name) ?? whole);
    return fileResult(
      doc,
      map,
      // An entry of an extension that is off is off; one that is on keeps its own `disabled`.
      map.entries.map(({ entry }) => asAddOnEntry(entry, hydrate, enabled ? undefined : { value: true })),
    );
  };
}
