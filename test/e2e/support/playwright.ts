import type { E2eTools } from './tools';

/**
 * The slice of playwright-core's API the suite uses. playwright-core lives in the tools folder,
 * not in the project's dependencies, so it is required at runtime and typed here by hand.
 */
export interface Locator {
  click(options?: {
    button?: 'left' | 'right';
    timeout?: number;
    force?: boolean;
    position?: { x: number; y: number };
  }): Promise<void>;
  dblclick(options?: { timeout?: number }): Promise<void>;
  hover(options?: { timeout?: number }): Promise<void>;
  waitFor(options?: { state?: 'attached' | 'detached' | 'visible' | 'hidden'; timeout?: number }): Promise<void>;
  innerText(options?: { timeout?: number }): Promise<string>;
  textContent(options?: { timeout?: number }): Promise<string | null>;
  getAttribute(name: string, options?: { timeout?: number }): Promise<string | null>;
  allInnerTexts(): Promise<string[]>;
  /** Runs `fn` in the page on every element the locator matches now: one round trip for all of them. */
  evaluateAll<T>(
    fn: (
      elements: Array<{ getAttribute(name: string): string | null; setAttribute(name: string, value: string): void }>,
    ) => T,
  ): Promise<T>;
  isVisible(): Promise<boolean>;
  count(): Promise<number>;
  first(): Locator;
  last(): Locator;
  nth(index: number): Locator;
  locator(selector: string, options?: { hasText?: string | RegExp; has?: Locator }): Locator;
  filter(options: { hasText?: string | RegExp; hasNotText?: string | RegExp; has?: Locator }): Locator;
  getByRole(role: string, options?: { name?: string | RegExp; exact?: boolean }): Locator;
  getByText(text: string | RegExp, options?: { exact?: boolean }): Locator;
  press(key: string, options?: { timeout?: number }): Promise<void>;
  fill(value: string, options?: { timeout?: number }): Promise<void>;
  screenshot(options?: { path?: string; timeout?: number }): Promise<Buffer>;
  boundingBox(options?: { timeout?: number }): Promise<Box | null>;
}

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Page {
  goto(
    url: string,
    options?: { timeout?: number; waitUntil?: 'load' | 'domcontentloaded' | 'commit' },
  ): Promise<unknown>;
  locator(selector: string, options?: { hasText?: string | RegExp; has?: Locator }): Locator;
  getByRole(role: string, options?: { name?: string | RegExp; exact?: boolean }): Locator;
  getByText(text: string | RegExp, options?: { exact?: boolean }): Locator;
  keyboard: { press(key: string): Promise<void>; type(text: string, options?: { delay?: number }): Promise<void> };
  mouse: {
    move(x: number, y: number, options?: { steps?: number }): Promise<void>;
    down(): Promise<void>;
    up(): Promise<void>;
  };
  screenshot(options?: {
    path?: string;
    fullPage?: boolean;
    timeout?: number;
    clip?: { x: number; y: number; width: number; height: number };
  }): Promise<Buffer>;
  on(event: 'console', listener: (message: { type(): string; text(): string }) => void): void;
  on(event: 'pageerror', listener: (error: Error) => void): void;
  setDefaultTimeout(ms: number): void;
  /** Runs `fn` in the page and returns its result. */
  evaluate<T>(fn: () => T | Promise<T>): Promise<T>;
  /** The page loaded again: for code-server, a new window (Developer: Reload Window). */
  reload(options?: { timeout?: number; waitUntil?: 'load' | 'domcontentloaded' | 'commit' }): Promise<unknown>;
  context(): BrowserContext;
  /** Every frame of the page, nested ones too (a webview's content is a frame of its own). */
  frames(): Frame[];
  close(): Promise<void>;
}

export interface Frame {
  evaluate<T>(fn: () => T | Promise<T>): Promise<T>;
}

export interface BrowserContext {
  newPage(): Promise<Page>;
  /** Runs in every page before its own scripts. */
  addInitScript(script: string): Promise<void>;
  grantPermissions(permissions: string[], options?: { origin?: string }): Promise<void>;
  close(): Promise<void>;
}

export interface Browser {
  newContext(options?: {
    viewport?: { width: number; height: number };
    deviceScaleFactor?: number;
    /** Sent with every request of the context's pages. */
    extraHTTPHeaders?: Record<string, string>;
  }): Promise<BrowserContext>;
  /** False once the browser closed or crashed. */
  isConnected(): boolean;
  close(): Promise<void>;
}

interface PlaywrightCore {
  chromium: {
    launch(options: {
      executablePath: string;
      headless: boolean;
      args: string[];
      env: NodeJS.ProcessEnv;
      timeout: number;
    }): Promise<Browser>;
  };
}

/** The flags that work for Debian's Chromium on these machines (headless, no sandbox, offline). */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export async function launchChromium(tools: E2eTools, env: NodeJS.ProcessEnv): Promise<Browser> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pw = require(tools.playwrightCore) as PlaywrightCore;
  return pw.chromium.launch({
    executablePath: tools.chromium,
    headless: true,
    args: CHROMIUM_ARGS,
    env,
    timeout: 60000,
  });
}
