import { readPrivate, writePrivateAtomic } from '../machine/privateFs';
import type { MachineFs, MachineNet } from '../machine/types';
// Each function from its own module: the package's index loads all of semver.
import semverGt from 'semver/functions/gt';
import semverPrerelease from 'semver/functions/prerelease';
import semverValid from 'semver/functions/valid';
import { pathFor } from '../base/hostEnv';
import type { LifeguardPaths } from '../base/paths';
import { envValue, isRecord, parseIni, ResolveContext } from './lookup';
import { userNpmrc } from './npmPackages';
import { RegistryStatus, UpdateAvailable } from '../base/versionTypes';
import { redactUrl } from '../base/redact';
import { isVersionLine } from '../base/versionText';

/**
 * "Is there a newer release?": the npm registry's package document and PyPI's JSON API, at the
 * URLs the user's own npm / pip configuration names (mirrors and offline setups keep working), with
 * an override. Asked at most once a day per package; the answers are cached on disk. Never blocks a
 * snapshot: checks run in the background with a short timeout, and failures are logged, not shown.
 */

export const DAY_MS = 24 * 3600 * 1000;

/** Where the daily check keeps its answers: every face reads and writes this one file. */
export function registryCacheFile(paths: Pick<LifeguardPaths, 'cache' | 'platform'>): string {
  return pathFor(paths).join(paths.cache, 'registry.json');
}
/** A failed check is retried sooner than a successful one, but not on every refresh. */
export const RETRY_FAILED_MS = 3600 * 1000;

export interface RegistryOverrides {
  /** Base URL of an npm registry, e.g. `http://127.0.0.1:4873/`. */
  npm?: string;
  /** A pip index URL (`.../simple`) or the JSON API base (`.../pypi`). */
  pypi?: string;
  /** MCP Registries' base URLs, asked in order: the first that lists a server answers (default: the official one). */
  mcp?: string[];
}

/** The official MCP Registry. */
export const OFFICIAL_MCP_REGISTRY = 'https://registry.modelcontextprotocol.io';

/** A server's entry in the MCP Registry: its name there, and the package it was found from (whose version the entry lists). */
export interface McpRegistryRef {
  name: string;
  package: { ecosystem: 'npm' | 'python'; name: string; current: string };
}

/** The MCP Registry's answer for the latest version of a server (API v0.1). */
export function mcpLatestUrl(base: string, name: string): string {
  return `${base.replace(/\/+$/, '')}/v0.1/servers/${encodeURIComponent(name)}/versions/latest`;
}

const OFFICIAL_META = 'io.modelcontextprotocol.registry/official';
/** A registry's version that is not one printable line is no answer (base/versionText.ts). */
const NOT_A_VERSION = "the answer's version is not one printable line";
const REGISTRY_TYPE = { npm: 'npm', python: 'pypi' } as const;

/**
 * What a ServerResponse says: the status of its latest version (`_meta["io.modelcontextprotocol.registry/official"]`,
 * `active` when absent) with its message, and the latest version: the entry's package of the same
 * registry and name (`packages[].version`), else the entry's own `server.version`.
 */
export function statusFromServerResponse(
  doc: unknown,
  pkg: McpRegistryRef['package'],
): { status: 'active' | 'deprecated' | 'deleted'; message?: string; latest?: string } | Error {
  if (!isRecord(doc) || !isRecord(doc.server)) return new Error('the answer has no server');
  const server = doc.server;
  const meta = isRecord(doc._meta) && isRecord(doc._meta[OFFICIAL_META]) ? doc._meta[OFFICIAL_META] : {};
  const status = meta.status === 'deprecated' || meta.status === 'deleted' ? meta.status : 'active';
  const message = typeof meta.statusMessage === 'string' ? meta.statusMessage.slice(0, 500) : undefined;
  const packages = Array.isArray(server.packages) ? server.packages.filter(isRecord) : [];
  const own = packages.find((p) => p.registryType === REGISTRY_TYPE[pkg.ecosystem] && p.identifier === pkg.name);
  const latest = own && typeof own.version === 'string' ? own.version : server.version;
  if (latest !== undefined && !isVersionLine(latest)) return new Error(NOT_A_VERSION);
  return { status, ...(message ? { message } : {}), ...(latest ? { latest } : {}) };
}

/** A registry's answer about the newest release, as `doctor` shows it: the version, or why there is none. */
export interface ReleaseSaid {
  source: 'npm' | 'pypi' | 'mcp-registry';
  /** The registry's URL (the package document's, or the MCP Registry's base). */
  registry: string;
  latest?: string;
  /** Why it has no answer (a timeout, HTTP 404, not listed). */
  error?: string;
  /** An MCP Registry entry that is not active. */
  status?: 'deprecated' | 'deleted';
  /** ISO 8601. */
  checkedAt: string;
}

/** The registries asked: the given overrides, else `MCP_LIFEGUARD_NPM_REGISTRY`, `MCP_LIFEGUARD_PYPI_INDEX`, `MCP_LIFEGUARD_MCP_REGISTRY` (comma-separated). */
export function registryOverrides(
  env: Readonly<Record<string, string | undefined>>,
  given: RegistryOverrides = {},
): RegistryOverrides {
  const mcp = (env.MCP_LIFEGUARD_MCP_REGISTRY ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return {
    npm: given.npm ?? env.MCP_LIFEGUARD_NPM_REGISTRY,
    pypi: given.pypi ?? env.MCP_LIFEGUARD_PYPI_INDEX,
    mcp: given.mcp ?? (mcp.length ? mcp : undefined),
  };
}

export interface InstalledPackageRef {
  ecosystem: 'npm' | 'python';
  name: string;
  /** The installed version: an update is a newer release than this. */
  current: string;
}

/** The registry for an npm package: `@scope:registry`, then `registry`, from env or the user's .npmrc. */
export async function npmRegistryFor(ctx: ResolveContext, name: string, override?: string): Promise<string> {
  if (override) return override;
  const rc = await userNpmrc(ctx);
  const scope = name.startsWith('@') ? name.slice(0, name.indexOf('/')) : undefined;
  const scoped = scope
    ? (envValue(ctx.host, `npm_config_${scope}:registry`) ?? rc.get(`${scope}:registry`))
    : undefined;
  return scoped ?? envValue(ctx.host, 'npm_config_registry') ?? rc.get('registry') ?? 'https://registry.npmjs.org/';
}

/** pip's index URL: `PIP_INDEX_URL`, then `index-url` in the user's and the site's pip.conf. */
export async function pipIndexUrl(ctx: ResolveContext, override?: string): Promise<string> {
  if (override) return override;
  const fromEnv = envValue(ctx.host, 'PIP_INDEX_URL');
  if (fromEnv) return fromEnv;
  const p = pathFor(ctx.host);
  const files =
    ctx.host.platform === 'win32'
      ? [
          p.join(envValue(ctx.host, 'APPDATA') ?? p.join(ctx.host.home, 'AppData', 'Roaming'), 'pip', 'pip.ini'),
          p.join(ctx.host.home, 'pip', 'pip.ini'),
        ]
      : [
          envValue(ctx.host, 'PIP_CONFIG_FILE'),
          p.join(envValue(ctx.host, 'XDG_CONFIG_HOME') ?? p.join(ctx.host.home, '.config'), 'pip', 'pip.conf'),
          p.join(ctx.host.home, '.pip', 'pip.conf'),
          '/etc/pip.conf',
        ];
  for (const f of files) {
    if (!f) continue;
    const text = await ctx.fs.readText(f);
    const url = text === undefined ? undefined : parseIni(text).get('global')?.get('index-url');
    if (url) return url;
  }
  return 'https://pypi.org/simple';
}

/** `https://pypi.org/simple` -> `https://pypi.org/pypi/<name>/json` (a mirror's `/simple` likewise). */
export function pypiJsonUrl(indexUrl: string, name: string): string {
  const base = indexUrl
    .replace(/\/+$/, '')
    .replace(/\/simple$/, '')
    .replace(/\/pypi$/, '');
  return `${base}/pypi/${encodeURIComponent(name)}/json`;
}

export function npmDocUrl(registry: string, name: string): string {
  return `${registry.replace(/\/+$/, '')}/${name.startsWith('@') ? `@${encodeURIComponent(name.slice(1))}` : encodeURIComponent(name)}`;
}

/** The latest release in an npm package document (`dist-tags.latest`). */
export function latestFromNpmDoc(doc: unknown): string | Error {
  if (isRecord(doc) && isRecord(doc['dist-tags']) && typeof doc['dist-tags'].latest === 'string')
    return isVersionLine(doc['dist-tags'].latest) ? doc['dist-tags'].latest : new Error(NOT_A_VERSION);
  return new Error('the npm package document has no dist-tags.latest');
}

/** The latest release in a PyPI JSON API answer (`info.version`). */
export function latestFromPypiDoc(doc: unknown): string | Error {
  if (isRecord(doc) && isRecord(doc.info) && typeof doc.info.version === 'string')
    return isVersionLine(doc.info.version) ? doc.info.version : new Error(NOT_A_VERSION);
  return new Error('the PyPI JSON answer has no info.version');
}

/** PEP 440 release comparison, enough for "is newer": numeric release segments; pre-releases are never "newer". */
export function isNewer(ecosystem: 'npm' | 'python', latest: string, current: string): boolean {
  if (ecosystem === 'npm') {
    const l = semverValid(latest);
    const c = semverValid(current);
    return !!l && !!c && semverPrerelease(l) === null && semverGt(l, c);
  }
  const rel = (v: string) => (/^\d+(\.\d+)*$/.test(v) ? v.split('.').map(Number) : undefined);
  const l = rel(latest);
  const c = rel(current.replace(/\+.*$/, '').replace(/(a|b|rc|\.dev|\.post).*$/, ''));
  if (!l || !c) return false;
  for (let i = 0; i < Math.max(l.length, c.length); i++) {
    const d = (l[i] ?? 0) - (c[i] ?? 0);
    if (d !== 0) return d > 0;
  }
  return false;
}

const MIB = 1024 * 1024;
/**
 * The largest registry answer read: an abbreviated npm package document of a package with
 * thousands of releases is a few MiB; anything larger is no answer (one was 400 MB).
 */
export const MAX_ANSWER_BYTES = 8 * MIB;
/** Redirects followed within one registry's origin. */
const MAX_REDIRECTS = 5;

/** A registry's 404: the package or server is not there (for the MCP Registry, the next one is asked). */
const NOT_FOUND: unique symbol = Symbol('not found');

/** One answer the cache keeps (registry.json `entries`). */
export interface CacheEntry {
  /** ISO 8601. */
  checkedAt: string;
  url: string;
  latest?: string;
  error?: string;
  /** An MCP Registry's answer: the entry's status and message. */
  status?: RegistryStatus['status'];
  message?: string;
  /** No MCP Registry asked lists the server (a successful answer: asked again the next day). */
  unlisted?: true;
}

/** Where the cache keeps a package's answer. */
export function packageKey(ref: Pick<InstalledPackageRef, 'ecosystem' | 'name'>): string {
  return `${ref.ecosystem}:${ref.name}`;
}

/** The newer release than `ref.current` a cached answer names; undefined when it names none. */
export function updateOf(e: CacheEntry | undefined, ref: InstalledPackageRef): UpdateAvailable | undefined {
  if (!e?.latest || !isNewer(ref.ecosystem, e.latest, ref.current)) return undefined;
  return { current: ref.current, latest: e.latest, checkedAt: e.checkedAt, registry: e.url };
}

/**
 * The answers the cache file holds, by key, as a private file of ours is read (its folders checked
 * from `root` down); none when it is absent, unreadable (logged) or not JSON (logged). What a
 * reader of the cache alone needs (a guard's update notice), without the checker that asks.
 */
export async function readRegistryCache(o: {
  cacheFile: string;
  fs: MachineFs;
  platform: NodeJS.Platform;
  root?: string;
  uid?: number;
  log: (message: string) => void;
}): Promise<Map<string, CacheEntry>> {
  const entries = new Map<string, CacheEntry>();
  let text: string | undefined;
  try {
    text = await readPrivate(o.cacheFile, {
      root: o.root,
      fs: o.fs,
      platform: o.platform,
      ...(o.uid !== undefined ? { uid: o.uid } : {}),
    });
  } catch (err) {
    o.log(`registry cache ${o.cacheFile}: ${(err as Error).message}`);
    return entries;
  }
  if (text === undefined) return entries;
  try {
    const json = JSON.parse(text) as { entries?: Record<string, CacheEntry> };
    for (const [k, v] of Object.entries(json.entries ?? {}))
      if (v && typeof v.checkedAt === 'string') entries.set(k, v);
  } catch (err) {
    o.log(`registry cache ${o.cacheFile} is not valid JSON; starting afresh: ${(err as Error).message}`);
  }
  return entries;
}

export interface RegistryCheckerOptions {
  ctx: ResolveContext;
  /** How the cache file is read (a Machine's files: a replay reads its record). */
  fs: MachineFs;
  /** How the registries are asked (a Machine's network: a replay answers from its capture). */
  net: MachineNet;
  /** false: the answers are not saved (a replay writes nothing); true by default. */
  save?: boolean;
  /** Whose files ours are (the Machine's user); defaults to this process's. */
  uid?: number;
  cacheFile: string;
  /** Our root (src/core/base/paths.ts): every folder from it down to the cache file's is checked before use. */
  root?: string;
  overrides?: RegistryOverrides;
  now?: () => Date;
  timeoutMs?: number;
  /** Where failures go: a log line, never the UI. */
  log: (message: string) => void;
}

export class RegistryChecker {
  private entries = new Map<string, CacheEntry>();
  private loaded: Promise<void> | undefined;
  private inFlight = new Map<string, Promise<void>>();

  constructor(private readonly opts: RegistryCheckerOptions) {}

  private now(): Date {
    return (this.opts.now ?? (() => new Date()))();
  }

  private async load(): Promise<void> {
    this.loaded ??= readRegistryCache({
      cacheFile: this.opts.cacheFile,
      fs: this.opts.fs,
      platform: this.opts.ctx.host.platform,
      root: this.opts.root,
      uid: this.opts.uid,
      log: this.opts.log,
    }).then((read) => {
      for (const [k, v] of read) this.entries.set(k, v);
    });
    return this.loaded;
  }

  private async url(ref: InstalledPackageRef): Promise<string> {
    if (ref.ecosystem === 'npm')
      return npmDocUrl(await npmRegistryFor(this.opts.ctx, ref.name, this.opts.overrides?.npm), ref.name);
    return pypiJsonUrl(await pipIndexUrl(this.opts.ctx, this.opts.overrides?.pypi), ref.name);
  }

  private key(ref: InstalledPackageRef): string {
    return packageKey(ref);
  }

  /** What the cache says, without asking anyone: the snapshot's answer. */
  async cached(ref: InstalledPackageRef): Promise<UpdateAvailable | undefined> {
    await this.load();
    return updateOf(this.entries.get(this.key(ref)), ref);
  }

  /**
   * Whether a package is due for a check (never checked, a day old, or failed an hour ago). Cheap
   * on purpose, as every refresh asks: a changed registry setting takes effect at the next check.
   */
  async due(ref: InstalledPackageRef): Promise<boolean> {
    return this.dueKey(this.key(ref));
  }

  private async dueKey(key: string): Promise<boolean> {
    await this.load();
    const e = this.entries.get(key);
    if (!e) return true;
    const age = this.now().getTime() - Date.parse(e.checkedAt);
    return age >= (e.error ? RETRY_FAILED_MS : DAY_MS);
  }

  /** What an MCP Registry said of a server, from the cache (never asks): undefined when none lists it. */
  async cachedStatus(ref: McpRegistryRef): Promise<RegistryStatus | undefined> {
    await this.load();
    const e = this.entries.get(mcpKey(ref));
    if (!e?.status) return undefined;
    const newer = e.latest && isNewer(ref.package.ecosystem, e.latest, ref.package.current) ? e.latest : undefined;
    return {
      name: ref.name,
      status: e.status,
      ...(e.message ? { message: e.message } : {}),
      ...(newer ? { latest: newer } : {}),
      registry: e.url,
      checkedAt: e.checkedAt,
    };
  }

  /**
   * What the registry said of a package when last asked, newer or not (`mcp-lifeguard doctor`):
   * undefined when it was never asked.
   */
  async said(ref: InstalledPackageRef): Promise<ReleaseSaid | undefined> {
    await this.load();
    const e = this.entries.get(this.key(ref));
    if (!e) return undefined;
    return {
      source: ref.ecosystem === 'npm' ? 'npm' : 'pypi',
      registry: e.url,
      checkedAt: e.checkedAt,
      ...(e.latest ? { latest: e.latest } : {}),
      ...(e.error ? { error: e.error } : {}),
    };
  }

  /** What an MCP Registry said of a server's entry when last asked (its latest version, its status); undefined when never asked. */
  async saidMcp(ref: McpRegistryRef): Promise<ReleaseSaid | undefined> {
    await this.load();
    const e = this.entries.get(mcpKey(ref));
    if (!e) return undefined;
    return {
      source: 'mcp-registry',
      registry: e.url,
      checkedAt: e.checkedAt,
      ...(e.latest ? { latest: e.latest } : {}),
      ...(e.error ? { error: e.error } : {}),
      ...(e.unlisted ? { error: `${ref.name} is not listed` } : {}),
      ...(e.status && e.status !== 'active' ? { status: e.status } : {}),
    };
  }

  /** Checks every due package and MCP Registry entry (each once even if asked twice), then saves the cache. Never rejects. */
  async check(refs: InstalledPackageRef[], mcp: McpRegistryRef[] = []): Promise<void> {
    const due: Array<{ key: string; run: () => Promise<void> }> = [];
    for (const r of refs)
      if (!this.inFlight.has(this.key(r)) && (await this.due(r)))
        due.push({ key: this.key(r), run: () => this.checkOne(r) });
    for (const r of mcp)
      if (!this.inFlight.has(mcpKey(r)) && (await this.dueKey(mcpKey(r))))
        due.push({ key: mcpKey(r), run: () => this.checkMcp(r) });
    const runs = due.map((d) => {
      const run = d.run().finally(() => this.inFlight.delete(d.key));
      this.inFlight.set(d.key, run);
      return run;
    });
    if (runs.length === 0) return;
    await Promise.all(runs);
    await this.save();
  }

  private async checkOne(ref: InstalledPackageRef): Promise<void> {
    const url = await this.url(ref);
    const checkedAt = this.now().toISOString();
    const accept =
      ref.ecosystem === 'npm'
        ? 'application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8'
        : 'application/json';
    const answer = await this.fetchJson(url, accept);
    const latest =
      'failed' in answer
        ? new Error(answer.failed)
        : answer.doc === NOT_FOUND
          ? new Error('HTTP 404')
          : ref.ecosystem === 'npm'
            ? latestFromNpmDoc(answer.doc)
            : latestFromPypiDoc(answer.doc);
    if (!(latest instanceof Error)) {
      this.entries.set(this.key(ref), { checkedAt, url, latest });
      return;
    }
    this.opts.log(`update check for ${ref.ecosystem} package ${ref.name} at ${url} failed: ${latest.message}`);
    this.entries.set(this.key(ref), { checkedAt, url, error: latest.message });
  }

  /** Asks each MCP Registry in turn for the server's latest version; the first that lists it answers. */
  private async checkMcp(ref: McpRegistryRef): Promise<void> {
    const bases = this.opts.overrides?.mcp?.length ? this.opts.overrides.mcp : [OFFICIAL_MCP_REGISTRY];
    const checkedAt = this.now().toISOString();
    for (const base of bases) {
      const url = mcpLatestUrl(base, ref.name);
      const answer = await this.fetchJson(url, 'application/json');
      // Not listed there: the next registry may list it.
      if (!('failed' in answer) && answer.doc === NOT_FOUND) continue;
      const said = 'failed' in answer ? new Error(answer.failed) : statusFromServerResponse(answer.doc, ref.package);
      if (said instanceof Error) {
        this.opts.log(`MCP Registry check for ${ref.name} at ${url} failed: ${said.message}`);
        this.entries.set(mcpKey(ref), { checkedAt, url: base, error: said.message });
      } else this.entries.set(mcpKey(ref), { checkedAt, url: base, ...said });
      return;
    }
    this.entries.set(mcpKey(ref), { checkedAt, url: bases.join(' '), unlisted: true });
  }

  /**
   * One registry request: the JSON document, NOT_FOUND for a 404, or why it failed (a timeout, a
   * status, no JSON, an answer larger than MAX_ANSWER_BYTES, a redirect to another origin). The
   * whole exchange, its body included, is bounded in time; the body in bytes, read no further
   * than the bound; redirects are followed only within the origin asked, so an answer is always
   * the registry's that is named with it. Each hop is a GET of the Machine's network, so a capture
   * keeps it and a replay answers it.
   */
  private async fetchJson(url: string, accept: string): Promise<{ doc: unknown } | { failed: string }> {
    const timeoutMs = this.opts.timeoutMs ?? 2000;
    const signal = AbortSignal.timeout(timeoutMs);
    let at: URL;
    try {
      at = new URL(url);
    } catch (err) {
      return { failed: (err as Error).message };
    }
    for (let hop = 0; ; hop++) {
      const res = await this.opts.net.get({ url: at.href, headers: { accept }, maxBytes: MAX_ANSWER_BYTES, signal });
      if (res.kind === 'failed') return { failed: res.aborted ? `no answer within ${timeoutMs} ms` : res.message };
      const location = res.kind === 'answer' ? res.headers.location : undefined;
      if (res.status >= 300 && res.status < 400 && location !== undefined) {
        let next: URL;
        try {
          next = new URL(location, at);
        } catch (err) {
          return { failed: (err as Error).message };
        }
        if (next.origin !== at.origin)
          return { failed: `it redirected to another origin (${redactUrl(next.origin)}), which is not followed` };
        if (hop >= MAX_REDIRECTS) return { failed: `more than ${MAX_REDIRECTS} redirects` };
        at = next;
        continue;
      }
      if (res.status === 404) return { doc: NOT_FOUND };
      if (res.status < 200 || res.status > 299) return { failed: `HTTP ${res.status}` };
      if (res.kind === 'too-big') return { failed: `the answer is larger than ${MAX_ANSWER_BYTES / MIB} MiB` };
      try {
        return { doc: JSON.parse(res.body) as unknown };
      } catch (err) {
        return { failed: `the answer is not JSON: ${(err as Error).message}` };
      }
    }
  }

  private async save(): Promise<void> {
    if (this.opts.save === false) return;
    try {
      await writePrivateAtomic(
        this.opts.cacheFile,
        `${JSON.stringify({ version: 1, entries: Object.fromEntries(this.entries) })}\n`,
        { root: this.opts.root },
      );
    } catch (err) {
      this.opts.log(`could not save the registry cache ${this.opts.cacheFile}: ${(err as Error).message}`);
    }
  }
}

function mcpKey(ref: McpRegistryRef): string {
  return `mcp:${ref.name}`;
}
