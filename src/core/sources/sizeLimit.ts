import { FileDiagnostic } from './types';

/**
 * Why a config text over a reader's own size limit is refused unread, or undefined when it is within
 * it: a parser slower than the JSON reader would hold up a refresh on a large file.
 */
export function overSizeLimit(text: string, maxBytes: number, format: string): FileDiagnostic | undefined {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes <= maxBytes) return undefined;
  const mib = (n: number) => (n / (1024 * 1024)).toFixed(1);
  return {
    severity: 'error',
    message: `is ${mib(bytes)} MiB, over the ${mib(maxBytes)} MiB limit for a ${format} config; not read`,
  };
}
