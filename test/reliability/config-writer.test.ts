import * as assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { guardEnv } from '../integration/guard/support';
import { CliWorker } from '../support/cliWorker';
import { killAndWait } from '../support/liveness';
import { until } from '../support/poll';
import { fixturesDir } from '../support/repo';
import { otherUserIds } from '../support/otherUser';

const SERVER = { command: '/opt/lg-config-writer/server', args: ['--data', '/opt/lg-config-writer/data'] };

/** The other user (created as a system user when missing). */
const stranger = otherUserIds;

/** A child whose stdout is read line by line: `next(match)` waits for a line that matches. */
function lines(child: ChildProcess): { next(match: RegExp, what: string): Promise<string>; all(): string[] } {
  const seen: string[] = [];
  let partial = '';
  let from = 0;
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (chunk: string) => {
    partial += chunk;
    const parts = partial.split('\n');
    partial = parts.pop()!;
    seen.push(...parts);
  });
  return {
    all: () => [...seen],
    async next(match, what) {
      const line = await until(
        what,
        () => {
          const i = seen.findIndex((l, n) => n >= from && match.test(l));
          if (i < 0) return undefined;
          from = i + 1;
          return seen[i];
        },
        30_000,
        2,
      );
      return line;
    },
  };
}

interface FileIdentity {
  mode: number;
  uid: number;
  gid: number;
  ino: number;
  text: string;
}

function identityOf(file: string): FileIdentity {
  const st = fs.lstatSync(file);
  return { mode: st.mode, uid: st.uid, gid: st.gid, ino: st.ino, text: fs.readFileSync(file, 'utf8') };
}

function configText(): string {
  return `${JSON.stringify({ mcpServers: { memory: SERVER } }, null, 2)}\n`;
}

/**
 * `wrap --yes` against a local attacker and against another program saving the same file: the one
 * config writer every face uses (src/core/configEdit/configWriter.ts), through the built CLI.
 */
describe('config writer: wrap --yes against another user and another writer (built CLI)', function () {
  this.timeout(300_000);
  let base: string;
  let home: string;
  const children: ChildProcess[] = [];
  let tmpMode: { dir: string; mode: number } | undefined;
  // The built CLI's commands, run in turn in one process (a Node start per wrap would cost more than the wrap).
  const cli = new CliWorker();
  const runCli = (home: string, args: string[]) => cli.run(args, { ...guardEnv(home), HOME: home });

  after(() => cli.close());

  beforeEach(() => {
    base = fs.mkdtempSync(path.join(os.tmpdir(), 'lg-cw-'));
    home = path.join(base, 'home');
    fs.mkdirSync(home, { mode: 0o700 });
  });

  afterEach(async () => {
    for (const c of children.splice(0)) await killAndWait(c.pid);
    if (tmpMode) fs.chmodSync(tmpMode.dir, tmpMode.mode);
    tmpMode = undefined;
    fs.rmSync(base, { recursive: true, force: true });
  });

  /** Lets another user through the run's private temp folder and this test's folders (not list them). */
  function letThrough(): void {
    const tmp = path.dirname(base);
    const mode = fs.statSync(tmp).mode & 0o7777;
    if ((mode & 0o001) === 0) {
      tmpMode = { dir: tmp, mode };
      fs.chmodSync(tmp, mode | 0o711);
    }
    fs.chmodSync(base, 0o711);
    fs.chmodSync(home, 0o711);
  }

  describe('another user who can write the folder swaps the temp file for a symbolic link', () => {
    before(function () {
      // Only root can run a process as another user; the folder judgement itself is unit-tested (injected ids).
      if (process.platform !== 'linux' || process.getuid?.() !== 0) this.skip();
    });

    /**
     * The folder `~/.cursor` is shaped as `shape` says, the config in it; the attacker (another uid)
     * loops replacing every other entry of the folder with a link to a root-only 0600 file. Eight
     * wraps (an unwrap after each one that wrote): after each, the victim's mode, owner, inode and
     * content are as before, the config is no link, and the wrap either wrote or refused.
     */
    async function attack(shape: {
      folder: (dir: string, o: { uid: number; gid: number }) => void;
      config: (file: string, o: { uid: number; gid: number }) => void;
    }): Promise<{ outcomes: string[]; attacker: string[] }> {
      const other = stranger();
      letThrough();
      const victim = path.join(base, 'victim');
      fs.writeFileSync(victim, 'root only\n', { mode: 0o600 });
      const before = identityOf(victim);
      const folder = path.join(home, '.cursor');
      fs.mkdirSync(folder);
      const config = path.join(folder, 'mcp.json');
      fs.writeFileSync(config, configText());
      shape.config(config, other);
      shape.folder(folder, other);
      // The attacker's script where the other user can read it.
      const script = path.join(base, 'symlink-swapper.cjs');
      fs.copyFileSync(path.join(fixturesDir, 'config-writer', 'symlink-swapper.cjs'), script);
      fs.chmodSync(script, 0o644);
      const swapper = spawn(process.execPath, [script, folder, 'mcp.json', victim], {
        uid: other.uid,
        gid: other.gid,
        stdio: ['ignore', 'pipe', 'inherit'],
        cwd: '/',
      });
      children.push(swapper);
      const out = lines(swapper);
      await out.next(/^ready$/, 'the attacker to start');
      const outcomes: string[] = [];
      let verb: 'wrap' | 'unwrap' = 'wrap';
      for (let i = 0; i < 8; i++) {
        const r = await runCli(home, [verb, 'memory', '--yes', ...(verb === 'wrap' ? ['--install-guard'] : [])]);
        const after = identityOf(victim);
        assert.deepEqual(after, before, `the victim is untouched after ${verb} #${i + 1}:\n${r.stdout}${r.stderr}`);
        assert.ok(!fs.lstatSync(config).isSymbolicLink(), `the config is no link after ${verb} #${i + 1}`);
        const wrote = r.code === 0 && /^(Rewrote|Restored) memory in /m.test(r.stdout);
        const refused = r.code === 1 && r.stdout.includes(`NOT WRITTEN ${config}`);
        assert.ok(wrote || refused, `${verb} #${i + 1} wrote or refused: ${r.code}\n${r.stdout}${r.stderr}`);
        outcomes.push(wrote ? 'wrote' : (/NOT WRITTEN [^\n]*/.exec(r.stdout)?.[0] ?? ''));
        if (wrote) verb = verb === 'wrap' ? 'unwrap' : 'wrap';
      }
      return { outcomes, attacker: out.all() };
    }

    it('a folder the other user owns: every wrap refused naming the folder, the victim untouched', async () => {
      const { outcomes } = await attack({
        folder: (dir, o) => {
          fs.chmodSync(dir, 0o755);
          fs.chownSync(dir, o.uid, o.gid);
        },
        config: (file, o) => {
          fs.chmodSync(file, 0o644);
          fs.chownSync(file, o.uid, o.gid);
        },
      });
      for (const o of outcomes) assert.match(o, /\.cursor belongs to another user \(uid \d+\)/);
    });

    it('a folder everyone may write (0777, no sticky bit): refused naming the folder, the victim untouched', async () => {
      const { outcomes } = await attack({
        folder: (dir) => fs.chmodSync(dir, 0o777),
        config: (file) => fs.chmodSync(file, 0o640),
      });
      for (const o of outcomes) assert.match(o, /\.cursor can be written by other users/);
    });

    it("a folder another user's group may write (0775): refused, the victim untouched", async () => {
      const { outcomes } = await attack({
        folder: (dir, o) => {
          fs.chownSync(dir, 0, o.gid);
          fs.chmodSync(dir, 0o775);
        },
        config: (file) => fs.chmodSync(file, 0o640),
      });
      for (const o of outcomes) assert.match(o, /\.cursor can be written by other users/);
    });

    it('a sticky folder (1777) and a file of ours: the wraps write, the temp files cannot be swapped', async () => {
      const { outcomes, attacker } = await attack({
        folder: (dir) => fs.chmodSync(dir, 0o1777),
        config: (file) => fs.chmodSync(file, 0o640),
      });
      assert.deepEqual(outcomes, Array(8).fill('wrote'));
      // The attacker saw the temp files and could not replace them (a `swapped` line can only be a
      // name the writer had just renamed away: the victim and the config say it never landed).
      assert.ok(
        attacker.some((l) => /^refused .* EPERM$/.test(l)),
        `the attacker saw the temp files and could not replace them: ${attacker.join('; ')}`,
      );
    });

    it("a sticky folder and the other user's file: refused (the file is not ours), the victim untouched", async () => {
      const { outcomes } = await attack({
        folder: (dir) => fs.chmodSync(dir, 0o1777),
        config: (file, o) => {
          fs.chmodSync(file, 0o666);
          fs.chownSync(file, o.uid, o.gid);
        },
      });
      for (const o of outcomes) assert.match(o, /\.cursor can be written by other users/);
    });
  });

  // Wraps in one process are cheap: more of them, more chances for a lost save to show.
  const WRAPS = 300;
  it(`a program saving the file in place every few ms: after each of ${WRAPS} wraps the file holds its latest save, with or without the edit on top`, async () => {
    const folder = path.join(home, '.cursor');
    fs.mkdirSync(folder);
    const config = path.join(folder, 'mcp.json');
    const template = path.join(base, 'template.json');
    // The entry as the program keeps writing it (never wrapped), and its save number.
    fs.writeFileSync(
      template,
      `{\n  "saves": __SAVES__,\n  "mcpServers": {\n    "memory": ${JSON.stringify(SERVER)}\n  }\n}\n`,
    );
    fs.writeFileSync(config, fs.readFileSync(template, 'utf8').replace('__SAVES__', '0'));
    const install = await runCli(home, ['wrap', 'memory', '--yes', '--install-guard']);
    assert.equal(install.code, 0, install.stdout + install.stderr);
    const launcher = path.join(home, 'bin', 'mcp-lifeguard');
    // The entry as wrap writes it: its guard's lock keyed by the server's identity (it names no data that exists).
    const resource = (JSON.parse(fs.readFileSync(config, 'utf8')) as { mcpServers: { memory: { args: string[] } } })
      .mcpServers.memory.args[5];
    assert.match(resource, /^--resource=stdio:[0-9a-f]{16}$/);
    const wrapped = {
      command: launcher,
      args: ['run', '--home', home, '--name', 'memory', resource, '--', SERVER.command, ...SERVER.args],
    };

    const saver = spawn(process.execPath, [path.join(fixturesDir, 'config-writer', 'saver.cjs'), config, template], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    children.push(saver);
    const out = lines(saver);
    await out.next(/^ready$/, 'the saving program to start');
    const tally = { wrote: 0, refused: 0 };
    const reasons = new Map<string, number>();
    for (let i = 1; i <= WRAPS; i++) {
      const r = await runCli(home, ['wrap', 'memory', '--yes']);
      saver.stdin!.write('pause\n');
      const last = Number(/^paused (\d+)$/.exec(await out.next(/^paused \d+$/, 'the program to pause'))![1]);
      const text = fs.readFileSync(config, 'utf8');
      // Loses nothing: the file holds the program's latest save (its number), and its entry is the
      // program's or the wrap's edit of it; nothing else.
      const doc = JSON.parse(text) as { saves: number; mcpServers: { memory: unknown } };
      assert.equal(
        doc.saves,
        last,
        `wrap #${i}: the file holds save ${doc.saves}, the program's latest is ${last}\n${r.stdout}`,
      );
      assert.deepEqual(Object.keys(doc), ['saves', 'mcpServers']);
      assert.deepEqual(Object.keys(doc.mcpServers), ['memory']);
      const entry = JSON.stringify(doc.mcpServers.memory);
      assert.ok(entry === JSON.stringify(SERVER) || entry === JSON.stringify(wrapped), `wrap #${i}: ${entry}`);
      // A wrap that did not write said why: the file changed under it, or it read the file half
      // saved (an in-place save truncates first) and found no entry to rewrite.
      assert.ok(r.code === 0 || r.code === 1, `wrap #${i}: ${r.code} ${r.stderr}`);
      if (r.code === 0) tally.wrote++;
      else {
        tally.refused++;
        const why = (/^NOT WRITTEN [^:]*: (.*)$/m.exec(r.stdout)?.[1] ?? `${r.stdout}${r.stderr}`.split('\n')[0]).slice(
          0,
          60,
        );
        reasons.set(why, (reasons.get(why) ?? 0) + 1);
      }
      saver.stdin!.write('resume\n');
    }
    saver.stdin!.end();
    process.stdout.write(
      `      (${WRAPS} wraps beside a saving program: ${tally.wrote} wrote, ${tally.refused} did not: ${[...reasons]
        .map(([why, n]) => `${n} × ${why}`)
        .join('; ')})\n`,
    );
    assert.ok(tally.wrote > 0, 'some wraps wrote: the race was run, not only refused');
  });
});
