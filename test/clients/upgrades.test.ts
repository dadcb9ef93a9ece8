import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Instance, Snapshot } from '../../src/core/base/model';
import { copyTree, MEM, memoryPrefixTemplate, NPM, npmEnv } from '../integration/versions/support';
import { until } from '../support/poll';
import {
  CLAUDE_CODE,
  claudeCodeBin,
  clientEnv,
  CODEX,
  codexBin,
  codexModelArgs,
  COPILOT_CLI,
  copilotCliBin,
  copilotEnv,
  GEMINI_CLI,
  geminiCliBin,
  geminiEnv,
  modelStub,
} from '../support/realClients';
import { run } from '../support/run';
import { cli } from '../integration/processes/support/harness';
import { toolCacheRoot } from '../support/toolCache';
import { testSettleEnv } from '../support/settle';
import {
  badVerdicts,
  ClientHome,
  clientHome,
  homeProcesses,
  only,
  parentOf,
  runClient,
  SESSION_POLL_MS,
  sessionParts,
} from './support';

/** The server-memory versions the upgrade goes between (real npm releases). */
const FROM = '2026.7.4';
const TO = '2026.8.31';

/**
 * How one real client is set up and run: the env its session needs (its model on the loopback
 * stub), the settings it needs before a session, its own `mcp add` for an entry running `bin`, and
 * the session.
 */
interface ClientRecipe {
  name: string;
  version: string;
  client: string;
  bin(): Promise<string>;
  env(modelUrl: string): Record<string, string>;
  prepare?(h: ClientHome): void;
  add(name: string, bin: string): string[];
  session(modelUrl: string): string[];
}

const CLIENTS: ClientRecipe[] = [
  {
    name: 'Claude Code',
    version: CLAUDE_CODE.version,
    client: 'claude-code',
    bin: claudeCodeBin,
    env: clientEnv,
    add: (name, bin) => ['mcp', 'add', name, '--', bin],
    session: () => ['-p', 'hello'],
  },
  {
    name: 'Codex',
    version: CODEX.version,
    client: 'codex',
    bin: codexBin,
    env: () => ({ CODEX_LOOPBACK_KEY: 'sk-loopback-model-stub' }),
    add: (name, bin) => ['mcp', 'add', name, '--', bin],
    session: (url) => ['exec', '--skip-git-repo-check', ...codexModelArgs(url), 'hello'],
  },
  {
    name: 'Gemini CLI',
    version: GEMINI_CLI.version,
    client: 'gemini-cli',
    bin: geminiCliBin,
    env: geminiEnv,
    // The API-key method a non-interactive session needs, no update checks (as test/clients/geminiCli.test.ts).
    prepare: (h) => {
      const settings = path.join(h.home, '.gemini', 'settings.json');
      fs.mkdirSync(path.dirname(settings), { recursive: true });
      fs.writeFileSync(
        settings,
        JSON.stringify({
          security: { auth: { selectedType: 'gemini-api-key' } },
          general: { enableAutoUpdate: false, enableAutoUpdateNotification: false },
          privacy: { usageStatisticsEnabled: false },
        }),
      );
    },
    add: (name, bin) => ['mcp', 'add', '-s', 'user', name, bin],
    session: () => ['-p', 'hello'],
  },
  {
    name: 'Copilot CLI',
    version: COPILOT_CLI.version,
    client: 'copilot-cli',
    bin: copilotCliBin,
    env: copilotEnv,
    add: (name, bin) => ['mcp', 'add', name, '--', bin],
    session: () => ['-p', 'hello'],
  },
];

/**
 * An npm upgrade under each real client's running session: the entry each client's own `mcp add`
 * wrote runs server-memory's bin from a prefix that real npm installed; while the session runs it,
 * `npm install` moves the prefix to the next release. The instance, under its entry and client, is
 * current before and stale after, naming both versions; nothing else changes about it.
 */
describe(`real clients: an npm upgrade under a running session (server-memory ${FROM} -> ${TO})`, function () {
  this.timeout(300_000);
  const parts = sessionParts();

  // npm's cache shared by these tests and kept between runs, so a warm machine installs offline.
  const npm = (prefix: string, version: string, home: string) =>
    run(NPM, ['install', '--prefer-offline', '--prefix', prefix, `${MEM}@${version}`], {
      env: { ...npmEnv(home), npm_config_cache: path.join(toolCacheRoot(), 'npm-cache-clients') },
    });

  /**
   * The prefix real npm installed FROM into (made once per machine, versions/support.ts): each
   * test's prefix is a copy of it (the tree npm left, its `.bin` link as npm made it), by `cp -a`,
   * which costs a fraction of fs.cpSync's processor time. The upgrade under a session is each
   * test's own real npm run.
   */
  let installedFrom: string;
  before(async function () {
    if (process.platform !== 'linux') this.skip();
    installedFrom = await memoryPrefixTemplate(FROM);
  });

  /** `status` as the user's CLI: its snapshot under the tests' quiet period (an upgrade is judged half a second after it). */
  const snapshotOf = async (h: ClientHome): Promise<Snapshot> => {
    const r = await cli(h.home, ['status', '--json', '--workspace', h.project, '--trust-workspace'], testSettleEnv);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as Snapshot;
  };

  /**
   * The client's own `mcp add` of server-memory FROM's bin under each name (each its own prefix),
   * and a session running them: each entry's prefix and server pid.
   */
  const sessionOf = async (c: ClientRecipe, names: string[]) => {
    const client = await c.bin();
    const model = (parts.model = await modelStub());
    const home = clientHome(`lg-upgrade-${c.client}-`, c.env(model.url));
    parts.h = home;
    c.prepare?.(home);
    const bins = new Map<string, { prefix: string; bin: string }>();
    for (const name of names) {
      const prefix = path.join(home.home, `prefix-${name}`);
      await copyTree(installedFrom, prefix);
      const bin = path.join(prefix, 'node_modules', '.bin', 'mcp-server-memory');
      await runClient(client, c.add(name, bin), home.project, home.env);
      bins.set(name, { prefix, bin });
    }
    parts.session = spawn(client, c.session(model.url), { cwd: home.project, env: home.env, stdio: 'ignore' });
    const servers = await until(
      `${c.name}'s session running ${names.join(' and ')}`,
      () => {
        const running = homeProcesses(home);
        const pids = [...bins.values()].map(({ bin }) => running.find((p) => p.cmdline.split('\0').includes(bin))?.pid);
        return pids.every((p) => p !== undefined) ? pids : undefined;
      },
      120_000,
      SESSION_POLL_MS,
    );
    const entries = new Map(names.map((name, k) => [name, { prefix: bins.get(name)!.prefix, server: servers[k]! }]));
    return { home, entries };
  };

  /** The verdict on the session's server of entry `name` once it reads `want`. */
  const judgedAs = (home: ClientHome, server: number, want: string, name = 'mem') => {
    let last = '';
    return until(
      () => `pid ${server} judged ${want} (last: ${last})`,
      async () => {
        const snap = await snapshotOf(home);
        const i = only(snap, name).instances.find((x) => x.pid === server);
        last = JSON.stringify(i?.versions?.verdict ?? i?.verdicts ?? 'not listed');
        return i && i.versions?.verdict.state === want ? i : undefined;
      },
      120_000,
      500,
    );
  };

  // The first look's verdict is read from the server's start time and its files, not from the
  // client: one client's layout holds it (each client's layout is the stale case's subject; the
  // installers' layouts are versions/firstLook.test.ts's), beside the stale case in the same session.
  const early = CLIENTS[0];
  const earlyTitle =
    '; a second entry upgraded right after the session started its server, before any look: changed, never current';
  for (const c of CLIENTS) {
    it(`${c.name} ${c.version}: its own mcp add, a session, an npm upgrade under it: current before, stale after${c === early ? earlyTitle : ''}`, async () => {
      const { home, entries } = await sessionOf(c, c === early ? ['mem', 'mem-early'] : ['mem']);
      const { prefix, server } = entries.get('mem')!;
      const upgradedEarly = entries.get('mem-early');
      if (upgradedEarly) {
        // The upgrade lands before any look: nothing recorded what it loaded, and its files changed
        // after it began (a second at most): it cannot be called current, nor be given a version it
        // may not run.
        await npm(upgradedEarly.prefix, TO, home.home);
        const i = await judgedAs(home, upgradedEarly.server, 'changed', 'mem-early');
        assert.equal(i.client.id, c.client);
        const v = i.versions?.verdict;
        assert.equal(v?.state === 'changed' && `${v.package} ${v.installed}`, `${MEM} ${TO}`);
        assert.equal(i.versions?.running.state, 'unknown', JSON.stringify(i.versions?.running));
      }
      const instance = (want: 'current' | 'stale') => judgedAs(home, server, want);
      const expectOwn = (i: Instance) => {
        assert.equal(i.client.id, c.client);
        assert.equal(i.client.pid, parentOf(server));
        assert.deepEqual(badVerdicts(i), [], JSON.stringify(i.verdicts));
      };
      const before = await instance('current');
      expectOwn(before);
      assert.equal(before.versions?.running.state === 'known' && before.versions.running.version, FROM);

      await npm(prefix, TO, home.home);
      const after = await instance('stale');
      expectOwn(after);
      const v = after.versions?.verdict;
      assert.equal(
        v?.state === 'stale' && `${v.ecosystem} ${v.package} ${v.running} -> ${v.installed}`,
        `npm ${MEM} ${FROM} -> ${TO}`,
      );
      const text = await cli(home.home, ['status', '--workspace', home.project], testSettleEnv);
      assert.equal(text.code, 0, text.stderr);
      // The user's table: the instance's row says what it runs and what is installed.
      const row = text.stdout.split('\n').find((l) => new RegExp(`^\\s+mem\\s+${server}\\s`).test(l));
      assert.match(row ?? text.stdout, new RegExp(`STALE: runs ${FROM}, installed ${TO}`.replace(/\./g, '\\.')));
    });
  }
});
