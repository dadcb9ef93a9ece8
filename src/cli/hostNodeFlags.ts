/**
 * Node flags for the share host, a process MCP Lifeguard starts itself and that lives as long as any
 * client of its server does (days). A host relays small JSON-RPC messages: V8's optimizing compiler
 * buys it nothing measurable per call, and the code it compiles stays. With these flags a share host
 * holds about 2 MiB less once started and 15.6 MiB instead of 18.5 to 19.9 after 3,000 calls through
 * its front (docs/benchmarks.md, Share). The young generation capped at 1 MiB keeps a quiet host
 * from holding the 4 MiB V8 reserves for it by default. Clients start the relays and stdio guards
 * themselves (`node cli.js run`): these flags apply only where we write the command line.
 */
export const HOST_NODE_FLAGS: readonly string[] = ['--no-opt', '--max-semi-space-size=1'];

/** `execArgv` (the flags this process was started with) followed by the host's own, each once. */
export function hostExecArgv(execArgv: readonly string[]): string[] {
  return [...execArgv, ...HOST_NODE_FLAGS.filter((f) => !execArgv.includes(f))];
}
