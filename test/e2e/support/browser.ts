import * as fs from 'node:fs';
import * as path from 'node:path';
import { Browser, launchChromium } from './playwright';
import { callerEnv, ProcessScope, ProcInfo } from './processes';
import type { E2eTools } from './tools';
import { makeTempDir } from '../../support/temp';

/**
 * One headless Chromium for the run's e2e scenarios, one after another: launching it is seconds of
 * a busy core per scenario. Each session opens its own browser context, which is a profile of its
 * own (no cookie, storage, cache or permission of an earlier session), and closes it at teardown.
 * The browser carries its own process marker, so a session's sweep never counts it; it is closed
 * after the last e2e suite of the run (see harness.ts), and killed at exit if that never came.
 */
let launched: { browser: Browser; scope: ProcessScope; dir: string } | undefined;
let launching: Promise<Browser> | undefined;

async function launch(tools: E2eTools): Promise<Browser> {
  const dir = makeTempDir('lg-browser-');
  const home = path.join(dir, 'home');
  fs.mkdirSync(home);
  const scope = new ProcessScope(`${process.pid}-browser-${Date.now()}`);
  const browser = await launchChromium(tools, scope.env({ ...callerEnv(), HOME: home, TMPDIR: dir, LANG: 'C.UTF-8' }));
  launched = { browser, scope, dir };
  return browser;
}

/** The run's browser, launched on first use and again if it went away (a crash must not fail every later scenario). */
export async function sharedBrowser(tools: E2eTools): Promise<Browser> {
  if (launched && !launched.browser.isConnected()) await closeSharedBrowser();
  if (launched) return launched.browser;
  launching ??= launch(tools).finally(() => (launching = undefined));
  return launching;
}

/** Closes the run's browser and ends its processes; returns any that survived (none expected). */
export async function closeSharedBrowser(): Promise<ProcInfo[]> {
  const current = launched;
  launched = undefined;
  if (!current) return [];
  try {
    await Promise.race([current.browser.close(), new Promise((r) => setTimeout(r, 15000))]);
  } catch {
    // The sweep below ends it.
  }
  const survivors = await current.scope.teardown();
  fs.rmSync(current.dir, { recursive: true, force: true, maxRetries: 3 });
  return survivors;
}
