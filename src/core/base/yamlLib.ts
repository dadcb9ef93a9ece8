import type * as Yaml from 'yaml';

/**
 * The YAML library, loaded when a YAML config is first read or written: most machines have none,
 * and it is a fifth of the engine. The package ships it as a file of its own (`dist/engine-yaml.js`,
 * scripts/build.mjs), so a process that never meets a YAML config never reads it either.
 */
let yamlLib: typeof Yaml | undefined;

export function yaml(): typeof Yaml {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (yamlLib ??= require('yaml') as typeof Yaml);
}
