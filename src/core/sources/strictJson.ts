import { isRecord } from '../base/isRecord';
import { ReadText } from './types';

/** A JSON object, as read from a client's own records. */
export type JsonRecord = Record<string, unknown>;

/** A file's JSON as read: its value, or why it is not JSON. */
export type StrictJson = { value: unknown } | { error: string };

/**
 * A file a client writes and reads as strict JSON (`JSON.parse`), as read; undefined when missing
 * or unreadable.
 */
export async function readStrictJson(readText: ReadText, file: string): Promise<StrictJson | undefined> {
  const text = await readText(file);
  if (text === undefined) return undefined;
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

/** Such a file's object, or undefined when it has none: the client has nothing from it either. */
export async function readJsonRecord(readText: ReadText, file: string): Promise<JsonRecord | undefined> {
  const read = await readStrictJson(readText, file);
  return read && 'value' in read && isRecord(read.value) ? read.value : undefined;
}
