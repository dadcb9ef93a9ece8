// What the bundles use for `@modelcontextprotocol/server/_shims` (see scripts/build.mjs): the SDK's
// Node shims, with the JSON Schema validator its Workers build uses instead of Ajv.
export { CfWorkerJsonSchemaValidator as DefaultJsonSchemaValidator } from '@modelcontextprotocol/server/validators/cf-worker';
export { default as process } from 'node:process';
