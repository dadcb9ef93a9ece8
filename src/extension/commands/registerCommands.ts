import * as vscode from 'vscode';
import { CommandId, CommandIdValue } from '../commandIds';
import { Services } from '../services';
import { createWorkspaceMcpJson } from './createWorkspaceMcpJson';
import { openConfig, openProblem, showEvidence, copyPid, copyCommandLine, showServerLog } from './inspect';
import { hideProcess, showHiddenProcesses } from './hiddenProcesses';
import { filterClients } from './filterClients';
import { addToConfig } from './addToConfig';
import { startServer } from './startServer';
import { restartInstance, stopInstance } from './instanceActions';
import { killDuplicates } from './killDuplicates';
import { restartAllStale } from './restartAllStale';
import { restartServer } from './restartServer';
import { stopServer } from './stopServer';
import { refresh, showLog, showView } from './view';
import { unwrapGuard, wrapWithGuard } from './wrapWithGuard';
import { shareOneInstance, unshareServer } from './shareOneInstance';
import { rollbackServer, upgradeServer } from './versionActions';
import { showVersions } from './showVersions';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each command takes what its callers pass (node, id, position)
type Handler = (svc: Services, ...args: any[]) => unknown;

/** Every command, registered from one table; the manifest test checks the same ids. */
const COMMANDS: Record<CommandIdValue, Handler> = {
  [CommandId.restartServer]: restartServer,
  [CommandId.restartAllStale]: restartAllStale,
  [CommandId.killDuplicates]: killDuplicates,
  [CommandId.stopServer]: stopServer,
  [CommandId.refresh]: refresh,
  [CommandId.wrapWithGuard]: wrapWithGuard,
  [CommandId.unwrapGuard]: unwrapGuard,
  [CommandId.shareOneInstance]: shareOneInstance,
  [CommandId.unshareServer]: unshareServer,
  [CommandId.upgradeServer]: upgradeServer,
  [CommandId.rollbackServer]: rollbackServer,
  [CommandId.showVersions]: showVersions,
  [CommandId.showLog]: showLog,
  [CommandId.showView]: showView,
  [CommandId.showHiddenProcesses]: showHiddenProcesses,
  [CommandId.filterClients]: filterClients,
  [CommandId.restartInstance]: restartInstance,
  [CommandId.stopInstance]: stopInstance,
  [CommandId.openConfig]: openConfig,
  [CommandId.openProblem]: openProblem,
  [CommandId.showEvidence]: showEvidence,
  [CommandId.copyPid]: copyPid,
  [CommandId.copyCommandLine]: copyCommandLine,
  [CommandId.hideProcess]: hideProcess,
  [CommandId.addToConfig]: addToConfig,
  [CommandId.showServerLog]: showServerLog,
  [CommandId.startServer]: startServer,
  [CommandId.createWorkspaceMcpJson]: createWorkspaceMcpJson,
};

export function registerCommands(svc: Services): vscode.Disposable[] {
  return Object.entries(COMMANDS).map(([id, handler]) =>
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        return await handler(svc, ...args);
      } catch (err) {
        // A failing command says so and leaves its trace in the log, never a silent no-op.
        svc.log.error(`${id} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
        void vscode.window.showErrorMessage(`MCP Lifeguard: ${err instanceof Error ? err.message : String(err)}`);
        return undefined;
      }
    }),
  );
}
