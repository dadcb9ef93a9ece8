import * as vscode from 'vscode';
import { Services } from '../services';

/**
 * Wrap Server with Guard... needs the guard (`mcp-lifeguard run`) installed at its stable path.
 * Until this build ships it, the command says so instead of editing configs.
 */
export async function wrapWithGuard(svc: Services): Promise<void> {
  if (!svc.guardAvailable()) {
    void vscode.window.showInformationMessage('Wrap with Guard needs the guard (`mcp-lifeguard run`), which this version of MCP Lifeguard does not include yet.');
  }
}

export const unwrapGuard = wrapWithGuard;
