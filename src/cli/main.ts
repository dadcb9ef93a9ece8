import type * as GuardCli from './guardCli';
import type { CliIo } from './io';
import type * as Commands from './run';

const argv = process.argv.slice(2);
const io: CliIo = {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  env: process.env,
  cwd: process.cwd(),
};

// One of two bundles (scripts/build.mjs): the guard is started once per server a client runs, and
// loads the guard alone; every other command loads the whole CLI. `require`, not `import()`: an
// import would start Node's ES module loader, which costs more memory than the guard itself.
/* eslint-disable @typescript-eslint/no-require-imports */
const cli = argv[0] === 'run' ? (require('./guardCli') as typeof GuardCli) : (require('./run') as typeof Commands);
/* eslint-enable @typescript-eslint/no-require-imports */

cli
  .runCli(argv, io)
  .then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`mcp-lifeguard: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 2;
    },
  );
