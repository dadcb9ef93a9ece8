import * as assert from 'node:assert/strict';
import { ChildProcess, execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { until } from '../support/poll';
import { stopChildren } from '../support/liveness';
import {
  GEMINI_CLI,
  geminiCliBin,
  geminiEnv,
  modelStub,
  ModelStub,
  QWEN_CODE,
  qwenCodeBin,
  qwenEnv,
} from '../support/realClients';
import {
  badVerdicts,
  ClientHome,
  clientHome,
  homeProcesses,
  MEMORY_SCRIPT,
  only,
  parentOf,
  removeClientHome,
  runClient,
  SESSION_POLL_MS,
  status,
  untilListed,
} from './support';

/** A local extension folder whose one server, `<name>-memory`, runs server-memory through a script in the extension. */
function writeExtension(dir: string, name: string, manifest = 'gemini-extension.json'): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'server.mjs'), `import ${JSON.stringify(MEMORY_SCRIPT)};\n`);
  fs.writeFileSync(
    path.join(dir, manifest),
    JSON.stringify(
      {
        name,
        version: '1.0.0',
        mcpServers: { [`${name}-memory`]: { command: 'node', args: ['${extensionPath}${/}server.mjs'] } },
      },
      null,
      2,
    ),
  );
}

/**
 * Real Gemini CLI from npm: `gemini extensions install` of two local extensions (copied into
 * `~/.gemini/extensions`), `gemini extensions disable` of one. `gemini mcp list` lists both
 * extensions' servers, the disabled one's too, with no mark; a real session (`gemini -p`, its
 * model the loopback stub) starts the enabled extension's server alone, from the extension's copy.
 * `status --json` lists it as that extension's entry under Gemini CLI, and the disabled one's
 * entry as disabled, with no process.
 */
describe(`real clients: Gemini CLI ${GEMINI_CLI.version} (npm), an extension's server`, function () {
  this.timeout(300_000);
  let h: ClientHome | undefined;
  let model: ModelStub | undefined;
  let session: ChildProcess | undefined;

  before(function () {
    if (process.platform !== 'linux') this.skip();
  });

  afterEach(async () => {
    if (session) await stopChildren([session]);
    session = undefined;
    await removeClientHome(h);
    h = undefined;
    await model?.close();
    model = undefined;
  });

  it('an installed extension’s server is its entry’s instance under Gemini CLI; a disabled extension’s entry is listed disabled, not started', async () => {
    const gemini = await geminiCliBin();
    model = await modelStub();
    const home = clientHome('lg-gemini-ext-', geminiEnv(model.url));
    h = home;
    const userSettings = path.join(home.home, '.gemini', 'settings.json');
    fs.mkdirSync(path.dirname(userSettings));
    fs.writeFileSync(
      userSettings,
      JSON.stringify({
        security: { auth: { selectedType: 'gemini-api-key' } },
        general: { enableAutoUpdate: false, enableAutoUpdateNotification: false },
        privacy: { usageStatisticsEnabled: false },
      }),
    );
    const run = (args: string[]) => runClient(gemini, args, home.project, home.env);
    for (const name of ['memo', 'off']) {
      writeExtension(path.join(home.home, 'src', name), name);
      await run(['extensions', 'install', path.join(home.home, 'src', name), '--consent']);
    }
    await run(['extensions', 'disable', 'off']);
    const extensions = path.join(home.home, '.gemini', 'extensions');
    const root = path.join(extensions, 'memo');
    // What Gemini CLI wrote: both copied in, `off` off for the user (the home folder and below).
    assert.ok(fs.existsSync(path.join(root, 'gemini-extension.json')));
    assert.deepEqual(JSON.parse(fs.readFileSync(path.join(extensions, 'extension-enablement.json'), 'utf8')), {
      memo: { overrides: [`${home.home}/*`] },
      off: { overrides: [`!${home.home}/*`] },
    });
    // `gemini mcp list` lists a disabled extension's server as any other (on its stderr).
    const listed = await new Promise<string>((resolve, reject) =>
      execFile(
        gemini,
        ['mcp', 'list'],
        { cwd: home.project, env: home.env, timeout: 120_000 },
        (err, stdout, stderr) => (err ? reject(err) : resolve(stdout + stderr)),
      ),
    );
    for (const name of ['memo', 'off'])
      assert.ok(
        listed.includes(`${name}-memory (from ${name}): node ${path.join(extensions, name, 'server.mjs')} (stdio)`),
        listed,
      );

    await extensionSessionChecked(home, model, gemini, (child) => (session = child), {
      client: 'gemini-cli',
      label: 'Gemini CLI extension',
      manifest: 'gemini-extension.json',
      extensions,
    });
  });
});

/**
 * Real Qwen Code from npm: `qwen extensions install` of two local extensions in its own format
 * (copied into `~/.qwen/extensions`), `qwen extensions disable` of one. Its `qwen mcp list` lists
 * no extension's server; a real session (`qwen -p`, its model the loopback stub) starts the enabled
 * extension's server alone, from the extension's copy. `status --json` lists it as that extension's
 * entry under Qwen Code, and the disabled one's entry as disabled, with no process.
 */
describe(`real clients: Qwen Code ${QWEN_CODE.version} (npm), an extension's server`, function () {
  this.timeout(300_000);
  let h: ClientHome | undefined;
  let model: ModelStub | undefined;
  let session: ChildProcess | undefined;

  before(function () {
    if (process.platform !== 'linux') this.skip();
  });

  afterEach(async () => {
    if (session) await stopChildren([session]);
    session = undefined;
    await removeClientHome(h);
    h = undefined;
    await model?.close();
    model = undefined;
  });

  it('an installed extension’s server is its entry’s instance under Qwen Code; a disabled extension’s entry is listed disabled, not started', async () => {
    const qwen = await qwenCodeBin();
    model = await modelStub();
    const home = clientHome('lg-qwen-ext-', qwenEnv(model.url));
    h = home;
    const userSettings = path.join(home.home, '.qwen', 'settings.json');
    fs.mkdirSync(path.dirname(userSettings));
    fs.writeFileSync(
      userSettings,
      JSON.stringify({
        security: { auth: { selectedType: 'openai' } },
        general: { enableAutoUpdate: false },
        privacy: { usageStatisticsEnabled: false },
      }),
    );
    const run = (args: string[]) => runClient(qwen, args, home.project, home.env);
    for (const name of ['memo', 'off']) {
      writeExtension(path.join(home.home, 'src', name), name, 'qwen-extension.json');
      await run(['extensions', 'install', path.join(home.home, 'src', name), '--consent']);
    }
    await run(['extensions', 'disable', 'off']);
    const extensions = path.join(home.home, '.qwen', 'extensions');
    assert.deepEqual(JSON.parse(fs.readFileSync(path.join(extensions, 'extension-enablement.json'), 'utf8')), {
      off: { overrides: [`!${home.home}/*`] },
    });

    await extensionSessionChecked(home, model, qwen, (child) => (session = child), {
      client: 'qwen-code',
      label: 'Qwen Code extension',
      manifest: 'qwen-extension.json',
      extensions,
    });
  });
});

/**
 * What both clients' tests check once their extensions are installed (`memo` on, `off` off): the
 * entries before a session, then a real session (`-p hello`) runs `memo`'s server alone, listed as
 * its entry's instance under the client, and `off`'s entry disabled with no process.
 */
async function extensionSessionChecked(
  home: ClientHome,
  model: ModelStub,
  bin: string,
  /** Keeps the session for the test's cleanup as soon as it starts. */
  started: (session: ChildProcess) => void,
  o: { client: string; label: string; manifest: string; extensions: string },
): Promise<void> {
  const { extensions } = o;
  const root = path.join(extensions, 'memo');
  const before = await status(home);
  assert.deepEqual(
    before.diagnostics.filter((d) => d.client === o.client),
    [],
  );
  assert.deepEqual(
    [only(before, 'memo-memory').source.addOn, only(before, 'memo-memory').disabled],
    [{ kind: 'cli-extension', name: 'memo', version: '1.0.0', root }, false],
  );

  started(spawn(bin, ['-p', 'hello'], { cwd: home.project, env: home.env, stdio: 'ignore' }));
  const servers = () => homeProcesses(home).filter((p) => p.cmdline.includes(`${extensions}${path.sep}`));
  await until("the extension's server running", () => servers().length > 0, 120_000, SESSION_POLL_MS);
  const [proc] = servers();
  assert.ok(proc.cmdline.includes(path.join(root, 'server.mjs')), proc.cmdline);

  const snap = await untilListed(home, [proc.pid]);
  const memo = only(snap, 'memo-memory');
  assert.deepEqual(
    [memo.source.client, memo.source.scope, memo.source.label, memo.source.file],
    [o.client, 'user', o.label, path.join(root, o.manifest)],
  );
  assert.deepEqual(
    memo.instances.map((i) => i.pid),
    [proc.pid],
  );
  const [instance] = memo.instances;
  assert.deepEqual([instance.client.id, instance.client.pid], [o.client, parentOf(proc.pid)]);
  assert.deepEqual(badVerdicts(instance), [], JSON.stringify(instance.verdicts));
  assert.ok(!snap.notConfigured.some((i) => i.pid === proc.pid), 'the process is not listed as not configured');
  const off = only(snap, 'off-memory');
  assert.deepEqual([off.disabled, off.instances.length], [true, 0]);
  // The servers start before the session's first request: wait for it (the session really ran),
  // then no process of the disabled extension is running.
  await until('the session to ask the model', () => model.requests.length > 0, 60_000);
  assert.deepEqual(
    servers().filter((p) => p.cmdline.includes(path.join(extensions, 'off'))),
    [],
  );
}
