import * as os from 'node:os';
import { liveInstallFacts } from '../../core/actions/applyInstall';
import { DEFAULT_GRACE_MS, defaultStopDeps } from '../../core/actions/stop';
import { currentHostEnv } from '../../core/machine/live';
import { lifeguardPaths } from '../../core/base/paths';
import { Engine, engineMachine } from '../../core/snapshot/engine';
import { takeSettled } from '../../core/snapshot/settle';
import { watchedMachine } from '../../core/snapshot/sides';
import { CliIo } from '../io';
import { WORKSPACE_OPTION, workspacesOf } from '../workspaces';
import { CommandSpec, parseOptions } from '../options';
import { runCaptured } from './installRun';
import type * as Agent from '../../agent/serveStdio';

export const MCP_COMMAND = {
  name: 'mcp',
  summary: [
    'Serve MCP Lifeguard to an agent: an MCP server on stdio with the tools',
    'list_servers, explain, restart_server, stop_instance and kill_duplicates',
  ],
  options: {
    workspace: WORKSPACE_OPTION,
    'trust-workspace': {
      type: 'boolean',
      description: 'Trust workspace files: let the tools signal instances only their entries list, and ask their URLs',
    },
    'remote-window': {
      type: 'string',
      value: 'NAME',
      description:
        'Serve a VS Code remote window (its env.remoteName: wsl, ssh-remote, dev-container...): its user servers run on the local machine and are listed, never judged here',
    },
    grace: { type: 'seconds', default: DEFAULT_GRACE_MS / 1000, description: 'Seconds between SIGTERM and SIGKILL' },
    'watch-interval': {
      type: 'seconds',
      default: 5,
      positive: true,
      description: 'Seconds between looks while a client subscribes to lifeguard://snapshot',
    },
  },
} as const satisfies CommandSpec;

/** `mcp-lifeguard mcp [--workspace DIR]... [--trust-workspace] [--remote-window NAME]`: runs until the client closes stdin. */
export async function mcpCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseOptions(args, MCP_COMMAND.options);
  const workspaces = await workspacesOf(values.workspace, io);
  const host = currentHostEnv(io.env);
  // One engine for the life of the server: each look re-checks what changed since the last.
  const engine = new Engine(engineMachine(host));
  // Started by a remote window's extension: this machine is that window's remote side.
  const watching = watchedMachine(values['remote-window'], host, os.hostname());
  const take = () =>
    engine.snapshot({
      workspaceFolders: workspaces.folders,
      workspaceFiles: workspaces.files,
      workspaceTrusted: values['trust-workspace'],
      watching,
    });
  const log = (line: string) => io.stderr(`mcp-lifeguard mcp: ${line}\n`);
  // The agent face and its SDK load only for this command, from a bundle of their own (cli-agent.js):
  // zod and the SDK's schemas cost to load, and would double the size of every other command's bundle.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { serveAgentOnStdio } = require('../../agent/serveStdio') as typeof Agent;
  await serveAgentOnStdio({
    // A verdict never reports half of an install: each look waits for files to settle, but an
    // agent's call is not held long (past 10 s the verdict says it is settling).
    snapshot: () => takeSettled(take, { maxWaitMs: 10_000 }),
    locksDir: lifeguardPaths(host).locks,
    home: host.home,
    trustWorkspace: values['trust-workspace'],
    graceMs: values.grace,
    restartTimeoutMs: 120_000,
    stopDeps: defaultStopDeps(),
    installs: {
      facts: liveInstallFacts(io.env, process.platform),
      run: (c) => runCaptured(c, io.cwd, io.env, (line) => log(`installer: ${line}`)),
      paths: lifeguardPaths(host),
    },
    watchIntervalMs: values['watch-interval'],
    log,
  });
  return 0;
}
