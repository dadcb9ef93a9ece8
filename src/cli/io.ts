/** What a command may touch of the outside world: passed in so commands are testable in-process. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** Thrown for a bad command line: printed with the usage, exit code 2. */
export class UsageError extends Error {}
