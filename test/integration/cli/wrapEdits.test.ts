import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { sameServerEntries } from '../../support/bigConfigs';
import { runCli, tempHome } from '../guard/support';

const SERVER = '/opt/lg-wrap-edits/server';

interface Entry {
  command: string;
  args: string[];
}

/**
 * What `wrap --yes` writes, through the built CLI, in files the old editor got wrong: entries and
 * keys written twice (the client and the scan use the last), bytes that are not UTF-8, and a file
 * of 11,000 entries of one server wrapped in one plan.
 */
describe('CLI: wrap --yes edits the entry the client uses and nothing else (built CLI)', function () {
  this.timeout(180_000);
  let home: string;
  let launcher: string;

  beforeEach(() => {
    home = tempHome();
    launcher = path.join(home, 'bin', 'mcp-lifeguard');
  });

  afterEach(() => fs.rmSync(home, { recursive: true, force: true }));

  /**
   * The entry without the `--resource=KEY` wrap writes after `--name` (the server's identity here:
   * these entries name no data), which is checked to be there, once, in that form.
   */
  function keyed(entry: Entry): Entry {
    const at = entry.args.findIndex((a) => a.startsWith('--resource='));
    assert.match(entry.args[at] ?? '', /^--resource=stdio:[0-9a-f]{16}$/, JSON.stringify(entry.args));
    assert.equal(entry.args[at + 1], '--', 'just before the command');
    return { ...entry, args: entry.args.filter((_, i) => i !== at) };
  }

  function claudeFile(bytes: Buffer | string): string {
    const file = path.join(home, '.config', 'Claude', 'claude_desktop_config.json');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, bytes);
    return file;
  }

  async function wrap(name: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return runCli(home, ['wrap', name, '--yes', '--install-guard']);
  }

  it('a server named twice: the last definition (the one the client runs) is wrapped, the first left as written', async () => {
    const first = `"mem": { "command": "${SERVER}", "args": ["--old"] }`;
    const file = claudeFile(
      `{\n  "mcpServers": {\n    ${first},\n    "mem": { "command": "${SERVER}", "args": ["--new"] }\n  }\n}\n`,
    );
    const r = await wrap('mem');
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const text = fs.readFileSync(file, 'utf8');
    // JSON.parse keeps the last definition, as the client does.
    const effective = (JSON.parse(text) as { mcpServers: { mem: Entry } }).mcpServers.mem;
    assert.deepEqual(keyed(effective), {
      command: launcher,
      args: ['run', '--home', home, '--name', 'mem', '--', SERVER, '--new'],
    });
    assert.ok(text.includes(first), `the first definition is left as written:\n${text}`);
    const status = await runCli(home, ['status', '--json']);
    const listed = (JSON.parse(status.stdout) as { servers: Array<{ name: string; command: string }> }).servers;
    assert.deepEqual(
      listed.map((s) => [s.name, s.command]),
      [['mem', launcher]],
      'status reads the entry wrapped',
    );
  });

  it('"command" written twice in one entry: the last one is rewritten, so the entry runs the guard, not `SERVER run --name ...`', async () => {
    const file = claudeFile(
      `{\n  "mcpServers": {\n    "mem": {\n      "command": "/opt/unused/server",\n      "args": ["--flag"],\n      "command": "${SERVER}"\n    }\n  }\n}\n`,
    );
    const r = await wrap('mem');
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const text = fs.readFileSync(file, 'utf8');
    const effective = (JSON.parse(text) as { mcpServers: { mem: Entry } }).mcpServers.mem;
    assert.deepEqual(keyed(effective), {
      command: launcher,
      args: ['run', '--home', home, '--name', 'mem', '--', SERVER, '--flag'],
    });
    assert.ok(text.includes('"command": "/opt/unused/server"'), 'the first "command" is left as written');
  });

  it('a Latin-1 byte in a comment and in an argument: every byte outside the edited values is kept, the argument moves as written', async () => {
    const head = Buffer.concat([
      Buffer.from('{\n  // r'),
      Buffer.from([0xe9]), // é in Latin-1: not UTF-8
      Buffer.from('sum'),
      Buffer.from([0xe9]),
      Buffer.from('\n  "mcpServers": {\n    "mem": { "command": '),
    ]);
    const tail = Buffer.from(' }\n  }\n}\n');
    const label = Buffer.concat([Buffer.from('"caf'), Buffer.from([0xe9]), Buffer.from('"')]);
    const before = Buffer.concat([head, Buffer.from(`"${SERVER}", "args": [`), label, Buffer.from(']'), tail]);
    const file = path.join(home, '.cursor', 'mcp.json');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, before);
    const r = await wrap('mem');
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const after = fs.readFileSync(file);
    assert.ok(
      after.subarray(0, head.length).equals(head),
      `the bytes before the command are kept: ${after.toString('latin1')}`,
    );
    assert.ok(after.subarray(after.length - tail.length).equals(tail), 'the bytes after the args are kept');
    assert.ok(after.includes(label), 'the argument keeps its own byte');
    assert.ok(!after.includes(Buffer.from([0xef, 0xbf, 0xbd])), 'no U+FFFD written');
    // Read as the bytes it holds: the entry runs the guard around the same argument.
    const doc = JSON.parse(after.toString('latin1').replace(/\/\/.*$/m, '')) as { mcpServers: { mem: Entry } };
    assert.deepEqual(keyed(doc.mcpServers.mem), {
      command: launcher,
      args: [
        'run',
        '--home',
        home,
        '--name',
        'mem',
        '--',
        SERVER,
        Buffer.from([0x63, 0x61, 0x66, 0xe9]).toString('latin1'),
      ],
    });
  });

  it('11,000 entries of one server in one file: wrapped in one plan, every entry and nothing else', async () => {
    const count = 11_000;
    const file = claudeFile(sameServerEntries(count, SERVER));
    const r = await runCli(home, ['wrap', 'mem-0', '--yes', '--install-guard', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const plan = JSON.parse(r.stdout) as { files: Array<{ entries: string[]; written: boolean }> };
    assert.equal(plan.files.length, 1);
    assert.equal(plan.files[0].entries.length, count);
    assert.equal(plan.files[0].written, true);
    const doc = JSON.parse(fs.readFileSync(file, 'utf8')) as {
      globalShortcut: string;
      mcpServers: Record<string, Entry>;
    };
    assert.equal(doc.globalShortcut, '');
    assert.equal(Object.keys(doc.mcpServers).length, count);
    // One server: every entry's guard locks on one key.
    const key = doc.mcpServers['mem-0'].args.find((a) => a.startsWith('--resource='));
    for (let i = 0; i < count; i++) {
      assert.equal(
        doc.mcpServers[`mem-${i}`].args.find((a) => a.startsWith('--resource=')),
        key,
      );
      assert.deepEqual(keyed(doc.mcpServers[`mem-${i}`]), {
        command: launcher,
        args: ['run', '--home', home, '--name', 'mem-0', '--', SERVER, '--flag'],
      });
    }
  });
});
