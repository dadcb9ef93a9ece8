/**
 * A config file's bytes as the editors read them, and back, so that every byte outside an edited
 * value is written as it was. A file of valid UTF-8 is its text (a leading byte order mark set aside
 * and put back); any other file is read one character per byte (`bytes`), so its bytes come back
 * exactly, whatever they are: a Latin-1 comment is never turned into U+FFFD. Only the JSON editor
 * edits such a file (a value it moves keeps its own bytes, a value it writes is escaped to ASCII);
 * TOML and YAML must be UTF-8 and are refused otherwise.
 */

export type ConfigEncoding = 'utf8' | 'bytes';

export interface ConfigText {
  /** What the editors read: the file's characters, or one character per byte (`bytes`). */
  text: string;
  encoding: ConfigEncoding;
  /** A UTF-8 byte order mark stood before the text. */
  bom: boolean;
}

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function decodeConfig(bytes: Uint8Array): ConfigText {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const bom = buf.subarray(0, 3).equals(BOM);
  const body = bom ? buf.subarray(3) : buf;
  try {
    return { text: strictUtf8.decode(body), encoding: 'utf8', bom };
  } catch {
    return { text: body.toString('latin1'), encoding: 'bytes', bom };
  }
}

export function encodeConfig(c: ConfigText): Buffer {
  const body = Buffer.from(c.text, c.encoding === 'utf8' ? 'utf8' : 'latin1');
  return c.bom ? Buffer.concat([BOM, body]) : body;
}

/** The file as a person reads it (a diff): UTF-8, bytes that are not shown as U+FFFD. */
export function displayConfig(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}

/** The offset of the first byte that is not part of valid UTF-8, or -1 (for saying where). */
export function firstInvalidByte(bytes: Uint8Array): number {
  const n = bytes.length;
  for (let i = 0; i < n;) {
    const b = bytes[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    const need = b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : 0;
    if (need === 0 || i + need >= n) return i;
    for (let k = 1; k <= need; k++) if ((bytes[i + k] & 0xc0) !== 0x80) return i;
    const b1 = bytes[i + 1];
    // Overlong forms, surrogates and code points past U+10FFFF.
    if (
      (b === 0xe0 && b1 < 0xa0) ||
      (b === 0xed && b1 > 0x9f) ||
      (b === 0xf0 && b1 < 0x90) ||
      (b === 0xf4 && b1 > 0x8f)
    )
      return i;
    i += need + 1;
  }
  return -1;
}
