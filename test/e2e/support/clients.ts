import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { StdioServer } from './fixture';
import type { Session } from './session';

/**
 * A client as the process table shows it: node run through a link named like the client's program
 * (`claude-desktop`, `cursor`), spawning the server as a client does (a pipe to its stdin, held
 * open), its stderr passed on so the test sees the server ready. It ends when its server does.
 */
const CLIENT_SCRIPT = `
const { spawn } = require('node:child_process');
const s = JSON.parse(process.argv[1]);
const child = spawn(s.command, s.args, { env: { ...process.env, ...s.env }, stdio: ['pipe', 'ignore', 'inherit'] });
child.on('exit', () => process.exit(0));
setInterval(() => {}, 1 << 30);
`;

export function startClient(s: Session, program: string, server: StdioServer): ChildProcess {
  const bin = path.join(s.fixture.packages, '..', 'clients');
  fs.mkdirSync(bin, { recursive: true });
  const link = path.join(bin, program);
  if (!fs.existsSync(link)) fs.symlinkSync(process.execPath, link);
  return s.startServer({ command: link, args: ['-e', CLIENT_SCRIPT, JSON.stringify(server)] });
}
