import { currentHostEnv } from '../../core/machine/live';
import { terminalSafe } from '../../core/base/terminalSafe';
import { versionDoctor } from '../../core/report/versionDoctor';
import { engineMachine } from '../../core/snapshot/engine';
import { gatherVersionFacts } from '../../core/snapshot/versionFacts';
import { doctorText } from '../format/doctor';
import { CliIo, UsageError } from '../io';
import { CommandSpec, parseOptions } from '../options';
import { lookFor, oneLineEach } from './installRun';
import { ACTION_OPTIONS } from './stop';

export const DOCTOR_COMMAND = {
  name: 'doctor',
  operands: 'SERVER',
  summary: [
    "Every source of a server's version in one answer, read-only: what each",
    'instance runs and why, each copy installed (global, project, npx/uvx',
    "caches, uv tool, pipx), each entry's pin, and the newest release",
  ],
  options: {
    json: { type: 'boolean', description: 'Print the answer as JSON (docs/status-json.md)' },
    workspace: ACTION_OPTIONS.workspace,
  },
} as const satisfies CommandSpec;

/**
 * `mcp-lifeguard doctor SERVER [--json]`: a snapshot, the facts of core/snapshot/versionFacts.ts (every
 * copy of the package on disk, the registries' newest release, asked when due), read as one answer by
 * core/report/versionDoctor.ts. Changes nothing.
 */
export async function doctorCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseOptions(args, DOCTOR_COMMAND.options, { positionals: true });
  if (positionals.length !== 1) throw new UsageError('doctor takes one SERVER name');
  const name = positionals[0];
  // One machine for the snapshot and the facts: what the registries said is asked through it too.
  const machine = engineMachine(currentHostEnv(io.env));
  const { snapshot, checks } = await lookFor(values, io, machine)();
  // The snapshot's own registry checks answer first, so the registries are asked once.
  await checks;
  const facts = await gatherVersionFacts(snapshot, name, {
    machine,
    workspaceFolders: snapshot.workspaceFolders,
    // A registry that did not answer is said in the answer itself.
    registry: { log: () => undefined },
  });
  if (!facts) {
    const message = `no configured server is named '${name}'`;
    if (values.json) io.stdout(`${JSON.stringify({ server: name, error: message }, null, 2)}\n`);
    io.stderr(`mcp-lifeguard doctor: ${terminalSafe(message)}\n`);
    return 1;
  }
  const answer = versionDoctor(facts);
  if (values.json) io.stdout(`${JSON.stringify(answer, null, 2)}\n`);
  else io.stdout(oneLineEach(doctorText(answer)));
  return answer.package ? 0 : 1;
}
