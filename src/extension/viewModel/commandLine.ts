import { redactCommandText } from '../../core/base/redact';
import { splitShellWords } from '../../core/launch/shellWords';
import { VmInstance } from '../../core/report/input';

/**
 * The command line Copy Command Line puts on the clipboard: the snapshot's, already redacted by the
 * engine, redacted once more word by word as a shell splits it (core/base/redact.ts), so a copy never carries a token shape
 * or a secret-named value, whatever path it came by. Env values are never in it: the snapshot keeps none.
 */
export function commandLineToCopy(i: Pick<VmInstance, 'commandLine'>): string | undefined {
  return i.commandLine ? redactCommandText(i.commandLine, splitShellWords(i.commandLine)) : undefined;
}
