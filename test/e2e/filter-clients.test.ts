import * as assert from 'node:assert/strict';
import { memoryServer } from './support/fixture';
import { describeE2e } from './support/harness';
import { eventually, quickInput, resizeSideBar, runCommand, sideBarTree, TreeRow } from './support/workbench';
import type { Page } from './support/playwright';

const groups = (rows: readonly TreeRow[]) => rows.filter((r) => r.level === 1).map((r) => r.label);

/** The side bar's title as laid out: its text, whether an ellipsis cuts it, and its actions' right edges. */
async function sideBarTitle(page: Page) {
  return page.evaluate(() => {
    type El = {
      textContent: string | null;
      scrollWidth: number;
      clientWidth: number;
      getBoundingClientRect(): { right: number };
    };
    const doc = (
      globalThis as unknown as { document: { querySelector(s: string): El | null; querySelectorAll(s: string): El[] } }
    ).document;
    const bar = doc.querySelector('.part.sidebar');
    const title = doc.querySelector('.part.sidebar .composite.title .title-label h2');
    const actions = [...doc.querySelectorAll('.part.sidebar .composite.title .actions-container .action-label')];
    return {
      text: title?.textContent ?? '',
      cut: title ? title.scrollWidth > title.clientWidth : true,
      barRight: bar?.getBoundingClientRect().right ?? 0,
      actionsRight: actions.map((a) => a.getBoundingClientRect().right),
    };
  });
}

/**
 * Filter by Client... from the `...` menu of the view's title bar (the bar keeps two icons, so the
 * title reads whole), with the row `label` of its multi-select toggled, then accepted.
 */
async function toggleClient(page: Page, label: string): Promise<void> {
  await page
    .locator('.part.sidebar .composite.title .action-label[aria-label*="More Actions"]')
    .click({ timeout: 30000 });
  const menu = page.locator('.context-view .monaco-menu');
  const entry = menu.locator('.action-label', { hasText: /^Filter by Client\.\.\./ }).first();
  await entry.waitFor({ state: 'visible', timeout: 30000 });
  await entry.hover({ timeout: 30000 });
  await page.keyboard.press('Enter');
  await menu.waitFor({ state: 'hidden', timeout: 30000 });
  await quickInput(page).locator(`.monaco-list-row[aria-label^="${label}"]`).first().click({ timeout: 30000 });
  await page.keyboard.press('Enter');
}

describeE2e('e2e: the view at 300 px, and Filter by Client', (h) => {
  it("the title and its icons fit at 300 px; Filter by Client... shows one client's servers, says so, and clears", async () => {
    const s = h.prepare({
      fixture: (dirs) => ({
        claudeDesktop: { notes: memoryServer(dirs, 'notes') },
        cursor: { other: memoryServer(dirs, 'other') },
      }),
    });
    await s.startCodeServer();
    const page = await s.open();
    await runCommand(page, 'View: Show MCP Lifeguard');
    await eventually(
      'the Claude Desktop and Cursor groups',
      () => sideBarTree(page),
      (rs) => ['Claude Desktop', 'Cursor'].every((g) => groups(rs).includes(g)),
      90000,
    );

    const width = await resizeSideBar(page, 300);
    assert.ok(Math.abs(width - 300) <= 4, `the side bar is ${width} px wide`);
    const title = await sideBarTitle(page);
    assert.match(title.text, /^MCP Lifeguard$/i);
    assert.ok(!title.cut, `the view's title "${title.text}" is cut at 300 px`);
    assert.ok(title.actionsRight.length >= 2, `title actions: ${JSON.stringify(title)}`);
    for (const right of title.actionsRight)
      assert.ok(right <= title.barRight, `an action ends past the side bar: ${JSON.stringify(title)}`);

    // Only Claude Desktop: Cursor's group goes, and the view says a filter is on.
    await toggleClient(page, 'Cursor');
    await eventually(
      "only Claude Desktop's group",
      () => sideBarTree(page),
      (rs) => groups(rs).includes('Claude Desktop') && !groups(rs).includes('Cursor'),
      60000,
    );
    const note = page.locator('.part.sidebar').getByText(/Showing only Claude Desktop\./);
    await note.waitFor({ state: 'visible', timeout: 30000 });

    // Every client checked again: no filter, no note.
    await toggleClient(page, 'Cursor');
    await eventually(
      'both groups again',
      () => sideBarTree(page),
      (rs) => ['Claude Desktop', 'Cursor'].every((g) => groups(rs).includes(g)),
      60000,
    );
    await note.waitFor({ state: 'hidden', timeout: 30000 });
  });
});
