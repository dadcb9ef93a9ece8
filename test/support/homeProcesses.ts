import * as fs from 'node:fs';

/**
 * The processes started for a test's MCP Lifeguard home: every process whose environment carries
 * `MCP_LIFEGUARD_HOME=<home>` (inherited by every descendant: guards, share hosts, relays, servers),
 * each with its NUL-separated command line. Processes gone or not ours to read are skipped.
 */
export function processesOfHome(home: string): Array<{ pid: number; cmdline: string }> {
  const marker = `MCP_LIFEGUARD_HOME=${home}\0`;
  const out: Array<{ pid: number; cmdline: string }> = [];
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (!fs.readFileSync(`/proc/${pid}/environ`, 'utf8').includes(marker)) continue;
      out.push({ pid: Number(pid), cmdline: fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8') });
    } catch {
      // gone, or not ours to read
    }
  }
  return out;
}
