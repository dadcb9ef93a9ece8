import * as vscode from 'vscode';
import { HiddenProcess, readHiddenList, withHidden } from './viewModel/hiddenProcesses';

/** The globalState key of the hidden list: one list for every window and workspace of this user. */
const STATE_KEY = 'mcpLifeguard.hiddenProcesses';

/**
 * The Not configured processes the user hid, kept in the extension's globalState (so a reload and
 * every window keep them) as identities and a few words, never command lines
 * (viewModel/hiddenProcesses.ts). `mcpLifeguard.hasHidden` tells menus whether there is any to show again.
 */
export class HiddenProcesses implements vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.emitter.event;

  constructor(private readonly state: vscode.Memento) {
    void this.publish();
  }

  list(): HiddenProcess[] {
    return readHiddenList(this.state.get(STATE_KEY));
  }

  keys(): ReadonlySet<string> {
    return new Set(this.list().map((e) => e.key));
  }

  async hide(entry: HiddenProcess): Promise<void> {
    await this.save(withHidden(this.list(), entry));
  }

  /** Shows the processes of `keys` again; every hidden one when `keys` is undefined. */
  async unhide(keys?: ReadonlySet<string>): Promise<void> {
    await this.save(keys ? this.list().filter((e) => !keys.has(e.key)) : []);
  }

  private async save(list: HiddenProcess[]): Promise<void> {
    await this.state.update(STATE_KEY, list.length > 0 ? list : undefined);
    await this.publish();
    this.emitter.fire();
  }

  private async publish(): Promise<void> {
    await vscode.commands.executeCommand('setContext', 'mcpLifeguard.hasHidden', this.list().length > 0);
  }

  dispose(): void {
    this.emitter.dispose();
  }
}
