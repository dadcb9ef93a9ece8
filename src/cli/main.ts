import { flushedWithin } from '../guard/host/clientStderr';
import { runCli } from './run';

/** How long a finished command waits for its stderr to be read before it exits anyway. */
const STDERR_GRACE_MS = 1000;

runCli(process.argv.slice(2), {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  env: process.env,
  cwd: process.cwd(),
}).then(
  async (code) => {
    process.exitCode = code;
    // A reader that does not take our stderr (a client of `run` that never reads its server's
    // stderr, say) would keep the process alive for what waits there: it gets a moment, then the
    // process ends anyway, its work done.
    if (!(await flushedWithin(process.stderr, STDERR_GRACE_MS))) process.exit(code);
  },
  (err: unknown) => {
    process.stderr.write(`mcp-lifeguard: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 2;
  },
);
