import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from './playwright';

/**
 * Screenshots for the README: written only when MCP_LIFEGUARD_E2E_MEDIA names a folder
 * (`MCP_LIFEGUARD_E2E_MEDIA=media npm test` refreshes the committed ones).
 */
export async function mediaShot(
  page: Page,
  name: string,
  clip?: { x: number; y: number; width: number; height: number },
): Promise<void> {
  const dir = process.env.MCP_LIFEGUARD_E2E_MEDIA;
  if (!dir) return;
  fs.mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: path.resolve(dir, `${name}.png`), ...(clip ? { clip } : {}) });
}
