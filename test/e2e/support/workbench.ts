import type { Locator, Page } from './playwright';
import { sleep, waitUntil } from '../../support/poll';

/** Workbench helpers: each waits for a UI condition with a bounded timeout and says what it waited for. */

export const STATUS_ITEMS = '.part.statusbar .statusbar-item';

/** Waits until `read()` satisfies `ok`, returning the last value read; throws naming `what` on timeout. */
export async function eventually<T>(
  what: string,
  read: () => Promise<T>,
  ok: (v: T) => boolean,
  timeoutMs: number,
): Promise<T> {
  let last: T | undefined;
  let lastError: unknown;
  const held = await waitUntil(
    async () => {
      try {
        last = await read();
        lastError = undefined;
        return ok(last);
      } catch (e) {
        lastError = e;
        return false;
      }
    },
    timeoutMs,
    250,
  );
  if (!held) {
    const seen =
      lastError !== undefined ? `error: ${String(lastError).split('\n')[0]}` : `last seen: ${JSON.stringify(last)}`;
    throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what} (${seen})`);
  }
  return last as T;
}

/** The texts of all visible status bar items. */
export async function statusBarTexts(page: Page): Promise<string[]> {
  return (await page.locator(STATUS_ITEMS).allInnerTexts())
    .map((t) => t.replace(/\s+/g, ' ').trim())
    .filter((t) => t !== '');
}

/** Waits for a status bar item whose text matches, returning its text. */
export async function waitForStatusItem(page: Page, pattern: RegExp, timeoutMs: number): Promise<string> {
  const texts = await eventually(
    `a status bar item matching ${pattern}`,
    () => statusBarTexts(page),
    (ts) => ts.some((t) => pattern.test(t)),
    timeoutMs,
  );
  return texts.find((t) => pattern.test(t)) as string;
}

/** The quick input widget (Command Palette, quick picks). */
export function quickInput(page: Page): Locator {
  return page.locator('.quick-input-widget');
}

async function openPalette(page: Page, text: string, timeoutMs: number): Promise<Locator> {
  const widget = quickInput(page);
  const input = widget.locator('input.input');
  const deadline = Date.now() + timeoutMs;
  // A quick input still open without its box (what a picked item left showing while its command
  // runs) is not the palette, and its hidden box takes no text: it is closed first. It can also turn
  // into one right after it was looked at (a command picked a moment before shows its own widget),
  // so the palette is opened again until its box is there.
  for (;;) {
    if ((await widget.isVisible()) && !(await input.isVisible())) await closeQuickInput(page, timeoutMs);
    if (!(await widget.isVisible())) await page.keyboard.press('F1');
    const left = deadline - Date.now();
    const shown = await input
      .waitFor({ state: 'visible', timeout: Math.max(1000, Math.min(3000, left)) })
      .then(() => true)
      .catch(() => false);
    // The box can hide again between showing and taking the text (the same widget, taken over by
    // a command's own pick): then the palette is opened again, until the deadline.
    const filled =
      shown &&
      (await input
        .fill(`>${text}`, { timeout: Math.max(1000, Math.min(3000, deadline - Date.now())) })
        .then(() => true)
        .catch((err: unknown) => {
          if (Date.now() >= deadline) throw err;
          return false;
        }));
    if (filled) return widget;
    if (Date.now() >= deadline) throw new Error(`the Command Palette's box did not show in ${timeoutMs} ms`);
  }
}

async function closeQuickInput(page: Page, timeoutMs: number): Promise<void> {
  const widget = quickInput(page);
  if (await widget.isVisible()) {
    await page.keyboard.press('Escape');
    await widget.waitFor({ state: 'hidden', timeout: timeoutMs });
  }
}

/** The labels of the Command Palette entries matching `filter` right now (the palette is closed afterwards). */
export async function paletteEntries(page: Page, filter: string, timeoutMs = 30000): Promise<string[]> {
  const widget = await openPalette(page, filter, timeoutMs);
  // The list is filled synchronously from the filter; an empty result shows a "no matching" message.
  await widget
    .locator('.monaco-list-row, .quick-input-message')
    .first()
    .waitFor({ state: 'visible', timeout: timeoutMs })
    .catch(() => undefined);
  const labels = await ariaLabels(widget.locator('.monaco-list-row'));
  await closeQuickInput(page, timeoutMs);
  return labels;
}

/**
 * Runs a command from the Command Palette (F1) by its full label ("Category: Title"). Commands
 * appear once their extension's manifest is loaded, so the palette is reopened until the entry
 * shows up or `timeoutMs` passes.
 */
export async function runCommand(page: Page, label: string, timeoutMs = 60000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const widget = await openPalette(page, label, 15000);
    // The accessible label may carry a suffix (", recently used", ", similar commands").
    const quoted = label.replace(/"/g, '\\"');
    const row = widget
      .locator(`.monaco-list-row[aria-label="${quoted}"], .monaco-list-row[aria-label^="${quoted}, "]`)
      .first();
    try {
      await row.waitFor({ state: 'visible', timeout: 3000 });
      await row.click({ timeout: 15000 });
    } catch (e) {
      await closeQuickInput(page, 15000);
      if (Date.now() > deadline)
        throw new Error(
          `the Command Palette did not offer "${label}" within ${timeoutMs / 1000} s (${String(e).split('\n')[0]})`,
        );
      continue;
    }
    // The palette closes, or the command reuses the widget for its own quick pick.
    await row.waitFor({ state: 'hidden', timeout: 15000 });
    return;
  }
}

/** Waits until the Command Palette offers `label` (the extension's manifest is loaded). */
export async function waitForPaletteEntry(page: Page, label: string, timeoutMs: number): Promise<void> {
  await eventually(
    `the Command Palette to offer "${label}"`,
    () => paletteEntries(page, label),
    (ls) => ls.some((l) => l === label || l.startsWith(`${label}, `)),
    timeoutMs,
  );
}

/** The accessible labels of a list's rows (a tree's, the Problems panel's, the editor tabs'), in order. */
export async function ariaLabels(rows: Locator): Promise<string[]> {
  // All rows at once, as they are now: one look, never a row read after the list moved under it.
  return rows.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
}

/** Text of the visible notification toasts. */
export function notifications(page: Page): Locator {
  return page.locator('.notifications-toasts .notification-toast');
}

/** The rows of the tree/list inside a view pane whose header title matches. */
export function viewRows(page: Page, title: RegExp): Locator {
  return page.locator('.pane', { has: page.locator('.pane-header', { hasText: title }) }).locator('.monaco-list-row');
}

/** The text of every line of the active editor (Monaco renders only what is in view). */
export function editorLines(page: Page): Locator {
  return page.locator('.editor-group-container.active .monaco-editor .view-lines .view-line');
}

export interface TreeRow {
  level: number;
  /** The item's label (the part of the accessible label before the first ", "). */
  label: string;
  /** The whole accessible label: label, description and state. */
  aria: string;
}

/** The rows of the side bar's tree, in display order. */
export async function sideBarTree(page: Page): Promise<TreeRow[]> {
  // Every row in one look (one round trip to the page, however many rows).
  const rows = await page
    .locator('.part.sidebar .monaco-list-row')
    .evaluateAll((els) => els.map((e) => [e.getAttribute('aria-label') ?? '', e.getAttribute('aria-level') ?? '0']));
  return rows.map(([aria, level]) => ({ level: Number(level), label: aria.split(', ')[0], aria }));
}

/**
 * Whether a row's label is `label`: the whole label, or its first part (a process row reads
 * "@acme/mcp-server-notes · pid 4242 · up 3s"). Never a part of a longer name: other tests' and
 * other users' processes show beside ours ("memory" is not "@modelcontextprotocol/server-memory").
 */
function labelPattern(label: string): RegExp {
  return new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?: · |$)`);
}

/** The side bar's rows labelled `label` (labelPattern) at `level`. */
export function sideBarRow(page: Page, level: number, label: string): Locator {
  return page
    .locator(`.part.sidebar .monaco-list-row[aria-level="${level}"]`)
    .filter({ has: page.locator('.label-name', { hasText: labelPattern(label) }) });
}

/** Picks the entry of an open quick pick (a command's own) whose accessible label starts with `label`. */
export async function pickQuickItem(page: Page, label: string, timeoutMs = 30000): Promise<void> {
  const widget = quickInput(page);
  const quoted = label.replace(/"/g, '\\"');
  const row = widget
    .locator(`.monaco-list-row[aria-label="${quoted}"], .monaco-list-row[aria-label^="${quoted}, "]`)
    .first();
  try {
    await row.click({ timeout: timeoutMs });
  } catch (e) {
    const open = await widget.isVisible();
    throw new Error(
      `the quick pick's entry "${label}" was never clicked (${open ? 'the pick is open' : 'the pick closed'}): ${String(e).split('\n')[0]}`,
    );
  }
  await row.waitFor({ state: 'hidden', timeout: timeoutMs });
}

/**
 * Runs a row's context-menu entry that opens a quick pick, and picks `pick` in it. On a busy machine
 * the row can be redrawn (its uptime ticks) while its menu is up: the menu closes without running
 * the entry, or the pick opens and loses focus to the redrawn tree and closes. Either way nothing
 * was chosen, so the whole step is tried again (three times at most); a pick that stays open
 * without the entry fails at once.
 */
export async function pickFromRowMenu(
  page: Page,
  row: { level: number; label: string },
  item: RegExp,
  pick: string,
  timeoutMs = 30000,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await contextMenuAction(page, row.level, row.label, item, timeoutMs);
    const opened = await quickInput(page)
      .waitFor({ state: 'visible', timeout: 10000 })
      .then(() => true)
      .catch(() => false);
    if (opened) {
      try {
        await pickQuickItem(page, pick, timeoutMs);
        return;
      } catch (e) {
        if (attempt >= 3 || (await quickInput(page).isVisible())) throw e;
      }
    } else if (attempt >= 3) {
      throw new Error(`${item} on "${row.label}" never opened its quick pick (${attempt} tries)`);
    }
  }
}

/** Answers a modal dialog by clicking its button `button`; returns the dialog's text. */
export async function answerDialog(page: Page, button: string, timeoutMs = 30000): Promise<string> {
  const dialog = page.locator('.monaco-dialog-box');
  await dialog.waitFor({ state: 'visible', timeout: timeoutMs });
  const text = await dialog.innerText();
  // The dialog shown is marked, so "still up" means this very element, not a next question.
  await dialog.evaluateAll((els) => els.forEach((e) => e.setAttribute('data-e2e-asked', '1')));
  const shown = page.locator('.monaco-dialog-box[data-e2e-asked]');
  const deadline = Date.now() + timeoutMs;
  // A click that lands while the workbench lays out around the dialog (an editor opening beside it)
  // can be lost: the very dialog still up after it was clicked is clicked again. Another dialog is
  // another question, never answered here.
  for (;;) {
    await shown
      .locator('.monaco-button', { hasText: button })
      .first()
      .click({ timeout: Math.max(1000, deadline - Date.now()) });
    const gone = await shown
      .waitFor({ state: 'hidden', timeout: Math.min(5000, Math.max(1000, deadline - Date.now())) })
      .then(() => true)
      .catch(() => false);
    if (gone) break;
    if (Date.now() > deadline) throw new Error(`the dialog "${text.split('\n')[0]}" stayed open after ${button}`);
  }
  return text;
}

/**
 * Expands a side bar tree row if it is collapsed: once the row has children to show (a row without
 * any has no twistie and no aria-expanded), one click on its twistie, then the row says it is expanded.
 */
export async function expandRow(page: Page, level: number, label: string, timeoutMs = 30000): Promise<void> {
  const row = sideBarRow(page, level, label).first();
  const state = await eventually(
    `"${label}" with children to show`,
    () => row.getAttribute('aria-expanded', { timeout: 5000 }),
    (v) => v !== null,
    timeoutMs,
  );
  if (state === 'true') return;
  await row.locator('.monaco-tl-twistie').click({ timeout: timeoutMs });
  await eventually(
    `"${label}" expanded after a click on its twistie`,
    () => row.getAttribute('aria-expanded', { timeout: 5000 }),
    (v) => v === 'true',
    timeoutMs,
  );
}

/**
 * The tooltip of a side bar tree row as the hover shows it now (the row is hovered, its hover read,
 * and the pointer moved away so the next hover is drawn afresh). What a row does not say in its
 * label and description (a server's command line) is read here.
 */
export async function rowTooltip(page: Page, level: number, label: string, timeoutMs = 30000): Promise<string> {
  const hover = page.locator('.workbench-hover, .monaco-hover').filter({ hasText: label }).first();
  // From outside the tree: a hover left open by another row (a refresh moves rows under the mouse)
  // is closed, and hovering the row again is a new hover.
  await page.mouse.move(0, 0);
  await sideBarRow(page, level, label).first().locator('.label-name').hover({ timeout: timeoutMs });
  await hover.waitFor({ state: 'visible', timeout: timeoutMs });
  const text = await hover.innerText({ timeout: timeoutMs });
  await page.mouse.move(0, 0);
  await hover.waitFor({ state: 'hidden', timeout: timeoutMs });
  return text;
}

/** Clicks a side bar tree row once: its command runs (a problem opens its file, an instance its evidence). */
export async function clickRow(page: Page, level: number, label: string, timeoutMs = 30000): Promise<void> {
  await sideBarRow(page, level, label).first().click({ timeout: timeoutMs });
}

/** The labels of a side bar tree row's context menu (one right-click), closed again afterwards. */
export async function contextMenuLabels(
  page: Page,
  level: number,
  label: string,
  timeoutMs = 30000,
): Promise<string[]> {
  const menu = await openRowMenu(page, level, label, timeoutMs);
  const items = (await menu.locator('.action-label').allInnerTexts()).map((t) => t.trim()).filter((t) => t !== '');
  await page.keyboard.press('Escape');
  await menu.waitFor({ state: 'hidden', timeout: timeoutMs });
  return items;
}

/**
 * Right-clicks a side bar tree row and returns its context menu, open: the menu of that row. A
 * right-click lands where the row was when it was found, and a refresh can move rows in between
 * (processes start and end on a busy machine), so the row the menu opened for (the tree focuses
 * it) is read back; a menu of another row is closed and the row right-clicked again.
 */
async function openRowMenu(page: Page, level: number, label: string, timeoutMs: number): Promise<Locator> {
  const menu = page.locator('.context-view .monaco-menu');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = Math.max(1000, deadline - Date.now());
    await sideBarRow(page, level, label).first().click({ button: 'right', timeout: left });
    await menu.locator('.action-label').first().waitFor({ state: 'visible', timeout: left });
    const focused = await page
      .locator('.part.sidebar .monaco-list-row.focused')
      .evaluateAll((els) => els.map((e) => [e.getAttribute('aria-level') ?? '', e.getAttribute('aria-label') ?? '']));
    const meant = focused.some(([l, aria]) => l === String(level) && labelPattern(label).test(aria.split(', ')[0]));
    if (meant) return menu;
    await page.keyboard.press('Escape');
    await menu.waitFor({ state: 'hidden', timeout: left });
    if (Date.now() > deadline)
      throw new Error(`the context menu opened for ${JSON.stringify(focused)}, never for "${label}" (level ${level})`);
  }
}

/**
 * Clicks `item` in the context menu of a side bar tree row. A menu lists what its row offered when
 * it was drawn: a row drawn again under the right-click (a refresh that moved it, a snapshot that
 * came between) can show an older menu, so a menu without the entry is closed and the row
 * right-clicked again until `timeoutMs`, then the error names what it offered and the row's label.
 */
export async function contextMenuAction(
  page: Page,
  level: number,
  label: string,
  item: RegExp,
  timeoutMs = 30000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const menu = await openRowMenu(page, level, label, Math.max(1000, deadline - Date.now()));
    const entry = menu.locator('.action-label', { hasText: item }).first();
    if (await entry.isVisible()) {
      // Hover focuses the entry and Enter runs it: a plain click can land while the workbench re-lays out.
      await entry.hover({ timeout: timeoutMs });
      await page.keyboard.press('Enter');
      await menu.waitFor({ state: 'hidden', timeout: timeoutMs });
      return;
    }
    const offered = (await menu.locator('.action-label').allInnerTexts()).map((t) => t.trim()).filter(Boolean);
    await page.keyboard.press('Escape');
    await menu.waitFor({ state: 'hidden', timeout: timeoutMs });
    if (Date.now() > deadline) {
      const rows = await page
        .locator(`.part.sidebar .monaco-list-row[aria-level="${level}"]`)
        .evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
      throw new Error(
        `the context menu of "${label}" has no ${item} (it offers: ${offered.join(', ')}; rows at level ${level}: ${rows.join(' | ')})`,
      );
    }
    await sleep(1000);
  }
}

/** The accessible labels of the status bar items (what a screen reader says for each). */
export async function statusBarLabels(page: Page): Promise<string[]> {
  return ariaLabels(page.locator(`${STATUS_ITEMS} [aria-label]`));
}

/** The pid an instance row names ("stale · pid 4242 · up 3s"), or undefined for other rows. */
export function rowPid(row: TreeRow): number | undefined {
  const m = /(?:^|· )pid (\d+)\b/.exec(row.label);
  return row.level === 3 && m ? Number(m[1]) : undefined;
}

/** The instance row of `pid`, if the tree shows it. */
export function instanceRow(rows: readonly TreeRow[], pid: number): TreeRow | undefined {
  return rows.find((r) => rowPid(r) === pid);
}

/** The verdict an instance row leads with ("stale", "duplicate", "ok", ...). */
export function rowVerdict(row: TreeRow): string {
  return row.label.split(' · ')[0];
}

/**
 * Sets the side bar to `width` px by dragging its sash, as a user would, and returns the width it
 * took (the workbench may clamp it).
 */
export async function resizeSideBar(page: Page, width: number): Promise<number> {
  const bar = page.locator('.part.sidebar');
  const box = await bar.boundingBox();
  if (!box) throw new Error('the side bar is not visible');
  const y = box.y + box.height / 2;
  await page.mouse.move(box.x + box.width, y);
  await page.mouse.down();
  await page.mouse.move(box.x + width, y, { steps: 8 });
  await page.mouse.up();
  return (await bar.boundingBox())?.width ?? 0;
}

/**
 * Whether the label (not the description) of the side bar row containing `text` is shown whole:
 * its right edge is inside the side bar, so no ellipsis cuts it.
 */
export async function rowLabelFits(
  page: Page,
  text: string,
): Promise<{ fits: boolean; labelRight: number; barRight: number }> {
  const bar = await page.locator('.part.sidebar').boundingBox();
  const label = await page
    .locator('.part.sidebar .monaco-list-row .label-name', { hasText: text })
    .first()
    .boundingBox();
  if (!bar || !label) throw new Error(`no visible side bar row labelled "${text}"`);
  const barRight = bar.x + bar.width;
  const labelRight = label.x + label.width;
  return { fits: labelRight <= barRight, labelRight, barRight };
}

/**
 * Shows MCP Lifeguard's view, waits for the workspace server `name` listed with its installed version
 * (the full snapshot, not the first look's row), starts it from its row's menu (VS Code starts it
 * through its own command) and returns the pid the result names.
 */
export async function startFromTree(page: Page, name: string): Promise<number> {
  await runCommand(page, 'View: Show MCP Lifeguard');
  await eventually(
    `the workspace server ${name} listed with its version`,
    () => sideBarTree(page),
    (rs) => rs.some((r) => r.level === 2 && r.label === name && /2026\.\d+\.\d+/.test(r.aria)),
    60000,
  );
  await contextMenuAction(page, 2, name, /^Start Server/);
  const toast = notifications(page).filter({
    hasText: new RegExp(`${name} started: pid \\d+( \\(its guard: pid \\d+\\))?\\.`),
  });
  await toast.first().waitFor({ state: 'visible', timeout: 90000 });
  return Number(/pid (\d+)/.exec(await toast.first().innerText())![1]);
}

/**
 * What the system clipboard holds, as the page reads it (the page is granted clipboard access
 * first: VS Code's web clipboard writes through `navigator.clipboard`).
 */
export async function clipboardText(page: Page): Promise<string> {
  return page.evaluate(() =>
    (
      globalThis as unknown as { navigator: { clipboard: { readText(): Promise<string> } } }
    ).navigator.clipboard.readText(),
  );
}

/** Lets the page use the system clipboard, as a user's browser does after its prompt. */
export async function allowClipboard(page: Page, origin: string): Promise<void> {
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
}

/** The text of every frame of the page: what webviews (a Markdown preview) show. A frame that cannot be read gives ''. */
export async function frameTexts(page: Page): Promise<string[]> {
  return Promise.all(
    page
      .frames()
      .map((f) =>
        f
          .evaluate(
            () =>
              (globalThis as unknown as { document?: { body?: { innerText?: string } } }).document?.body?.innerText ??
              '',
          )
          .catch(() => ''),
      ),
  );
}
