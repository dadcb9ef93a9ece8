import * as vscode from 'vscode';

/** Activation stays light: create the log channel and register commands; the engine runs later. */
export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('MCP Lifeguard', { log: true });
  context.subscriptions.push(log);
  log.info(`MCP Lifeguard ${context.extension.packageJSON.version as string} activated`);
  context.subscriptions.push(
    vscode.commands.registerCommand('mcpLifeguard.showLog', () => log.show()),
    vscode.commands.registerCommand('mcpLifeguard.refresh', () => log.info('refresh requested')),
  );
}

export function deactivate(): void {
  // Disposables registered on the context are released by VS Code.
}
