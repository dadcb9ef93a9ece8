import type { InstanceVersions } from '../../core/base/versionTypes';
import { decide, GuardVerdict, guardVerdict, ResolvedVersion, StalePolicy } from './staleness';
import { toResolvedVersion } from './versionProbe';
import { ToolWrites, toolWrites } from './toolWrites';
import { staleNoticeText, UpdateLookup, updateNoticeText } from './staleNotice';

/** How often, at most, `--when-stale annotate` re-reads the registry cache (it is refreshed daily). */
const UPDATE_LOOK_MS = 10 * 60 * 1000;
/**
 * A tool call asks for a check when the last one is older than this (or the check interval, if
 * shorter): the notice then rides the next result, not one a whole interval later. At most one
 * judgement a second, whatever the call rate (one costs about 1 ms).
 */
const CALL_CHECK_MS = 1000;
/** While the server's files are settling (an install under way), how soon it is judged again: the notice is ready when `status` turns. */
const SETTLING_CHECK_MS = 500;

/**
 * Who a tool result goes to. A guard has one client (no audience); a shared server
 * (`--on-conflict share`) has many, and a once-only notice is said once to each: `key` tells them
 * apart, and `joinedAt` (performance.now()) says whether the client was attached when the tools
 * changed (one that came later listed the new tools itself, so there is nothing to tell it).
 */
export interface NoticeAudience {
  key: string;
  joinedAt: number;
}

/** The guard's one client, when the server is not shared. */
const ONE: NoticeAudience = { key: '', joinedAt: -Infinity };

export interface StaleGateOptions {
  stale?: { policy: StalePolicy; intervalMs: number };
  serverName: string;
  log(line: string): void;
  /**
   * The running child (compared by identity: a verdict on an earlier child says nothing of a new
   * one), or undefined while none exists.
   */
  currentChild(): object | undefined;
  /** The engine's judgement of the running child, with that child; undefined when there is none or no probe. */
  judgeChild(): Promise<{ child: object; versions: InstanceVersions } | undefined>;
  /** Whether the guard is running normally (not restarting, failed or closing). */
  isRunning(): boolean;
  /** Whether no client request is in flight. */
  isIdle(): boolean;
  restart(reason: string): Promise<unknown>;
  /**
   * Under `annotate`: a newer release than `installed` the registry cache already knows of, read
   * from disk only (never the network), or undefined.
   */
  updateAvailable?: UpdateLookup;
  /** When a verdict was taken and how old it is (ms): `performance.now` unless a test drives the clock. */
  now?: () => number;
}

/**
 * The guard's `--when-stale` policy, kept apart from the relay: which requests to refuse while the
 * running child is stale, the periodic check, and the restart once idle. The guard tells it the
 * tools' read-only hints as they pass and when it goes idle.
 */
export class StaleGate {
  private readonly toolKinds = new Map<string, ToolWrites>();
  private staleLogged = '';
  private idleRestartWanted = false;
  private timer: NodeJS.Timeout | undefined;
  private settlingTimer: NodeJS.Timeout | undefined;
  /** The last verdict, which child it judged (a restarted child is not judged by it), and when (performance.now()). */
  private last: { child: object; verdict: GuardVerdict; versions: InstanceVersions; at: number } | undefined;
  /** The judgement under way: every question asked meanwhile waits for it instead of starting another. */
  private judging: Promise<GuardVerdict> | undefined;
  /**
   * Under `annotate`: what changed in the tools across the last restart (toolsDiff.ts), when, and
   * the audiences told already: said once to each client attached then.
   */
  private toolsChanged: { text: string; at: number; told: Set<string> } | undefined;
  /** Under `annotate`: the update-available text, said once per guard process to each audience. */
  private update: { text?: string; told: Set<string>; lookedAt: number; lookedFor?: string } = {
    told: new Set(),
    lookedAt: 0,
  };

  constructor(private readonly options: StaleGateOptions) {}

  private now(): number {
    return this.options.now ? this.options.now() : performance.now();
  }

  start(): void {
    const stale = this.options.stale;
    if (stale && stale.intervalMs > 0) {
      this.timer = setInterval(() => void this.check(), stale.intervalMs);
      this.timer.unref();
    }
    // The model hears only what is known when a result passes: know it before the first call.
    if (stale?.policy === 'annotate') void this.check();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.settlingTimer) clearTimeout(this.settlingTimer);
  }

  /** Remembers which tools read and which write, as declared or named (from its tools/list answer). */
  noteTools(tools: unknown[]): void {
    for (const tool of tools as Array<{ name?: unknown; annotations?: { readOnlyHint?: unknown } }>) {
      if (typeof tool?.name === 'string') this.toolKinds.set(tool.name, toolWrites({ ...tool, name: tool.name }));
    }
  }

  /**
   * The refusal message for a client request under a refusing policy, or undefined to forward it.
   * Only a refusing policy waits for a verdict; every other request is decided at once, with no
   * promise made for it (undefined, not a promise of undefined: the relay then does not wait).
   */
  refusal(method: string, params: Record<string, unknown> | undefined): Promise<string | undefined> | undefined {
    const stale = this.options.stale;
    if (!stale) return undefined;
    const policy = stale.policy;
    if (policy !== 'refuse-writes' && policy !== 'refuse-all') {
      if (method === 'tools/call') this.noteToolCall();
      return undefined;
    }
    if (policy === 'refuse-writes' && method !== 'tools/call') return undefined;
    return this.verdict().then((verdict) => {
      const toolName = typeof params?.name === 'string' ? params.name : undefined;
      const decision = decide(
        policy,
        verdict,
        // A tool the client calls before any tools/list answer went by (a client that kept its list
        // across a reconnect) is judged by its name: that needs no list.
        {
          method,
          toolName,
          writes: toolName === undefined ? undefined : (this.toolKinds.get(toolName) ?? toolWrites({ name: toolName })),
        },
        this.options.serverName,
      );
      return decision.action === 'refuse' ? decision.message : undefined;
    });
  }

  /**
   * A tool is being called: the verdict is checked again in the background (the call never waits
   * for it), unless the last one on this child is younger than a second (or the check interval, if
   * shorter) or a check is under way. A judgement reads the child's mapped files and
   * hashes what changed: once per call it cost a busy guard about 1 ms a call and its memory.
   */
  noteToolCall(): void {
    const interval = Math.min(this.options.stale?.intervalMs ?? 0, CALL_CHECK_MS);
    const last = this.last;
    if (last && last.child === this.options.currentChild() && this.now() - last.at < interval) return;
    void this.check();
  }

  /**
   * The texts a `tools/call` result passing now to `audience` carries. Synchronous, from the last
   * check: the result is never held for a check (the call that brought it started one, or a
   * refusing policy judged it before letting it through). The stale notice rides every result
   * under `annotate` and under the refusing policies (a refusal adds refusals: a read it lets
   * through still tells the model); the others once per audience, under `annotate` only.
   */
  toolResultNotices(audience: NoticeAudience = ONE): string[] {
    const policy = this.options.stale?.policy;
    if (policy !== 'annotate' && policy !== 'refuse-writes' && policy !== 'refuse-all') return [];
    const notices: string[] = [];
    const verdict = this.last && this.last.child === this.options.currentChild() ? this.last.verdict : undefined;
    if (verdict?.state === 'restart') notices.push(staleNoticeText(verdict.toModel, this.options.serverName));
    if (policy !== 'annotate') return notices;
    const changed = this.toolsChanged;
    if (changed && !changed.told.has(audience.key) && audience.joinedAt <= changed.at) notices.push(changed.text);
    if (this.update.text && !this.update.told.has(audience.key)) notices.push(this.update.text);
    return notices;
  }

  /** The notices went out on a result to `audience`: its update-available and tools-changed ones are not said to it again. */
  noticesDelivered(audience: NoticeAudience = ONE): void {
    if (this.update.text) this.update.told.add(audience.key);
    this.toolsChanged?.told.add(audience.key);
  }

  /** A restart changed the server's tools: the model hears it on the next tool result (under annotate). */
  noteToolsChanged(text: string): void {
    this.toolsChanged = { text, at: performance.now(), told: new Set() };
  }

  /** Called when no request is in flight any more: a wanted restart happens now. */
  onIdle(): void {
    if (!this.idleRestartWanted || !this.options.isIdle() || !this.options.isRunning()) return;
    this.idleRestartWanted = false;
    this.options
      .restart(
        `${this.last?.verdict.state === 'restart' ? this.last.verdict.said : 'it does not run what is installed'} (--when-stale restart-when-idle)`,
      )
      .catch((err: Error) => this.options.log(`restart failed: ${err.message}`));
  }

  /** The running child's verdict, judged now or by the judgement already under way (never two at once). */
  private verdict(): Promise<GuardVerdict> {
    this.judging ??= this.judge().finally(() => (this.judging = undefined));
    return this.judging;
  }

  private async judge(): Promise<GuardVerdict> {
    const stale = this.options.stale;
    const judged = stale ? await this.options.judgeChild() : undefined;
    if (!stale || !judged) return { state: 'none', reason: 'no staleness probe' };
    const verdict = guardVerdict(judged.versions);
    this.last = { child: judged.child, verdict, versions: judged.versions, at: this.now() };
    // A change still settling is judged again soon, not at the next interval: once it is judged,
    // the next result carries the notice (as `status` turns stale), whether or not a call came meanwhile.
    if (verdict.state === 'settling' && !this.settlingTimer) {
      this.settlingTimer = setTimeout(() => {
        this.settlingTimer = undefined;
        void this.check();
      }, SETTLING_CHECK_MS);
      this.settlingTimer.unref();
    }
    if (stale.policy === 'annotate') await this.lookForUpdate(toResolvedVersion(judged.versions.installed));
    if (verdict.state === 'restart') {
      const said = `${this.options.serverName}: ${verdict.said}`;
      if (this.staleLogged !== said) {
        this.staleLogged = said;
        this.options.log(`${said} (--when-stale ${stale.policy})`);
      }
    }
    return verdict;
  }

  /**
   * Reads the registry cache for a newer release (at most every UPDATE_LOOK_MS), until it was said
   * to the guard's one client. A shared server's clients come and go: it keeps looking for the next.
   */
  private async lookForUpdate(installed: ResolvedVersion): Promise<void> {
    const look = this.options.updateAvailable;
    const now = this.now();
    if (!look || this.update.told.has(ONE.key) || installed.state !== 'known') return;
    // Another install is looked up at once: a text about the one before it would be wrong.
    const lookFor = `${installed.name}@${installed.version}`;
    if (lookFor === this.update.lookedFor && now - this.update.lookedAt < UPDATE_LOOK_MS) return;
    this.update.lookedAt = now;
    this.update.lookedFor = lookFor;
    this.update.text = undefined;
    try {
      const found = await look(installed);
      this.update.text = found && updateNoticeText(found);
    } catch (err) {
      this.options.log(`reading the registry cache failed: ${(err as Error).message}`);
    }
  }

  /** The timer's check (and the one on tools/call under annotate, warn and restart-when-idle, which never delays the call). */
  private async check(): Promise<void> {
    if (!this.options.isRunning()) return;
    try {
      const verdict = await this.verdict();
      // A package gone is no code to restart into (an uninstall, or an install not begun writing).
      if (verdict.state === 'restart' && verdict.restartable && this.options.stale?.policy === 'restart-when-idle') {
        this.idleRestartWanted = true;
        this.onIdle();
      }
    } catch (err) {
      this.options.log(`checking for a newer installed version failed: ${(err as Error).message}`);
    }
  }
}
