import { AdaptResult } from './types';

/**
 * A config text over a reader's own size limit, refused unread (with why), or undefined when it is
 * within it: a parser slower than the JSON reader would hold up a refresh on a large file.
 */
export function refusedOverSize(text: string, maxBytes: number, format: string): AdaptResult | undefined {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes <= maxBytes) return undefined;
  const mib = (n: number) => (n / (1024 * 1024)).toFixed(1);
  const message = `is ${mib(bytes)} MiB, over the ${mib(maxBytes)} MiB limit for a ${format} config; not read`;
  return { entries: [], diagnostics: [{ severity: 'error', message }] };
}
