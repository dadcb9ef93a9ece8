import * as fs from 'node:fs';
import * as path from 'node:path';
import { currentHostEnv } from '../../core/machine/live';
import { takeCapture } from '../../core/capture/capture';
import { CliIo } from '../io';
import { WORKSPACE_OPTION, workspacesOf } from '../workspaces';
import { CommandSpec, parseOptions } from '../options';

export const CAPTURE_COMMAND = {
  name: 'capture',
  summary: [
    'What one snapshot reads of this machine, as JSON, to replay',
    'with `status --replay FILE` anywhere (a bug report, a test);',
    'env values and secrets are replaced by stand-ins',
  ],
  options: {
    out: {
      type: 'string',
      value: 'FILE',
      description: 'Write the capture to FILE (created private, 0600) instead of stdout',
    },
    workspace: WORKSPACE_OPTION,
  },
} as const satisfies CommandSpec;

/** `mcp-lifeguard capture [--out FILE] [--workspace DIR]...` */
export async function captureCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseOptions(args, CAPTURE_COMMAND.options);
  const workspaces = await workspacesOf(values.workspace, io);
  const capture = await takeCapture({
    host: currentHostEnv(io.env),
    request: { workspaceFolders: workspaces.folders, workspaceFiles: workspaces.files },
  });
  const text = `${JSON.stringify(capture)}\n`;
  if (!values.out) {
    io.stdout(text);
    return 0;
  }
  const out = path.resolve(io.cwd, values.out);
  // A new file of this user's alone, never written through a link planted at its name.
  const tmp = `${out}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text, { mode: 0o600, flag: 'wx' });
  fs.renameSync(tmp, out);
  const r = capture.machine;
  const files = new Set([
    ...Object.keys(r.fs.readText),
    ...Object.keys(r.fs.readBytes),
    ...Object.keys(r.fs.readNoFollow),
  ]).size;
  io.stderr(
    `mcp-lifeguard capture: wrote ${out} (${Math.round(text.length / 1024)} KB: ${capture.snapshot.servers.length} servers, ${files} files and ${r.commands.length} commands read); env values and secrets are replaced by stand-ins, and nothing of it leaves this machine unless you send it\n`,
  );
  return 0;
}
