import { ChildProcess, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { waitUntil } from '../../support/poll';
import { repoRoot } from '../../support/repo';
import { testSettleEnv } from '../../support/settle';
import { freePort, waitForOutput } from '../../support/startup';
import { Fixture, FixtureDirs, FixtureSpec, StdioServer, writeFixture } from './fixture';
import { closeSharedBrowser, sharedBrowser } from './browser';
import { BrowserContext, Page } from './playwright';
import { callerEnv, processesMarked, ProcessScope, ProcInfo } from './processes';
import { E2eTools } from './tools';
import { freshExtensionsDir } from './vsix';

/** Where a failing test keeps its screenshot and logs (gitignored). */
export const OUTPUT_DIR = path.join(repoRoot, '.test-output', 'e2e');

export interface SessionOptions {
  /** The clients' configs, or a function of the fixture's folders returning them. */
  fixture?: FixtureSpec | ((dirs: FixtureDirs) => FixtureSpec);
  /** Workspace trust: off (no dialog) unless a scenario is about it. */
  trust?: boolean;
  /** Extra user settings. */
  settings?: Record<string, unknown>;
  /**
   * The display language, e.g. `pseudo` (VS Code's pseudo-locale). code-server serves only English
   * messages, so the page is told its language before the workbench loads (`_VSCODE_NLS_LANGUAGE`, what a
   * language pack's messages script sets); the extension host gets it from the workbench.
   */
  locale?: string;
  /** More environment for code-server and every process the test starts (an installer's offline settings). */
  env?: Record<string, string>;
  /** Changes the installed copy of the extension (its folder) before code-server starts. */
  editExtension?: (extensionDir: string) => void;
}

/** The scenarios' `mcpLifeguard.refreshInterval` (s): the product's default is 5. */
export const TEST_REFRESH_INTERVAL_S = 2;

let counter = 0;

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms / 1000} s`)), ms);
    }),
  ]);
}

/** The environment of code-server and of every process a test starts: HOME is the fixture home. */
function cleanEnv(home: string, lifeguardHome: string): NodeJS.ProcessEnv {
  return { ...callerEnv(), HOME: home, MCP_LIFEGUARD_HOME: lifeguardHome, LANG: 'C.UTF-8' };
}

/** One code-server + one headless Chromium page on a fixture machine, with its teardown. */
export class Session {
  readonly scope: ProcessScope;
  readonly dir: string;
  /** The session's TMPDIR: code-server leaves its IPC sockets there (vscode-ipc-*, vscode-git-*). */
  readonly tempDir: string;
  readonly fixture: Fixture;
  readonly lifeguardHome: string;
  readonly userDataDir: string;
  readonly extensionsDir: string;
  readonly logFile: string;
  readonly env: NodeJS.ProcessEnv;
  port = 0;
  codeServer?: ChildProcess;
  private codeServerStart?: Promise<void>;
  /** This session's profile in the run's browser (see browser.ts). */
  context?: BrowserContext;
  page?: Page;
  private readonly pageErrors: string[] = [];
  /** How long each step of the session took (s), printed at teardown: where a scenario's time goes. */
  readonly steps: string[] = [];

  constructor(
    readonly tools: E2eTools,
    readonly options: SessionOptions,
  ) {
    counter += 1;
    const id = `${process.pid}-${counter}-${Date.now()}`;
    this.scope = new ProcessScope(id);
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcp-lifeguard-e2e-'));
    // Its own and short (a socket path must fit in sun_path), removed once its processes are gone.
    this.tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lg-e2e-'));
    this.fixture = writeFixture(this.dir, options.fixture ?? {});
    this.lifeguardHome = path.join(this.dir, 'lifeguard');
    this.userDataDir = path.join(this.dir, 'user-data');
    this.extensionsDir = path.join(this.dir, 'extensions');
    this.logFile = path.join(this.dir, 'code-server.log');
    fs.mkdirSync(this.lifeguardHome, { recursive: true });
    // The tests' quiet period after a change (settle.ts), for the extension's engine, the CLI and guards alike.
    this.env = {
      ...cleanEnv(this.fixture.home, this.lifeguardHome),
      ...testSettleEnv,
      TMPDIR: this.tempDir,
      ...options.env,
    };
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/?folder=${encodeURIComponent(this.fixture.workspace)}`;
  }

  private writeSettings(): void {
    const settings = {
      'security.workspace.trust.enabled': this.options.trust === true,
      'security.workspace.trust.startupPrompt': 'always',
      'workbench.startupEditor': 'none',
      'workbench.tips.enabled': false,
      'workbench.enableExperiments': false,
      'workbench.secondarySideBar.defaultVisibility': 'hidden',
      'telemetry.telemetryLevel': 'off',
      'update.mode': 'none',
      'extensions.autoCheckUpdates': false,
      'extensions.autoUpdate': false,
      'extensions.ignoreRecommendations': true,
      'chat.mcp.autostart': 'never',
      'window.commandCenter': false,
      // Nothing moves or blinks while a scenario waits: an idle workbench draws no frame, so the
      // browser's renderer and compositor rest between the steps (what the scenarios look at is
      // the same: texts, rows, labels, dialogs).
      'workbench.reduceMotion': 'on',
      'editor.cursorBlinking': 'solid',
      'editor.smoothScrolling': false,
      'workbench.list.smoothScrolling': false,
      'editor.minimap.enabled': false,
      'editor.occurrencesHighlight': 'off',
      'editor.hover.enabled': false,
      // The built-in extensions that scan the workspace on their own (none is a subject here).
      'git.enabled': false,
      'git.autoRepositoryDetection': false,
      'npm.autoDetect': 'off',
      ...this.options.settings,
    };
    const file = path.join(this.userDataDir, 'User', 'settings.json');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(settings, null, 2));
    // code-server is a remote: settings of "machine" scope (most of ours) are read from its Machine
    // settings only, never from the User settings above. The process poll runs at the tests' pace
    // (a scenario waits on what a look shows, not on the default 5 s between looks).
    const machine = path.join(this.userDataDir, 'Machine', 'settings.json');
    fs.mkdirSync(path.dirname(machine), { recursive: true });
    fs.writeFileSync(
      machine,
      JSON.stringify({ 'mcpLifeguard.refreshInterval': TEST_REFRESH_INTERVAL_S, ...this.options.settings }, null, 2),
    );
  }

  /**
   * Installs the extension, starts code-server and waits until it answers; called again, the same
   * start. The harness begins it as the session is prepared: code-server alone runs nothing of ours
   * (its extension host starts when a window connects, in open()), so the scenario's own setup
   * (installs, servers started as clients would) goes on meanwhile.
   */
  startCodeServer(): Promise<void> {
    this.codeServerStart ??= this.launchCodeServer();
    return this.codeServerStart;
  }

  private async launchCodeServer(): Promise<void> {
    const t0 = Date.now();
    await freshExtensionsDir(this.tools, this.extensionsDir);
    if (this.options.editExtension)
      for (const e of fs.readdirSync(this.extensionsDir))
        if (e.startsWith('mcp-lifeguard.')) this.options.editExtension(path.join(this.extensionsDir, e));
    this.writeSettings();
    this.port = await freePort();
    const log = fs.openSync(this.logFile, 'a');
    const args = [
      this.tools.codeServerEntry,
      '--auth',
      'none',
      '--bind-addr',
      `127.0.0.1:${this.port}`,
      '--user-data-dir',
      this.userDataDir,
      '--extensions-dir',
      this.extensionsDir,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-getting-started-override',
      '--log',
      'info',
      this.fixture.workspace,
    ];
    this.codeServer = this.scope.spawn(this.tools.node, args, {
      cwd: this.fixture.workspace,
      env: { ...this.env, PATH: `${this.tools.nodeBinDir}${path.delimiter}${this.env.PATH ?? ''}` },
      stdio: ['ignore', log, log],
    });
    fs.closeSync(log);
    let exited: string | undefined;
    this.codeServer.once('exit', (code, signal) => (exited = `code-server exited (${signal ?? code})`));
    const ready = await waitUntil(
      async () => {
        if (exited) return true;
        try {
          const res = await fetch(`http://127.0.0.1:${this.port}/healthz`, { signal: AbortSignal.timeout(2000) });
          return res.ok;
        } catch {
          return false;
        }
      },
      90000,
      250,
    );
    if (exited || !ready) {
      throw new Error(`${exited ?? 'code-server did not answer within 90 s'}; log:\n${this.logTail()}`);
    }
    this.step('code-server answered', t0);
  }

  /** Opens the workspace in headless Chromium and waits for the workbench's status bar. */
  async open(): Promise<Page> {
    const [browser] = await Promise.all([sharedBrowser(this.tools), this.startCodeServer()]);
    const t0 = Date.now();
    // Nothing compressed: code-server compresses each response for each page (brotli, on a busy core:
    // its 19 MB workbench script alone costs seconds of a processor per session), and over loopback a
    // plain response is as fast. What the page runs is the same bytes.
    const context = await browser.newContext({
      viewport: { width: 1400, height: 900 },
      extraHTTPHeaders: { 'Accept-Encoding': 'identity' },
    });
    this.context = context;
    if (this.options.locale)
      await context.addInitScript(`globalThis._VSCODE_NLS_LANGUAGE = ${JSON.stringify(this.options.locale)};`);
    const page = await context.newPage();
    page.on('pageerror', (e) => this.pageErrors.push(String(e)));
    page.setDefaultTimeout(30000);
    this.page = page;
    await page.goto(this.url, { timeout: 60000, waitUntil: 'domcontentloaded' });
    await page.locator('.monaco-workbench .part.statusbar').waitFor({ state: 'visible', timeout: 90000 });
    this.step('workbench shown', t0);
    return page;
  }

  private step(what: string, since: number): void {
    this.steps.push(`${what} in ${((Date.now() - since) / 1000).toFixed(1)} s`);
  }

  async start(): Promise<Page> {
    return this.open();
  }

  /**
   * Starts a configured server the way a client does: this process holds its stdio pipes. It runs
   * with the fixture's HOME in its own process group, and is killed at teardown.
   */
  startServer(server: StdioServer): ChildProcess {
    const child = this.scope.spawn(server.command, server.args, {
      cwd: this.fixture.workspace,
      env: { ...this.env, ...server.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    child.stdout?.resume();
    child.stderr?.resume();
    child.on('error', () => undefined);
    child.stdin?.on('error', () => undefined);
    return child;
  }

  /** Resolves when `child` writes `pattern` to stderr (servers announce readiness there). */
  waitForStderr(child: ChildProcess, pattern: RegExp, timeoutMs = 30000): Promise<void> {
    return waitForOutput(child, pattern, timeoutMs);
  }

  logTail(lines = 60): string {
    try {
      return fs.readFileSync(this.logFile, 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }

  /** Keeps a screenshot, the code-server log and VS Code's logs under .test-output/e2e/<name>/. */
  async keepArtifacts(name: string): Promise<string> {
    const out = path.join(
      OUTPUT_DIR,
      name
        .replace(/[^A-Za-z0-9._-]+/g, '-')
        .replace(/^-|-$/g, '')
        .slice(0, 120),
    );
    fs.rmSync(out, { recursive: true, force: true });
    fs.mkdirSync(out, { recursive: true });
    if (this.page) {
      try {
        await withTimeout(
          this.page.screenshot({ path: path.join(out, 'screenshot.png'), timeout: 15000 }),
          20000,
          'screenshot',
        );
      } catch (e) {
        fs.writeFileSync(path.join(out, 'screenshot-failed.txt'), String(e));
      }
    }
    if (fs.existsSync(this.logFile)) fs.copyFileSync(this.logFile, path.join(out, 'code-server.log'));
    const logs = path.join(this.userDataDir, 'logs');
    if (fs.existsSync(logs)) fs.cpSync(logs, path.join(out, 'vscode-logs'), { recursive: true });
    if (this.pageErrors.length) fs.writeFileSync(path.join(out, 'page-errors.txt'), this.pageErrors.join('\n'));
    // What ran and what the engine made of it at the failure, as the extension saw it (redacted by the CLI).
    fs.writeFileSync(
      path.join(out, 'processes.txt'),
      processesMarked(this.scope.id)
        .map((p) => `${p.pid} ${p.command}`)
        .join('\n'),
    );
    try {
      const status = execFileSync(
        process.execPath,
        [path.join(repoRoot, 'dist', 'cli.js'), 'status', '--json', '--workspace', this.fixture.workspace],
        { env: this.env, cwd: this.fixture.workspace, timeout: 60000, maxBuffer: 64 << 20 },
      );
      fs.writeFileSync(path.join(out, 'status.json'), status);
    } catch (e) {
      fs.writeFileSync(path.join(out, 'status-failed.txt'), String(e));
    }
    return out;
  }

  /** Closes the session's browser context, kills every process of the session, removes its folder; returns survivors. */
  async dispose(): Promise<ProcInfo[]> {
    if (this.context) {
      try {
        await withTimeout(this.context.close(), 15000, 'closing the browser context');
      } catch {
        // A context that does not close goes with its browser: the next session launches another.
        await closeSharedBrowser();
      }
    }
    // A start still under way spawns its process after this teardown would have looked.
    await this.codeServerStart?.catch(() => undefined);
    const t0 = Date.now();
    const survivors = await this.scope.teardown();
    this.step('processes ended', t0);
    fs.rmSync(this.dir, { recursive: true, force: true, maxRetries: 3 });
    fs.rmSync(this.tempDir, { recursive: true, force: true, maxRetries: 3 });
    return survivors;
  }
}
