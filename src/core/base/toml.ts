import type * as SmolToml from 'smol-toml' with { 'resolution-mode': 'import' };

/**
 * TOML text parsed by smol-toml, loaded when first needed (most machines read no TOML). smol-toml
 * ships a CommonJS build but declares its types as ESM only: the CommonJS build, with its types.
 * Throws as smol-toml does (its error carries `line` and `column`).
 */
export function parseToml(text: string): Record<string, unknown> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('smol-toml') as typeof SmolToml).parse(text) as Record<string, unknown>;
}
