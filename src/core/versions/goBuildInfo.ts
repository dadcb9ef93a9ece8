/**
 * The build information Go writes into every binary it links (`go version -m` reads the same): the
 * Go release, the main package's path, and the main module with its version (`go install
 * example.com/x@v1.2.3` stamps `v1.2.3`), plus the modules it was built with. A server that is a Go
 * binary says which version it is through these bytes, so they are read from the file, never by
 * running it (the binary may be anything a config or a process table names).
 *
 * Pure: bytes in, facts out (tested on stored bytes). Only the layout of Go 1.18 and later is read
 * (flags bit 2: the two strings follow the 32-byte header inline, each a uvarint length then its
 * bytes); older binaries point at their strings by virtual address, which this does not follow.
 */

/** `\xff Go buildinf:`: the header's first 14 bytes, at a 16-byte aligned offset. */
export const BUILD_INFO_MAGIC = Buffer.from('\xff Go buildinf:', 'latin1');
const HEADER_BYTES = 32;
const ALIGN = 16;
/** Bit 2 of the flags byte: the strings follow the header (Go >= 1.18). */
const FLAG_INLINE = 2;
/** The 16-byte sentinels cmd/go frames the module information with (modload's infoStart and infoEnd). */
const FRAME_BYTES = 16;

export interface GoModule {
  path: string;
  /** `v1.2.3`, a pseudo-version, or `(devel)` for a module built from its own folder. */
  version: string;
  /** `h1:...`, when the module came through the module system. */
  sum?: string;
  /** A `replace` directive's target, when the module was replaced. */
  replacedBy?: { path: string; version: string; sum?: string };
}

export interface GoBuildInfo {
  /** `go1.22.3`. */
  goVersion: string;
  /** The main package's import path (`example.com/x/cmd/server`). */
  path?: string;
  /** The main module. */
  main?: GoModule;
  deps: GoModule[];
}

/** Reads an unsigned varint (encoding/binary's Uvarint). Undefined when cut short or too long. */
function uvarint(bytes: Buffer, at: number): { value: number; next: number } | undefined {
  let value = 0;
  let scale = 1;
  for (let i = at; i < bytes.length && i < at + 10; i++) {
    const b = bytes[i];
    value += (b & 0x7f) * scale;
    if (b < 0x80) return Number.isSafeInteger(value) ? { value, next: i + 1 } : undefined;
    scale *= 128;
  }
  return undefined;
}

/** A string the header holds inline: a uvarint length, then its bytes. */
function inlineBytes(bytes: Buffer, at: number): { data: Buffer; next: number } | undefined {
  const len = uvarint(bytes, at);
  if (!len || len.value > bytes.length - len.next) return undefined;
  return { data: bytes.subarray(len.next, len.next + len.value), next: len.next + len.value };
}

/** The module information of a binary's build (runtime/debug's text form): its `path`, `mod`, `dep` and `=>` lines. */
export function parseModInfo(text: string): Omit<GoBuildInfo, 'goVersion'> {
  const out: Omit<GoBuildInfo, 'goVersion'> = { deps: [] };
  let last: GoModule | undefined;
  const moduleOf = (fields: string[]): GoModule | undefined =>
    fields[0] && fields[1]
      ? { path: fields[0], version: fields[1], ...(fields[2] ? { sum: fields[2] } : {}) }
      : undefined;
  for (const line of text.split('\n')) {
    const [key, ...fields] = line.split('\t');
    if (key === 'path' && fields[0]) out.path = fields[0];
    else if (key === 'mod') last = out.main = moduleOf(fields);
    else if (key === 'dep') {
      last = moduleOf(fields);
      if (last) out.deps.push(last);
    } else if (key === '=>' && last) {
      const to = moduleOf(fields.length === 1 ? [fields[0], ''] : fields);
      if (to || fields[0]) last.replacedBy = to ?? { path: fields[0], version: '' };
    }
  }
  return out;
}

/** The build information whose header starts at `at` (undefined: not a header this reads). */
export function parseBuildInfoAt(bytes: Buffer, at: number): GoBuildInfo | undefined {
  if (at < 0 || bytes.length - at < HEADER_BYTES) return undefined;
  if (!bytes.subarray(at, at + BUILD_INFO_MAGIC.length).equals(BUILD_INFO_MAGIC)) return undefined;
  if ((bytes[at + 15] & FLAG_INLINE) === 0) return undefined;
  const version = inlineBytes(bytes, at + HEADER_BYTES);
  const goVersion = version?.data.toString('utf8');
  if (!version || !goVersion?.startsWith('go')) return undefined;
  const mod = inlineBytes(bytes, version.next);
  if (!mod) return undefined;
  // Framed by two 16-byte sentinels, the text's last newline just before the closing one; else none.
  const raw = mod.data;
  const modText =
    raw.length >= 2 * FRAME_BYTES + 1 && raw[raw.length - FRAME_BYTES - 1] === 0x0a
      ? raw.toString('utf8', FRAME_BYTES, raw.length - FRAME_BYTES)
      : '';
  return { goVersion, ...parseModInfo(modText) };
}

/**
 * Offsets in `bytes` where a header may start: the magic at a 16-byte aligned offset (`base` is
 * the offset of `bytes[0]` in the file: alignment is the file's). Pure.
 */
export function headerOffsets(bytes: Buffer, base = 0): number[] {
  const out: number[] = [];
  for (let i = bytes.indexOf(BUILD_INFO_MAGIC); i >= 0; i = bytes.indexOf(BUILD_INFO_MAGIC, i + 1))
    if ((base + i) % ALIGN === 0) out.push(i);
  return out;
}

/** The first header in `bytes` that parses (a whole file, or a piece of one starting at `base`). */
export function findBuildInfo(bytes: Buffer, base = 0): GoBuildInfo | undefined {
  for (const at of headerOffsets(bytes, base)) {
    const info = parseBuildInfoAt(bytes, at);
    if (info) return info;
  }
  return undefined;
}

/** A version that names a release of the main module: not `(devel)` (built from its own folder) nor absent. */
export function moduleVersion(info: GoBuildInfo | undefined): { path: string; version: string } | undefined {
  const main = info?.main;
  if (!main || !main.version || main.version === '(devel)') return undefined;
  return { path: main.path, version: main.version };
}
