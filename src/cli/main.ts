import { flushedWithin } from '../guard';
import type * as GuardCli from './guardCli';
import type * as RelayCli from './relayCli';
import type { CliIo } from './io';
import type * as Commands from './run';

/** How long a finished command waits for its stderr to be read before it exits anyway. */
const STDERR_GRACE_MS = 1000;

const argv = process.argv.slice(2);
const io: CliIo = {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  env: process.env,
  cwd: process.cwd(),
};

/** The top-level usage text and version, fixed at build time from the commands bundle (scripts/build.mjs); absent when run from the sources. */
declare const LIFEGUARD_USAGE: string | undefined;
declare const LIFEGUARD_BUILD_VERSION: string | undefined;

// `--help` and `--version` print text fixed at build time and load no bundle at all; what the whole
// CLI prints for them (run.ts) is the same text, with the same exit codes.
const [first] = argv;
const usage = typeof LIFEGUARD_USAGE === 'string' ? LIFEGUARD_USAGE : undefined;
const version = typeof LIFEGUARD_BUILD_VERSION === 'string' ? LIFEGUARD_BUILD_VERSION : undefined;
const fixed =
  usage !== undefined && (first === undefined || first === 'help' || first === '--help' || first === '-h')
    ? { text: usage, code: first === undefined ? 2 : 0 }
    : version !== undefined && (first === 'version' || first === '--version' || first === '-V')
      ? { text: `${version}\n`, code: 0 }
      : undefined;

// One of two bundles (scripts/build.mjs): the guard is started once per server a client runs, and
// loads the guard alone; every other command loads the whole CLI. `require`, not `import()`: an
// import would start Node's ES module loader, which costs more memory than the guard itself.
/** `run --on-conflict share` (before the server command), not the share host itself. */
function sharing(args: string[]): boolean {
  const end = args.indexOf('--');
  const own = end < 0 ? args : args.slice(0, end);
  const i = own.indexOf('--on-conflict');
  return (own.includes('--on-conflict=share') || (i >= 0 && own[i + 1] === 'share')) && !own.includes('--share-host');
}

/**
 * A reader that closes the pipe early (`status --json | head -c 100`, `| true`) has what it wanted:
 * nothing more is written, and the command ends at once, quietly, exit 0, never with a stack trace.
 * Not for `run`: there stdout is the client's MCP stream, and the guard and the relay own its end.
 */
function quietOnClosedPipe(): void {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    process.exit(0);
  });
}

const start = (): Promise<number> => {
  if (first !== 'run') quietOnClosedPipe();
  if (fixed) {
    io.stdout(fixed.text);
    return Promise.resolve(fixed.code);
  }
  /* eslint-disable @typescript-eslint/no-require-imports */
  // A client of a shared server (`run --on-conflict share`) is a relay: lighter still (relayCli.ts).
  const cli =
    first === 'run' && sharing(argv)
      ? (require('./relayCli') as typeof RelayCli)
      : first === 'run'
        ? (require('./guardCli') as typeof GuardCli)
        : (require('./run') as typeof Commands);
  /* eslint-enable @typescript-eslint/no-require-imports */
  return cli.runCli(argv, io);
};

start().then(
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
