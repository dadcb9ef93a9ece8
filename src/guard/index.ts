// The guard's front door: everything the CLI (src/cli) uses from the guard, and nothing else. The CLI
// imports this file alone, never a file inside src/guard (test/unit/architecture.test.ts). Each line
// names what it re-exports, so a bundle that takes one of them (esbuild tree-shakes the rest) does not
// carry the others: the tiny `cli.js` entry takes `flushedWithin` and nothing more.
export { flushedWithin } from './host/clientStderr';
export { DEFAULT_CRASH_LOOP, type CrashLoopOptions } from './host/crashLoop';
export { RESTART_CHECKS, type RestartCheck } from './host/probe';
export { DEFAULT_STALE_POLICY, STALE_POLICIES } from './host/stalePolicies';
export { probeLaunch } from './host/versionProbe';
export { HTTP_STALE_POLICIES, type HttpStalePolicy, startHttpGuard } from './http/startHttpGuard';
export { describePortHolder } from './http/portOwner';
export { waitUntilAnswers } from './http/upstream';
export { identityOf, type ServerLaunch } from './launch';
export { runStdioGuard } from './runStdioGuard';
export { runShareClient } from './share/client';
