import { optionTable } from '../options';

/** `node [options] script`, from `node --help` (Node 20): string options take the next token or `=value`; `-e`/`-p` run inline code. */
export const NODE = optionTable({
  value: [
    '--allow-fs-read',
    '--allow-fs-write',
    '--build-snapshot-config',
    '-C',
    '--conditions',
    '--cpu-prof-dir',
    '--cpu-prof-interval',
    '--cpu-prof-name',
    '--diagnostic-dir',
    '--disable-proto',
    '--disable-warning',
    '--dns-result-order',
    '--env-file',
    '--env-file-if-exists',
    '--experimental-default-type',
    '--experimental-policy',
    '--experimental-sea-config',
    '--heap-prof-dir',
    '--heap-prof-interval',
    '--heap-prof-name',
    '--heapsnapshot-near-heap-limit',
    '--heapsnapshot-signal',
    '--icu-data-dir',
    '--import',
    '--input-type',
    '--inspect-publish-uid',
    '--max-http-header-size',
    '--openssl-config',
    '--policy-integrity',
    '--redirect-warnings',
    '--report-filename',
    '--report-signal',
    '-r',
    '--require',
    '--secure-heap',
    '--secure-heap-min',
    '--snapshot-blob',
    '--test-concurrency',
    '--test-name-pattern',
    '--test-reporter',
    '--test-reporter-destination',
    '--test-shard',
    '--test-timeout',
    '--title',
    '--tls-cipher-list',
    '--tls-keylog',
    '--trace-event-categories',
    '--trace-event-file-pattern',
    '--unhandled-rejections',
    '--use-largepages',
    '--v8-pool-size',
    '--watch-path',
    '--loader',
    '--experimental-loader',
    '--inspect-port',
    '--debug-port',
  ],
  runs: ['-e', '--eval', '-p', '--print'],
});

/**
 * `deno run|serve [options] script` (deno 2 `deno run --help`, `deno serve --help`): most values are
 * written `--x=value`; these also take the next token (`--port` and `--host` are `deno serve`'s).
 */
export const DENO_RUN = optionTable({
  value: [
    '-c',
    '--config',
    '--import-map',
    '--lock',
    '--cert',
    '--location',
    '--seed',
    '--ext',
    '-L',
    '--log-level',
    '--port',
    '--host',
  ],
});

/** `tsx [watch] [options] script`: node's options, and tsx's own that take a value (tsx 4 `tsx --help`). */
export const TSX = optionTable({
  value: [
    ...[...NODE.options].filter(([, k]) => k === 'value').map(([o]) => o),
    '--tsconfig',
    '--include',
    '--exclude',
    '--ignore',
  ],
  runs: ['-e', '--eval', '-p', '--print'],
});
